"""KPIs and their trend against numbers computed from the seeded records."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest

from analytics.filters import Filters
from analytics.kpis import KPI_KEYS, kpi_trend, kpis
from data.store.engine import session_scope
from tests.dashboard.seed import seed_store

H2 = Filters(dt.date(2025, 7, 1), dt.date(2025, 12, 31))


@pytest.fixture
def store(engine):
    return engine, seed_store(engine)


def _expected(apps, f: Filters):
    start = dt.datetime.combine(f.start, dt.time.min)
    end = dt.datetime.combine(f.end + dt.timedelta(days=1), dt.time.min)
    hires = [a for a in apps if a.hired_at and start <= a.hired_at < end]
    offers = [a for a in apps if a.offer_at and start <= a.offer_at < end]
    applied = [a for a in apps if start <= a.applied_at < end]
    closed_at = {}
    for a in apps:
        closed_at[a.id] = None if a.status == "active" else a.stages[-1][1]
    return {
        "hires": len(hires),
        "time_to_hire": statistics.median(
            round((a.hired_at - a.applied_at).total_seconds() / 86400) for a in hires
        )
        if hires
        else None,
        "offer_acceptance": sum(bool(a.offer_accepted) for a in offers) / len(offers)
        if offers
        else None,
        "international_share": sum(a.country != "CN" for a in applied) / len(applied)
        if applied
        else None,
    }


def test_kpis_match_records_and_previous_period(store):
    engine, seeded = store
    with session_scope(engine) as s:
        got = kpis(s, H2)
    assert set(got) == set(KPI_KEYS)
    exp = _expected(seeded.apps, H2)
    prev = _expected(seeded.apps, H2.previous_period())
    for key in ("hires", "time_to_hire", "offer_acceptance", "international_share"):
        assert got[key].value == pytest.approx(exp[key]), key
        assert got[key].previous == pytest.approx(prev[key]), key
    assert got["hires"].change == pytest.approx(exp["hires"] - prev["hires"])
    assert got["open_roles"].value == 2  # hr_partner is closed


def test_filters_change_kpis(store):
    engine, seeded = store
    with session_scope(engine) as s:
        all_ = kpis(s, H2)
        us = kpis(s, Filters(H2.start, H2.end, countries=("US",)))
    assert us["international_share"].value == 1.0
    assert us["hires"].value < all_["hires"].value


def test_trend_sums_to_period_totals(store):
    engine, seeded = store
    with session_scope(engine) as s:
        trend = kpi_trend(s, H2)
        total = kpis(s, H2)
    assert list(trend["month"]) == sorted(trend["month"])
    assert trend["hires"].sum() == total["hires"].value
    assert trend["applications"].sum() == sum(
        1 for a in seeded.apps if a.applied_at.date() >= H2.start
    )


def test_no_dates_has_no_previous(store):
    engine, _ = store
    with session_scope(engine) as s:
        got = kpis(s, Filters())
    assert all(k.previous is None and k.change is None for k in got.values())
