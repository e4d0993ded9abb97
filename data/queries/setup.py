"""What a store holds yet, for the dashboard's first-run guide."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.store.models import Candidate, Resume, Role, StageEvent


def setup_counts(session: Session) -> dict[str, int]:
    """Rows of what a first set-up brings in: roles, resumes, candidates and stage events."""
    return {
        name: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for name, model in (
            ("roles", Role),
            ("resumes", Resume),
            ("candidates", Candidate),
            ("events", StageEvent),
        )
    }


def is_first_run(counts: dict[str, int]) -> bool:
    """A store with no roles, no resumes and no stage events: nothing to show yet."""
    return not (counts["roles"] or counts["resumes"] or counts["events"])
