"""Store commands: init, demo, serve, users, import."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.context import authorise, engine, guarded, settings
from data.audit import record
from data.db import session_scope, upgrade
from data.users import ROLES, add_user

users_app = typer.Typer(help="Manage who may use TalentMap.", no_args_is_help=True)
import_app = typer.Typer(help="Import your own candidates and stage events from CSV.", no_args_is_help=True)


@guarded
def init() -> None:
    """Create the schema, or upgrade it to the latest version (safe to run again)."""
    eng = engine(checked=False)
    upgrade(eng)
    typer.echo(f"store ready: {eng.url.render_as_string(hide_password=True)}")


@guarded
def serve(
    port: Annotated[int, typer.Option(help="port to listen on")] = 8501,
    headless: Annotated[bool, typer.Option(help="do not open a browser")] = True,
) -> None:
    """Start the dashboard."""
    engine()  # fail early, with a clear message, when the store is missing
    app_path = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    cmd = [sys.executable, "-m", "streamlit", "run", str(app_path), "--server.port", str(port),
           "--server.headless", str(headless).lower()]
    raise typer.Exit(subprocess.call(cmd))


@users_app.command("add")
@guarded
def users_add(
    name: str,
    role: Annotated[str, typer.Option(help="admin | recruiter | viewer")] = "viewer",
    password: Annotated[
        str | None,
        typer.Option(envvar="TALENTMAP_PASSWORD", help="login password for the dashboard"),
    ] = None,
) -> None:
    """Add a user (or change their role). The dashboard asks for a login once a user exists."""
    who = authorise("admin", "add users")
    if role not in ROLES:
        raise typer.BadParameter(f"role must be one of {', '.join(ROLES)}")
    with session_scope(engine()) as s:
        add_user(s, name, role, password)
        record(s, who.name, "users.add", target_type="user", target=name, detail={"role": role})
    typer.echo(f"user {name} is a {role}")


@users_app.command("list")
@guarded
def users_list() -> None:
    """List users and their roles."""
    from sqlalchemy import select

    from data.models import User

    with session_scope(engine()) as s:
        for u in s.scalars(select(User).order_by(User.name)):
            typer.echo(f"{u.name}\t{u.role}")


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(serve)
    app.add_typer(users_app, name="users")
    app.add_typer(import_app, name="import")
