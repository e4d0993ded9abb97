"""The pages that write: Matching, Model lab, Documents, Reports — and who may use them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data.ingest.feedback import record_feedback
from data.store.engine import session_scope
from data.store.models import AuditLog, BiasAudit, Document, Feedback, ModelVersion
from data.store.users import add_user
from tests.dashboard.seed import seed_store

RESUME_A = (
    "Jane Doe\njane@example.com\nMachine learning engineer: Python, PyTorch and NLP "
    "for five years; SQL daily.\n"
) * 2
RESUME_B = "Li Lei\nSales manager with strong communication. Excel.\n" * 2


def _sign_in(at, name: str, password: str):
    at.run()
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    assert not at.exception
    return at


def _actors(engine, action: str) -> list[str]:
    with session_scope(engine) as s:
        return list(s.scalars(select(AuditLog.actor).where(AuditLog.action == action)))


@pytest.mark.slow
def test_upload_yields_ranked_list_and_decisions_are_recorded(sqlite_engine, make_app):
    seed_store(sqlite_engine, n_candidates=8)
    with session_scope(sqlite_engine) as s:
        add_user(s, "rita", "recruiter", "pw-rita")
    at = _sign_in(make_app(sqlite_engine), "rita", "pw-rita")
    at.switch_page("app_pages/matching.py").run()
    at.file_uploader(key="match_upload").set_value(
        [
            ("a.txt", RESUME_A.encode(), "text/plain"),
            ("b.txt", RESUME_B.encode(), "text/plain"),
            ("broken.pdf", b"%PDF-1.4 not really", "application/pdf"),
        ]
    )
    at.multiselect(key="w_match_roles_en").select("ml_engineer")
    at.button(key="match_run").click().run()
    assert not at.exception, at.exception
    failed = [d.value for d in at.dataframe if "Reason" in d.value.columns]
    assert failed and list(failed[0]["File"]) == ["broken.pdf"]
    shortlist = [d.value for d in at.dataframe if "Score" in d.value.columns][0]
    assert len(shortlist) == 2
    assert list(shortlist["Rank"]) == [1, 2]
    assert shortlist["Score"].is_monotonic_decreasing
    top = shortlist.iloc[0]
    assert "PyTorch" in top["Matched skills (evidence)"]  # the ML resume ranks first
    # HR tells candidates apart by the file they uploaded, beside the pseudonym
    assert list(shortlist["File"]) == ["a.txt", "b.txt"]
    assert shortlist["Candidate"].str.fullmatch(r"\S+").all()
    panels = [e.label.replace("\\", "") for e in at.expander]  # labels are escaped markdown
    assert len(panels) == 2 and "(a.txt)" in panels[0] and "(b.txt)" in panels[1]
    assert "jane@example.com" not in shortlist.to_string()  # contacts masked
    advance = [b for b in at.button if (b.key or "").startswith("fb_advance_ml_engineer")][0]
    advance.click().run()
    assert not at.exception
    assert any("by rita" in s.value for s in at.success)
    with session_scope(sqlite_engine) as s:
        fb = s.scalars(select(Feedback)).all()
    assert [(f.decision, f.reviewer) for f in fb] == [("advance", "rita")]
    # every write of the session is in the audit log under the signed-in user's name
    assert _actors(sqlite_engine, "feedback.record") == ["rita"]
    assert _actors(sqlite_engine, "resumes.import") == ["rita", "rita"]
    assert _actors(sqlite_engine, "match.run") == ["rita"]


@pytest.mark.slow
def test_training_run_yields_a_new_model_version(sqlite_engine, make_app):
    seeded = seed_store(sqlite_engine, n_candidates=40)
    with session_scope(sqlite_engine) as s:
        for rid, text in seeded.resumes.items():
            record_feedback(
                s,
                rid,
                seeded.roles["ml_engineer"],
                "advance" if "PyTorch" in text else "reject",
                reviewer="rita",
                actor="rita",
            )
    at = make_app(sqlite_engine).run()
    at.switch_page("app_pages/model_lab.py").run()
    assert any("No model versions" in i.value for i in at.info)
    at.button(key="lab_train").click().run()
    assert not at.exception, at.exception
    assert any("Trained version 1" in s.value for s in at.success)
    with session_scope(sqlite_engine) as s:
        versions = s.scalars(select(ModelVersion)).all()
    assert [(v.kind, v.version, v.status) for v in versions] == [("pair_scorer", 1, "candidate")]
    assert _actors(sqlite_engine, "model.register") == ["admin"]
    assert at.get("plotly_chart")  # confusion matrix and reliability curve
    # the gate refuses (no match run to audit): the reasons are shown, nothing promoted
    at.button(key="lab_promote").click().run()
    assert not at.exception
    assert any("Promotion refused" in e.value for e in at.error)
    with session_scope(sqlite_engine) as s:
        assert s.scalar(select(ModelVersion.status)) == "candidate"
    assert _actors(sqlite_engine, "model.promote_refused") == ["admin"]


def test_documents_upload_shows_extractions_with_provenance(sqlite_engine, make_app, seeds_dir):
    seed_store(sqlite_engine, n_candidates=5)
    doc = sorted(seeds_dir.iterdir())[0]
    at = make_app(sqlite_engine).run()
    at.switch_page("app_pages/documents.py").run()
    at.file_uploader(key="docs_upload").set_value(
        [
            (doc.name, doc.read_bytes(), "text/plain"),
            ("bad.txt", b"\x00\x01binary\x00", "text/plain"),
        ]
    ).run()
    at.button(key="docs_import").click().run()
    assert not at.exception, at.exception
    assert any("bad.txt" in e.value.replace("\\", "") for e in at.error)  # escaped markdown
    items = [d.value for d in at.dataframe if "Lines" in d.value.columns][0]
    assert len(items) > 0 and items["Lines"].str.match(r"\d+–\d+").all()
    with session_scope(sqlite_engine) as s:
        assert s.scalar(select(func.count(Document.id))) == 1
    assert _actors(sqlite_engine, "docs.import") == ["admin"]


def test_reports_build_and_download_and_audit(seeded_store, make_app):
    engine, _ = seeded_store
    at = make_app(engine).run()
    at.switch_page("app_pages/reports.py").run()
    at.radio(key="reports_format").set_value("xlsx").run()
    at.button(key="reports_build").click().run()
    assert not at.exception, at.exception
    assert [d.label for d in at.get("download_button")] == ["Download XLSX"]
    assert _actors(engine, "report.build") == ["admin"]
    at.button(key="reports_audit").click().run()
    assert not at.exception
    with session_scope(engine) as s:
        assert s.scalar(select(func.count(BiasAudit.id))) == 1
    (caption,) = [c.value for c in at.caption if "Latest audit" in c.value]
    # in words: the stage's name, a readable time, no table names
    assert "Screening" in caption and "stage_events" not in caption
    assert not re.search(r"\d{4}-\d\d-\d\dT\d", caption)  # not an ISO stamp
    at.session_state["lang"] = "zh"
    at.run()
    (caption,) = [c.value for c in at.caption if "最近一次审计" in c.value]
    assert "简历筛选" in caption and "stage_events" not in caption and "screening" not in caption


def test_viewer_sees_no_writing_widgets(seeded_sqlite, make_app):
    engine, _ = seeded_sqlite
    with session_scope(engine) as s:
        add_user(s, "vera", "viewer", "pw-vera")
    at = _sign_in(make_app(engine), "vera", "pw-vera")
    for page, keys in (
        ("app_pages/model_lab.py", ["lab_train", "lab_promote", "lab_rollback"]),
        ("app_pages/documents.py", ["docs_import"]),
        ("app_pages/reports.py", ["reports_audit"]),
    ):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        present = {b.key for b in at.button}
        assert not present & set(keys), (page, present)
    assert not at.file_uploader
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/matching.py")


def test_reports_offer_no_stale_file_after_the_format_changes(seeded_sqlite, make_app):
    engine, _ = seeded_sqlite
    at = make_app(engine).run()
    at.switch_page("app_pages/reports.py").run()
    assert at.radio(key="reports_format").options == [
        "Excel (XLSX)",
        "CSV (ZIP of tables)",
        "Web page (HTML)",
        "PDF",
    ]
    at.radio(key="reports_format").set_value("csv").run()
    at.button(key="reports_build").click().run()
    assert [d.label for d in at.get("download_button")] == ["Download CSV"]
    at.radio(key="reports_format").set_value("html").run()
    assert not at.get("download_button")  # the CSV file is not offered as the HTML one
    at.multiselect(key="w_channels_en").select("referral").run()
    assert any("follows the global filters" in c.value for c in at.caption)


def test_reports_show_a_preview_of_the_file_built(seeded_sqlite, make_app):
    # the page only offered a download: a manager could not see what the report says
    engine, _ = seeded_sqlite
    at = make_app(engine).run()
    at.switch_page("app_pages/reports.py").run()
    at.radio(key="reports_format").set_value("html").run()
    at.button(key="reports_build").click().run()
    assert not at.exception, at.exception
    assert [e.label for e in at.expander] == ["Preview of the report"]
    frames = at.get("iframe")
    assert len(frames) == 1
    path = Path(at.session_state["reports_file"][0])
    assert frames[0].proto.srcdoc == path.read_text(encoding="utf-8")
    # another format: the preview is the same report as a page, without its charts
    at.radio(key="reports_format").set_value("pdf").run()
    assert not at.get("iframe")  # nothing shown for a file not yet built


@pytest.mark.slow
def test_shortlist_shows_strongest_passages_and_warns_on_a_top_without_skills(
    sqlite_engine, make_app
):
    # the README promises the strongest passages; a first rank with no skill matched was
    # shown like any other (both seen in the screenshots)
    from ml.matcher import load_run

    seed_store(sqlite_engine, n_candidates=8)
    at = make_app(sqlite_engine).run()
    at.switch_page("app_pages/matching.py").run()
    at.file_uploader(key="match_upload").set_value([("b.txt", RESUME_B.encode(), "text/plain")])
    at.multiselect(key="w_match_roles_en").select("ml_engineer")
    at.button(key="match_run").click().run()
    assert not at.exception, at.exception
    with session_scope(sqlite_engine) as s:
        (row,) = load_run(s, at.session_state["match_run_id"]).rows
    assert row.explanation["matched_skills"] == []  # a sales resume against an ML role
    assert [w.value for w in at.warning if "matches none of the role's skills" in w.value]
    texts = "\n".join(x.value for x in at.expander[0].get("text"))
    passages = row.explanation["strongest_passages"]
    assert passages and all(p["text"] in texts for p in passages)
    assert any("Strongest passages" in m.value for m in at.expander[0].markdown)
    assert "skills matched: 0" in at.expander[0].label
