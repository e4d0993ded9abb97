"""SQL behind the hiring report: funnel, status counts, mixes, time to hire, shortlists, models.

Counts are aggregated in SQL. Filters are duck-typed like ``analytics.filters.Filters``
(``start``, ``end``, ``roles``, ``countries``, ``channels``): ``data/`` imports nothing above it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from sqlalchemy import case, func, literal, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from data.queries.filters import candidate_conditions
from data.reference.stages import STAGES
from data.store.models import (
    Application,
    BiasAudit,
    Candidate,
    CandidateContact,
    MatchRun,
    MatchScore,
    ModelVersion,
    Resume,
    Role,
    StageEvent,
)

_S = TypeVar("_S", bound="Select[*tuple[Any, ...]]")


def _filtered(stmt: _S, filters: Any) -> _S:
    """Restrict a statement over ``Application`` (joined to ``Candidate``) by the filters."""
    if filters is None:
        return stmt
    if getattr(filters, "start", None):
        stmt = stmt.where(Application.applied_at >= dt.datetime.combine(filters.start, dt.time()))
    if getattr(filters, "end", None):
        stmt = stmt.where(
            Application.applied_at
            < dt.datetime.combine(filters.end + dt.timedelta(days=1), dt.time())
        )
    if getattr(filters, "roles", ()):
        stmt = stmt.where(
            Application.role_id.in_(select(Role.id).where(Role.key.in_(filters.roles)))
        )
    return stmt.where(*candidate_conditions(filters))


def _stage_index(col: Any) -> Any:
    return case({key: i for i, key in enumerate(STAGES)}, value=col, else_=-1)


def funnel_counts(session: Session, filters: Any = None) -> list[tuple[str, int]]:
    """Applications that reached each canonical stage, from the first stage any application
    entered (the furthest stage an application reached, by its events or its current stage,
    counts it in that stage and every earlier one)."""
    from_events = _filtered(
        select(Application.id.label("app"), _stage_index(StageEvent.to_stage).label("idx"))
        .select_from(StageEvent)
        .join(Application, Application.id == StageEvent.application_id)
        .join(Candidate, Candidate.id == Application.candidate_id),
        filters,
    )
    from_current = _filtered(
        select(Application.id.label("app"), _stage_index(Application.current_stage).label("idx"))
        .select_from(Application)
        .join(Candidate, Candidate.id == Application.candidate_id),
        filters,
    )
    reached = union_all(from_events, from_current).subquery()
    furthest = (
        select(reached.c.app, func.max(reached.c.idx).label("top"))
        .group_by(reached.c.app)
        .subquery()
    )
    per_top: dict[int, int] = {
        int(top): int(n)
        for top, n in session.execute(select(furthest.c.top, func.count()).group_by(furthest.c.top))
    }
    first = session.scalar(select(func.min(reached.c.idx)).where(reached.c.idx >= 0))
    if first is None:
        return []
    counts, running = [], 0
    for i in range(len(STAGES) - 1, int(first) - 1, -1):
        running += int(per_top.get(i, 0))
        counts.append((STAGES[i], running))
    return counts[::-1]


def status_counts(session: Session, filters: Any = None) -> dict[str, int]:
    """Applications per status, plus ``applications`` and ``candidates`` totals."""
    base = (
        select(
            Application.status,
            func.count(Application.id),
            func.count(func.distinct(Application.candidate_id)),
        )
        .join(Candidate, Candidate.id == Application.candidate_id)
        .group_by(Application.status)
    )
    rows = session.execute(_filtered(base, filters)).all()
    out = {status: int(n) for status, n, _ in rows}
    out["applications"] = sum(int(n) for _, n, _ in rows)
    out["candidates"] = int(
        session.scalar(
            _filtered(
                select(func.count(func.distinct(Application.candidate_id))).join(
                    Candidate, Candidate.id == Application.candidate_id
                ),
                filters,
            )
        )
        or 0
    )
    return out


def mix(session: Session, column: str, filters: Any = None) -> list[tuple[str | None, int]]:
    """Applications per candidate ``source_channel`` or ``country``, largest first."""
    col = {"channel": Candidate.source_channel, "country": Candidate.country}[column]
    stmt = (
        select(col, func.count(Application.id))
        .join(Candidate, Candidate.id == Application.candidate_id)
        .group_by(col)
        .order_by(func.count(Application.id).desc(), col)
    )
    return [(k, int(n)) for k, n in session.execute(_filtered(stmt, filters)).all()]


def _days_between(session: Session, start: Any, end: Any) -> Any:
    """SQL for the days from ``start`` to ``end`` (fractional), on SQLite and PostgreSQL."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return func.extract("epoch", end - start) / 86400.0


