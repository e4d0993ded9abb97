"""Pipeline analytics: funnel and conversion, time in stage, breakdowns, comparisons.

The numbers come from the metric layer (``data.queries.metrics``), aggregated in SQL; this
module lays them out as small pandas DataFrames.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics.filters import Filters
from data.queries import metrics as mq
from data.queries.filters import weighted_quantile
from data.reference.stages import STAGES
from data.store.models import Application, Candidate, Role

Breakdown = Literal["country", "region", "channel", "role"]


def funnel(session: Session, filters: Filters) -> pd.DataFrame:
    """The period's funnel, as the metric layer defines it (``data.queries.metrics.funnel``:
    each application at the furthest stage it reached, cumulative).

    Columns: ``stage``, ``reached``, ``conversion`` (share of the previous stage's count that
    reached this one), ``of_first`` (share of the first stage's count).
    """
    steps = mq.funnel(session, filters)
    return pd.DataFrame(
        [(s.stage, s.reached, s.conversion, s.of_first) for s in steps],
        columns=["stage", "reached", "conversion", "of_first"],
    )


def time_in_stage(session: Session, filters: Filters) -> pd.DataFrame:
    """Days spent in each stage (until the next stage event), per stage
    (``data.queries.metrics.time_in_stage``). Columns: ``stage``, ``n``, ``mean``, ``p25``,
    ``median``, ``p75``, ``p90``."""
    by_stage = mq.time_in_stage(session, filters)
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


_COUNTS = list(mq.BREAKDOWN_COUNTS)


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    df["key"] = df["key"].fillna("?")
    for c in _COUNTS:
        df[c] = df[c].fillna(0).astype(int)
    df["hire_rate"] = (df["hires"] / df["applications"]).where(df["applications"] > 0)
    return df.sort_values(["applications", "key"], ascending=[False, True]).reset_index(drop=True)


def breakdowns(session: Session, filters: Filters) -> dict[str, pd.DataFrame]:
    """Country, region and channel breakdowns (see :func:`breakdown`) from the metric layer's
    cells (country × region × channel), summed per dimension: distinct candidates add up
    exactly because a candidate has one country, region and channel."""
    cells = pd.DataFrame(
        mq.breakdown_cells(session, filters), columns=["country", "region", "channel", *_COUNTS]
    )
    out = {}
    for dim in ("country", "region", "channel"):
        part = (
            cells.assign(key=cells[dim].fillna("?")).groupby("key", as_index=False)[_COUNTS].sum()
        )
        out[dim] = _finish(part[["key", *_COUNTS]])
    return out


def breakdown(session: Session, filters: Filters, by: Breakdown) -> pd.DataFrame:
    """Applications, offers and hires per country, region, channel or role, each by the
    metric layer's definition (applications by application date, offers by offer date, hires
    by hire date), so the rows sum to the Overview's KPIs.

    Columns: ``key``, ``applications``, ``candidates``, ``active``, ``offers``, ``accepted``,
    ``hires``, ``hire_rate`` (hires over applications of the period); biggest first.
    """
    if by != "role":
        return breakdowns(session, filters)[by]
    df = pd.DataFrame(mq.role_breakdown(session, filters), columns=["key", *_COUNTS])
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
    """The period's applications by status (active, hired, rejected, withdrawn)."""
    counts = mq.status_counts(session, filters)
    return {k: v for k, v in counts.items() if k not in ("applications", "candidates")}


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
