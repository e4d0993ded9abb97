"""Hiring report: numbers from the seeded store, each format read back, injection, masking,
Chinese text in the PDF, and the .streamlit hardening files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import tomllib
import zipfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from analytics import exporters
from analytics.exporters import export, safe_cell, to_html, to_pdf, to_xlsx
from analytics.fairness import run_audit
from analytics.reports import SHORTLIST_COLUMNS, build_report
from data.errors import InputError, TalentMapError
from data.store.engine import session_scope
from tests.analytics.seed import END, PAYLOADS, START

REPO = Path(__file__).resolve().parents[2]


def _report(engine, **kw):
    with session_scope(engine) as s:
        return build_report(s, start=START, end=END, **kw)


def _audited(engine) -> None:
    with session_scope(engine) as s:
        run_audit(s, stage="screening", actor="tester")


# --- report data (both databases) --------------------------------------------------------


def test_report_numbers_match_the_records(seeded_store) -> None:
    engine, seeded = seeded_store
    report = _report(engine, shortlist_columns=SHORTLIST_COLUMNS)
    people = seeded.in_range()
    status = Counter(p.status for p in people)
    assert report.status["applications"] == len(people) == report.status["candidates"]
    assert {k: report.status.get(k, 0) for k in status} == dict(status)
    reached = Counter(stage for p in people for stage in p.reached)
    assert report.funnel == [
        (s, reached[s]) for s in ("sourcing", "screening", "interview", "onboarding")
    ]
    days = [p.hired_days for p in people if p.hired_days is not None]
    p25, med, p75 = np.percentile(days, [25, 50, 75])
    assert report.time_to_hire == {
        "n": len(days),
        "median": pytest.approx(med),
        "p25": pytest.approx(p25),
        "p75": pytest.approx(p75),
    }
    assert dict(report.channels) == Counter(p.channel for p in people)
    assert dict(report.countries) == Counter(p.country for p in people)
    # shortlists: the top ten of each role in the latest run, in rank order
    for role in ("data_analyst", "ml_engineer"):
        got = [
            (r["rank"], r["pseudonym"], r["score"])
            for r in report.shortlists
            if r["role_key"] == role
        ]
        want = sorted(
            (x.rank, x.person.pseudonym, x.score)
            for x in seeded.scores
            if x.role == role and x.rank <= 10
        )
        assert got == [(a, b, pytest.approx(c)) for a, b, c in want]
    assert report.models[0]["version"] == 2 and report.models[0]["metrics"]["macro_f1"] == 0.812
    assert report.audit is not None and report.audit.audited == "screening"
    assert not report.audit.passed
    short = next(t for t in report.tables() if t.key == "shortlists")
    cols = [c.key for c in short.columns]
    first = short.rows[0]
    assert first[cols.index("matched")] == "Python"
    assert first[cols.index("missing")] == "PyTorch, NLP"  # keys shown by their names
    assert first[cols.index("evidence")] == "Python: Python at line 1"
    funnel = next(t for t in report.tables() if t.key == "funnel")
    assert funnel.rows[2][2] == pytest.approx(reached["interview"] / reached["screening"])


def test_role_filter_and_period(seeded_store) -> None:
    engine, seeded = seeded_store
    report = _report(engine, role_keys=["ml_engineer"])
    mine = [p for p in seeded.in_range() if p.role == "ml_engineer"]
    assert report.status["applications"] == len(mine)
    assert {r["role_key"] for r in report.shortlists} == {"ml_engineer"}
    with session_scope(engine) as s:
        old = build_report(s, start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    assert old.status["applications"] == sum(1 for p in seeded.people if not p.in_range) == 10
    with session_scope(engine) as s, pytest.raises(InputError, match="before it starts"):
        build_report(s, start=END, end=START)


def test_contacts_are_masked_unless_asked(seeded_store) -> None:
    engine, seeded = seeded_store
    masked = _report(engine)
    assert all(r["name"] is None and r["email"] is None for r in masked.shortlists)
    shortlist = next(t for t in masked.tables() if t.key == "shortlists")
    assert "email" not in [c.key for c in shortlist.columns]
    flat = repr([t.rows for t in masked.tables()])
    assert "@example.com" not in flat and "Person " not in flat
    shown = _report(engine, mask_contacts=False)
    emails = {r["email"] for r in shown.shortlists}
    assert seeded.payload_people[0].email in emails


# --- the files (SQLite: the writers read report data only) --------------------------------


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.cells: list[str] = []
        self.imgs: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("td", "th"):
            self._in_cell = True
            self.cells.append("")
        if tag == "img":
            self.imgs.append(dict(attrs)["src"])

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._in_cell = False

    def handle_data(self, data):
        if self._in_cell:
            self.cells[-1] += data


def test_xlsx_reads_back_formatted_and_inert(sqlite_seeded, tmp_path: Path) -> None:
    engine, seeded = sqlite_seeded
    _audited(engine)  # a stored audit of the whole store: the report computes its own
    report = _report(
        engine,
        include_contacts=True,
        shortlist_columns=SHORTLIST_COLUMNS,
        appendix=("shortlists", "countries", "audit_intersectional"),
    )
    path = to_xlsx(report, tmp_path / "r.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == [
        "Headline numbers",
        "Funnel",
        "Time to hire",
        "Source channels",
        "Top countries",
        "Bias audit",
        "Bias audit by group",
        "Shortlists_ top 3 per role",
        "Active models",
        "Definitions used",
        "Shortlists",
        "Countries",
        "Bias audit_ sex × ethnicity",
    ]
    funnel = wb["Funnel"]
    assert funnel.freeze_panes == "A2" and funnel["A1"].font.bold
    assert [c.value for c in funnel[2]][:2] == ["Sourcing", len(seeded.in_range())]
    assert funnel["D3"].number_format == "0.0%"
    assert funnel.column_dimensions["C"].width > 10
    tth = wb["Time to hire"]
    days = [p.hired_days for p in seeded.in_range() if p.hired_days is not None]
    assert tth["B2"].value == round(float(np.median(days)), 1)
    short = wb["Shortlists"]
    header = [c.value for c in short[1]]
    names = [row[header.index("Name")] for row in short.iter_rows(min_row=2, values_only=True)]
    files = [
        row[header.index("Resume file")] for row in short.iter_rows(min_row=2, values_only=True)
    ]
    for payload in PAYLOADS:  # shown as they are, inert as string cells with a quote prefix
        assert payload in names and f"{payload}.pdf" in files
    # the report's audit is of the report's period, not the stored whole-store audit
    decided = [p for p in seeded.in_range() if p.screening]
    rate = {
        sex: sum(p.screening == "pass" for p in decided if p.sex == sex)
        / sum(1 for p in decided if p.sex == sex)
        for sex in ("male", "female")
    }
    groups = {
        (r[0], r[1]): r for r in wb["Bias audit by group"].iter_rows(min_row=2, values_only=True)
    }
    female = groups[("Sex", "Female")]  # groups named, not coded
    assert female[4] == pytest.approx(rate["female"])
    assert female[5] == pytest.approx(rate["female"] / rate["male"]) and female[7] == "yes"
    assert wb["Bias audit by group"]["F2"].number_format == "0.000"
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {ws.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith("'")  # no visible apostrophe
                    if cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                        assert cell.quotePrefix and cell.data_type == "s"


def test_csv_zip_one_file_per_section_and_inert(sqlite_seeded, tmp_path: Path) -> None:
    engine, seeded = sqlite_seeded
    report = _report(engine, include_contacts=True)
    path = export(report, tmp_path / "r.csv", "csv")
    assert path == tmp_path / "r.zip"  # a ZIP of CSVs is named as one
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert names[0] == "01_summary.csv" and "11_shortlists.csv" in names
        text = zf.read("11_shortlists.csv").decode("utf-8-sig")
        channels = list(csv.reader(io.StringIO(zf.read("04_channels.csv").decode("utf-8-sig"))))
    rows = list(csv.reader(io.StringIO(text)))
    name_col = rows[0].index("Name")
    names = {r[name_col] for r in rows[1:]}
    # inert behind an invisible word joiner, no visible apostrophe
    assert {"\u2060" + p if p[0] in "=+-@" else p for p in PAYLOADS} <= names
    for row in rows[1:]:
        assert not any(v.startswith(("=", "+", "-", "@", "'")) for v in row)
    counts = Counter(p.channel for p in seeded.in_range())
    labels = {"referral": "Referral", "linkedin": "LinkedIn", "campus": "Campus"}
    labels["job_board"] = "Job board"
    assert {r[0]: int(r[1]) for r in channels[1:]} == {labels[k]: n for k, n in counts.items()}


@pytest.mark.slow  # draws charts in headless Chromium
def test_html_is_self_contained_escaped_and_has_the_numbers(sqlite_seeded, tmp_path: Path) -> None:
    engine, seeded = sqlite_seeded
    _audited(engine)
    report = _report(engine, mask_contacts=False)
    path = to_html(report, tmp_path / "r.html")
    doc = path.read_text(encoding="utf-8")
    parser = _Cells()
    parser.feed(doc)
    assert "script" not in parser.tags  # the <script> payload is text, not an element
    assert "<script>alert(1)</script>" in parser.cells
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc
    assert len(parser.imgs) == 4 and all(
        src.startswith("data:image/png;base64,") for src in parser.imgs
    )
    assert "http://" not in doc.replace("http://x", "") and "https://" not in doc
    assert f"{len(seeded.in_range()):,}" in parser.cells
    hired = sum(
        1
        for p in seeded.people
        if p.hired_days is not None
        and START <= (p.applied_at + dt.timedelta(days=p.hired_days)).date() <= END
    )
    i = parser.cells.index("Hires")
    assert parser.cells[i + 1] == str(hired)


@pytest.mark.slow  # draws charts in headless Chromium
def test_pdf_has_chinese_text_numbers_and_a_rendered_page(sqlite_seeded, tmp_path: Path) -> None:
    engine, seeded = sqlite_seeded
    _audited(engine)
    report = _report(engine, lang="zh", mask_contacts=False)
    path = to_pdf(report, tmp_path / "r.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    assert "招聘报告" in text and "招聘漏斗" in text and "简历筛选" in text
    assert shutil.which("pdftotext"), "poppler-utils missing: run `make sysdeps`"
    full = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    hired = sum(1 for p in seeded.in_range() if p.status == "hired")
    full = full.replace("\u200b", "")  # word-break hints between Chinese words
    squeezed = "".join(full.split())  # table cells may wrap
    assert "数据分析师" in squeezed and "偏差审计" in squeezed and "影响比" in squeezed
    line = next(ln for ln in full.splitlines() if ln.strip().startswith("录用人数"))
    assert line.split()[-1] == str(hired)
    assert "<script>alert(1)</script>" in squeezed  # shown as text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "CJK" in fonts
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
    )
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    dark = sum(1 for v in page.getdata() if v < 128)
    assert dark > 500, "the first page rendered blank"


def test_bad_format_and_failed_export_leave_nothing(
    sqlite_seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, _ = sqlite_seeded
    report = _report(engine)
    with pytest.raises(InputError, match="unknown report format 'docx'"):
        export(report, tmp_path / "r.docx")

    def broken(figs, **kw):
        raise TalentMapError("could not draw the report's charts")

    monkeypatch.setattr(exporters, "render_pngs", broken)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(TalentMapError, match="charts"):
        to_html(report, out / "r.html")
    assert list(out.iterdir()) == []  # neither the file nor a partial one


def test_chinese_report_explains_the_audit_in_chinese(seeded_store) -> None:
    engine, _ = seeded_store
    _audited(engine)
    en, zh = _report(engine), _report(engine, lang="zh")
    en_rows = next(t for t in en.tables() if t.key == "audit").rows
    zh_rows = next(t for t in zh.tables() if t.key == "audit").rows
    en_reasons = [v for k, v in en_rows if k == "Reasons"]
    zh_reasons = [v for k, v in zh_rows if k == "原因"]
    assert len(en_reasons) == len(zh_reasons) == len(en.audit.reasons) > 0
    assert any("性别群体“女性”的影响比" in r for r in zh_reasons)
    assert len([v for k, v in zh_rows if k == "提示"]) == len(en.audit.warnings)


def test_nested_model_metrics_are_flattened() -> None:
    from analytics.reports import _flatten

    flat = _flatten(
        {
            "macro_f1": 0.81234,
            "cv": {"macro_f1": {"mean": 0.8, "std": 0.01}},
            "confusion": [[1, 2], [3, 4]],
            "note": "ok",
            "ok": True,
        }
    )
    assert flat == {
        "macro_f1": 0.8123,
        "cv.macro_f1.mean": 0.8,
        "cv.macro_f1.std": 0.01,
        "note": "ok",
    }


def test_safe_cell() -> None:
    assert safe_cell("=1+1") == "\u2060=1+1" and safe_cell("\tx") == "\u2060\tx"
    assert safe_cell("+86 138 0000 0000") == "\u2060+86 138 0000 0000"
    assert safe_cell("Alice") == "Alice" and safe_cell(-1) == -1 and safe_cell(None) is None


# --- hardening -----------------------------------------------------------------------------


def test_secrets_are_ignored_and_the_example_is_complete() -> None:
    ignored = (REPO / ".gitignore").read_text().splitlines()
    assert ".streamlit/secrets.toml" in ignored
    example = tomllib.loads((REPO / ".streamlit" / "secrets.toml.example").read_text())
    auth = example["auth"]
    assert {
        "redirect_uri",
        "cookie_secret",
        "client_id",
        "client_secret",
        "server_metadata_url",
    } <= set(auth)
    if shutil.which("git"):
        out = subprocess.run(
            ["git", "check-ignore", ".streamlit/secrets.toml"],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0
