"""One truth per number: for the same filters, the Overview, International and Cultivation
pages, every report format and the bias audit agree on applications, hires, time to hire and
the funnel, and all of them equal a plain-Python count over the seeded rows (both databases)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from analytics import cultivation, kpis, pipeline
from analytics.exporters import export
from analytics.fairness import run_audit
from analytics.filters import Filters
from analytics.reports import build_report
from data.reference.stages import stage_label
from data.store.engine import session_scope
from tests.analytics.one_world import PERIOD, World, build_world
from tests.dashboard.conftest import APP, point_app_at

FILTERS = {
    "period": Filters(*PERIOD),
    "two-countries": Filters(*PERIOD, countries=("CN", "US")),
    "role-channel": Filters(*PERIOD, roles=("ml_engineer",), channels=("referral", "campus")),
    "region": Filters(*PERIOD, regions=("East Asia",)),
}


@pytest.fixture
def world(engine) -> tuple[object, World]:
    return engine, build_world(engine)


def _days(x: float | None) -> float | None:
    return None if x is None else round(float(x), 1)


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th"):
            self._in = True
            self.cells.append("")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.cells[-1] += data


def test_the_world_exposes_the_old_disagreements(world) -> None:
    """Hires by hire date differ from hires by application date here, and the furthest-stage
    funnel from counting stage events: a test on this world can tell the definitions apart."""
    _, w = world
    f = FILTERS["period"]
    by_applied = sum(1 for a in w.applications(f) if a.hired_at is not None)
    assert len(w.hires(f)) != by_applied
    with_event = sum(
        1 for a in w.applications(f) if any(to == "screening" for _, to, _, _ in a.events)
    )
    assert dict(w.funnel(f))["screening"] != with_event


@pytest.mark.parametrize("name", list(FILTERS))
def test_pages_reports_and_audit_agree_with_the_records(world, name, tmp_path: Path) -> None:
    engine, w = world
    f = FILTERS[name]
    apps = len(w.applications(f))
    hires = len(w.hires(f))
    tth = _days(w.time_to_hire(f))
    funnel = w.funnel(f)
    decided = w.screening_decided(f)
    assert apps and hires and funnel

    with session_scope(engine) as s:
        # Overview
        k = kpis.kpis(s, f)
        trend = kpis.kpi_trend(s, f)
        assert k["hires"].value == hires and _days(k["time_to_hire"].value) == tth
        assert trend["applications"].sum() == apps and trend["hires"].sum() == hires
        # International
        fun = pipeline.funnel(s, f)
        assert list(zip(fun["stage"], fun["reached"], strict=True)) == funnel
        parts = pipeline.breakdowns(s, f)
        for dim in ("country", "region", "channel"):
            assert parts[dim]["applications"].sum() == apps
            assert parts[dim]["hires"].sum() == hires
        # Cultivation
        head = cultivation.headline(s, f, as_of=dt.date(2026, 1, 1))
        assert head["hires"] == hires and _days(head["time_to_hire"]) == tth
        # the audit: its population is the period's applications decided at screening
        _, stored = run_audit(s, stage="screening", filters=f, actor="tester")
        assert stored.n == decided
        # the report
        report = build_report(
            s,
            start=f.start,
            end=f.end,
            role_keys=f.roles,
            filters=f,
            appendix=(),
            run_ids=(),
        )
    assert report.status["applications"] == apps
    assert report.hires == hires and _days(report.hire_days_q[1]) == tth
    assert report.funnel == funnel
    assert report.audit is not None and report.audit.n == decided
    assert report.audit_meta["reached"] == dict(funnel)["screening"]

    first_stage = stage_label(funnel[0][0], "en")
    # XLSX
    wb = load_workbook(export(report, tmp_path / "r.xlsx"))
    head_rows = {r[0]: r[1] for r in wb["Headline numbers"].iter_rows(min_row=2, values_only=True)}
    assert head_rows["Applications"] == apps and head_rows["Hires"] == hires
    assert wb["Time to hire"]["A2"].value == hires and wb["Time to hire"]["B2"].value == tth
    xfun = [r[:2] for r in wb["Funnel"].iter_rows(min_row=2, values_only=True)]
    assert xfun == [(stage_label(st, "en"), n) for st, n in funnel]
    # CSV (a ZIP of tables)
    with zipfile.ZipFile(export(report, tmp_path / "r.csv")) as zf:

        def table(suffix: str) -> list[list[str]]:
            name = next(n for n in zf.namelist() if n.endswith(suffix))
            return list(csv.reader(io.StringIO(zf.read(name).decode("utf-8-sig"))))

        summary = {r[0]: r[1] for r in table("_summary.csv")[1:]}
        assert int(summary["Applications"]) == apps and int(summary["Hires"]) == hires
        t2h = table("_time_to_hire.csv")[1]
        assert int(t2h[0]) == hires and float(t2h[1]) == tth
        assert [(r[0], int(r[1])) for r in table("_funnel.csv")[1:]] == [
            (stage_label(st, "en"), n) for st, n in funnel
        ]
    # HTML
    parser = _Cells()
    parser.feed((export(report, tmp_path / "r.html")).read_text(encoding="utf-8"))
    cells = parser.cells
    assert cells[cells.index("Applications") + 1] == f"{apps:,}"
    assert cells[cells.index("Hires") + 1] == f"{hires:,}"
    i = cells.index(first_stage)
    assert cells[i + 1] == f"{funnel[0][1]:,}"
    # PDF text (no charts: the numbers are the point here)
    from analytics.exporters import to_pdf

    pdf = to_pdf(report, tmp_path / "r.pdf", charts=False)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout

    def last_number(label: str) -> str:
        line = next(ln for ln in text.splitlines() if re.match(rf"\s*{re.escape(label)}\s", ln))
        return line.split()[-1]

    assert last_number("Applications") == f"{apps:,}"
    assert last_number("Hires") == f"{hires:,}"
    tth_line = next(ln for ln in text.splitlines() if ln.split()[:1] == [f"{hires:,}"])
    assert tth_line.split()[1] == f"{tth:.1f}"
    for st, n in funnel:
        line = next(
            ln for ln in text.splitlines() if ln.strip().startswith(stage_label(st, "en") + " ")
        )
        assert f"{n:,}" in line.split()


def test_the_dashboard_pages_show_the_same_numbers(world, tmp_path, monkeypatch) -> None:
    """The rendered Overview, International and Cultivation pages, for the same filters."""
    from streamlit.testing.v1 import AppTest

    engine, w = world
    f = FILTERS["two-countries"]
    hires, tth = len(w.hires(f)), w.time_to_hire(f)
    point_app_at(engine, tmp_path / "data", monkeypatch)
    monkeypatch.setenv("TALENTMAP_DASHBOARD_RAISE", "1")
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = "en"
    at.session_state["_dates"] = (f.start, f.end)
    at.session_state["_countries"] = list(f.countries)
    at.run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Hires"] == f"{hires:,}"
    assert metrics["Time to hire"] == f"{tth:g} days"
    at.switch_page("app_pages/international.py").run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Reached" in d.value.columns)
    assert list(table["Reached"]) == [n for _, n in w.funnel(f)]
    at.switch_page("app_pages/cultivation.py").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Hires in the period"] == f"{hires:,}"
    assert metrics["Time to hire (median)"] == f"{tth:g} days"
