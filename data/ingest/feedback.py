"""Recruiter decisions on (resume, role) pairs: the labels the pair scorer learns from.

``record_feedback`` is what the dashboard calls for one decision; ``import_feedback`` reads a CSV
(all rows or none). A decision is never saved without a named reviewer, and each one adds an
audit row naming the candidate by pseudonym only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.errors import ImportErrors, InputError, NotFoundError
from data.store.audit import record
from data.store.models import Candidate, Feedback, MatchScore, Resume, Role
from data.text.csv_rows import csv_rows
from data.text.decoding import decode_text

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
    fb = Feedback(
        resume_id=resume_id,
        role_id=role_id,
        decision=d,
        reviewer=r,
        note=(note or "").strip() or None,
        match_score_id=match_score_id,
    )
    session.add(fb)
    ttype, target = _audit_target(session, resume)
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


def import_feedback(session: Session, path: Path, *, actor: str) -> int:
    """Import decisions from CSV (columns ``resume, role, decision, reviewer[, note]``).

    Every row is checked first; any bad row raises ``ImportErrors`` naming each bad row and
    field, and nothing is saved. Returns the number of decisions saved.
    """
    name = Path(path).name
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise InputError(f"cannot read the file: {err.strerror}", file=name) from err
    text = decode_text(raw, name, fix="save it as CSV UTF-8").text
    reader = csv_rows(text, name)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in CSV_COLUMNS if c != "note" and c not in header]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; expected "
            f"{', '.join(CSV_COLUMNS)} (note optional)",
            file=name,
            line=1,
        )
    roles = dict(session.execute(select(Role.key, Role.id)).all())
    good: list[dict[str, Any]] = []
    errors: list[InputError] = []
    for n, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue  # blank line (csv.DictReader skipped these too)
        row = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))
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
        good.append(
            {
                "resume_id": resume_id,
                "role_id": roles[role_key],
                "decision": decision,
                "reviewer": reviewer,
                "note": row.get("note"),
            }
        )
    if errors:
        raise ImportErrors(errors)
    if not good:
        raise InputError("the file has no rows", file=name)
    for g in good:
        record_feedback(
            session,
            g["resume_id"],
            g["role_id"],
            g["decision"],
            g["reviewer"],
            g["note"],
            actor=actor,
        )
    record(
        session,
        actor,
        "feedback.import",
        target_type="file",
        target=name[:64],
        detail={"rows": len(good)},
    )
    return len(good)
