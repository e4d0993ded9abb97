"""User-set KPI targets: read them all, set or clear one (each change audited)."""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.errors import InputError
from data.store.audit import record
from data.store.models import KpiTarget


def targets(session: Session) -> dict[str, float]:
    """Every stored target, by metric key."""
    return {t.key: float(t.value) for t in session.scalars(select(KpiTarget))}


def set_target(
    session: Session,
    key: str,
    value: float | None,
    *,
    actor: str,
    known: tuple[str, ...] | None = None,
    share: bool = False,
) -> None:
    """Store (or, with ``value=None``, clear) the target of metric ``key``, with one audit row.

    ``known``: the metric keys a target may be set for; ``share``: the metric is a fraction,
    so the target must lie in [0, 1]."""
    if known is not None and key not in known:
        raise InputError(f"no KPI {key!r} to set a target for; use one of {', '.join(known)}")
    row = session.get(KpiTarget, key)
    before = None if row is None else float(row.value)
    if value is None:
        if row is not None:
            session.delete(row)
    else:
        value = float(value)
        if math.isnan(value) or math.isinf(value) or value < 0:
            raise InputError(f"the target of {key} must be a number of 0 or more", field=key)
        if share and value > 1:
            raise InputError(
                f"the target of {key} is a share: give it between 0 and 100 %", field=key
            )
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        if row is None:
            session.add(KpiTarget(key=key, value=value, set_by=actor, set_at=now))
        else:
            row.value, row.set_by, row.set_at = value, actor, now
    record(
        session,
        actor,
        "kpi.target",
        target_type="kpi",
        target=key,
        detail={"before": before, "after": value},
    )
    session.flush()
