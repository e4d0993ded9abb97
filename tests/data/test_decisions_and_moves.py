"""Decisions are one per reviewer, resume and role; a stage move writes an event and an audit row."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from data.errors import InputError, NotFoundError
from data.ingest.feedback import decision_history, record_feedback
from data.ingest.people import canonical_pipeline, move_stage
from data.store.engine import session_scope
from data.store.models import (
    Application,
    AuditLog,
    Candidate,
    Feedback,
    Resume,
    Role,
    StageEvent,
)


def _pair(s):
    cand = Candidate(pseudonym="C-9B2E")
    s.add(cand)
    s.flush()
    resume = Resume(
        candidate_id=cand.id, file_name="b.pdf", sha256="b" * 64, language="en", text="ML"
    )
    role = Role(key="ml_engineer", title_en="ML Engineer", title_zh="机器学习工程师", family="ai")
    s.add_all([resume, role])
    s.flush()
    return cand.id, resume.id, role.id


def _count(s, model, *where):
    return s.scalar(select(func.count()).select_from(model).where(*where))


def test_advance_clicked_twice_stores_one_decision(engine):
    with session_scope(engine) as s:
        _, resume_id, role_id = _pair(s)
    for _ in range(2):
        with session_scope(engine) as s:
            record_feedback(s, resume_id, role_id, "advance", "Li Wei", actor="li")
    with session_scope(engine) as s:
        assert _count(s, Feedback) == 1
        assert _count(s, AuditLog, AuditLog.action.like("feedback.%")) == 1


def test_a_changed_decision_updates_it_and_keeps_the_history(engine):
    with session_scope(engine) as s:
        _, resume_id, role_id = _pair(s)
    for decision in ("advance", "reject"):
        with session_scope(engine) as s:
            record_feedback(s, resume_id, role_id, decision, "Li Wei", actor="li")
    # a second reviewer's decision is their own row
    with session_scope(engine) as s:
        record_feedback(s, resume_id, role_id, "advance", "Ana", actor="ana")
    with session_scope(engine) as s:
        rows = {f.reviewer: f.decision for f in s.scalars(select(Feedback))}
        assert rows == {"Li Wei": "reject", "Ana": "advance"}
        change = s.scalars(select(AuditLog).where(AuditLog.action == "feedback.change")).one()
        assert change.detail["previous"]["decision"] == "advance"
        history = decision_history(s, resume_id, role_id)
        assert [(h["reviewer"], h["decision"], h["changed"]) for h in history] == [
            ("Li Wei", "advance", False),
            ("Li Wei", "reject", True),
            ("Ana", "advance", False),
        ]


def _application(s):
    cand_id, _, role_id = _pair(s)
    app = Application(
        candidate_id=cand_id,
        role_id=role_id,
        pipeline_id=canonical_pipeline(s),
        current_stage="screening",
        status="active",
        applied_at=dt.datetime(2026, 1, 5),
    )
    s.add(app)
    s.flush()
    s.add(
        StageEvent(
            application_id=app.id, to_stage="screening", at=dt.datetime(2026, 1, 5), actor="x"
        )
    )
    s.flush()
    return app.id


def test_a_stage_move_writes_an_event_an_audit_row_and_the_current_stage(engine):
    with session_scope(engine) as s:
        app_id = _application(s)
    with session_scope(engine) as s:
        ev = move_stage(s, app_id, "interview", actor="li", at=dt.datetime(2026, 2, 1))
        assert ev is not None
    with session_scope(engine) as s:
        app = s.get(Application, app_id)
        assert (app.current_stage, app.status) == ("interview", "active")
        events = list(
            s.scalars(
                select(StageEvent)
                .where(StageEvent.application_id == app_id)
                .order_by(StageEvent.at)
            )
        )
        assert [(e.from_stage, e.to_stage, e.actor) for e in events] == [
            (None, "screening", "x"),
            ("screening", "interview", "li"),
        ]
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "candidate.stage_move")).one()
        assert (audit.actor, audit.target, audit.detail["from"], audit.detail["to"]) == (
            "li",
            "C-9B2E",
            "screening",
            "interview",
        )
    # the same move again stores nothing
    with session_scope(engine) as s:
        assert move_stage(s, app_id, "interview", actor="li") is None
    with session_scope(engine) as s:
        assert _count(s, StageEvent) == 2
        assert _count(s, AuditLog, AuditLog.action == "candidate.stage_move") == 1


def test_a_failed_stage_closes_the_application_and_dates_stay_in_order(engine):
    with session_scope(engine) as s:
        app_id = _application(s)
    with session_scope(engine) as s:
        # dated before the last event: kept at the last event's time, never before it
        move_stage(s, app_id, "interview", actor="li", outcome="fail", at=dt.datetime(2025, 1, 1))
    with session_scope(engine) as s:
        app = s.get(Application, app_id)
        assert app.status == "rejected"
        assert app.closed_at == dt.datetime(2026, 1, 5)


@pytest.mark.parametrize(
    ("stage", "outcome", "actor", "field"),
    [
        ("hired!", None, "li", "stage"),
        ("interview", "maybe", "li", "outcome"),
        ("interview", None, " ", "actor"),
    ],
    ids=["stage", "outcome", "actor"],
)
def test_bad_moves_are_refused_and_nothing_is_stored(engine, stage, outcome, actor, field):
    with session_scope(engine) as s:
        app_id = _application(s)
    with pytest.raises(InputError, match=field), session_scope(engine) as s:
        move_stage(s, app_id, stage, actor=actor, outcome=outcome)
    with session_scope(engine) as s:
        assert _count(s, StageEvent) == 1
        assert _count(s, AuditLog, AuditLog.action == "candidate.stage_move") == 0
    with pytest.raises(NotFoundError), session_scope(engine) as s:
        move_stage(s, app_id + 99, "interview", actor="li")
