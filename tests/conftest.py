"""Shared fixtures: a store on SQLite and on a throwaway PostgreSQL server, the CLI runner.

Every test that takes ``engine`` runs twice, once per database. The PostgreSQL server is
started here (as the ``postgres`` user when running as root) and stopped at the end, even
when tests fail. ``TALENTMAP_TEST_DBS=sqlite`` limits a local run to SQLite.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.pop("TALENTMAP_USER", None)
os.environ.pop("TALENTMAP_TOKEN", None)
os.environ.pop("DATABASE_URL", None)

from data.store.engine import make_engine, upgrade
from tests.pg_server import running_postgres

SHARED = Path(__file__).resolve().parents[2] / "shared"
if not SHARED.exists():
    SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = SHARED / "seeds"
BENCHMARKS = SHARED / "benchmarks"
DBS = [d for d in os.environ.get("TALENTMAP_TEST_DBS", "sqlite,postgresql").split(",") if d]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server of our own for this test session; yields its base URL."""
    try:
        with running_postgres() as url:
            yield url
    except RuntimeError as err:
        if "not on PATH" in str(err):
            pytest.fail(f"{err} (see README)")
        raise


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    with eng.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path


@pytest.fixture(scope="session")
def _pg_template(pg_server: str) -> str:
    admin = make_engine(f"{pg_server}/postgres")
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("CREATE DATABASE tm_template"))
    admin.dispose()
    eng = make_engine(f"{pg_server}/tm_template")
    upgrade(eng)
    eng.dispose()
    return "tm_template"


def _new_engine(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if kind == "sqlite":
        template: Path = request.getfixturevalue("_sqlite_template")
        path = tmp_path / "talentmap.sqlite"
        shutil.copy(template, path)
        eng = make_engine(f"sqlite:///{path}")
        yield eng
        eng.dispose()
        return
    server: str = request.getfixturevalue("pg_server")
    template_name: str = request.getfixturevalue("_pg_template")
    name = f"tm_{uuid.uuid4().hex[:12]}"
    admin = make_engine(f"{server}/postgres")
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE {template_name}'))
    eng = make_engine(f"{server}/{name}")
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=DBS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty store; the test runs once on SQLite and once on PostgreSQL."""
    yield from _new_engine(request.param, request, tmp_path)


@pytest.fixture
def sqlite_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty SQLite store (heavy ML tests run on SQLite only)."""
    yield from _new_engine("sqlite", request, tmp_path)


@pytest.fixture
def pg_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty PostgreSQL store, for what only PostgreSQL has (pool and server
    settings)."""
    if "postgresql" not in DBS:
        pytest.skip("TALENTMAP_TEST_DBS leaves PostgreSQL out of this run")
    yield from _new_engine("postgresql", request, tmp_path)


@pytest.fixture
def cli(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run ``talentmap`` commands against ``engine``; returns ``invoke(*args, user=None)``."""
    yield from _cli_runner(engine, tmp_path, monkeypatch)


@pytest.fixture
def sqlite_cli(sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    yield from _cli_runner(sqlite_engine, tmp_path, monkeypatch)


def _cli_runner(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from typer.testing import CliRunner

    from cli import context
    from cli.main import app

    data_dir = tmp_path / "data"
    monkeypatch.setenv("TALENTMAP_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("TALENTMAP_USER", raising=False)
    context._engines.clear()
    runner = CliRunner()

    def invoke(
        *args: str, user: str | None = None, input: str | None = None, token: str | None = None
    ):
        """Run one command as ``user`` with a fresh CLI token of theirs (as a person or CI
        would: TALENTMAP_USER + TALENTMAP_TOKEN). With no ``user``, a store that has users is
        used by its first admin; one with none by the local admin (the bootstrap).
        ``token`` overrides the token presented."""
        name = user or _first_admin(engine)
        env = {}
        if name:
            env = {"TALENTMAP_USER": name, "TALENTMAP_TOKEN": token or _token(engine, name)}
        for var in ("TALENTMAP_USER", "TALENTMAP_TOKEN"):
            monkeypatch.delenv(var, raising=False)
        return runner.invoke(
            app, [str(a) for a in args], env=env, input=input, catch_exceptions=False
        )

    invoke.data_dir = data_dir  # type: ignore[attr-defined]
    invoke.engine = engine  # type: ignore[attr-defined]
    yield invoke
    for eng in context._engines.values():
        eng.dispose()
    context._engines.clear()


def _first_admin(engine: Engine) -> str | None:
    from sqlalchemy import select

    from data.errors import SchemaError
    from data.store.engine import check_schema, session_scope
    from data.store.models import User

    try:
        check_schema(engine)
    except SchemaError:
        return None
    with session_scope(engine) as s:
        return s.scalar(select(User.name).where(User.role == "admin").order_by(User.id).limit(1))


def _token(engine: Engine, name: str) -> str:
    """A new CLI token for ``name`` (an unknown user gets one that matches nobody)."""
    from data.errors import NotFoundError, SchemaError
    from data.store.engine import check_schema, session_scope
    from data.store.users import issue_token

    try:
        check_schema(engine)
    except SchemaError:
        return "tm_not-a-token"
    try:
        with session_scope(engine) as s:
            return issue_token(s, name)
    except NotFoundError:
        return "tm_not-a-token"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.exists():
        pytest.fail(f"seed documents not found at {SEEDS}: the repo expects ../shared/seeds")
    return SEEDS


@pytest.fixture(scope="session")
def benchmarks_dir() -> Path:
    if not BENCHMARKS.exists():
        pytest.skip(f"benchmark data not found at {BENCHMARKS} (../shared/benchmarks)")
    return BENCHMARKS


@pytest.fixture
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Users' passwords hashed with cheap argon2 parameters (the real ones take ~50 ms a hash):
    ``pytestmark = pytest.mark.usefixtures("fast_hashing")`` in a module that adds users."""
    from argon2 import PasswordHasher

    from data.store import users

    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture(autouse=True)
def _environment_restored() -> Iterator[None]:
    """``talentmap serve`` and ``Settings.export_environment`` write every setting into
    ``os.environ`` (for the Streamlit child); undo that after each test, or a later test's
    ``.env`` loses to the leftovers (the environment wins over ``.env``)."""
    before = dict(os.environ)
    yield
    if os.environ != before:
        os.environ.clear()
        os.environ.update(before)
