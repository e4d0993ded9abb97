"""Programme enrolment/completion and cohort retention after hire."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import cultivation
from analytics.filters import Filters
from data.store.engine import session_scope
from tests.dashboard.seed import seed_store

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def store(engine):
    return engine, seed_store(engine)


def test_programme_summary_counts(store):
    engine, seeded = store
    with session_scope(engine) as s:
        df = cultivation.programme_summary(s, Filters()).set_index("programme")
    for key in ("cross_culture", "upskill_llm"):
        rows = [e for e in seeded.enrolments if e[0] == key]
        done = sum(e[2] == "completed" for e in rows)
        dropped = sum(e[2] == "dropped" for e in rows)
        assert df.loc[key, "enrolled"] == len(rows)
        assert df.loc[key, "completed"] == done
        assert df.loc[key, "completion_rate"] == pytest.approx(done / (done + dropped))


def test_cohort_retention_matches_records(store):
    engine, seeded = store
    with session_scope(engine) as s:
        coh = cultivation.cohort_retention(s, Filters(), as_of=AS_OF)
    per = cultivation.retention_by_programme(coh).set_index("programme")
    prog_of = {c: p for p, c, _ in seeded.enrolments}
    asof = dt.datetime.combine(AS_OF, dt.time.min)
    for key in per.index:
        hires = [a for a in seeded.apps if a.hired_at and prog_of.get(a.candidate_id, "-") == key]
        assert per.loc[key, "hires"] == len(hires)
        for h in cultivation.HORIZONS:
            elig = [a for a in hires if a.hired_at <= asof - dt.timedelta(days=h)]
            kept = [
                a
                for a in elig
                if a.left_at is None or (a.left_at - a.hired_at).total_seconds() / 86400 >= h
            ]
            assert per.loc[key, f"eligible_{h}"] == len(elig)
            assert per.loc[key, f"retained_{h}"] == len(kept)
    assert set(coh["cohort"]) <= {f"2025-Q{q}" for q in range(1, 5)} | {"2026-Q1", "2026-Q2"}


def test_country_filter_narrows_enrolments(store):
    engine, seeded = store
    with session_scope(engine) as s:
        all_ = cultivation.programme_summary(s, Filters())["enrolled"].sum()
        us = cultivation.programme_summary(s, Filters(countries=("US",)))["enrolled"].sum()
    assert 0 < us < all_
