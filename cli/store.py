"""Store commands: init, demo, serve, users, import."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from cli.context import authorise, engine, guarded, settings
from data.ingest.people import CANDIDATE_COLUMNS, EVENT_COLUMNS
from data.store.audit import record
from data.store.engine import session_scope, upgrade
from data.store.users import ROLES, add_user

users_app = typer.Typer(help="Manage who may use TalentMap.", no_args_is_help=True)
import_app = typer.Typer(
    help="Import your own candidates and stage events from CSV (see docs/import-formats.md).",
    no_args_is_help=True,
)


def _columns_help(columns: dict[str, str]) -> str:
    return "\n\n".join(f"{name}: {what}" for name, what in columns.items())


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar driven by ``update(done, total)`` callbacks; shown from the first one,
    so work that is refused or skipped prints no empty bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    task = bar.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        if not bar.live.is_started:
            bar.start()
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if bar.live.is_started:
            bar.stop()


@guarded
def init() -> None:
    """Create the schema, or upgrade it to the latest version (safe to run again).

    A new store needs no user, and neither does a store already at the latest version (there
    is nothing to do); upgrading an existing one is an admin's job."""
    from data.errors import SchemaError
    from data.store.engine import check_schema, is_current

    eng = engine(checked=False)
    try:
        check_schema(eng)
    except SchemaError:
        pass  # a new store: no users exist yet to ask
    else:
        if not is_current(eng) and _has_tokens(eng):
            # a store from before CLI tokens has no way to say who you are: whoever can reach
            # its database upgrades it (as before); from then on it takes an admin's token
            authorise("admin", "upgrade the store's schema")
    upgrade(eng)
    typer.echo(f"store ready: {eng.url.render_as_string(hide_password=True)}")


def _has_tokens(eng: object) -> bool:
    from sqlalchemy import inspect

    return "token_hash" in {c["name"] for c in inspect(eng).get_columns("users")}


@guarded
def demo(
    candidates: Annotated[
        int, typer.Option(help="number of candidates (100000 takes ~1-2 min)")
    ] = 1000,
    seed: Annotated[
        int, typer.Option(help="random seed: same seed, date and size = same world")
    ] = 7,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="last day of the two simulated years (YYYY-MM-DD; default today)"
        ),
    ] = None,
    if_empty: Annotated[
        bool,
        typer.Option("--if-empty", help="do nothing (exit 0) when the store already holds data"),
    ] = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="delete the previous demo content first (your imported data stays)"
        ),
    ] = False,
) -> None:
    """Build a deterministic demo AI company: roles, skills, candidates, resumes, two years of
    pipeline events, programmes and recruiter feedback.

    Refuses to write into a store that already holds candidates, applications, roles or
    programmes unless --replace or --if-empty is given. Creates the demo users admin,
    recruiter and viewer (when missing) with random passwords, printed once at the end.
    """
    from data.demo.world import build_demo
    from data.errors import InputError

    if if_empty and replace:
        raise InputError("use either --if-empty or --replace, not both")
    when = None
    if as_of:
        try:
            when = dt.date.fromisoformat(as_of)
        except ValueError:
            raise InputError(
                f"--as-of {as_of!r} is not a date; use YYYY-MM-DD", field="as_of"
            ) from None
    if if_empty and _store_has_data():
        typer.echo("demo skipped: the store already holds data (--if-empty)")
        return
    who = authorise("write", "build the demo world")
    mode = "if_empty" if if_empty else "replace" if replace else "refuse"
    with _progress("demo candidates") as update:
        result = build_demo(
            engine(),
            candidates=candidates,
            seed=seed,
            as_of=when,
            mode=mode,
            actor=who.name,
            progress=update,
        )
    if result.skipped:
        typer.echo(f"demo skipped: {result.reason}")
        return
    from analytics.skills import refresh_supply_index

    eng = engine()
    with _progress("indexing resume skills") as update, session_scope(eng) as s:
        refresh_supply_index(s, settings().cache_dir, settings().url, progress=update)
    typer.echo(
        f"demo world ready (seed {result.seed}, as of {result.as_of}): {result.candidates} "
        f"candidates from {result.countries} countries, {result.stage_events} stage events, "
        f"{result.hires} hires, {result.feedback} feedback decisions, {result.roles} roles "
        f"in {result.seconds:.1f} s."
    )
    _print_logins(result.logins)


def _store_has_data() -> bool:
    from data.demo.world import store_contents

    with session_scope(engine()) as s:
        return any(store_contents(s).values())


def _print_logins(logins: dict[str, str]) -> None:
    """The new demo users' passwords, shown this once (only their hashes are stored)."""
    if not logins:
        return
    from rich.console import Console
    from rich.panel import Panel

    lines = "\n".join(f"{name:<10} {password}" for name, password in logins.items())
    Console(highlight=False, soft_wrap=True).print(
        Panel(
            f"{lines}\n\nShown only now: note them. Change one with "
            "`talentmap users add NAME --role ROLE --password …`.",
            title="Dashboard sign-in (demo users) / 演示用户登录",
            expand=False,
        )
    )


