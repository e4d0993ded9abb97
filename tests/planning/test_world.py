"""The planning features end to end on a demo world, on SQLite and PostgreSQL: demo plan and
pay, the planted below-market pocket, every CLI command and both dashboard pages."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from lifelines import KaplanMeierFitter
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

from analytics.compensation import compensation_report, soc_route
from data.demo.planning import DEMO_SOC, OEWS_MEDIANS, PLANTED_PAY_POCKET
from data.demo.world import build_demo
from data.reference import load_roles
from data.store.engine import session_scope
from data.store.models import Application, Offer, PayBand, Requisition, Role
from tests.conftest import DBS, _cli_runner
from tests.dashboard.conftest import APP, point_app_at
from tests.planning.world import AS_OF, planning_world


@pytest.fixture(scope="module", params=DBS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    yield from planning_world(request, tmp_path_factory)


@pytest.fixture
def wcli(world: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    yield from _cli_runner(world, tmp_path, monkeypatch)


def test_demo_roles_reach_their_soc_through_the_title_route() -> None:
    for spec in load_roles():
        route = soc_route({"key": spec.key, "title_en": spec.title_en, "title_zh": spec.title_zh})
        assert route.soc == DEMO_SOC[spec.key], spec.key
        zh = soc_route({"key": spec.key, "title_en": "", "title_zh": spec.title_zh})
        assert zh.soc in (DEMO_SOC[spec.key], None), (spec.key, spec.title_zh, zh)


def test_demo_plan_and_pay_are_deterministic(engine: Engine) -> None:
    def snapshot() -> tuple:
        with session_scope(engine) as s:
            reqs = s.execute(
                select(Requisition.key, Requisition.headcount, Requisition.status).order_by(
                    Requisition.key
                )
            ).all()
            offers = s.execute(
                select(
                    Application.applied_at,
                    Offer.base_pay,
                    Offer.currency,
                    Offer.period,
                    Offer.bonus,
                )
                .join(Offer, Offer.application_id == Application.id)
                .order_by(Application.applied_at, Offer.base_pay)
            ).all()
        return tuple(reqs), tuple(offers)

    build_demo(engine, candidates=300, seed=2, as_of=AS_OF)
    first = snapshot()
    build_demo(engine, candidates=300, seed=2, as_of=AS_OF, mode="replace")
    assert snapshot() == first
    assert first[0] and first[1]


def test_demo_links_every_application_and_offer(world: Engine) -> None:
    with session_scope(world) as s:
        assert s.scalar(select(func.count()).where(Application.requisition_id.is_(None))) == 0
        offered = s.scalar(select(func.count()).where(Application.offer_at.is_not(None)))
        assert s.scalar(select(func.count()).select_from(Offer)) == offered > 0
        assert set(s.scalars(select(Requisition.status).distinct())) >= {"open", "filled"}
        assert s.scalar(select(func.count()).select_from(PayBand)) > 0


def test_the_planted_pocket_is_the_only_one_found(world: Engine, tmp_path: Path) -> None:
    with session_scope(world) as s:
        rep = compensation_report(s, tmp_path)
    p = rep["pockets"]
    below = p[p["below_market"]]
    assert [(r.role, r.location) for r in below.itertuples()] == [
        (PLANTED_PAY_POCKET.role, PLANTED_PAY_POCKET.location)
    ]
    assert below.iloc[0]["compa_market"] == pytest.approx(PLANTED_PAY_POCKET.factor, abs=0.06)
    # its market is the OEWS median of Software Developers in Seattle
    t = rep["offers"]
    sea = t[(t["role"] == "ml_engineer") & (t["location"] == "seattle")]
    assert set(sea["market_usd"]) == {OEWS_MEDIANS["0042660"]["15-1252"]}
    # offers far below market are accepted less often than offers at market
    acc = rep["acceptance"].set_index("bin")
    assert acc.loc["0.85–0.95", "acceptance"] < acc.loc["0.95–1.05", "acceptance"]


def test_forecast_cli_json_is_consistent_and_reproducible(wcli) -> None:
    args = ("forecast", "--format", "json", "--sims", "300", "--seed", "4", "--as-of", "2026-09-01")
    r1 = wcli(*args)
    assert r1.exit_code == 0, r1.output
    out = json.loads(r1.stdout[r1.stdout.index("{") :])
    assert out["as_of"] == "2026-09-01" and out["rows"]
    for row in out["rows"]:
        assert row["low_80"] <= row["high_80"] and row["hired"] <= row["low_80"]
        assert 0 <= row["p_fill"] <= 1
        assert row["estimate_family"] in ("own", "pooled")
        assert row["target_start"] > "2026-09-01"
    r2 = wcli(*args)
    assert json.loads(r2.stdout[r2.stdout.index("{") :])["rows"] == out["rows"]
    sc = wcli(*args, "--conversion", "screening=+40%", "--visa-days", "IN=60")
    more = json.loads(sc.stdout[sc.stdout.index("{") :])
    assert more["scenario"]["conversion"] == {"screening": 0.4}
    assert sum(r["expected"] for r in more["rows"]) > sum(r["expected"] for r in out["rows"])
    bad = wcli("forecast", "--conversion", "lunch=+5%")
    assert bad.exit_code == 2 and "unknown stage" in bad.output


def test_pay_cli(wcli, tmp_path: Path) -> None:
    r = wcli(
        "pay", "benchmark", "--location", "seattle", "--location", "beijing", "--format", "json"
    )
    assert r.exit_code == 0, r.output
    rows = {(x["role"], x["location"]): x for x in json.loads(r.stdout)}
    mle = rows[("ml_engineer", "seattle")]
    assert (mle["soc"], mle["median_usd"]) == ("15-1252", OEWS_MEDIANS["0042660"]["15-1252"])
    assert mle["route"].startswith("title rule")
    assert rows[("ml_engineer", "beijing")]["source"].startswith("survey")
    p = wcli("pay", "benchmark", "--pockets", "--format", "json")
    below = [x for x in json.loads(p.stdout)["rows"] if x["below_market"]]
    assert [(x["role"], x["location"]) for x in below] == [("ml_engineer", "seattle")]
    s = wcli("pay", "set-soc", "ml_engineer", "15-2051")
    assert s.exit_code == 0
    r = wcli("pay", "benchmark", "--location", "seattle", "--format", "json")
    mle = {(x["role"], x["location"]): x for x in json.loads(r.stdout)}[("ml_engineer", "seattle")]
    assert (mle["soc"], mle["route"], mle["median_usd"]) == (
        "15-2051",
        "override",
        OEWS_MEDIANS["0042660"]["15-2051"],
    )
    assert wcli("pay", "set-soc", "ml_engineer", "--clear").exit_code == 0
    assert wcli("pay", "set-soc", "ml_engineer", "151252").exit_code == 2
    bad = tmp_path / "bands.csv"
    bad.write_text(
        "role,location,currency,minimum,maximum\nml_engineer,seattle,USD,200000,100000\n",
        encoding="utf-8",
    )
    r = wcli("pay", "import-bands", str(bad))
    assert r.exit_code == 2 and "bands.csv, row 2, field 'minimum'" in r.output
    survey = tmp_path / "survey.csv"
    survey.write_text("role,location,currency,p50\nml_engineer,beijing,CNY,abc\n", encoding="utf-8")
    r = wcli("pay", "import-survey", str(survey))
    assert r.exit_code == 2 and "survey.csv, row 2, field 'p50'" in r.output
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "role,location,headcount,quarter\nml_engineer,singapore,12,2028Q1\n", encoding="utf-8"
    )
    r = wcli("plan", "import", str(plan), user="viewer")
    assert r.exit_code != 0  # a viewer may not write
    r = wcli("plan", "import", str(plan))
    assert r.exit_code == 0 and "1 new" in r.output
    listed = wcli("plan", "list", "--format", "json")
    assert any(
        x["key"] == "ml_engineer-singapore-2028Q1" and x["headcount"] == 12
        for x in json.loads(listed.stdout)
    )


def test_retention_curves_cli_equal_lifelines_on_the_stored_hires(wcli, world: Engine) -> None:
    r = wcli("retention-curves", "--by", "family", "--as-of", str(AS_OF), "--format", "json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    cut = dt.datetime.combine(AS_OF, dt.time(23, 59, 59))
    with session_scope(world) as s:
        rows = s.execute(
            select(Role.family, Application.hired_at, Application.left_at)
            .join(Role, Role.id == Application.role_id)
            .where(Application.hired_at.is_not(None), Application.hired_at <= cut)
        ).all()
    for row in out["rows"]:
        g = [(h, lft) for fam, h, lft in rows if fam == row["group"]]
        days = np.array(
            [((lft if lft and lft <= cut else cut) - h).total_seconds() / 86400 for h, lft in g]
        )
        left = np.array([bool(lft and lft <= cut) for _, lft in g])
        ref = KaplanMeierFitter().fit(days, left)
        assert row["hires"] == len(g)
        assert row["retention_365"] == pytest.approx(float(ref.predict(365.0)), abs=1e-4)
    eff = out["programme_effect"]
    assert eff["low_95"] <= eff["difference"] <= eff["high_95"]
    assert "Observational" in eff["note"]
    assert wcli("retention-curves", "--by", "sex").exit_code == 2  # demographics never split
    assert wcli("mobility", "costs", "--by", "channel").exit_code == 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_planning_pages_render(
    world: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    point_app_at(world, tmp_path / "data", monkeypatch)
    monkeypatch.setenv("TALENTMAP_DASHBOARD_RAISE", "1")
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    at.session_state["user"] = None
    at.run()
    if at.text_input:  # demo users exist (random passwords): give admin a known one, sign in
        from data.store.engine import session_scope
        from data.store.users import reset_password

        with session_scope(world) as s:
            reset_password(s, "admin", "planning-test-pw", actor="test")
        at.text_input(key="login_name").set_value("admin")
        at.text_input(key="login_password").set_value("planning-test-pw")
        at.button[0].click().run()
    at.switch_page("app_pages/plan_forecast.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == ("Plan & forecast" if lang == "en" else "编制计划与预测")
    assert len(at.get("plotly_chart")) >= 2
    at.switch_page("app_pages/compensation.py").run()
    assert not at.exception, at.exception
    warning = " ".join(w.value for w in at.warning)
    # the planted pocket (ml_engineer / mid / seattle) named as a reader calls it, not by keys
    with session_scope(world) as s:
        role = s.scalar(select(Role).where(Role.key == "ml_engineer"))
        title = role.title_en if lang == "en" else role.title_zh
    city = "Seattle" if lang == "en" else "西雅图"
    level = "Mid-level" if lang == "en" else "中级"  # the level's label, not its key
    assert f"{title} / {level} / {city}" in warning
    with session_scope(world) as s:
        keys = set(s.scalars(select(Role.key)))
    assert len(at.dataframe) >= 3
    for frame in at.dataframe:
        df = frame.value.data if hasattr(frame.value, "data") else frame.value  # a Styler or not
        cells = {str(v) for v in df.select_dtypes(include="object").to_numpy().ravel()}
        assert not cells & keys, sorted(cells & keys)[:3]  # role titles, not keys
        assert "None" not in cells and "san_francisco" not in cells
        if lang == "zh":  # SOC routes and sources worded in Chinese, levels by their label
            assert not any(c.startswith(("title rule", "survey:", "no ")) for c in cells)
            assert "mid" not in cells


def test_hiring_report_carries_the_compensation_section(world: Engine, tmp_path: Path) -> None:
    from functools import partial

    from analytics.compensation import report_tables
    from analytics.reports import build_report

    with session_scope(world) as s:
        rep = build_report(
            s,
            start=dt.date(2025, 1, 1),
            end=AS_OF,
            lang="zh",
            sections=[partial(report_tables, data_dir=tmp_path)],
        )
    tables = {t.key: t for t in rep.tables()}
    comp = tables["compensation"]
    assert comp.title == "薪酬与市场对比"
    flagged = [r[:3] for r in comp.rows if r[-1] == "是"]
    assert flagged == [["ml_engineer", "mid", "seattle"]]
    assert "OEWS" in (comp.note or "")
    assert "compensation_acceptance" in tables
