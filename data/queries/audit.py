"""SQL behind the bias audit: outcomes and scores counted per demographic cell.

Every query aggregates in SQL and returns one row per (sex, ethnicity) cell with ``n`` (people
or scored pairs) and ``selected`` (passed the stage, or scored above the median); the audit
(``analytics.fairness``) turns cells into rates and ratios. Demographics are self-reported and
read only here and by the audit: no model input ever joins ``candidate_demographics``.

What "passed" and "failed" mean for a stage ``S`` of an application:

- passed: it went on to a later stage (an event into a later stage, or its current stage is
  later), or an event out of ``S`` carries ``outcome='pass'``;
- failed: an event at ``S`` (into or out of it) carries ``outcome='fail'``, or the application
  was rejected while at ``S``;
- anything else (still at ``S``, withdrawn) is undecided and not in the sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import and_, case, exists, false, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from data.errors import InputError
from data.queries.filters import in_period, scope
from data.reference.stages import STAGES
from data.store.models import (
    Application,
    Candidate,
    CandidateDemographics,
    MatchScore,
    Resume,
    StageEvent,
)

CELL_COLUMNS = ["sex", "ethnicity", "n", "selected"]


def check_stage(stage: str) -> None:
    """Raise ``InputError`` unless ``stage`` is one of the canonical stage keys."""
    if stage not in STAGES:
        raise InputError(f"unknown stage {stage!r}; use one of {', '.join(STAGES)}", field="stage")


def _apply_filters(
    stmt: Any, filters: Any, *, dates: bool = True, role_col: Any = Application.role_id
) -> Any:
    """The global filters through the one mechanism (``data.queries.filters``); ``dates``
    keeps the period (applications by application date: the same population as the funnel
    and the other metrics of ``data.queries.metrics``). Candidates are already joined."""
    if filters is None:
        return stmt
    if dates:
        stmt = stmt.where(*in_period(Application.applied_at, filters))
    return scope(stmt, filters, joined=("candidates",), role_col=role_col)


def stage_outcome_exprs(stage: str) -> tuple[Any, Any]:
    """SQL boolean expressions (passed, failed) of an application at ``stage``."""
    check_stage(stage)
    later = list(STAGES[STAGES.index(stage) + 1 :])
    ev = StageEvent
    passed = or_(
        Application.current_stage.in_(later) if later else false(),
        exists().where(
            ev.application_id == Application.id,
            or_(
                and_(ev.from_stage == stage, ev.outcome == "pass"),
                ev.to_stage.in_(later) if later else false(),
            ),
        ),
    )
    failed = or_(
        and_(Application.status == "rejected", Application.current_stage == stage),
        exists().where(
            ev.application_id == Application.id,
            ev.outcome == "fail",
            or_(ev.from_stage == stage, ev.to_stage == stage),
        ),
    )
    return passed, failed


def selection_counts(session: Session, stage: str, filters: Any = None) -> pd.DataFrame:
    """Decided applications at ``stage`` per (sex, ethnicity) cell: ``n`` and ``selected``."""
    passed, failed = stage_outcome_exprs(stage)
    selected = func.sum(case((passed, 1), else_=0))
    stmt = (
        select(
            CandidateDemographics.sex,
            CandidateDemographics.ethnicity,
            func.count(Application.id),
            selected,
        )
        .select_from(Application)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .outerjoin(CandidateDemographics, CandidateDemographics.candidate_id == Candidate.id)
        .where(or_(passed, failed))
        .group_by(CandidateDemographics.sex, CandidateDemographics.ethnicity)
    )
    stmt = _apply_filters(stmt, filters)
    return _cells(session.execute(stmt).all())


def _score_base(run_id: int, filters: Any) -> Select[Any]:
    stmt = (
        select(MatchScore.score)
        .select_from(MatchScore)
        .join(Resume, Resume.id == MatchScore.resume_id)
        .outerjoin(Candidate, Candidate.id == Resume.candidate_id)
        .outerjoin(CandidateDemographics, CandidateDemographics.candidate_id == Candidate.id)
        .where(MatchScore.run_id == run_id)
    )
    out: Select[Any] = _apply_filters(stmt, filters, dates=False, role_col=MatchScore.role_id)
    return out


def score_median(session: Session, run_id: int, filters: Any = None) -> float | None:
    """The median score of a run (whole sample), by ORDER BY/OFFSET: portable and indexed."""
    base = _score_base(run_id, filters)
    n = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    if n == 0:
        return None
    middle = session.scalars(
        base.order_by(MatchScore.score).offset((n - 1) // 2).limit(2 - n % 2)
    ).all()
    return float(sum(middle) / len(middle))


def score_counts(
    session: Session, run_id: int, filters: Any = None
) -> tuple[pd.DataFrame, float | None]:
    """Scores of a run per (sex, ethnicity) cell: ``n`` and ``selected`` (= strictly above the
    whole sample's median), with that median. One scored (resume, role) pair counts once."""
    median = score_median(session, run_id, filters)
    if median is None:
        return pd.DataFrame(columns=CELL_COLUMNS), None
    above = func.sum(case((MatchScore.score > median, 1), else_=0))
    stmt = (
        _score_base(run_id, filters)
        .with_only_columns(
            CandidateDemographics.sex,
            CandidateDemographics.ethnicity,
            func.count(MatchScore.id),
            above,
        )
        .group_by(CandidateDemographics.sex, CandidateDemographics.ethnicity)
    )
    return _cells(session.execute(stmt).all()), median


def run_pairs(session: Session, run_id: int) -> pd.DataFrame:
    """The (resume, role) pairs a match run scored: ``resume_id, role_id`` (a sample on which a
    challenger model can be scored for its bias audit)."""
    rows = session.execute(
        select(MatchScore.resume_id, MatchScore.role_id)
        .where(MatchScore.run_id == run_id)
        .order_by(MatchScore.id)
    ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["resume_id", "role_id"])


def demographics_for_resumes(session: Session, resume_ids: list[int]) -> pd.DataFrame:
    """``resume_id, sex, ethnicity`` for the given resumes (missing demographics as None)."""
    rows: list[tuple[Any, ...]] = []
    ids = sorted({int(i) for i in resume_ids})
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows.extend(
            session.execute(
                select(Resume.id, CandidateDemographics.sex, CandidateDemographics.ethnicity)
                .outerjoin(
                    CandidateDemographics, CandidateDemographics.candidate_id == Resume.candidate_id
                )
                .where(Resume.id.in_(chunk))
            ).all()
        )
    return pd.DataFrame(rows, columns=["resume_id", "sex", "ethnicity"])


def _cells(rows: Sequence[Any]) -> pd.DataFrame:
    frame = pd.DataFrame([tuple(r) for r in rows], columns=CELL_COLUMNS)
    frame["n"] = frame["n"].astype(int)
    frame["selected"] = frame["selected"].fillna(0).astype(int)
    return frame