def hire_quantiles(
    session: Session, filters: Any = None, qs: tuple[float, ...] = (0.25, 0.5, 0.75)
) -> tuple[int, list[float | None]]:
    """Hires, and the quantiles of days from application to hire (linear interpolation, as
    numpy's default), computed in SQL: a count, then two ordered values per quantile."""
    days = _days_between(session, Application.applied_at, Application.hired_at).label("days")
    base = _filtered(
        select(days)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(Application.hired_at.is_not(None)),
        filters,
    )
    n = int(session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    if n == 0:
        return 0, [None for _ in qs]
    out: list[float | None] = []
    for q in qs:
        pos = q * (n - 1)
        lo = int(pos)
        values = [float(v) for v in session.scalars(base.order_by(days).offset(lo).limit(2))]
        frac = pos - lo
        out.append(
            values[0]
            if frac == 0 or len(values) == 1
            else values[0] + (values[1] - values[0]) * frac
        )
    return n, out


def latest_run_id(session: Session) -> int | None:
    """The newest run that shortlists resumes per role (by-resume runs rank roles instead)."""
    return session.scalar(
        select(MatchRun.id)
        .where(MatchRun.direction == "by_role")
        .order_by(MatchRun.created_at.desc(), MatchRun.id.desc())
        .limit(1)
    )


def shortlists(
    session: Session,
    run_id: int,
    *,
    role_keys: tuple[str, ...] = (),
    top: int = 10,
    with_contacts: bool = False,
) -> list[dict[str, Any]]:
    """The top ``top`` of each role in a match run, with resume, explanation and (when asked)
    contact details. Rows are ordered by role key, then rank."""
    cols = [
        Role.key,
        Role.title_en,
        Role.title_zh,
        MatchScore.rank,
        MatchScore.score,
        MatchScore.explanation,
        Resume.file_name,
        Candidate.pseudonym,
    ]
    contact_cols: list[Any] = (
        [CandidateContact.name, CandidateContact.email, CandidateContact.phone]
        if with_contacts
        else [literal(None), literal(None), literal(None)]
    )
    cols += contact_cols
    stmt = (
        select(*cols)
        .select_from(MatchScore)
        .join(Role, Role.id == MatchScore.role_id)
        .join(Resume, Resume.id == MatchScore.resume_id)
        .outerjoin(Candidate, Candidate.id == Resume.candidate_id)
        .where(MatchScore.run_id == run_id, MatchScore.rank <= top)
        .order_by(Role.key, MatchScore.rank)
    )
    if with_contacts:
        stmt = stmt.outerjoin(CandidateContact, CandidateContact.candidate_id == Candidate.id)
    if role_keys:
        stmt = stmt.where(Role.key.in_(role_keys))
    keys = [
        "role_key",
        "title_en",
        "title_zh",
        "rank",
        "score",
        "explanation",
        "resume_file",
        "pseudonym",
        "name",
        "email",
        "phone",
    ]
    return [dict(zip(keys, row)) for row in session.execute(stmt).all()]


def run_info(session: Session, run_id: int) -> dict[str, Any]:
    run = session.get(MatchRun, run_id)
    if run is None:
        return {}
    return {
        "id": run.id,
        "created_at": run.created_at,
        "encoder": run.encoder,
        "model_version_id": run.model_version_id,
        "scorer": run.scorer or (run.params or {}).get("scorer"),
    }


def active_models(session: Session) -> list[ModelVersion]:
    """Model versions with status ``active`` (one per kind), by kind."""
    return list(
        session.scalars(
            select(ModelVersion).where(ModelVersion.status == "active").order_by(ModelVersion.kind)
        )
    )


def latest_bias_audit(session: Session) -> BiasAudit | None:
    return session.scalar(
        select(BiasAudit).order_by(BiasAudit.at.desc(), BiasAudit.id.desc()).limit(1)
    )
