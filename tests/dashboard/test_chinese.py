"""In Chinese, no page and no report format shows an English catalog string or a raw key.

The lists to search for are built here from the sources, not from the code under test: the
English texts of the catalog (read with Babel from the .po file) that differ from their Chinese
text, and the raw keys: catalog keys, source-channel keys, ISO codes, stage, strategy and skill
keys, model kinds, statuses and metric keys, demographic codes. The search runs over every text
the rendered page shows (``tests/dashboard/rendered.py``) or the report file holds.
"""

from __future__ import annotations

import csv
import io
import re
import string
import zipfile
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po
from sqlalchemy import Engine

from data.reference import REFERENCE_DIR, SOURCE_CHANNELS, labels, load_countries
from data.reference.stages import STAGES, strategy_labels
from data.store.engine import session_scope
from data.store.models import ModelVersion
from tests.audit_codes import audit_codes
from tests.dashboard.rendered import page_texts
from tests.dashboard.seed import seed_store

LANGUAGE_NAMES = {"English", "中文"}  # the language picker names each language in itself
# the seed store's invented region values (tests/dashboard/seed.py: "Asia", "Other"), shown as
# stored in the region filter; "Other" is also the English of report.other
SEED_REGIONS = {"Asia", "Other"}
PAGES = [
    "app_pages/overview.py",
    "app_pages/roles_skills.py",
    "app_pages/international.py",
    "app_pages/cultivation.py",
    "app_pages/candidates.py",
    "app_pages/matching.py",
    "app_pages/model_lab.py",
    "app_pages/documents.py",
    "app_pages/reports.py",
    "app_pages/admin.py",
]
# words that are the same in both languages' UIs (product names, units, statistics)
SAME = {"TalentMap", "LinkedIn", "PDF", "CSV", "HTML", "XLSX", "Fisher", "ROC AUC", "Brier", "F1"}


def _po(lang: str) -> dict[str, str]:
    with labels.po_path(lang).open("rb") as fh:
        return {str(m.id): str(m.string) for m in read_po(fh) if m.id}


def _pattern(text: str) -> re.Pattern[str]:
    """A catalog text with its ``{fields}`` as wildcards."""
    parts = []
    for literal, name, _, _ in string.Formatter().parse(text):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(".+?")
    return re.compile("".join(parts))


EN, ZH = _po("en"), _po("zh")
ENGLISH = sorted(
    {v for k, v in EN.items() if v != ZH[k] and re.search(r"[A-Za-z]{3}", v) and v not in SAME},
    key=len,
    reverse=True,
)
ENGLISH_PATTERNS = [(_pattern(v), v) for v in ENGLISH if len(re.sub(r"{[^}]*}", "", v)) >= 12]


def _raw_keys() -> tuple[set[str], set[str]]:
    """(keys that must not appear as a whole text, keys that must not appear anywhere)."""
    skills = yaml.safe_load((REFERENCE_DIR / "skills.yaml").read_text(encoding="utf-8"))
    anywhere = set(EN) | {k for k in SOURCE_CHANNELS if "_" in k} | {k for k in STAGES if "_" in k}
    anywhere |= {s.key for s in strategy_labels() if "_" in s.key}
    anywhere |= {s["key"] for s in skills if "_" in s["key"]}
    anywhere |= {"pair_scorer", "macro_precision", "macro_recall", "roc_auc", "top3_accuracy"}
    whole = set(SOURCE_CHANNELS) | set(STAGES) | set(load_countries())
    whole |= {c.iso3 for c in load_countries().values()}
    whole |= {"candidate", "active", "retired", "classifier", "selection", "scoring"}
    whole |= {"sex", "ethnicity", "intersectional", "unknown", "Female", "Male", "None", "nan"}
    whole |= {"zh", "en", "mixed", "role", "skill", "strategy", "pipeline", "diagram", "duty"}
    whole |= {c.name_en for c in load_countries().values()}
    codes = audit_codes()  # the audit log's action ids, target types and detail keys
    anywhere |= codes.actions
    whole |= codes.target_types
    return whole, anywhere


