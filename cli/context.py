"""What every command shares: settings, the engine, the acting user, error handling."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import typer
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DataError, NoSuchModuleError, OperationalError

from data.errors import InputError, PermissionDenied, TalentMapError
from data.settings import Settings
from data.store.engine import check_schema, make_engine, session_scope
from data.store.users import LOCAL_ADMIN, require

if TYPE_CHECKING:
    from ml.encoders import Encoder

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
        try:
            _engines[url] = make_engine(url, **s.engine_options())
        except (ArgumentError, NoSuchModuleError, ImportError) as err:
            raise TalentMapError(
                f"DATABASE_URL {_shown(url)} cannot be used ({_first_line(err)}): use "
                "sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/DB"
            ) from None
    eng = _engines[url]
    if checked:
        check_schema(eng)
    return eng


def _shown(url: str) -> str:
    """``url`` without its password (or a placeholder when it does not parse)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a URL)"


def _first_line(err: BaseException) -> str:
    text = str(getattr(err, "orig", None) or err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def actor() -> Actor:
    """Who the CLI acts as, without prompting.

    A store with no users yet is run by the local admin (the bootstrap: ``init``, ``demo``,
    the first ``users add``). Once any user exists, ``TALENTMAP_USER`` must name one and
    ``TALENTMAP_TOKEN`` carry that user's token (``talentmap users token NAME``)."""
    from data.errors import AccountDisabled, SchemaError
    from data.store.audit import record
    from data.store.users import authenticate_token, has_users

    name = (settings().user or "").strip()
    token = settings().token or ""
    eng = engine(checked=False)
    try:
        check_schema(eng)
    except SchemaError:  # no store yet, so no users: commands that need one say `init`
        if name:
            raise
        return Actor(LOCAL_ADMIN, "admin")
    try:
        with session_scope(eng) as s:
            if not has_users(s):
                return Actor(LOCAL_ADMIN, "admin")
            if not name:
                raise PermissionDenied(
                    "this store has users, so the CLI needs to know who you are: set "
                    "TALENTMAP_USER to your user name and TALENTMAP_TOKEN to your token "
                    "(an admin creates one with `talentmap users token NAME`)"
                )
            user = authenticate_token(s, name, token)
            return Actor(user.name, user.role)
    except AccountDisabled:
        with session_scope(eng) as s:  # the refusal is audited in its own transaction
            record(s, name, "cli.login_disabled", target_type="user", target=name[:64])
        raise


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
        except OperationalError as err:  # server down, wrong host, locked or unreadable file
            typer.secho(
                f"Error: cannot use the database ({_first_line(err)}): check "
                "DATABASE_URL and that the database server is running",
                fg=typer.colors.RED,
                err=True,
            )
            raise typer.Exit(code=TalentMapError.exit_code) from None
        except DataError as err:  # a value the database refuses (too long, NUL character)
            typer.secho(
                f"Error: the database refused a value ({_first_line(err)}): look for "
                "over-long text or NUL characters in the input",
                fg=typer.colors.RED,
                err=True,
            )
            raise typer.Exit(code=InputError.exit_code) from None

    return wrapper


def load_encoder(name: str | None = None) -> Encoder:
    """The encoder ``name`` (default: the ``TALENTMAP_ENCODER`` setting), its one-time files
    made in the data directory with a progress line (minilm's int8 ONNX export on CPU)."""
    from rich.console import Console

    import ml.encoders

    console = Console(stderr=True)
    labels = {
        "export": "preparing the fast CPU encoder (once): exporting minilm to ONNX",
        "quantise": "preparing the fast CPU encoder (once): int8 weights",
    }
    with console.status("loading the encoder") as status:
        return ml.encoders.get_encoder(
            name or settings().encoder,
            cache_dir=settings().encoders_dir,
            progress=lambda step: status.update(labels.get(step, step)),
        )
