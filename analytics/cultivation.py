"""Cultivation analytics: programmes, enrolment and completion, and how cohorts hired
through each programme stay (retention at fixed horizons after hire)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from analytics.filters import Filters
from data.queries import metrics as mq
from data.queries.filters import candidate_conditions, dialect, in_period, month_of, scope
from data.store.models import Application, Candidate, Enrolment, Programme

NO_PROGRAMME = "-"
HORIZONS: tuple[int, ...] = mq.RETENTION_HORIZONS


def programme_summary(session: Session, filters: Filters, *, lang: str = "en") -> pd.DataFrame:
    """Per programme: ``enrolled`` (all enrolments in the period), ``completed``, ``dropped``,
    ``in_progress``, ``completion_rate`` (completed ÷ finished: completed + dropped).

    Date range applies to ``enrolled_at``; countries and channels to the candidate."""
    name = Programme.name_zh if lang == "zh" else Programme.name_en
    stmt = (
        select(
            Programme.key,
            name,
            Programme.kind,
            func.count(Enrolment.id),
            func.sum(case((Enrolment.status == "completed", 1), else_=0)),
            func.sum(case((Enrolment.status == "dropped", 1), else_=0)),
        )
        .select_from(Programme)
        .join(Enrolment, Enrolment.programme_id == Programme.id)
        .join(Candidate, Candidate.id == Enrolment.candidate_id)
        .group_by(Programme.key, name, Programme.kind)
    )
    if filters.start:
        stmt = stmt.where(Enrolment.enrolled_at >= filters.start)
    if filters.end:
        stmt = stmt.where(Enrolment.enrolled_at <= filters.end)
    stmt = stmt.where(*candidate_conditions(filters))
    df = pd.DataFrame(
        session.execute(stmt).all(),
        columns=["programme", "name", "kind", "enrolled", "completed", "dropped"],
    )
    for c in ("enrolled", "completed", "dropped"):
        df[c] = df[c].fillna(0).astype(int)
    df["in_progress"] = df["enrolled"] - df["completed"] - df["dropped"]
    finished = df["completed"] + df["dropped"]
    df["completion_rate"] = (df["completed"] / finished).where(finished > 0)
    return df.sort_values("enrolled", ascending=False).reset_index(drop=True)


def cohort_retention(
    session: Session,
    filters: Filters,
    *,
    as_of: dt.date,
    horizons: tuple[int, ...] = HORIZONS,
    lang: str = "en",
) -> pd.DataFrame:
    """Retention after hire by programme and hire quarter.

    For hires in the period (by ``hired_at``), ``eligible_<h>`` counts those hired at least
    ``h`` days before ``as_of`` and ``retained_<h>`` those of them still employed ``h`` days
    after their hire; ``retention_<h>`` is their ratio. Hires in no programme form the
    ``-`` group (the baseline). Columns: ``programme``, ``name``, ``cohort``, ``hires`` and
    the per-horizon columns.
    """
    d = dialect(session)
    cols = mq.retention_columns(as_of, horizons, d)
    name = Programme.name_zh if lang == "zh" else Programme.name_en
    month = month_of(Application.hired_at, d).label("month")
    stmt = (
        select(
            Programme.key.label("programme"),
            name.label("name"),
            month,
            func.count(distinct(Application.id)).label("hires"),
            *cols,
        )
        .select_from(Application)
        .outerjoin(Enrolment, Enrolment.candidate_id == Application.candidate_id)
        .outerjoin(Programme, Programme.id == Enrolment.programme_id)
        .where(Application.hired_at.is_not(None), *in_period(Application.hired_at, filters))
        .group_by(Programme.key, name, month)
    )
    df = pd.DataFrame(session.execute(scope(stmt, filters)).mappings().all())
    if not df.empty:
        df["programme"] = df["programme"].fillna(NO_PROGRAMME)
        df["name"] = df["name"].fillna(NO_PROGRAMME)
    if df.empty:
        return pd.DataFrame(
            columns=["programme", "name", "cohort", "hires"]
            + [f"{p}_{h}" for h in horizons for p in ("eligible", "retained", "retention")]
        )
    df["cohort"] = df["month"].map(lambda m: f"{m[:4]}-Q{(int(m[5:7]) - 1) // 3 + 1}")
    agg = df.groupby(["programme", "name", "cohort"], as_index=False).sum(numeric_only=True)
    for h in horizons:
        agg[f"eligible_{h}"] = agg[f"eligible_{h}"].astype(int)
        agg[f"retained_{h}"] = agg[f"retained_{h}"].astype(int)
        agg[f"retention_{h}"] = (agg[f"retained_{h}"] / agg[f"eligible_{h}"]).where(
            agg[f"eligible_{h}"] > 0
        )
    agg["hires"] = agg["hires"].astype(int)
    return agg.sort_values(["programme", "cohort"]).reset_index(drop=True)


def retention_by_programme(
    cohorts: pd.DataFrame, horizons: tuple[int, ...] = HORIZONS
) -> pd.DataFrame:
    """Collapse :func:`cohort_retention` over cohorts: one row per programme."""
    if cohorts.empty:
        return cohorts
    agg = cohorts.groupby(["programme", "name"], as_index=False)[
        ["hires"] + [f"{p}_{h}" for h in horizons for p in ("eligible", "retained")]
    ].sum()
    for h in horizons:
        agg[f"retention_{h}"] = (agg[f"retained_{h}"] / agg[f"eligible_{h}"]).where(
            agg[f"eligible_{h}"] > 0
        )
    return agg.sort_values("hires", ascending=False).reset_index(drop=True)


def enrolment_trend(session: Session, filters: Filters) -> pd.DataFrame:
    """Enrolments per month and programme: ``month``, ``programme``, ``enrolments``."""
    d = dialect(session)
    month = month_of(Enrolment.enrolled_at, d).label("month")
    stmt = (
        select(month, Programme.key, func.count(Enrolment.id))
        .join(Programme, Programme.id == Enrolment.programme_id)
        .group_by(month, Programme.key)
        .order_by(month)
    )
    if filters.start:
        stmt = stmt.where(Enrolment.enrolled_at >= filters.start)
    if filters.end:
        stmt = stmt.where(Enrolment.enrolled_at <= filters.end)
    stmt = scope(stmt, filters, candidate_id=Enrolment.candidate_id, role_col=None)
    return pd.DataFrame(session.execute(stmt).all(), columns=["month", "programme", "enrolments"])


def headline(
    session: Session,
    filters: Filters,
    *,
    as_of: dt.date,
    horizons: tuple[int, ...] = HORIZONS,
) -> dict[str, object]:
    """The Cultivation page's headline numbers from the metric layer: the period's hires and
    time to hire (as on Overview) and the retention of those hires at each horizon."""
    tth = mq.time_to_hire(session, filters)
    ret = mq.retention(session, filters, as_of=as_of, horizons=horizons)
    return {
        "hires": tth.hires,
        "time_to_hire": tth.median,
        **{f"retention_{h}": (r / e if e else None) for h, (e, r) in ret.items()},
        **{f"eligible_{h}": e for h, (e, _) in ret.items()},
    }
