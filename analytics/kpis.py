"""Headline KPIs with their monthly trend and their change against the previous period.

Definitions (all honour the role/country/channel filters):

- ``open_roles``: roles open and opened on or before the period's end (headcount not summed).
- ``in_pipeline``: distinct candidates with an application open at the period's end
  (applied on or before it, not closed by then).
- ``hires``: applications hired within the period.
- ``time_to_hire``: median days from application to hire, over those hires.
- ``offer_acceptance``: accepted share of the offers made within the period and answered.
- ``international_share``: share of applications in the period from candidates whose
  country is known and is not the home country.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import case, distinct, func, or_, select
from sqlalchemy.orm import Session

from analytics._sql import (
    day_start,
    dialect,
    in_period,
    month_of,
    scope,
    weighted_quantile,
    whole_days,
)
from analytics.filters import Filters
from data.store.models import Application, Candidate, Role

KPI_KEYS: tuple[str, ...] = (
    "open_roles",
    "in_pipeline",
    "hires",
    "time_to_hire",
    "offer_acceptance",
    "international_share",
)
HIGHER_IS_BETTER = {
    "open_roles": True,
    "in_pipeline": True,
    "hires": True,
    "time_to_hire": False,
    "offer_acceptance": True,
    "international_share": True,
}


@dataclass(frozen=True)
class Kpi:
    """One headline number; ``change`` is ``value - previous`` (None when either is missing)."""

    key: str
    value: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def _end_of(f: Filters) -> dt.datetime | None:
    return day_start(f.end + dt.timedelta(days=1)) if f.end else None


def _values(session: Session, f: Filters, home_country: str) -> dict[str, float | None]:
    d = dialect(session)
    end = _end_of(f)
    out: dict[str, float | None] = {}

    roles = select(func.count(Role.id)).where(Role.is_open.is_(True))
    if f.roles:
        roles = roles.where(Role.key.in_(f.roles))
    if end is not None:
        roles = roles.where(or_(Role.opened_at.is_(None), Role.opened_at < end.date()))
    out["open_roles"] = float(session.scalar(roles) or 0)

    pipe = select(func.count(distinct(Application.candidate_id)))
    if end is not None:
        applied = func.coalesce(Application.applied_at, Application.applied_at)  # see in_period
        pipe = pipe.where(
            applied < end, or_(Application.closed_at.is_(None), Application.closed_at >= end)
        )
    else:
        pipe = pipe.where(Application.status == "active")
    out["in_pipeline"] = float(session.scalar(scope(pipe, f)) or 0)

    days = whole_days(Application.hired_at, Application.applied_at, d).label("days")
    hist = session.execute(
        scope(
            select(days, func.count())
            .where(Application.hired_at.is_not(None), *in_period(Application.hired_at, f))
            .group_by(days),
            f,
        )
    ).all()
    out["hires"] = float(sum(n for _, n in hist))
    out["time_to_hire"] = (
        weighted_quantile([v for v, _ in hist], [n for _, n in hist], 0.5) if hist else None
    )

    offers = scope(
        select(
            func.count(Application.offer_accepted),
            func.sum(case((Application.offer_accepted.is_(True), 1), else_=0)),
        ).where(Application.offer_at.is_not(None), *in_period(Application.offer_at, f)),
        f,
    )
    answered, accepted = session.execute(offers).one()
    out["offer_acceptance"] = (float(accepted or 0) / answered) if answered else None

    intl = (
        select(
            func.count(Candidate.country),
            func.sum(case((Candidate.country != home_country, 1), else_=0)),
        )
        .select_from(Application)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(*in_period(Application.applied_at, f))
    )
    known, foreign = session.execute(scope(intl, f, joined=("candidates",))).one()
    out["international_share"] = (float(foreign or 0) / known) if known else None
    return out


def kpis(session: Session, filters: Filters, *, home_country: str = "CN") -> dict[str, Kpi]:
    """The six headline KPIs for the period and the same-length period before it."""
    now = _values(session, filters, home_country)
    prev_f = filters.previous_period()
    before = (
        _values(session, prev_f, home_country) if prev_f != filters else dict.fromkeys(KPI_KEYS)
    )
    return {k: Kpi(k, now[k], before[k]) for k in KPI_KEYS}


def kpi_trend(session: Session, filters: Filters, *, home_country: str = "CN") -> pd.DataFrame:
    """Monthly series within the period: ``month``, ``applications``, ``hires``, ``offers``,
    ``accepted``, ``offer_acceptance``, ``international_share``, ``time_to_hire`` (median)."""
    d = dialect(session)
    m_app = month_of(Application.applied_at, d).label("month")
    apps = session.execute(
        scope(
            select(
                m_app,
                func.count(Application.id),
                func.count(Candidate.country),
                func.sum(case((Candidate.country != home_country, 1), else_=0)),
            )
            .select_from(Application)
            .join(Candidate, Candidate.id == Application.candidate_id)
            .where(*in_period(Application.applied_at, filters))
            .group_by(m_app),
            filters,
            joined=("candidates",),
        )
    ).all()
    m_hire = month_of(Application.hired_at, d).label("month")
    days = whole_days(Application.hired_at, Application.applied_at, d).label("days")
    hires = session.execute(
        scope(
            select(m_hire, days, func.count())
            .where(Application.hired_at.is_not(None), *in_period(Application.hired_at, filters))
            .group_by(m_hire, days),
            filters,
        )
    ).all()
    m_off = month_of(Application.offer_at, d).label("month")
    offers = session.execute(
        scope(
            select(
                m_off,
                func.count(Application.offer_accepted),
                func.sum(case((Application.offer_accepted.is_(True), 1), else_=0)),
            )
            .where(Application.offer_at.is_not(None), *in_period(Application.offer_at, filters))
            .group_by(m_off),
            filters,
        )
    ).all()

    rows: dict[str, dict[str, float | None]] = {}

    def row(m: str) -> dict[str, float | None]:
        return rows.setdefault(
            m,
            {"applications": 0, "hires": 0, "offers": 0, "accepted": 0, "_known": 0, "_foreign": 0},
        )

    for m, n, known, foreign in apps:
        r = row(m)
        r["applications"], r["_known"], r["_foreign"] = n, known or 0, foreign or 0
    hist: dict[str, list[tuple[int, int]]] = {}
    for m, dd, n in hires:
        row(m)["hires"] = (row(m)["hires"] or 0) + n
        hist.setdefault(m, []).append((dd, n))
    for m, answered, accepted in offers:
        r = row(m)
        r["offers"], r["accepted"] = answered, accepted or 0
    out = []
    for m in sorted(rows):
        r = rows[m]
        h = hist.get(m, [])
        out.append(
            {
                "month": m,
                "applications": int(r["applications"] or 0),
                "hires": int(r["hires"] or 0),
                "offers": int(r["offers"] or 0),
                "accepted": int(r["accepted"] or 0),
                "offer_acceptance": (r["accepted"] or 0) / r["offers"] if r["offers"] else None,
                "international_share": (r["_foreign"] or 0) / r["_known"] if r["_known"] else None,
                "time_to_hire": weighted_quantile([v for v, _ in h], [n for _, n in h], 0.5)
                if h
                else None,
            }
        )
    return pd.DataFrame(
        out,
        columns=[
            "month",
            "applications",
            "hires",
            "offers",
            "accepted",
            "offer_acceptance",
            "international_share",
            "time_to_hire",
        ],
    )
