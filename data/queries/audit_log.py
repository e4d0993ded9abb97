"""The audit-log viewer's read: filter by actor, action and date; newest first."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.reference import labels
from data.store.models import AuditLog

MAX_ROWS = 5000


def _label(kind: str, code: str | None, lang: str) -> str:
    """The catalog name of an action id, target type or detail key (``log.<kind>.<code>``);
    a code the catalog does not know (a newer action) shows as itself."""
    if not code:
        return ""
    key = f"log.{kind}.{code}"
    return labels.tr(lang, key) if key in labels.keys("en") else code


def action_label(action: str, lang: str) -> str:
    """What an audit action id (``docs.import``) means, in ``lang``."""
    return _label("action", action, lang)


def target_type_label(target_type: str | None, lang: str) -> str:
    return _label("target", target_type, lang)


def _value(value: object) -> str:
    import json

    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def detail_text(detail: dict[str, object] | None, lang: str) -> str:
    """An audit row's detail as ``name: value`` pairs, the names in ``lang``; values are the
    stored data (counts, keys, file names, hashes)."""
    if not detail:
        return ""
    sep = "；" if lang == "zh" else "; "
    colon = "：" if lang == "zh" else ": "
    return sep.join(f"{_label('detail', k, lang)}{colon}{_value(v)}" for k, v in detail.items())


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
    lang: str | None = None,
) -> pd.DataFrame:
    """Audit rows matching every filter (``until`` inclusive), newest first, at most ``limit``.
    Columns: at, actor, action, target_type, target, detail (JSON text). With ``lang`` the
    action, target type and detail are shown in that language (``action_label``,
    ``detail_text``) and the stored id is kept in an ``action_id`` column."""
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

    columns = ["at", "actor", "action", "target_type", "target", "detail"]
    if lang is None:
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
            columns=columns,
        )
    return pd.DataFrame(
        [
            {
                "at": a.at,
                "actor": a.actor,
                "action": action_label(a.action, lang),
                "target_type": target_type_label(a.target_type, lang),
                "target": a.target,
                "detail": detail_text(a.detail, lang),
                "action_id": a.action,
            }
            for a in rows
        ],
        columns=[*columns, "action_id"],
    )
