"""The append-only audit log: one row per user action."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from data.store.models import AuditLog


def record(
    session: Session,
    actor: str,
    action: str,
    *,
    target_type: str | None = None,
    target: str | None = None,
    model_version: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    """Add one audit row to ``session`` (committed with the action it records).

    Candidates must be named by pseudonym, never by id, name or e-mail.
    """
    row = AuditLog(
        actor=actor,
        action=action,
        target_type=target_type,
        target=target,
        model_version=model_version,
        detail=detail,
    )
    session.add(row)
    return row
