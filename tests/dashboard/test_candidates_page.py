"""The Candidates page: search, a candidate's view, the stage move (writers only)."""

from __future__ import annotations

from sqlalchemy import select

from data.store.engine import session_scope
from data.store.models import (
    Application,
    AuditLog,
    Candidate,
    CandidateContact,
    CandidateNote,
    StageEvent,
)
from data.store.users import add_user
from tests.dashboard.test_write_pages import _sign_in


def test_a_recruiter_finds_a_candidate_and_moves_them_to_a_stage(seeded_store, make_app):
    engine, _ = seeded_store
    with session_scope(engine) as s:
        add_user(s, "rita", "recruiter", "pw-rita")
        cand = s.scalar(select(Candidate).where(Candidate.pseudonym == "C-00007"))
        s.add(CandidateContact(candidate_id=cand.id, name="Zhao Min"))
        app = s.scalar(select(Application).where(Application.candidate_id == cand.id))
        app_id, before = app.id, app.current_stage
        n_events = len(
            list(s.scalars(select(StageEvent).where(StageEvent.application_id == app_id)))
        )
    at = _sign_in(make_app(engine), "rita", "pw-rita")
    at.switch_page("app_pages/candidates.py").run()
    assert not at.exception, at.exception
    at.text_input(key="cand_text").input("zhao").run()  # a recruiter may search by name
    table = at.dataframe[0].value
    assert list(table["Pseudonym"]) == ["C-00007"] and list(table["Name"]) == ["Zhao Min"]
    target = "retention" if before != "retention" else "sourcing"
    at.selectbox(key="w_cand_move_to_en").select(target)
    at.button(key="cand_move").click().run()
    assert not at.exception, at.exception
    with session_scope(engine) as s:
        assert s.get(Application, app_id).current_stage == target
        events = list(s.scalars(select(StageEvent).where(StageEvent.application_id == app_id)))
        assert len(events) == n_events + 1
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "candidate.stage_move")).one()
        assert (audit.actor, audit.target, audit.detail["to"]) == ("rita", "C-00007", target)


def test_a_viewer_sees_no_names_and_no_stage_move(seeded_sqlite, make_app):
    engine, _ = seeded_sqlite
    with session_scope(engine) as s:
        add_user(s, "vera", "viewer", "pw-vera")
        cand = s.scalar(select(Candidate).where(Candidate.pseudonym == "C-00007"))
        s.add(CandidateContact(candidate_id=cand.id, name="Zhao Min"))
    at = _sign_in(make_app(engine), "vera", "pw-vera")
    at.switch_page("app_pages/candidates.py").run()
    assert not at.exception, at.exception
    assert "Name" not in at.dataframe[0].value.columns
    at.text_input(key="cand_text").input("zhao").run()
    assert not at.dataframe  # a name is no search key for a viewer
    at.text_input(key="cand_text").input("C-00007").run()
    assert list(at.dataframe[0].value["Pseudonym"]) == ["C-00007"]
    assert "cand_move" not in {b.key for b in at.button}


def test_a_recruiter_adds_a_note_and_a_viewer_reads_it(seeded_store, make_app):
    engine, _ = seeded_store
    with session_scope(engine) as s:
        add_user(s, "rita", "recruiter", "pw-rita")
        add_user(s, "vera", "viewer", "pw-vera")
    note = "Wants to relocate to Singapore; **not** markdown <b>nor html</b>"
    at = _sign_in(make_app(engine), "rita", "pw-rita")
    at.switch_page("app_pages/candidates.py").run()
    at.text_input(key="cand_text").input("C-00007").run()
    at.text_area(key="cand_note_text").input(note)
    at.button(key="FormSubmitter:cand_note_form-Add note").click().run()
    assert not at.exception, at.exception
    assert [x.value for x in at.text if x.value == note] == [note]  # shown as typed
    with session_scope(engine) as s:
        (stored,) = s.scalars(select(CandidateNote)).all()
        assert (stored.author, stored.text) == ("rita", note)
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "candidate.note")).one()
        assert (audit.actor, audit.target) == ("rita", "C-00007")
    # an empty note: a clear error, nothing stored
    at.button(key="FormSubmitter:cand_note_form-Add note").click().run()
    assert at.error
    vera = _sign_in(make_app(engine), "vera", "pw-vera")
    vera.switch_page("app_pages/candidates.py").run()
    vera.text_input(key="cand_text").input("C-00007").run()
    assert not vera.exception, vera.exception
    assert note in [x.value for x in vera.text]
    assert "cand_note_text" not in {w.key for w in vera.text_area}  # viewers only read
    with session_scope(engine) as s:
        assert len(s.scalars(select(CandidateNote)).all()) == 1
