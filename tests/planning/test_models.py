"""Forecast, retention and compensation numbers against answers computed independently."""

from __future__ import annotations

import datetime as dt
import sqlite3

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from analytics.compensation import MarketBook, offer_table, pockets, soc_route
from analytics.forecast import SHRINK, Scenario, fit, forecast
from analytics.retention import curves, durations, greenwood, km, programme_effect
from data.demo.planning import OEWS_MEDIANS
from data.reference.pay import OewsTable, oews_database

AS_OF = dt.datetime(2026, 6, 30, 23, 59)
DAY = pd.Timedelta(days=1)


# --- forecast --------------------------------------------------------------------------------


def _history(n_hist: int, p: dict[str, float], rng: np.random.Generator) -> list[dict]:
    """Settled applications whose stays pass with probability ``p[stage]`` and take exactly
    2 days each (offer to start: 10 days), all long before ``AS_OF``."""
    rows = []
    t0 = pd.Timestamp(AS_OF) - pd.Timedelta(days=400)
    for i in range(n_hist):
        applied = t0 + pd.Timedelta(days=int(i % 100))
        r = {
            "id": i,
            "requisition_id": None,
            "role_id": 1,
            "family": "engineering",
            "country": "CN",
            "channel": "referral",
            "applied_at": applied,
            "status": "rejected",
            "closed_at": pd.NaT,
            "offer_at": pd.NaT,
            "offer_accepted": None,
            "hired_at": pd.NaT,
            "t_sourcing": pd.NaT,
            "t_screening": pd.NaT,
            "t_interview": pd.NaT,
            "t_fail": pd.NaT,
        }
        t = applied
        for stage, col in (
            ("needs_analysis", "t_sourcing"),
            ("sourcing", "t_screening"),
            ("screening", "t_interview"),
            ("interview", "offer_at"),
        ):
            t = t + 2 * DAY
            if rng.random() < p[stage]:
                r[col] = t
            else:
                r["t_fail"] = t
                r["closed_at"] = t
                break
        else:
            t = t + 10 * DAY
            if rng.random() < p["offer"]:
                r.update(hired_at=t, status="hired", offer_accepted=True, closed_at=t)
            else:
                r.update(status="withdrawn", offer_accepted=False, closed_at=t)
        rows.append(r)
    return rows


def _pipeline(stages: list[str], entered_days_ago: float) -> list[dict]:
    """Active applications of requisition 1, each in ``stages[i]`` since ``entered_days_ago``."""
    cols = ["t_sourcing", "t_screening", "t_interview", "offer_at"]
    order = ["needs_analysis", "sourcing", "screening", "interview", "offer"]
    rows = []
    for j, stage in enumerate(stages):
        k = order.index(stage)
        now = pd.Timestamp(AS_OF) - pd.Timedelta(days=entered_days_ago)
        r = {
            "id": 10_000 + j,
            "requisition_id": 1,
            "role_id": 1,
            "family": "engineering",
            "country": "CN",
            "channel": "referral",
            "applied_at": now - pd.Timedelta(days=2 * k + 40),  # before the arrival window
            "status": "active",
            "closed_at": pd.NaT,
            "offer_at": pd.NaT,
            "offer_accepted": None,
            "hired_at": pd.NaT,
            "t_sourcing": pd.NaT,
            "t_screening": pd.NaT,
            "t_interview": pd.NaT,
            "t_fail": pd.NaT,
        }
        for i in range(k):
            r[cols[i]] = now - pd.Timedelta(days=2 * (k - 1 - i))
        rows.append(r)
    return rows


P = {"needs_analysis": 0.95, "sourcing": 0.8, "screening": 0.5, "interview": 0.4, "offer": 0.75}


@pytest.fixture(scope="module")
def tiny() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(1)
    hist = pd.DataFrame(
        _history(6000, P, rng) + _pipeline(["screening", "interview", "offer"], 0.5)
    )
    reqs = pd.DataFrame(
        [
            {
                "id": 1,
                "key": "r1",
                "family": "engineering",
                "country": "CN",
                "headcount": 1,
                "target_start": dt.date(2026, 9, 30),
            }
        ]
    )
    return hist, reqs


