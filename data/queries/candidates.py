"""Candidate search and the candidate view: what the Candidates page and the CLI read.

Names and contact details are read only when the caller says the user may see contacts
(``see_contacts``); otherwise a candidate is only its pseudonym and a name search matches
nothing but pseudonyms. Skill search looks for the skill's English and Chinese names and its
aliases in the stored (contact-masked) resume text.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from data.errors import NotFoundError
from data.store.models import (
    Application,
    Candidate,
    CandidateContact,
    Feedback,
    MatchScore,
    Resume,
    Role,
    Skill,
    StageEvent,
)
from data.store.notes import list_notes

MAX_RESULTS = 200


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def skill_terms(session: Session, skill: str) -> list[str]:
    """The words a skill is written as: its names and aliases when ``skill`` names a stored
    skill (key, English or Chinese name), else ``skill`` itself."""
    s = skill.strip()
    if not s:
        return []
    row = session.scalar(
        select(Skill).where(
            or_(
                Skill.key == s.lower(),
                Skill.name_en.ilike(s),
                Skill.name_zh == s,
            )
        )
    )
    if row is None:
        return [s]
    terms = {row.name_en, row.name_zh, *(row.aliases or [])}
    return sorted(t for t in terms if t)


def search_candidates(
    session: Session,
    *,
    text: str | None = None,
    skill: str | None = None,
    country: str | None = None,
    role: str | None = None,
    stage: str | None = None,
    see_contacts: bool = False,
    limit: int = MAX_RESULTS,
) -> list[dict[str, Any]]:
    """Candidates matching every given criterion, by pseudonym, at most ``limit``.

    ``text`` matches the pseudonym, and the name or e-mail only when ``see_contacts``;
    ``role`` (a role key) and ``stage`` (a stage key) match one and the same application.
    Each row: pseudonym, country, channel, the roles applied to with their current stage and
    status, and ``name`` when ``see_contacts``.
    """
    q = select(Candidate).where(Candidate.anonymised_at.is_(None))
    if text and text.strip():
        pattern = _like(text.strip())
        conds: list[ColumnElement[bool]] = [Candidate.pseudonym.ilike(pattern, escape="\\")]
        if see_contacts:
            conds.append(
                exists().where(
                    CandidateContact.candidate_id == Candidate.id,
                    or_(
                        CandidateContact.name.ilike(pattern, escape="\\"),
                        CandidateContact.email.ilike(pattern, escape="\\"),
                    ),
                )
            )
        q = q.where(or_(*conds))
    if skill and skill.strip():
        terms = skill_terms(session, skill)
        q = q.where(
            exists().where(
                Resume.candidate_id == Candidate.id,
                or_(*(Resume.text.ilike(_like(t), escape="\\") for t in terms)),
            )
        )
    if country:
        q = q.where(Candidate.country == country.upper())
    if role or stage:
        conds_app = [Application.candidate_id == Candidate.id]
        if role:
            conds_app.append(
                Application.role_id == select(Role.id).where(Role.key == role).scalar_subquery()
            )
        if stage:
            conds_app.append(Application.current_stage == stage)
        q = q.where(exists().where(*conds_app))
    cands = list(session.scalars(q.order_by(Candidate.pseudonym).limit(limit)))
    ids = [c.id for c in cands]
    apps: dict[int, list[tuple[str, str, str]]] = {i: [] for i in ids}
    if ids:
        for cid, key, cur, status in session.execute(
            select(
                Application.candidate_id, Role.key, Application.current_stage, Application.status
            )
            .join(Role, Role.id == Application.role_id)
            .where(Application.candidate_id.in_(ids))
            .order_by(Application.id)
        ):
            apps[cid].append((key, cur, status))
    names: dict[int, str | None] = {}
    if see_contacts and ids:
        names = dict(
            session.execute(
                select(CandidateContact.candidate_id, CandidateContact.name).where(
                    CandidateContact.candidate_id.in_(ids)
                )
            ).all()
        )
    out: list[dict[str, Any]] = []
    for c in cands:
        row: dict[str, Any] = {
            "pseudonym": c.pseudonym,
            "country": c.country,
            "channel": c.source_channel,
            "applications": apps[c.id],
        }
        if see_contacts:
            row["name"] = names.get(c.id)
        out.append(row)
    return out


def candidate_view(
    session: Session, pseudonym: str, *, see_contacts: bool = False
) -> dict[str, Any]:
    """Everything about one candidate: resumes (masked text), applications, stage history,
    match scores, decisions and notes (newest first); the contact only when ``see_contacts``.

    Raises ``NotFoundError`` for an unknown pseudonym.
    """
    cand = session.scalar(select(Candidate).where(Candidate.pseudonym == pseudonym))
    if cand is None:
        raise NotFoundError(f"no candidate with the pseudonym {pseudonym!r}")
    roles = {r.id: r for r in session.scalars(select(Role))}
    resumes = list(
        session.scalars(select(Resume).where(Resume.candidate_id == cand.id).order_by(Resume.id))
    )
    resume_ids = [r.id for r in resumes]
    applications = list(
        session.scalars(
            select(Application).where(Application.candidate_id == cand.id).order_by(Application.id)
        )
    )
    app_role = {a.id: roles[a.role_id].key for a in applications}
    events = list(
        session.scalars(
            select(StageEvent)
            .where(StageEvent.application_id.in_(list(app_role) or [-1]))
            .order_by(StageEvent.at, StageEvent.id)
        )
    )
    scores = list(
        session.scalars(
            select(MatchScore)
            .where(MatchScore.resume_id.in_(resume_ids or [-1]))
            .order_by(MatchScore.run_id.desc(), MatchScore.rank)
        )
    )
    decisions = list(
        session.scalars(
            select(Feedback).where(Feedback.resume_id.in_(resume_ids or [-1])).order_by(Feedback.id)
        )
    )
    contact = None
    if see_contacts and cand.contact is not None:
        contact = {
            "name": cand.contact.name,
            "email": cand.contact.email,
            "phone": cand.contact.phone,
        }
    return {
        "pseudonym": cand.pseudonym,
        "country": cand.country,
        "channel": cand.source_channel,
        "contact": contact,
        "resumes": [
            {"id": r.id, "file_name": r.file_name, "language": r.language, "text": r.text}
            for r in resumes
        ],
        "applications": [
            {
                "id": a.id,
                "role": app_role[a.id],
                "stage": a.current_stage,
                "status": a.status,
                "applied_at": a.applied_at,
            }
            for a in applications
        ],
        "events": [
            {
                "role": app_role[e.application_id],
                "from": e.from_stage,
                "to": e.to_stage,
                "at": e.at,
                "actor": e.actor,
                "outcome": e.outcome,
            }
            for e in events
        ],
        "scores": [
            {"run": m.run_id, "role": roles[m.role_id].key, "score": m.score, "rank": m.rank}
            for m in scores
        ],
        "decisions": [
            {
                "role": roles[f.role_id].key,
                "reviewer": f.reviewer,
                "decision": f.decision,
                "at": f.at,
                "note": f.note,
            }
            for f in decisions
        ],
        "notes": list_notes(session, cand.id),
    }