CJK = re.compile(r"[\u4e00-\u9fff]")
WHOLE, ANYWHERE = _raw_keys()
ANYWHERE_RE = re.compile(
    r"(?<![\w.])("
    + "|".join(re.escape(k) for k in sorted(ANYWHERE, key=len, reverse=True))
    + "|"
    + "|".join(re.escape(p) + r"\w+" for p in sorted(audit_codes().prefixes))
    + r")(?![\w])"
)


def english_or_raw(texts: list[str], *, allowed: set[str] = frozenset()) -> list[str]:
    """The texts that are (or contain) an English catalog string or a raw key."""
    bad = []
    for text in texts:
        s = text.strip()
        if s in allowed:
            continue
        if s in WHOLE or s in ENGLISH:
            bad.append(s)
            continue
        if any(p.search(s) for p, _ in ENGLISH_PATTERNS):
            bad.append(s)
            continue
        m = ANYWHERE_RE.search(s)
        if m:
            bad.append(f"{m.group(1)!r} in {s[:120]!r}")
    return sorted(set(bad))


def test_the_checker_finds_what_it_should():
    assert english_or_raw(["Open roles"]) and english_or_raw(["job_board"])
    assert english_or_raw(["linkedin"]) and english_or_raw(["CN"]) and english_or_raw(["None"])
    assert english_or_raw(["Retention at 90 days"])  # a formatted catalog string
    assert english_or_raw(["ui_design 5"]) and english_or_raw(["nav.overview"])
    assert english_or_raw(["Lithuania"])
    assert english_or_raw(["feedback.change"]) and english_or_raw(["planning.import_fx"])
    assert english_or_raw(["bias_audit"]) and english_or_raw(["user"])
    assert not english_or_raw(["在招岗位", "领英", "12.3%", "Python", "机器学习工程师"])


def _store(engine: Engine, seeds_dir: Path) -> None:
    """The seeded store plus a bias audit, a model version with metrics and a document."""
    from analytics.fairness import run_audit
    from data.ingest.documents import import_documents

    seed_store(engine)
    docs = sorted(p for p in seeds_dir.iterdir() if p.is_file())[:1]
    with session_scope(engine) as s:
        run_audit(s, stage="screening", actor="admin")
        s.add(
            ModelVersion(
                kind="pair_scorer",
                version=1,
                status="candidate",
                metrics={
                    "primary_metric": "roc_auc",
                    "test": {
                        "roc_auc": 0.81,
                        "accuracy": 0.74,
                        "ece": 0.05,
                        "brier": 0.18,
                        "macro_precision": 0.7,
                        "macro_recall": 0.6,
                        "mrr": 0.5,
                    },
                },
                created_by="admin",
            )
        )
        import_documents(s, docs, actor="admin")


@pytest.fixture
def zh_store(sqlite_engine: Engine, seeds_dir: Path) -> Engine:
    _store(sqlite_engine, seeds_dir)
    return sqlite_engine


def test_every_page_in_chinese_shows_no_english_and_no_raw_key(zh_store, make_app):
    at = make_app(zh_store, lang="zh").run()
    found = {}
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        bad = english_or_raw(page_texts(at), allowed=LANGUAGE_NAMES | SEED_REGIONS)
        if bad:
            found[page] = bad
    assert not found, "\n".join(f"{p}: {b}" for p, b in found.items())


def test_the_same_pages_in_english_are_caught(zh_store, make_app):
    """The page reader sees the pages' text: in English every page trips the check."""
    at = make_app(zh_store, lang="en").run()
    for page in PAGES:
        at.switch_page(page).run()
        texts = page_texts(at)
        assert len(texts) > 10, page
        assert len(english_or_raw(texts)) > 3, page


