"""Fixtures of the analytics tests: a deterministic governance store on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.analytics.seed import Governed, seed_governance


@pytest.fixture
def seeded_store(engine: Engine) -> tuple[Engine, Governed]:
    """``(engine, records)``: 200 candidates in 2025 (+10 in 2024), screening outcomes with a
    planted sex disparity, a match run of the active model, injection payloads in five names."""
    return engine, seed_governance(engine)


@pytest.fixture
def sqlite_seeded(sqlite_engine: Engine) -> tuple[Engine, Governed]:
    """The same store on SQLite only: for the file writers, whose input is the report data."""
    return sqlite_engine, seed_governance(sqlite_engine)
