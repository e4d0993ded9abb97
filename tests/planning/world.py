"""A demo world shared by the planning tests (one per database per module)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine

from data.demo.world import build_demo
from data.store import users
from tests.conftest import _new_engine

AS_OF = dt.date(2026, 11, 25)
WORLD_N = 2500
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def planning_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    stores = _new_engine(request.param, request, tmp_path_factory.mktemp("planworld"))
    engine = next(stores)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(users, "_hasher", FAST_HASHER)
        build_demo(engine, candidates=WORLD_N, seed=5, as_of=AS_OF)
    yield engine
    stores.close()