def test_expected_hires_match_the_product_of_stage_probabilities(tiny) -> None:
    hist, reqs = tiny
    model, stays = fit(hist, AS_OF)
    # the learned pass rates are the history's own
    for stage, p in P.items():
        assert model.stays[stage].p_pool == pytest.approx(p, abs=0.03)
    (f,) = forecast(model, stays, reqs, hist, sims=20_000, seed=3)
    pool = {s: model.stays[s].p_pool for s in P}
    # one candidate at screening, one at interview, one with an offer out; the target is far
    # enough for every remaining stay (2 days each, 10 to start): E = sum of products
    analytic = (
        pool["screening"] * pool["interview"] * pool["offer"]
        + pool["interview"] * pool["offer"]
        + pool["offer"]
    )
    assert f.in_pipeline == 3
    assert f.expected == pytest.approx(analytic, abs=0.03)
    # P(fill) of one seat = 1 - P(nobody starts)
    none = (
        (1 - pool["screening"] * pool["interview"] * pool["offer"])
        * (1 - pool["interview"] * pool["offer"])
        * (1 - pool["offer"])
    )
    assert f.p_fill == pytest.approx(1 - none, abs=0.02)
    assert f.low <= f.expected <= f.high
    # the only level of each factor has thousands of stays: its own estimate
    assert f.estimates == {"family": "own", "country": "own", "channel": "own"}
    assert model.stays["screening"].effects["family"]["engineering"][2] >= SHRINK


def test_forecast_is_reproducible_with_its_seed(tiny) -> None:
    hist, reqs = tiny
    model, stays = fit(hist, AS_OF)
    a = forecast(model, stays, reqs, hist, sims=500, seed=9)[0]
    b = forecast(model, stays, reqs, hist, sims=500, seed=9)[0]
    c = forecast(model, stays, reqs, hist, sims=500, seed=10)[0]
    assert np.array_equal(a.samples, b.samples) and a.expected == b.expected
    assert not np.array_equal(a.samples, c.samples)


def test_a_stay_older_than_any_that_passed_does_not_pass(tiny) -> None:
    hist, reqs = tiny
    stale = pd.concat(
        [hist[hist["status"] != "active"], pd.DataFrame(_pipeline(["screening"], 30))],
        ignore_index=True,
    )
    model, stays = fit(stale, AS_OF)
    (f,) = forecast(model, stays, reqs, stale, sims=2000, seed=1)
    # every passing screening took 2 days: after 30 days in screening nobody passes
    assert f.in_pipeline == 1 and f.expected == 0.0


def test_a_target_too_close_gives_no_hires(tiny) -> None:
    hist, reqs = tiny
    model, stays = fit(hist, AS_OF)
    near = reqs.assign(target_start=dt.date(2026, 7, 5))  # 5 days: nobody can start by then
    (f,) = forecast(model, stays, near, hist, sims=2000, seed=1)
    assert f.expected == 0.0 and f.p_fill == 0.0


def test_conversion_scenario_moves_the_forecast_by_the_analytic_amount(tiny) -> None:
    hist, reqs = tiny
    model, stays = fit(hist, AS_OF)
    base = forecast(model, stays, reqs, hist, sims=20_000, seed=2)[0]
    up = forecast(
        model,
        stays,
        reqs,
        hist,
        sims=20_000,
        seed=2,
        scenario=Scenario(conversion=(("interview", 0.25),)),
    )[0]
    pool = {s: model.stays[s].p_pool for s in P}
    gain = (pool["screening"] + 1) * pool["interview"] * 0.25 * pool["offer"]
    assert up.expected - base.expected == pytest.approx(gain, abs=0.04)


def test_visa_days_delay_only_cross_border_offers(tiny) -> None:
    hist, reqs = tiny
    model, stays = fit(hist, AS_OF)
    # target in 11 days: the offer (10 days to start) makes it; +30 visa days for CN does not
    # matter for a CN requisition (not cross-border) but does for a US one
    soon = reqs.assign(target_start=dt.date(2026, 7, 11))
    cn = forecast(
        model, stays, soon, hist, sims=4000, seed=4, scenario=Scenario(visa_days=(("CN", 30),))
    )[0]
    us = forecast(
        model,
        stays,
        soon.assign(country="US"),
        hist,
        sims=4000,
        seed=4,
        scenario=Scenario(visa_days=(("CN", 30),)),
    )[0]
    assert cn.expected == pytest.approx(model.stays["offer"].p_pool, abs=0.05)
    assert us.expected == 0.0


