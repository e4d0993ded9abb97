"""The audit-log viewer's read: filter by actor, action and date; newest first."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.store.models import AuditLog

MAX_ROWS = 5000


def audit_actions(session: Session) -> list[str]:
    return sorted(session.scalars(select(AuditLog.action).distinct()))


def audit_actors(session: Session) -> list[str]:
    return sorted(session.scalars(select(AuditLog.actor).distinct()))


def audit_rows(
    session: Session,
    *,
    actors: list[str] | None = None,
    actions: list[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = MAX_ROWS,
) -> pd.DataFrame:
    """Audit rows matching every filter (``until`` inclusive), newest first, at most ``limit``.
    Columns: at, actor, action, target_type, target, detail (JSON text)."""
    q = select(AuditLog)
    if actors:
        q = q.where(AuditLog.actor.in_(actors))
    if actions:
        q = q.where(AuditLog.action.in_(actions))
    if since:
        q = q.where(AuditLog.at >= dt.datetime.combine(since, dt.time()))
    if until:
        q = q.where(AuditLog.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    rows = session.scalars(q.order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit))
    import json

    return pd.DataFrame(
        [
            {
                "at": a.at,
                "actor": a.actor,
                "action": a.action,
                "target_type": a.target_type,
                "target": a.target,
                "detail": json.dumps(a.detail, ensure_ascii=False) if a.detail else "",
            }
            for a in rows
        ],
        columns=["at", "actor", "action", "target_type", "target", "detail"],
    )
