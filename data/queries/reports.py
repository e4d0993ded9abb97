"""SQL behind the hiring report's own sections: match runs, shortlists, active models.

The report's numbers (funnel, hires, time to hire, mixes) come from the metric layer
(``data.queries.metrics``), like every dashboard page's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from data.store.models import (
    Candidate,
    CandidateContact,
    MatchRun,
    MatchScore,
    ModelVersion,
    Resume,
    Role,
    Skill,
)


def latest_run_id(session: Session) -> int | None:
    """The newest run that shortlists resumes per role (by-resume runs rank roles instead)."""
    return session.scalar(
        select(MatchRun.id)
        .where(MatchRun.direction == "by_role")
        .order_by(MatchRun.created_at.desc(), MatchRun.id.desc())
        .limit(1)
    )


def match_runs(session: Session, limit: int = 50) -> list[dict[str, Any]]:
    """The latest match runs, newest first: id, when, encoder, model version id, roles and
    scored pairs (for the report's run picker)."""
    rows = session.execute(
        select(
            MatchRun.id,
            MatchRun.created_at,
            MatchRun.encoder,
            MatchRun.model_version_id,
            func.count(func.distinct(MatchScore.role_id)),
            func.count(MatchScore.id),
        )
        .outerjoin(MatchScore, MatchScore.run_id == MatchRun.id)
        .group_by(MatchRun.id, MatchRun.created_at, MatchRun.encoder, MatchRun.model_version_id)
        .order_by(MatchRun.created_at.desc(), MatchRun.id.desc())
        .limit(limit)
    ).all()
    keys = ["id", "created_at", "encoder", "model_version_id", "roles", "pairs"]
    out = [dict(zip(keys, r, strict=True)) for r in rows]
    # what scored each run (JSON, so read apart from the grouped counts)
    scorers: dict[int, Any] = dict(
        session.execute(
            select(MatchRun.id, MatchRun.scorer).where(MatchRun.id.in_([r["id"] for r in out]))
        ).all()
    )
    for r in out:
        r["scorer"] = scorers.get(int(r["id"]))  # type: ignore[arg-type]
    return out


def shortlists(
    session: Session,
    run_ids: int | Sequence[int],
    *,
    role_keys: tuple[str, ...] = (),
    top: int = 10,
    with_contacts: bool = False,
) -> list[dict[str, Any]]:
    """The top ``top`` of each role in the given match run(s), with resume, explanation and
    (only when asked) contact details. Rows are ordered by run, role key, then rank."""
    ids = [run_ids] if isinstance(run_ids, int) else list(run_ids)
    cols: list[Any] = [
        MatchScore.run_id,
        Role.key,
        Role.title_en,
        Role.title_zh,
        MatchScore.rank,
        MatchScore.score,
        MatchScore.explanation,
        Resume.file_name,
        Candidate.pseudonym,
        Candidate.country,
    ]
    if with_contacts:
        cols += [CandidateContact.name, CandidateContact.email, CandidateContact.phone]
    else:
        cols += [literal(None), literal(None), literal(None)]
    stmt = (
        select(*cols)
        .select_from(MatchScore)
        .join(Role, Role.id == MatchScore.role_id)
        .join(Resume, Resume.id == MatchScore.resume_id)
        .outerjoin(Candidate, Candidate.id == Resume.candidate_id)
        .where(MatchScore.run_id.in_(ids), MatchScore.rank <= top)
        .order_by(MatchScore.run_id, Role.key, MatchScore.rank)
    )
    if with_contacts:
        stmt = stmt.outerjoin(CandidateContact, CandidateContact.candidate_id == Candidate.id)
    if role_keys:
        stmt = stmt.where(Role.key.in_(role_keys))
    keys = [
        "run_id",
        "role_key",
        "title_en",
        "title_zh",
        "rank",
        "score",
        "explanation",
        "resume_file",
        "pseudonym",
        "country",
        "name",
        "email",
        "phone",
    ]
    return [dict(zip(keys, row, strict=True)) for row in session.execute(stmt).all()]


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


def skill_names(session: Session, lang: str) -> dict[str, str]:
    """Skill key → display name in ``lang`` (the English name where no Chinese one is set)."""
    rows = session.execute(select(Skill.key, Skill.name_en, Skill.name_zh)).all()
    return {k: str((zh if lang == "zh" else None) or en or k) for k, en, zh in rows}