# --- retention ---------------------------------------------------------------------------------


def test_kaplan_meier_by_hand_and_as_lifelines() -> None:
    days = np.array([1.0, 2.0, 2.0, 3.0, 5.0])
    left = np.array([1, 1, 0, 1, 0])
    c = km(days, left, "all")
    # by hand: S(1) = 4/5, S(2) = 4/5 * 3/4 (the censored 2 still at risk at 2), S(3) = .6 * 1/2
    expected = {1.0: 0.8, 2.0: 0.6, 3.0: 0.3, 5.0: 0.3}
    got = dict(zip(c.timeline, c.survival, strict=True))
    for t, s in expected.items():
        assert got[t] == pytest.approx(s)
    assert c.median_days == 3.0
    s, var = greenwood(days, left, 3.0)
    assert s == pytest.approx(0.3)
    assert var == pytest.approx(0.3**2 * (1 / 20 + 1 / 12 + 1 / 2))


def _hires(rows: list[tuple[int, str, str | None, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": i,
                "candidate_id": i,
                "hired_at": pd.Timestamp(h),
                "left_at": pd.Timestamp(gone) if gone else pd.NaT,
                "role": "r",
                "family": fam,
                "country": "CN",
                "channel": "referral",
                "location": "beijing",
                "location_country": "CN",
            }
            for i, (_, h, gone, fam) in enumerate(rows)
        ]
    )


def test_curves_by_family_equal_lifelines_on_the_same_rows() -> None:
    rng = np.random.default_rng(0)
    rows = []
    for i in range(60):
        start = dt.date(2024, 1, 1) + dt.timedelta(days=int(rng.integers(0, 500)))
        tenure = int(rng.exponential(400))
        end = start + dt.timedelta(days=tenure)
        rows.append(
            (i, str(start), str(end) if end <= dt.date(2026, 1, 1) else None, "a" if i % 2 else "b")
        )
    hires = _hires(rows)
    as_of = dt.date(2026, 1, 1)
    cs = {
        c.group: c
        for c in curves(
            hires,
            pd.DataFrame(columns=["candidate_id", "programme", "enrolled_at"]),
            by="family",
            as_of=as_of,
        )
    }
    d = durations(hires, as_of)
    for fam in ("a", "b"):
        g = d[d["family"] == fam]
        ref = KaplanMeierFitter().fit(g["days"], g["left"])
        assert np.allclose(cs[fam].survival, ref.survival_function_.iloc[:, 0].to_numpy())
        assert np.allclose(cs[fam].lower, ref.confidence_interval_.iloc[:, 0].to_numpy())
        assert cs[fam].retention_365 == pytest.approx(float(ref.predict(365.0)))


def test_programme_difference_is_a_landmark_km_difference() -> None:
    # 4 participants (enrolled within 180 days), 4 others; all survive the landmark
    rows, enrol = [], []
    start = "2024-01-01"
    leave = ["2024-09-01", None, None, None, "2024-08-01", "2024-10-01", None, None]
    for i, gone in enumerate(leave):
        rows.append((i, start, gone, "f"))
    for i in range(4):
        enrol.append(
            {"candidate_id": i, "programme": "p", "enrolled_at": pd.Timestamp("2024-03-01")}
        )
    hires = _hires(rows)
    eff = programme_effect(hires, pd.DataFrame(enrol), as_of=dt.date(2026, 1, 1))
    assert (eff.participants, eff.others) == (4, 4)
    # from the landmark: participants lose 1 of 4, others 2 of 4 within a year
    assert eff.retention_participants == pytest.approx(0.75)
    assert eff.retention_others == pytest.approx(0.5)
    assert eff.difference == pytest.approx(0.25)
    se = np.sqrt(0.75**2 * (1 / 12) + (0.5**2) * (1 / 12 + 1 / 6))
    assert eff.high - eff.low == pytest.approx(2 * 1.959964 * se, rel=1e-4)
    assert "Observational" in eff.note


