"""Pipeline analytics: funnel and conversion, time in stage, breakdowns, comparisons.

Every function runs its aggregates in SQL (SQLAlchemy Core over ``data.store.models``) and returns a
small pandas DataFrame; no function loads every application into memory.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
from sqlalchemy import Select, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from analytics._sql import dialect, in_period, scope, weighted_quantile, whole_days
from analytics.filters import Filters
from data.reference.stages import STAGES
from data.store.models import Application, Candidate, Role, StageEvent

Breakdown = Literal["country", "region", "channel", "role"]


def _application_ids(filters: Filters) -> Select:
    """``SELECT applications.id`` within the filters; used as ``IN (...)``, which lets the
    database scan stage events once instead of probing them application by application."""
    return scope(
        select(Application.id).where(*in_period(Application.applied_at, filters, use_index=True)),
        filters,
    )


def funnel(session: Session, filters: Filters) -> pd.DataFrame:
    """Applications (applied in the period) reaching each canonical stage.

    Columns: ``stage``, ``reached``, ``conversion`` (share of the previous stage's count that
    reached this one), ``of_first`` (share of the first stage's count).
    """
    stmt = (
        select(StageEvent.to_stage, func.count(distinct(StageEvent.application_id)))
        .where(StageEvent.application_id.in_(_application_ids(filters)))
        .group_by(StageEvent.to_stage)
    )
    counts = dict(session.execute(stmt).all())
    rows, prev, first = [], None, None
    for stage in STAGES:
        n = int(counts.get(stage, 0))
        if first is None and n:
            first = n
        rows.append(
            {
                "stage": stage,
                "reached": n,
                "conversion": (n / prev) if prev else None,
                "of_first": (n / first) if first else None,
            }
        )
        if n or prev:
            prev = n
    df = pd.DataFrame(rows)
    # keep the stages between the first and the last one any application reached
    nz = df.index[df["reached"] > 0]
    return df.loc[nz.min() : nz.max()].reset_index(drop=True) if len(nz) else df.iloc[0:0]


def time_in_stage(session: Session, filters: Filters) -> pd.DataFrame:
    """Days spent in each stage (until the next stage event), per stage.

    SQL computes each stay with a window function and groups stays into whole-day buckets;
    the median and spread are read from those small histograms. Columns: ``stage``, ``n``,
    ``mean``, ``p25``, ``median``, ``p75``, ``p90``.
    """
    d = dialect(session)
    nxt = func.lead(StageEvent.at).over(
        partition_by=StageEvent.application_id, order_by=(StageEvent.at, StageEvent.id)
    )
    ev = (
        select(StageEvent.to_stage.label("stage"), StageEvent.at.label("at"), nxt.label("next_at"))
        .where(StageEvent.application_id.in_(_application_ids(filters)))
        # recurring check-ins after hire (same stage, no outcome) do not end a stay
        .where(
            or_(
                StageEvent.from_stage.is_(None),
                StageEvent.from_stage != StageEvent.to_stage,
                StageEvent.outcome.is_not(None),
            )
        )
    ).subquery()
    days = whole_days(ev.c.next_at, ev.c.at, d).label("days")
    hist = session.execute(
        select(ev.c.stage, days, func.count())
        .where(ev.c.next_at.is_not(None))
        .group_by(ev.c.stage, days)
    ).all()
    by_stage: dict[str, list[tuple[int, int]]] = {}
    for stage, dd, n in hist:
        by_stage.setdefault(stage, []).append((int(dd), int(n)))
    rows = []
    for stage in STAGES:
        if stage not in by_stage:
            continue
        vals, cnts = zip(*by_stage[stage], strict=True)
        n = sum(cnts)
        rows.append(
            {
                "stage": stage,
                "n": n,
                "mean": sum(v * c for v, c in by_stage[stage]) / n,
                "p25": weighted_quantile(vals, cnts, 0.25),
                "median": weighted_quantile(vals, cnts, 0.5),
                "p75": weighted_quantile(vals, cnts, 0.75),
                "p90": weighted_quantile(vals, cnts, 0.9),
            }
        )
    return pd.DataFrame(rows, columns=["stage", "n", "mean", "p25", "median", "p75", "p90"])


_COUNTS = ["applications", "candidates", "active", "offers", "accepted", "hires"]


def _count_columns() -> list:
    return [
        func.count(Application.id).label("applications"),
        func.count(distinct(Application.candidate_id)).label("candidates"),
        func.sum(case((Application.status == "active", 1), else_=0)).label("active"),
        func.count(Application.offer_at).label("offers"),
        func.sum(case((Application.offer_accepted.is_(True), 1), else_=0)).label("accepted"),
        func.count(Application.hired_at).label("hires"),
    ]


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    df["key"] = df["key"].fillna("?")
    for c in _COUNTS:
        df[c] = df[c].fillna(0).astype(int)
    df["hire_rate"] = (df["hires"] / df["applications"]).where(df["applications"] > 0)
    return df.sort_values(["applications", "key"], ascending=[False, True]).reset_index(drop=True)


def breakdowns(session: Session, filters: Filters) -> dict[str, pd.DataFrame]:
    """Country, region and channel breakdowns (see :func:`breakdown`) from ONE grouped query.

    Groups by (country, region, channel) and sums up per dimension; distinct candidates add
    up exactly because a candidate has one country, region and channel.
    """
    stmt = (
        select(Candidate.country, Candidate.region, Candidate.source_channel, *_count_columns())
        .select_from(Application)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(*in_period(Application.applied_at, filters))
        .group_by(Candidate.country, Candidate.region, Candidate.source_channel)
    )
    cells = pd.DataFrame(
        session.execute(scope(stmt, filters, joined=("candidates",))).all(),
        columns=["country", "region", "channel", *_COUNTS],
    )
    for c in _COUNTS:
        cells[c] = cells[c].fillna(0).astype(int)
    out = {}
    for dim in ("country", "region", "channel"):
        part = (
            cells.assign(key=cells[dim].fillna("?")).groupby("key", as_index=False)[_COUNTS].sum()
        )
        out[dim] = _finish(part[["key", *_COUNTS]])
    return out


def breakdown(session: Session, filters: Filters, by: Breakdown) -> pd.DataFrame:
    """Applications, hires, offers and conversion per country, region, channel or role.

    Columns: ``key``, ``applications``, ``candidates``, ``active``, ``offers``, ``accepted``,
    ``hires``, ``hire_rate``; biggest first.
    """
    if by != "role":
        return breakdowns(session, filters)[by]
    stmt = (
        select(Role.key.label("key"), *_count_columns())
        .select_from(Application)
        .join(Role, Role.id == Application.role_id)
        .where(*in_period(Application.applied_at, filters))
        .group_by(Role.key)
    )
    stmt = scope(stmt, filters, joined=("roles",))
    df = pd.DataFrame(session.execute(stmt).all(), columns=["key", *_COUNTS])
    return _finish(df)


def compare_funnels(
    session: Session, a: Filters, b: Filters, labels: tuple[str, str] = ("A", "B")
) -> pd.DataFrame:
    """Two funnels side by side (two countries, two periods, two channels …).

    Columns: ``stage``, then ``reached`` and ``conversion`` suffixed with each label.
    """
    fa, fb = funnel(session, a), funnel(session, b)
    cols = ["stage", "reached", "conversion"]
    merged = pd.merge(
        fa[cols], fb[cols], on="stage", how="outer", suffixes=(f" {labels[0]}", f" {labels[1]}")
    )
    order = {s: i for i, s in enumerate(STAGES)}
    return merged.sort_values("stage", key=lambda s: s.map(order)).reset_index(drop=True)


def status_counts(session: Session, filters: Filters) -> dict[str, int]:
    """Applications in the period by status (active, hired, rejected, withdrawn)."""
    stmt = (
        select(Application.status, func.count())
        .where(*in_period(Application.applied_at, filters))
        .group_by(Application.status)
    )
    return {k: int(v) for k, v in session.execute(scope(stmt, filters)).all()}


def data_bounds(session: Session) -> tuple[object, object]:
    """Earliest and latest application date in the store (``(None, None)`` when empty)."""
    lo, hi = session.execute(
        select(func.min(Application.applied_at), func.max(Application.applied_at))
    ).one()
    return lo, hi


def filter_options(session: Session) -> dict[str, list[str]]:
    """Values the global filters offer: role keys, countries, regions and channels present."""
    roles = list(session.scalars(select(Role.key).order_by(Role.key)))
    countries = [
        c
        for c in session.scalars(select(Candidate.country).distinct().order_by(Candidate.country))
        if c
    ]
    channels = [
        c
        for c in session.scalars(
            select(Candidate.source_channel).distinct().order_by(Candidate.source_channel)
        )
        if c
    ]
    regions = [
        r
        for r in session.scalars(select(Candidate.region).distinct().order_by(Candidate.region))
        if r
    ]
    return {"roles": roles, "countries": countries, "regions": regions, "channels": channels}


__all__ = [
    "breakdown",
    "compare_funnels",
    "data_bounds",
    "filter_options",
    "funnel",
    "status_counts",
    "time_in_stage",
]
