"""Recruiter decisions on (resume, role) pairs: the labels the pair scorer learns from.

``record_feedback`` is what the dashboard calls for one decision; ``import_feedback`` reads a CSV
(all rows or none). A decision is never saved without a named reviewer, and each one adds an
audit row naming the candidate by pseudonym only.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from data.errors import ImportErrors, InputError, NotFoundError
from data.store.audit import record
from data.store.engine import write_transaction
from data.store.models import AuditLog, Candidate, Feedback, MatchScore, Resume, Role
from data.text.csv_rows import Table, read_table
from data.text.files import MAX_UPLOAD_BYTES, read_file

DECISIONS: tuple[str, ...] = ("advance", "reject")
CSV_COLUMNS: tuple[str, ...] = ("resume", "role", "decision", "reviewer", "note")
"""``note`` is optional; ``resume`` is a stored file name or the file's sha256."""


def _check(decision: str, reviewer: str | None) -> tuple[str, str]:
    d = (decision or "").strip().lower()
    if d not in DECISIONS:
        raise InputError(
            f"decision must be 'advance' or 'reject', got {decision!r}", field="decision"
        )
    r = (reviewer or "").strip()
    if not r:
        raise InputError(
            "a named reviewer is required: no decision is saved without one", field="reviewer"
        )
    if len(r) > 64:
        raise InputError("reviewer name is longer than 64 characters", field="reviewer")
    return d, r


def _audit_target(session: Session, resume: Resume) -> tuple[str, str]:
    if resume.candidate_id is not None:
        pseudonym = session.scalar(
            select(Candidate.pseudonym).where(Candidate.id == resume.candidate_id)
        )
        if pseudonym:
            return "candidate", pseudonym
    return "resume", resume.sha256[:16]


def record_feedback(
    session: Session,
    resume_id: int,
    role_id: int,
    decision: str,
    reviewer: str,
    note: str | None = None,
    *,
    actor: str,
    match_score_id: int | None = None,
    import_key: str | None = None,
) -> Feedback:
    """Save one decision (``advance`` or ``reject``) by ``reviewer`` and its audit row.

    Links the decision to the latest stored match score of the pair when none is given, so the
    training run can see what the matcher said. Raises ``InputError`` for a bad decision or a
    missing reviewer, ``NotFoundError`` for an unknown resume or role.
    """
    d, r = _check(decision, reviewer)
    resume = session.get(Resume, resume_id)
    if resume is None:
        raise NotFoundError(f"no resume with id {resume_id}")
    role = session.get(Role, role_id)
    if role is None:
        raise NotFoundError(f"no role with id {role_id}")
    if match_score_id is None:
        match_score_id = session.scalar(
            select(func.max(MatchScore.id)).where(
                MatchScore.resume_id == resume_id, MatchScore.role_id == role_id
            )
        )
    clean_note = (note or "").strip() or None
    ttype, target = _audit_target(session, resume)
    fb = session.scalar(
        select(Feedback)
        .where(
            Feedback.resume_id == resume_id,
            Feedback.role_id == role_id,
            Feedback.reviewer == r,
        )
        .order_by(Feedback.id.desc())
        .limit(1)
    )
    if fb is not None:
        if fb.decision == d and (clean_note is None or clean_note == fb.note):
            return fb  # the same decision again (a second click): nothing new to store
        previous = {
            "decision": fb.decision,
            "note": fb.note,
            "at": fb.at.isoformat() if fb.at else None,
        }
        fb.decision = d
        fb.note = clean_note if clean_note is not None else fb.note
        fb.at = func.current_timestamp()  # type: ignore[assignment]
        fb.match_score_id = match_score_id
        fb.used_in_model_version = None  # a changed label has not been trained on yet
        if import_key is not None:
            fb.import_key = import_key
        record(
            session,
            actor,
            "feedback.change",
            target_type=ttype,
            target=target,
            detail={"role": role.key, "decision": d, "reviewer": r, "previous": previous},
        )
        session.flush()
        return fb
    fb = Feedback(
        resume_id=resume_id,
        role_id=role_id,
        decision=d,
        reviewer=r,
        note=clean_note,
        match_score_id=match_score_id,
        import_key=import_key,
    )
    session.add(fb)
    record(
        session,
        actor,
        "feedback.record",
        target_type=ttype,
        target=target,
        detail={"role": role.key, "decision": d, "reviewer": r},
    )
    session.flush()
    return fb


def decision_history(session: Session, resume_id: int, role_id: int) -> list[dict[str, Any]]:
    """Every decision on the pair, oldest first: the current ones and those they replaced.

    Read from the audit log (``feedback.record`` then each ``feedback.change``), so a changed
    decision keeps its past without a second decision row that training would count twice.
    """
    resume = session.get(Resume, resume_id)
    role = session.get(Role, role_id)
    if resume is None or role is None:
        return []
    ttype, target = _audit_target(session, resume)
    rows = session.scalars(
        select(AuditLog)
        .where(
            AuditLog.action.in_(("feedback.record", "feedback.change")),
            AuditLog.target_type == ttype,
            AuditLog.target == target,
        )
        .order_by(AuditLog.id)
    )
    out: list[dict[str, Any]] = []
    for a in rows:
        detail = a.detail or {}
        if detail.get("role") != role.key:
            continue
        out.append(
            {
                "at": a.at,
                "reviewer": detail.get("reviewer"),
                "decision": detail.get("decision"),
                "changed": a.action == "feedback.change",
                "actor": a.actor,
            }
        )
    return out