@guarded
def serve(
    port: Annotated[int, typer.Option(help="port to listen on")] = 8501,
    address: Annotated[
        str,
        typer.Option(
            help="address to listen on; the default serves this machine only. Put a reverse "
            "proxy with TLS in front before using 0.0.0.0 (docs/deploy.md)"
        ),
    ] = "127.0.0.1",
    headless: Annotated[bool, typer.Option(help="do not open a browser")] = True,
) -> None:
    """Start the dashboard."""
    engine()  # fail early, with a clear message, when the store is missing
    root = Path(__file__).resolve().parent.parent
    app_path = root / "dashboard" / "app.py"
    # Streamlit reads .streamlit/config.toml (XSRF) from the working directory: run from the
    # project root, with every setting (.env included, data directory made absolute) exported
    # first so the dashboard sees the same configuration.
    s = settings()
    s.export_environment()
    os.chdir(root)
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_path),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        str(headless).lower(),
        "--server.maxUploadSize",  # the one upload limit (TALENTMAP_MAX_UPLOAD_MB)
        str(s.max_upload_mb),
    ]
    sys.stdout.flush()
    # hand the process over, so stopping `talentmap serve` stops the server too
    os.execv(sys.executable, cmd)


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
    password = password or settings().password  # TALENTMAP_PASSWORD from .env too
    if role not in ROLES:
        raise typer.BadParameter(f"role must be one of {', '.join(ROLES)}")
    with session_scope(engine()) as s:
        add_user(s, name, role, password)
        record(s, who.name, "users.add", target_type="user", target=name, detail={"role": role})
    typer.echo(f"user {name} is a {role}")


@users_app.command("token")
@guarded
def users_token(name: str) -> None:
    """Create a CLI token for a user (replacing their earlier one) and print it once.

    Once a store has users, every command needs TALENTMAP_USER=NAME and TALENTMAP_TOKEN=the
    token; only a hash of it is stored."""
    from data.store.users import issue_token

    who = authorise("admin", "create CLI tokens")
    with session_scope(engine()) as s:
        token = issue_token(s, name)
        record(s, who.name, "users.token", target_type="user", target=name)
    typer.echo(token)
    typer.secho(
        f"shown only now: export TALENTMAP_USER={name} TALENTMAP_TOKEN=<the line above>",
        err=True,
    )


@users_app.command("disable")
@guarded
def users_disable(name: str) -> None:
    """Disable a user: dashboard sign-in and CLI token are refused until `users enable`.

    Password and token are kept. You cannot disable yourself or the last active admin."""
    from data.store.users import disable_user

    who = authorise("admin", "disable users")
    with session_scope(engine()) as s:
        disable_user(s, name, actor=who.name)
    typer.echo(f"user {name} is disabled (`talentmap users enable {name}` restores access)")


@users_app.command("enable")
@guarded
def users_enable(name: str) -> None:
    """Enable a disabled user again, with the password and CLI token they had."""
    from data.store.users import enable_user

    who = authorise("admin", "enable users")
    with session_scope(engine()) as s:
        enable_user(s, name, actor=who.name)
    typer.echo(f"user {name} is enabled")


@users_app.command("list")
@guarded
def users_list() -> None:
    """List users, their roles and whether they are disabled."""
    from data.store.users import list_users

    authorise("read", "list users")
    with session_scope(engine()) as s:
        for u in list_users(s):
            typer.echo(f"{u['name']}\t{u['role']}" + ("" if u["active"] else "\tdisabled"))


@import_app.command(
    "candidates",
    help=(
        "Import candidates from a CSV file (UTF-8, comma-separated, header row). Upserts by "
        "external_id: importing the same file twice changes nothing. Every bad row is reported "
        "with file, row (the header is row 1) and field, and then nothing is stored.\n\nColumns:\n\n"
        + _columns_help(CANDIDATE_COLUMNS)
    ),
)
@guarded
def import_candidates_cmd(
    file: Annotated[Path, typer.Argument(help="CSV file of candidates")],
) -> None:
    from data.ingest.people import import_candidates_file

    who = authorise("write", "import candidates")
    with _progress("rows") as update:
        r = import_candidates_file(
            engine(),
            file,
            actor=who.name,
            progress=update,
            max_bytes=settings().max_upload_bytes,
        )
    typer.echo(
        f"{r.file}: {r.rows} rows: {r.created} new, {r.updated} updated, "
        f"{r.unchanged} unchanged candidates; {r.applications_created} new applications"
    )


@import_app.command(
    "events",
    help=(
        "Import pipeline stage events from a CSV file (UTF-8, comma-separated, header row). "
        "Upserts by (candidate, role, to_stage, at): importing the same file twice changes "
        "nothing. Candidates must exist (import them first). Every bad row is reported with file, "
        "row (the header is row 1) and field, and then nothing is stored.\n\nColumns:\n\n"
        + _columns_help(EVENT_COLUMNS)
    ),
)
@guarded
def import_events_cmd(
    file: Annotated[Path, typer.Argument(help="CSV file of stage events")],
) -> None:
    from data.ingest.people import import_events_file

    who = authorise("write", "import stage events")
    with _progress("rows") as update:
        r = import_events_file(
            engine(),
            file,
            actor=who.name,
            progress=update,
            max_bytes=settings().max_upload_bytes,
        )
    typer.echo(
        f"{r.file}: {r.rows} rows: {r.created} new, {r.updated} updated, "
        f"{r.unchanged} unchanged events; {r.applications_created} new applications"
    )


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(demo)
    app.command()(serve)
    app.add_typer(users_app, name="users")
    app.add_typer(import_app, name="import")
