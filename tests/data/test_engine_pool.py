"""Connection pool settings (issue 17: many users on PostgreSQL): ``TALENTMAP_DB_*`` reach the
engine the front ends build, for PostgreSQL; SQLite keeps its own pool. Checked on the
engine's pool and, for the statement timeout, by the server itself."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from data.settings import Settings
from data.store.engine import make_engine

POOL_ENV = {
    "TALENTMAP_DB_POOL_SIZE": "3",
    "TALENTMAP_DB_MAX_OVERFLOW": "4",
    "TALENTMAP_DB_POOL_TIMEOUT": "7",
    "TALENTMAP_DB_POOL_RECYCLE": "600",
    "TALENTMAP_DB_POOL_PRE_PING": "false",
    "TALENTMAP_DB_STATEMENT_TIMEOUT_MS": "250",
}


@pytest.fixture
def pool_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("TALENTMAP_DB_"):
            monkeypatch.delenv(key)
    for key, value in POOL_ENV.items():
        monkeypatch.setenv(key, value)


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _cli_engine(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path) -> Engine:
    """The engine the CLI builds for this store (its own, from the settings)."""
    from cli import context

    monkeypatch.setenv("DATABASE_URL", _url(engine))
    monkeypatch.setenv("TALENTMAP_DATA_DIR", str(tmp_path / "data"))
    context._engines.clear()
    return context.engine(checked=False)


def test_the_front_ends_engine_gets_the_pool_settings(
    engine: Engine, pool_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from cli import context

    built = _cli_engine(engine, monkeypatch, tmp_path)
    try:
        pool = built.pool
        if engine.dialect.name == "postgresql":
            assert pool.size() == 3
            assert pool.timeout() == 7
            assert (pool._max_overflow, pool._recycle, pool._pre_ping) == (4, 600, False)
            with built.connect() as c:
                assert c.execute(text("SHOW statement_timeout")).scalar_one() == "250ms"
                assert c.execute(text("SHOW application_name")).scalar_one() == "talentmap"
        else:  # SQLite: a file store keeps its own pool (one writer at a time anyway)
            assert pool.size() == 10 and pool._max_overflow == 30
            with built.connect() as c:
                assert c.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        built.dispose()
        context._engines.clear()


def test_the_dashboard_engine_gets_the_pool_settings(
    pg_engine: Engine, pool_env: None, monkeypatch
):
    engine = pg_engine  # pool settings apply to PostgreSQL
    from dashboard import resources

    built = resources.engine_for.__wrapped__(_url(engine))  # type: ignore[attr-defined]
    try:
        assert (built.pool.size(), built.pool._max_overflow, built.pool.timeout()) == (3, 4, 7)
    finally:
        built.dispose()


def test_the_statement_timeout_cancels_a_long_statement(pg_engine: Engine, pool_env: None) -> None:
    engine = pg_engine  # a server-side statement timeout is PostgreSQL's
    built = make_engine(_url(engine), **Settings().engine_options())
    try:
        with built.connect() as c, pytest.raises(OperationalError, match="statement timeout"):
            c.execute(text("SELECT pg_sleep(5)"))
    finally:
        built.dispose()


def test_defaults_keep_a_pool_for_many_sessions_and_no_statement_limit(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = pg_engine  # pool settings apply to PostgreSQL
    for key in list(os.environ):
        if key.startswith("TALENTMAP_DB_"):
            monkeypatch.delenv(key)
    built = make_engine(_url(engine), **Settings(_env_file=None).engine_options())
    try:
        assert (built.pool.size(), built.pool._max_overflow, built.pool._pre_ping) == (10, 30, True)
        assert built.pool._recycle == 1800
        with built.connect() as c:
            assert c.execute(text("SHOW statement_timeout")).scalar_one() == "0"
    finally:
        built.dispose()
