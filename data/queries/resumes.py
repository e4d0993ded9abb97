"""Reads of stored resumes (lists show no text and no contact details)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.store.models import Candidate, Resume


@dataclass(frozen=True)
class ResumeRow:
    """A stored resume as lists show it (no contact details)."""

    id: int
    file_name: str
    language: str
    pages: int | None
    chars: int
    candidate: str | None
    created_at: Any


def list_resumes(session: Session, *, limit: int | None = None) -> list[ResumeRow]:
    """Stored resumes, newest first, without their text or contact details."""
    stmt = (
        select(
            Resume.id,
            Resume.file_name,
            Resume.language,
            Resume.pages,
            func.length(Resume.text),
            Candidate.pseudonym,
            Resume.created_at,
        )
        .outerjoin(Candidate, Candidate.id == Resume.candidate_id)
        .order_by(Resume.id.desc())
    )
    if limit:
        stmt = stmt.limit(limit)
    return [ResumeRow(*row) for row in session.execute(stmt)]
