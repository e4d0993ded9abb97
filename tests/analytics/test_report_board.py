"""The board report's contract: contacts only when asked, the audit of the report's own
filters, the partial month flagged, the skill-gap definition, p-values a reader can tell from
zero, and the page bound on the 10k demo."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analytics import kpis, skills
from analytics.exporters import export, format_p
from analytics.fairness import run_audit
from analytics.filters import Filters
from analytics.reports import SHORTLIST_COLUMNS, build_report
from data.queries import metrics as mq
from data.store.engine import session_scope
from tests.analytics.seed import END, START


def _report(engine, **kw):
    with session_scope(engine) as s:
        return build_report(s, start=START, end=END, **kw)


def _flat(report) -> str:
    return repr([t.rows for t in report.tables()]) + repr([t.note for t in report.tables()])


# --- contacts: opt-in ------------------------------------------------------------------------


def test_contacts_only_when_the_user_asks(seeded_store, tmp_path: Path) -> None:
    engine, seeded = seeded_store
    full = dict(shortlist_columns=SHORTLIST_COLUMNS, appendix=("shortlists",))
    plain = _report(engine, **full)
    assert plain.masked and "@example.com" not in _flat(plain)
    assert all(r["email"] is None and r["phone"] is None for r in plain.shortlists)
    shown = _report(engine, include_contacts=True, **full)
    assert not shown.masked
    emails = {r["email"] for r in shown.shortlists}
    assert {p.email for p in seeded.people} & emails
    short = next(t for t in shown.tables() if t.key == "shortlists")
    assert {"name", "email", "phone"} <= {c.key for c in short.columns}
    # the summary's top-3 table never carries contacts, even when asked
    summary = next(t for t in shown.tables() if t.key == "shortlist_summary")
    assert not {"name", "email", "phone"} & {c.key for c in summary.columns}
    # phones are shown as they are (no apostrophe), and inert in the CSV
    with zipfile.ZipFile(export(shown, tmp_path / "r.csv")) as zf:
        name = next(n for n in zf.namelist() if n.endswith("_shortlists.csv"))
        text = zf.read(name).decode("utf-8-sig")
    assert "'+1 555" not in text and "\u2060+1 555" in text


def test_cli_report_contacts_need_the_flag_and_the_right(cli, tmp_path: Path) -> None:
    from data.store.users import add_user
    from tests.analytics.seed import seed_governance

    seed_governance(cli.engine, n=40)
    with session_scope(cli.engine) as s:
        add_user(s, "ada", "admin")
        add_user(s, "vera", "viewer")
    span = ("--from", "2025-01-01", "--to", "2025-12-31", "--format", "csv")

    def shortlist(path: Path) -> str:
        with zipfile.ZipFile(path) as zf:
            name = next(n for n in zf.namelist() if n.endswith("_shortlists.csv"))
            return zf.read(name).decode("utf-8-sig")

    res = cli("report", *span, "--out", str(tmp_path / "plain.zip"), user="ada")
    assert res.exit_code == 0, res.output
    assert "@example.com" not in shortlist(tmp_path / "plain.zip")
    res = cli("report", *span, "--out", str(tmp_path / "c.zip"), "--include-contacts", user="ada")
    assert res.exit_code == 0, res.output
    assert "@example.com" in shortlist(tmp_path / "c.zip")
    res = cli("report", *span, "--out", str(tmp_path / "v.zip"), "--include-contacts", user="vera")
    assert res.exit_code == 4 and not (tmp_path / "v.zip").exists()


# --- the audit follows the report ------------------------------------------------------------


@pytest.mark.parametrize(
    "scope",
    [Filters(countries=("US", "DE")), Filters(channels=("referral",)), Filters()],
    ids=["countries", "channel", "all"],
)
def test_report_audit_is_of_the_reports_own_filters(seeded_store, scope) -> None:
    engine, seeded = seeded_store
    with session_scope(engine) as s:  # a stored audit of the whole store, all periods
        run_audit(s, stage="screening", actor="tester")
    report = _report(engine, filters=scope)
    keep = [
        p
        for p in seeded.in_range()
        if (not scope.countries or p.country in scope.countries)
        and (not scope.channels or p.channel in scope.channels)
    ]
    decided = [p for p in keep if p.screening]
    assert report.audit is not None and report.audit.n == len(decided)
    reached = sum(1 for p in keep if "screening" in p.reached)
    assert report.audit_meta["reached"] == reached
    rows = {r.group: r for r in report.audit.rows if r.dimension == "sex"}
    for sex in ("male", "female"):
        group = [p for p in decided if p.sex == sex]
        if group:
            assert rows[sex].n == len(group)
            assert rows[sex].selected == sum(p.screening == "pass" for p in group)
    # the whole-store audit saw the 2024 applications too: the report did not reuse it
    assert report.audit.n < sum(1 for p in seeded.people if p.screening) or scope != Filters()


# --- partial month ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "month,start,through,partial",
    [
        ("2025-03", None, dt.date(2025, 3, 5), True),
        ("2025-03", None, dt.date(2025, 3, 31), False),
        ("2025-02", None, dt.date(2025, 3, 5), False),
        ("2025-03", dt.date(2025, 3, 2), dt.date(2025, 6, 1), True),
        ("2024-02", None, dt.date(2024, 2, 29), False),  # leap year: the 29th ends it
        ("2024-02", None, dt.date(2024, 2, 28), True),
    ],
)
def test_partial_month_rule(month, start, through, partial) -> None:
    assert mq.is_partial_month(month, start, through) is partial


def test_trend_flags_the_partial_last_month(seeded_store) -> None:
    engine, seeded = seeded_store
    f = Filters(dt.date(2025, 1, 1), dt.date(2025, 5, 10))
    with session_scope(engine) as s:
        trend = kpis.kpi_trend(s, f)
    assert list(trend["month"])[-1] == "2025-05"
    assert trend.set_index("month")["partial"].to_dict() == {
        m: m == "2025-05" for m in trend["month"]
    }
    apps = [p for p in seeded.people if f.start <= p.applied_at.date() <= f.end]
    may = sum(1 for p in apps if p.applied_at.month == 5)
    assert trend.set_index("month").loc["2025-05", "applications"] == may


# --- skill gap -------------------------------------------------------------------------------


def test_biggest_gap_is_demand_share_minus_supply_share(seeded_store) -> None:
    """Hand-worked: a skill named by most resumes is no gap however many roles want it."""
    engine, _ = seeded_store
    demand = pd.DataFrame(
        {"skill": ["python", "pytorch", "nlp"], "roles": [2, 1, 1], "demand": [9.0, 2.0, 3.0]}
    )
    demand.attrs["headcount"] = 10.0  # python: 90 % of openings; pytorch 20 %; nlp 30 %
    supply = pd.DataFrame({"skill": ["python", "pytorch", "nlp"], "resumes": [95, 5, 10]})
    with session_scope(engine) as s:
        g = skills.skill_gaps(s, demand, supply, 100)
    got = dict(zip(g["skill"], g["gap"], strict=True))
    assert got == pytest.approx({"python": 0.9 - 0.95, "pytorch": 0.2 - 0.05, "nlp": 0.3 - 0.1})
    assert list(g["skill"]) == ["nlp", "pytorch", "python"]
    assert dict(zip(g["skill"], g["supply_share"], strict=True))["python"] == pytest.approx(0.95)


# --- p-values --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "p,text",
    [(9e-118, "9.0 × 10⁻¹¹⁸"), (0.0321, "0.032"), (4.12e-5, "4.1 × 10⁻⁵"), (None, "")],
)
def test_p_values_in_scientific_notation(p, text) -> None:
    assert format_p(p) == text


# --- the page bound on the 10k demo ----------------------------------------------------------


def _demo_run(engine) -> int:
    """A match run over the demo: the ten best resumes per role with long explanations, as
    the matcher stores them (the demo itself stores no run)."""
    from sqlalchemy import select

    from data.store.models import MatchRun, MatchScore, Resume, Role, RoleSkill, Skill

    with session_scope(engine) as s:
        run = MatchRun(created_by="test", encoder="minilm")
        s.add(run)
        s.flush()
        resumes = list(s.scalars(select(Resume.id).order_by(Resume.id).limit(400)))
        for j, role in enumerate(s.scalars(select(Role).order_by(Role.key))):
            keys = list(
                s.scalars(
                    select(Skill.key)
                    .join(RoleSkill, RoleSkill.skill_id == Skill.id)
                    .where(RoleSkill.role_id == role.id)
                )
            )
            for rank in range(1, 11):
                s.add(
                    MatchScore(
                        run_id=run.id,
                        resume_id=resumes[(j * 10 + rank) % len(resumes)],
                        role_id=role.id,
                        score=0.9 - rank / 100,
                        rank=rank,
                        explanation={
                            "matched_skills": [
                                {"key": k, "evidence": f"Led a {k} project over three years"}
                                for k in keys[:4]
                            ],
                            "missing_required": [{"key": k} for k in keys[4:6]],
                            "missing_nice": keys[6:8],
                        },
                    )
                )
        return run.id


@pytest.mark.slow  # builds the 10k demo and renders two PDFs with charts
def test_board_report_fits_twelve_pages_on_the_10k_demo(sqlite_engine, tmp_path: Path) -> None:
    from pypdf import PdfReader

    from analytics.exporters import to_pdf
    from data.demo.world import build_demo

    as_of = dt.date(2026, 12, 6)
    build_demo(sqlite_engine, candidates=10_000, seed=7, as_of=as_of)
    run_id = _demo_run(sqlite_engine)
    for lang in ("en", "zh"):
        with session_scope(sqlite_engine) as s:
            report = build_report(
                s,
                start=dt.date(2026, 1, 1),
                end=as_of,
                lang=lang,
                run_ids=(run_id,),
                include_contacts=True,
            )
        assert len(report.shortlists) == 160
        pages = len(PdfReader(to_pdf(report, tmp_path / f"{lang}.pdf")).pages)
        assert pages <= 12, f"{lang}: {pages} pages"