def _resolve_resume(session: Session, ref: str) -> int:
    ref = ref.strip()
    if len(ref) == 64 and all(c in "0123456789abcdef" for c in ref.lower()):
        rid = session.scalar(select(Resume.id).where(Resume.sha256 == ref.lower()))
        if rid is not None:
            return rid
    ids = list(session.scalars(select(Resume.id).where(Resume.file_name == ref).limit(2)))
    if not ids:
        raise InputError(f"no stored resume has the file name or sha256 {ref!r}", field="resume")
    if len(ids) > 1:
        raise InputError(
            f"several resumes are named {ref!r}: give the file's sha256 instead", field="resume"
        )
    return ids[0]


def import_key(resume_id: int, role_id: int, decision: str, reviewer: str, note: str | None) -> str:
    """The identity of an imported decision: the same row imported again is the same decision."""
    parts = [str(resume_id), str(role_id), decision, reviewer, note or ""]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def import_feedback(
    session: Session, path: Path, *, actor: str, max_bytes: int = MAX_UPLOAD_BYTES
) -> int:
    """Import decisions from CSV (columns ``resume, role, decision, reviewer[, note]``).

    Read by the one strict reader (unknown columns, extra cells, duplicate headers, NUL and
    over-long cells refused). Every row is checked first; any bad row raises ``ImportErrors``
    naming each bad row and field, and nothing is saved. Idempotent: a decision already
    imported (same resume, role, decision, reviewer and note) is not stored again; when the
    same file is imported twice at once, the unique ``import_key`` makes the later commit fail
    and ``engine.write_transaction`` runs it again, now skipping every row. Returns the number
    of new decisions saved. ``max_bytes``: the upload limit (``Settings.max_upload_bytes``).
    """
    name, table = read_feedback(path, max_bytes=max_bytes)
    return store_feedback(session, name, table, actor=actor)


def import_feedback_file(
    engine: Engine, path: Path, *, actor: str, max_bytes: int = MAX_UPLOAD_BYTES
) -> int:
    """``import_feedback`` safe beside other writers: the file is read and parsed with no
    transaction open, then checked against the store and saved in one short write
    transaction, retried when the database is busy (or when a concurrent import of the same
    file stored its decisions first: they are then skipped)."""
    name, table = read_feedback(path, max_bytes=max_bytes)
    return write_transaction(engine, lambda s: store_feedback(s, name, table, actor=actor))


def read_feedback(path: Path, *, max_bytes: int = MAX_UPLOAD_BYTES) -> tuple[str, Table]:
    """The file's name and its rows, read by the one strict reader (no store needed); raises
    ``ImportErrors`` for a bad header."""
    name = Path(path).name
    raw = read_file(Path(path), max_bytes=max_bytes)
    table = read_table(
        raw,
        name,
        columns=CSV_COLUMNS,
        required=[c for c in CSV_COLUMNS if c != "note"],
        max_chars={"reviewer": 64, "resume": 255, "role": 80, "decision": 16, "note": 4000},
    )
    if table.errors and any(e.row == 1 for e in table.errors):
        raise ImportErrors(table.errors)
    return name, table


def store_feedback(session: Session, name: str, table: Table, *, actor: str) -> int:
    """Check the rows of a read feedback file against the store and save the new decisions
    (all or nothing; see ``import_feedback``)."""
    roles = dict(session.execute(select(Role.key, Role.id)).all())
    good: list[dict[str, Any]] = []
    errors: list[InputError] = list(table.errors)
    for n, row in table.rows:
        try:
            decision, reviewer = _check(row.get("decision", ""), row.get("reviewer"))
            role_key = row.get("role", "").strip()
            if role_key not in roles:
                raise InputError(
                    f"unknown role {role_key!r}; `talentmap roles list` shows the keys",
                    field="role",
                )
            resume_id = _resolve_resume(session, row.get("resume", ""))
        except InputError as err:
            errors.append(
                InputError(str(err).split(": ", 1)[-1], file=name, row=n, field=err.field)
            )
            continue
        note = (row.get("note") or "").strip() or None
        good.append(
            {
                "resume_id": resume_id,
                "role_id": roles[role_key],
                "decision": decision,
                "reviewer": reviewer,
                "note": note,
                "key": import_key(resume_id, roles[role_key], decision, reviewer, note),
            }
        )
    if errors:
        raise ImportErrors(errors)
    if not good:
        raise InputError("the file has no rows", file=name)
    keys = [g["key"] for g in good]
    done = set(session.scalars(select(Feedback.import_key).where(Feedback.import_key.in_(keys))))
    new = 0
    for g in good:
        if g["key"] in done:
            continue
        done.add(g["key"])
        fb = record_feedback(
            session,
            g["resume_id"],
            g["role_id"],
            g["decision"],
            g["reviewer"],
            g["note"],
            actor=actor,
            import_key=g["key"],
        )
        session.flush([fb])
        new += 1
    record(
        session,
        actor,
        "feedback.import",
        target_type="file",
        target=name[:64],
        detail={"rows": len(good), "new": new, "already_imported": len(good) - new},
    )
    return new
