"""What every command shares: settings, the engine, the acting user, error handling."""
from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

import typer
from sqlalchemy import Engine

from data.db import check_schema, make_engine, session_scope
from data.errors import TalentMapError
from data.settings import Settings
from data.users import LOCAL_ADMIN, get_user, require

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Actor:
    name: str
    role: str


_engines: dict[str, Engine] = {}


def settings() -> Settings:
    return Settings()


def engine(*, checked: bool = True) -> Engine:
    """The engine for the configured store (one per URL per process)."""
    s = settings()
    s.ensure_dirs()
    url = s.url
    if url not in _engines:
        _engines[url] = make_engine(url)
    eng = _engines[url]
    if checked:
        check_schema(eng)
    return eng


def actor() -> Actor:
    """Who the CLI acts as: ``TALENTMAP_USER``, or the local admin when unset."""
    name = os.environ.get("TALENTMAP_USER")
    if not name or name == LOCAL_ADMIN and not _user_exists(name):
        return Actor(LOCAL_ADMIN, "admin")
    with session_scope(engine()) as s:
        user = get_user(s, name)
        return Actor(user.name, user.role)


def _user_exists(name: str) -> bool:
    from sqlalchemy import select

    from data.models import User

    with session_scope(engine()) as s:
        return s.scalar(select(User.id).where(User.name == name)) is not None


def authorise(permission: str, action: str) -> Actor:
    """The acting user, after checking they may do ``action``."""
    who = actor()
    require(who.role, permission, action=action)
    return who


def guarded(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn domain errors into a one-line message and a non-zero exit, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except TalentMapError as err:
            typer.secho(f"Error: {err}", fg=typer.colors.RED, err=True)
            raise typer.Exit(code=err.exit_code) from None

    return wrapper
