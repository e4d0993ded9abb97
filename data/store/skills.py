"""The skills table, kept in step with the skill taxonomy."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.store.models import Skill
from data.text.taxonomy import Taxonomy


def sync_skills(session: Session, taxonomy: Taxonomy) -> dict[str, int]:
    """Upsert every taxonomy skill into ``skills`` (by key); returns key -> id.

    Rows whose key left the taxonomy are kept (other tables may point at them). Idempotent:
    a second call changes nothing. The caller's action records the audit row.
    """
    existing = {s.key: s for s in session.scalars(select(Skill))}
    for sd in taxonomy.skills:
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
    return {k: existing[k].id for k in taxonomy.by_key}
