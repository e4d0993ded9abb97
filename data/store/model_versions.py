"""Queries over the model registry and the feedback that trains the pair scorer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from data.errors import NotFoundError
from data.store.models import Feedback, ModelVersion


def next_version(session: Session, kind: str) -> int:
    """The next version number of ``kind`` (1 for the first)."""
    top = session.scalar(select(func.max(ModelVersion.version)).where(ModelVersion.kind == kind))
    return int(top or 0) + 1


def active_version(session: Session, kind: str) -> ModelVersion | None:
    return session.scalar(
        select(ModelVersion).where(ModelVersion.kind == kind, ModelVersion.status == "active")
    )


def list_versions(session: Session, kind: str | None = None) -> list[ModelVersion]:
    q = select(ModelVersion).order_by(ModelVersion.kind, ModelVersion.version)
    if kind:
        q = q.where(ModelVersion.kind == kind)
    return list(session.scalars(q))


def get_version(session: Session, kind: str, version: int) -> ModelVersion:
    row = session.scalar(
        select(ModelVersion).where(ModelVersion.kind == kind, ModelVersion.version == version)
    )
    if row is None:
        raise NotFoundError(f"no {kind} version {version}: see `talentmap models list`")
    return row


def get_version_by_id(session: Session, version_id: int) -> ModelVersion:
    row = session.get(ModelVersion, version_id)
    if row is None:
        raise NotFoundError(f"no model version with id {version_id}: see `talentmap models list`")
    return row


def previously_active(
    session: Session, kind: str, *, exclude: int | None = None
) -> list[ModelVersion]:
    """Versions of ``kind`` that once served (promoted, now retired), most recent first."""
    q = (
        select(ModelVersion)
        .where(
            ModelVersion.kind == kind,
            ModelVersion.status == "retired",
            ModelVersion.promoted_at.is_not(None),
        )
        .order_by(ModelVersion.promoted_at.desc(), ModelVersion.version.desc())
    )
    if exclude is not None:
        q = q.where(ModelVersion.id != exclude)
    return list(session.scalars(q))


def feedback_rows(session: Session) -> list[Feedback]:
    """Every recruiter decision (advance / reject), oldest first."""
    return list(session.scalars(select(Feedback).order_by(Feedback.id)))


def mark_feedback_used(session: Session, ids: Sequence[int], version: int) -> int:
    """Stamp feedback rows not yet used by any model with ``version``; returns how many."""
    if not ids:
        return 0
    res = cast(
        "CursorResult[Any]",
        session.execute(
            update(Feedback)
            .where(Feedback.id.in_(list(ids)), Feedback.used_in_model_version.is_(None))
            .values(used_in_model_version=version)
        ),
    )
    return int(res.rowcount or 0)


def resume_texts(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """Resume id → stored (contact-masked) text, for the given ids."""
    from data.store.models import Resume

    out: dict[int, str] = {}
    wanted = sorted(set(int(i) for i in ids))
    for start in range(0, len(wanted), 900):
        rows = session.execute(
            select(Resume.id, Resume.text).where(Resume.id.in_(wanted[start : start + 900]))
        )
        out.update({int(i): t or "" for i, t in rows})
    return out


def count_feedback(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Feedback)) or 0)
