"""Notes on candidates (issue 18): stored with author and time, audited by pseudonym without
their text, refused when empty or too long, and gone with the person."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from data.errors import InputError, NotFoundError
from data.queries.candidates import candidate_view
from data.store.engine import session_scope
from data.store.models import AuditLog, Candidate, CandidateNote
from data.store.notes import MAX_NOTE_CHARS, add_note, list_notes
from data.store.privacy import erase_candidate

T = dt.datetime(2026, 12, 1, 10, 0)


@pytest.fixture
def store(engine):
    with session_scope(engine) as s:
        s.add_all([Candidate(pseudonym="P-0001"), Candidate(pseudonym="P-0002")])
    return engine


def test_a_note_is_stored_with_author_and_time_and_audited_by_pseudonym(store):
    text = "Strong on RAG; call back on Friday. 周五回电。"
    with session_scope(store) as s:
        add_note(s, "P-0001", f"  {text}\n", author="rita", now=T)
        add_note(s, "P-0001", "second thoughts", author="ada", now=T + dt.timedelta(hours=1))
        add_note(s, "P-0002", "someone else", author="rita", now=T)
    with session_scope(store) as s:
        view = candidate_view(s, "P-0001")
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "candidate.note")).all()
    assert view["notes"] == [  # newest first, trimmed, only this candidate's
        {"author": "ada", "at": T + dt.timedelta(hours=1), "text": "second thoughts"},
        {"author": "rita", "at": T, "text": text},
    ]
    assert [(a.actor, a.target_type, a.target) for a in audit] == [
        ("rita", "candidate", "P-0001"),
        ("ada", "candidate", "P-0001"),
        ("rita", "candidate", "P-0002"),
    ]
    assert audit[0].detail == {"chars": len(text)}  # how long, never what it says
    assert all("RAG" not in str(a.detail) for a in audit)


@pytest.mark.parametrize(
    "text,match",
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("x" * (MAX_NOTE_CHARS + 1), f"keep it to {MAX_NOTE_CHARS}"),
        ("a\x00b", "NUL"),
    ],
    ids=["empty", "blank", "too-long", "nul"],
)
def test_bad_notes_are_refused_and_nothing_is_stored(store, text, match):
    with pytest.raises(InputError, match=match), session_scope(store) as s:
        add_note(s, "P-0001", text, author="rita")
    with session_scope(store) as s:
        assert s.scalar(select(CandidateNote.id)) is None
        assert s.scalar(select(AuditLog.id).where(AuditLog.action == "candidate.note")) is None


def test_a_note_needs_a_known_candidate_that_is_not_anonymised(store):
    with pytest.raises(NotFoundError, match="P-9999"), session_scope(store) as s:
        add_note(s, "P-9999", "hello", author="rita")
    with session_scope(store) as s:
        s.scalar(select(Candidate).where(Candidate.pseudonym == "P-0002")).anonymised_at = T
    with pytest.raises(NotFoundError, match="anonymised"), session_scope(store) as s:
        add_note(s, "P-0002", "hello", author="rita")


def test_erase_takes_the_notes_with_the_person(store, tmp_path):
    with session_scope(store) as s:
        add_note(s, "P-0001", "theirs", author="rita", now=T)
        add_note(s, "P-0002", "kept", author="rita", now=T)
        kept_id = s.scalar(select(Candidate.id).where(Candidate.pseudonym == "P-0002"))
    report = erase_candidate(store, "P-0001", actor="admin", data_dir=tmp_path / "data")
    assert report.rows["candidate_notes"] == 1
    with session_scope(store) as s:
        assert [n["text"] for n in list_notes(s, kept_id)] == ["kept"]
        assert s.scalar(select(CandidateNote.id).where(CandidateNote.text == "theirs")) is None
