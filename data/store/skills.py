"""The skills table: the curated taxonomy plus the ESCO and custom skills users' roles added.

Custom skills (category ``custom``) keep the user's surface forms in ``aliases``; ESCO ones
(category ``esco``) carry their ESCO URI. ``store_taxonomy`` puts them behind the curated core,
so they are found in resumes like any other skill.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.store.models import Skill
from data.text.taxonomy import SkillDef, Taxonomy, load_taxonomy
from data.text.vocabulary import CUSTOM_CATEGORY, ESCO_CATEGORY

EXTRA_CATEGORIES = (ESCO_CATEGORY, CUSTOM_CATEGORY)


def sync_skills(session: Session, taxonomy: Taxonomy) -> dict[str, int]:
    """Upsert every curated taxonomy skill into ``skills`` (by key); returns key -> id.

    Rows whose key left the taxonomy are kept (other tables may point at them). Idempotent:
    a second call changes nothing. ESCO and custom skills are left to ``add_skills``. The
    caller's action records the audit row.
    """
    existing = {s.key: s for s in session.scalars(select(Skill))}
    for sd in taxonomy.skills:
        if sd.source != "core":
            continue
        values = {
            "name_en": sd.name_en,
            "name_zh": sd.name_zh,
            "category": sd.category,
            "aliases": list(sd.aliases),
            "esco_uri": sd.esco_uri,
        }
        row = existing.get(sd.key)
        if row is None:
            row = Skill(key=sd.key, **values)
            session.add(row)
            existing[sd.key] = row
        else:
            for attr, v in values.items():
                if getattr(row, attr) != v:
                    setattr(row, attr, v)
    session.flush()
    return {k: existing[k].id for k in taxonomy.by_key if k in existing}


def add_skills(session: Session, skills: Iterable[SkillDef]) -> dict[str, int]:
    """Store ESCO or custom skills a user's names created; a known key gains new forms.

    Returns key -> id for the skills given.
    """
    wanted = {s.key: s for s in skills}
    if not wanted:
        return {}
    existing = {
        r.key: r for r in session.scalars(select(Skill).where(Skill.key.in_(sorted(wanted))))
    }
    for key, sd in wanted.items():
        forms = [f for f in (sd.name_en, *sd.aliases) if f]
        row = existing.get(key)
        if row is None:
            row = Skill(
                key=key,
                name_en=sd.name_en[:200],
                name_zh=(sd.name_zh or sd.name_en)[:200],
                category=sd.category,
                aliases=list(dict.fromkeys(forms[1:])),
                esco_uri=sd.esco_uri,
            )
            session.add(row)
            existing[key] = row
        else:
            have = [row.name_en, *(row.aliases or [])]
            more = [f for f in forms if f.casefold() not in {h.casefold() for h in have}]
            if more:
                row.aliases = [*(row.aliases or []), *more]
    session.flush()
    return {k: existing[k].id for k in wanted}


def stored_extras(session: Session) -> list[SkillDef]:
    """The ESCO and custom skills the store holds, as taxonomy skills (oldest first)."""
    rows = session.scalars(
        select(Skill).where(Skill.category.in_(EXTRA_CATEGORIES)).order_by(Skill.id)
    )
    return [
        SkillDef(
            key=r.key,
            name_en=r.name_en,
            name_zh=r.name_zh or r.name_en,
            category=r.category,
            aliases=tuple(str(a) for a in (r.aliases or [])),
            esco_uri=r.esco_uri,
            source=r.category,
        )
        for r in rows
    ]


def store_taxonomy(session: Session, base: Taxonomy | None = None) -> Taxonomy:
    """The curated taxonomy followed by the store's ESCO and custom skills (for matching)."""
    return (base or load_taxonomy()).extended(stored_extras(session))