# --- compensation ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def oews(tmp_path_factory: pytest.TempPathFactory) -> OewsTable:
    return OewsTable(oews_database(tmp_path_factory.mktemp("oews")))


def test_oews_figures_equal_the_bundled_table(oews: OewsTable) -> None:
    con = sqlite3.connect(oews.path)
    for area, socs in OEWS_MEDIANS.items():
        kind = "N" if area == "0000000" else "M"
        for soc, median in socs.items():
            (raw,) = con.execute(
                "SELECT v13 FROM cell WHERE key = ?",
                (f"OEU{kind}{area}000000{soc.replace('-', '')}",),
            ).fetchone()
            assert float(raw) == median, (area, soc)
            assert oews.wage(soc, area).annual["median"] == median
    assert oews.meta()["release"] == "May 2025"


def test_soc_route_from_titles_and_override() -> None:
    assert soc_route({"key": "a", "title_en": "Senior Machine Learning Engineer"}).soc == "15-1252"
    assert soc_route({"key": "b", "title_en": "", "title_zh": "数据科学家"}).soc == "15-2051"
    r = soc_route({"key": "c", "title_en": "Research Scientist (LLM)"})
    assert r.soc == "15-1221" and r.route.startswith("title rule")
    o = soc_route({"key": "d", "title_en": "Research Scientist", "soc_code": "15-2051"})
    assert (o.soc, o.route) == ("15-2051", "override")
    assert soc_route({"key": "e", "title_en": "Chef"}).soc is None


def test_compa_ratios_by_hand(oews: OewsTable) -> None:
    roles = pd.DataFrame(
        [
            {
                "id": 1,
                "key": "mle",
                "title_en": "ML Engineer",
                "title_zh": "",
                "family": "e",
                "level": "mid",
                "soc_code": None,
            }
        ]
    )
    surveys = pd.DataFrame(
        [
            {
                "survey": "s",
                "role_id": 1,
                "role": "mle",
                "level": "",
                "location": "shenzhen",
                "currency": "CNY",
                "period": "month",
                "p25": None,
                "p50": 30000.0,
                "p75": None,
                "year": 2026,
            }
        ]
    )
    book = MarketBook(roles, surveys, {"USD": 1.0, "CNY": 7.0}, oews)
    offers = pd.DataFrame(
        [
            {
                "id": 1,
                "role": "mle",
                "level": "mid",
                "location": "shenzhen",
                "base_pay": 25000.0,
                "currency": "CNY",
                "period": "month",
                "bonus": 0.0,
                "offer_accepted": True,
            },
            {
                "id": 2,
                "role": "mle",
                "level": "mid",
                "location": "seattle",
                "base_pay": 80.0,
                "currency": "USD",
                "period": "hour",
                "bonus": 0.0,
                "offer_accepted": False,
            },
        ]
    )
    bands = pd.DataFrame(
        [
            {
                "role_id": 1,
                "role": "mle",
                "level": "mid",
                "location": "shenzhen",
                "currency": "CNY",
                "minimum": 300000.0,
                "midpoint": 400000.0,
                "maximum": 500000.0,
            }
        ]
    )
    t = offer_table(offers, bands, book).set_index("id")
    # Shenzhen: 25,000 a month = 300,000 a year against the survey's 30,000 x 12 and the band mid
    assert t.loc[1, "compa_market"] == pytest.approx(300000 / 360000)
    assert t.loc[1, "compa_band"] == pytest.approx(300000 / 400000)
    assert t.loc[1, "base_usd"] == pytest.approx(300000 / 7.0)
    # Seattle: $80 an hour x 2,080 against OEWS Software Developers, Seattle (SOC by title)
    assert t.loc[2, "compa_market"] == pytest.approx(80 * 2080 / OEWS_MEDIANS["0042660"]["15-1252"])
    assert np.isnan(t.loc[2, "compa_band"])
    p = pockets(t.reset_index(), threshold=0.9)
    assert p["offers"].sum() == 2
