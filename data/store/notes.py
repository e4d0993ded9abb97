"""Notes on candidates: recruiters and admins write them, everyone who may read sees them.

A note is personal data about the candidate (it lives in ``candidate_notes``, erased with the
person and removed by anonymisation). Its audit row names the candidate by pseudonym and says
how long the note is, never what it says: the audit log outlives erasure."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.errors import InputError, NotFoundError
from data.store.audit import record
from data.store.models import Candidate, CandidateNote

MAX_NOTE_CHARS = 4000


def add_note(
    session: Session,
    pseudonym: str,
    text: str,
    *,
    author: str,
    now: dt.datetime | None = None,
) -> CandidateNote:
    """Store ``text`` as a note by ``author`` on the candidate ``pseudonym`` (audited).

    Raises ``InputError`` for an empty, over-long or NUL-holding note, ``NotFoundError`` for an
    unknown or anonymised candidate."""
    body = (text or "").strip()
    if not body:
        raise InputError("the note is empty: write something first", field="note")
    if len(body) > MAX_NOTE_CHARS:
        raise InputError(
            f"the note has {len(body)} characters; keep it to {MAX_NOTE_CHARS}", field="note"
        )
    if "\x00" in body:
        raise InputError("the note holds a NUL character; remove it", field="note")
    cand = session.scalar(select(Candidate).where(Candidate.pseudonym == pseudonym))
    if cand is None:
        raise NotFoundError(f"no candidate with the pseudonym {pseudonym!r}")
    if cand.anonymised_at is not None:
        raise NotFoundError(f"candidate {pseudonym} is anonymised: notes are no longer kept")
    note = CandidateNote(
        candidate_id=cand.id,
        author=author[:64],
        at=now or dt.datetime.now(dt.UTC).replace(tzinfo=None),
        text=body,
    )
    session.add(note)
    session.flush()
    record(
        session,
        author,
        "candidate.note",
        target_type="candidate",
        target=cand.pseudonym,
        detail={"chars": len(body)},
    )
    return note


def list_notes(session: Session, candidate_id: int) -> list[dict[str, object]]:
    """A candidate's notes, newest first: author, time, text."""
    rows = session.scalars(
        select(CandidateNote)
        .where(CandidateNote.candidate_id == candidate_id)
        .order_by(CandidateNote.at.desc(), CandidateNote.id.desc())
    )
    return [{"author": n.author, "at": n.at, "text": n.text} for n in rows]