def test_the_matching_page_in_chinese_names_skills_and_failures(zh_store, make_app):
    from tests.dashboard.test_write_pages import RESUME_A, RESUME_B

    at = make_app(zh_store, lang="zh").run()
    at.switch_page("app_pages/matching.py").run()
    at.file_uploader(key="match_upload").set_value(
        [
            ("a.txt", RESUME_A.encode(), "text/plain"),
            ("b.txt", RESUME_B.encode(), "text/plain"),
            ("broken.pdf", b"%PDF-1.4 not really", "application/pdf"),
            ("empty.txt", b"", "text/plain"),
        ]
    )
    at.multiselect(key="w_match_roles_zh").select("ml_engineer")
    at.button(key="match_run").click().run()
    assert not at.exception, at.exception
    texts = page_texts(at)
    failed = next(d.value for d in at.dataframe if labels.tr("zh", "col.reason") in d.value.columns)
    assert set(failed[labels.tr("zh", "col.file")]) == {"broken.pdf", "empty.txt"}
    assert all(CJK.search(r) for r in failed[labels.tr("zh", "col.reason")]), failed
    bad = english_or_raw(
        texts, allowed={"a.txt", "b.txt", "broken.pdf", "empty.txt"} | LANGUAGE_NAMES | SEED_REGIONS
    )
    assert not bad


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "html", "pdf"])
def test_every_report_format_in_chinese_shows_no_english_and_no_raw_key(zh_store, fmt, tmp_path):
    import datetime as dt

    from analytics.exporters import export
    from analytics.reports import build_report

    with session_scope(zh_store) as s:
        report = build_report(
            s, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), lang="zh", mask_contacts=True
        )
    path = export(report, tmp_path / f"r.{fmt}", fmt)
    texts = _report_texts(path, fmt)
    assert any(labels.tr("zh", "report.metric") in t for t in texts), texts[:20]
    assert not english_or_raw(texts)


def _report_texts(path: Path, fmt: str) -> list[str]:
    if fmt == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path)
        out = list(wb.sheetnames)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                out += [str(v) for v in row if isinstance(v, str)]
        return out
    if fmt == "csv":
        out = []
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                out.append(name.rsplit(".", 1)[0].split("_", 1)[-1])
                text = zf.read(name).decode("utf-8-sig")
                out += [c for row in csv.reader(io.StringIO(text)) for c in row]
        return out
    if fmt == "html":
        from html.parser import HTMLParser

        class Text(HTMLParser):
            def __init__(self) -> None:
                super().__init__()
                self.out: list[str] = []

            def handle_data(self, data: str) -> None:
                self.out.append(data)

        p = Text()
        p.feed(path.read_text(encoding="utf-8"))
        return p.out
    import subprocess

    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [cell for line in text.splitlines() for cell in re.split(r"\s{2,}", line)]


def test_a_shortlist_scored_in_english_reads_in_chinese_after_switching(zh_store, make_app):
    # the screenshots showed "User Experience Design", "Figma" on the Chinese Matching page:
    # skill names were the ones stored with the run, not the user's language
    from tests.dashboard.test_write_pages import RESUME_A

    at = make_app(zh_store, lang="en").run()
    at.switch_page("app_pages/matching.py").run()
    at.file_uploader(key="match_upload").set_value([("a.txt", RESUME_A.encode(), "text/plain")])
    at.multiselect(key="w_match_roles_en").select("ml_engineer")
    at.button(key="match_run").click().run()
    assert not at.exception, at.exception
    panel = at.expander[0]
    assert "Python" in "\n".join(x.value for x in panel.get("text"))
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception, at.exception
    panel = at.expander[0]
    shown = "\n".join(x.value for x in panel.get("text"))
    assert labels.skill_name("python", "zh") in shown  # "Python编程", not "Python"
    evidence = {line.split(" — ")[0].lstrip("✓✗ ") for line in shown.splitlines() if "✓" in line}
    assert evidence and all(CJK.search(name) for name in evidence), evidence
