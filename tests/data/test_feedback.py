"""record_feedback: no decision without a named reviewer; one audit row naming the pseudonym."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from data.errors import InputError, NotFoundError
from data.ingest.feedback import import_feedback, record_feedback
from data.store.engine import session_scope
from data.store.models import AuditLog, Candidate, Feedback, Resume, Role


def _pair(s):
    cand = Candidate(pseudonym="C-7F3A")
    s.add(cand)
    s.flush()
    resume = Resume(
        candidate_id=cand.id,
        file_name="a.pdf",
        sha256="a" * 64,
        language="en",
        text="Python engineer",
    )
    role = Role(key="ml_engineer", title_en="ML Engineer", title_zh="机器学习工程师", family="ai")
    s.add_all([resume, role])
    s.flush()
    return resume.id, role.id


def test_a_decision_is_saved_with_its_reviewer_and_audited(engine):
    with session_scope(engine) as s:
        resume_id, role_id = _pair(s)
        fb = record_feedback(
            s, resume_id, role_id, " Advance ", "Li Wei", "good fit", actor="alice"
        )
    with session_scope(engine) as s:
        saved = s.get(Feedback, fb.id)
        assert (saved.decision, saved.reviewer, saved.note) == ("advance", "Li Wei", "good fit")
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "feedback.record")).one()
        assert (audit.actor, audit.target_type, audit.target) == ("alice", "candidate", "C-7F3A")
        assert str(resume_id) not in (audit.target or "")


@pytest.mark.parametrize(
    ("decision", "reviewer", "field"),
    [
        ("advance", "", "reviewer"),
        ("advance", "   ", "reviewer"),
        ("advance", None, "reviewer"),
        ("hire", "Li Wei", "decision"),
        ("", "Li Wei", "decision"),
    ],
    ids=["empty", "blank", "none", "unknown-decision", "no-decision"],
)
def test_bad_decisions_are_refused_and_nothing_is_saved(engine, decision, reviewer, field):
    with session_scope(engine) as s:
        resume_id, role_id = _pair(s)
    with pytest.raises(InputError, match=field), session_scope(engine) as s:
        record_feedback(s, resume_id, role_id, decision, reviewer, actor="alice")
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Feedback)) == 0
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_unknown_resume_or_role(engine):
    with session_scope(engine) as s:
        resume_id, role_id = _pair(s)
        with pytest.raises(NotFoundError, match="resume"):
            record_feedback(s, 99999, role_id, "reject", "Li Wei", actor="a")
        with pytest.raises(NotFoundError, match="role"):
            record_feedback(s, resume_id, 99999, "reject", "Li Wei", actor="a")


def test_import_feedback_reads_rows_and_refuses_an_unclosed_quote(engine, tmp_path):
    with session_scope(engine) as s:
        _pair(s)
    good = tmp_path / "ok.csv"
    good.write_text(
        'resume,role,decision,reviewer,note\n\na.pdf,ml_engineer,advance,Li Wei,"strong, fast"\n',
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "resume,role,decision,reviewer,note\n"
        'a.pdf,ml_engineer,reject,Li Wei,"no note closes\n'
        "a.pdf,ml_engineer,advance,Li Wei,\n",
        encoding="utf-8",
    )
    with (
        pytest.raises(InputError, match="close the quote or remove it") as info,
        session_scope(engine) as s,
    ):
        import_feedback(s, bad, actor="alice")
    assert (info.value.file, info.value.row) == ("bad.csv", 2)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Feedback)) == 0
        assert import_feedback(s, good, actor="alice") == 1
    with session_scope(engine) as s:
        assert s.scalars(select(Feedback.note)).all() == ["strong, fast"]
