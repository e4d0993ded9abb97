"""Dashboard fixtures: a seeded store and an AppTest pointed at it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.dashboard.seed import Seeded, seed_store

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture
def seeded_store(engine: Engine) -> tuple[Engine, Seeded]:
    """A small store (60 candidates, 3 roles, 2 programmes) on SQLite and on PostgreSQL."""
    return engine, seed_store(engine)


@pytest.fixture
def seeded_sqlite(sqlite_engine: Engine) -> tuple[Engine, Seeded]:
    """The same store on SQLite only, for UI interactions whose SQL is covered on both."""
    return sqlite_engine, seed_store(sqlite_engine)


def point_app_at(engine: Engine, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("TALENTMAP_DATA_DIR", str(data_dir))


@pytest.fixture
def make_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[Engine], AppTest]:
    """``make_app(engine)`` -> an AppTest of ``dashboard/app.py`` on that store (not yet run)."""

    def make(engine: Engine, *, lang: str = "en") -> AppTest:
        point_app_at(engine, tmp_path / "data", monkeypatch)
        monkeypatch.setenv("TALENTMAP_DASHBOARD_RAISE", "1")  # surface bugs as exceptions
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["lang"] = lang
        return at

    return make
