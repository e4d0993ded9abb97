"""Skills analytics: the role × skill matrix, demand (open roles) against supply (resumes),
a role's profile, and the strategy documents' map of roles, skills and strategies.

Supply needs the taxonomy run over every resume text, which is too slow to repeat per page
view on a real store; :func:`skill_supply` keeps an incremental index on disk (counts per
country × channel × skill) and only reads resumes added since the last run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics.filters import Filters
from data.store.models import (
    Candidate,
    Document,
    Extraction,
    Resume,
    Role,
    RoleSkill,
    Skill,
)

Lang = Literal["en", "zh"]
ProgressFn = Callable[[int, int], None]
_SEP = "\x1f"


def _skill_names(session: Session, lang: Lang) -> dict[str, str]:
    col = Skill.name_zh if lang == "zh" else Skill.name_en
    return {k: (n or k) for k, n in session.execute(select(Skill.key, col))}


def role_skill_matrix(
    session: Session,
    filters: Filters,
    *,
    lang: Lang = "en",
    open_only: bool = False,
    max_skills: int | None = None,
) -> pd.DataFrame:
    """Importance of each skill (columns) for each role (rows); 0 where a role does not ask
    for it. Rows and columns use display names in ``lang``.

    Skills are chosen by demand (open roles' headcount × importance, as in
    :func:`skill_demand`; all listed roles when none is open), by skill key, so both languages
    show the same skills; ``max_skills`` keeps that many, and every role's most important skill
    is kept even past that count, so no row loses its top skill."""
    title = Role.title_zh if lang == "zh" else Role.title_en
    name = Skill.name_zh if lang == "zh" else Skill.name_en
    stmt = (
        select(Role.key, title, Skill.key, name, RoleSkill.importance, Role.headcount, Role.is_open)
        .join(RoleSkill, RoleSkill.role_id == Role.id)
        .join(Skill, Skill.id == RoleSkill.skill_id)
    )
    if filters.roles:
        stmt = stmt.where(Role.key.in_(filters.roles))
    if open_only:
        stmt = stmt.where(Role.is_open.is_(True))
    long = pd.DataFrame(
        session.execute(stmt).all(),
        columns=["role_key", "role", "skill_key", "skill", "importance", "headcount", "open"],
    )
    if long.empty:
        return pd.DataFrame()
    long["skill"] = long["skill"].fillna(long["skill_key"])
    basis = long[long["open"].astype(bool)] if long["open"].astype(bool).any() else long
    demand = (
        (basis["headcount"].fillna(1) * basis["importance"])
        .groupby(basis["skill_key"])
        .sum()
        .reindex(long["skill_key"].unique(), fill_value=0.0)
    )
    order = sorted(demand.index, key=lambda k: (-float(demand[k]), k))
    rank = {k: i for i, k in enumerate(order)}
    tops = (
        long.assign(r=long["skill_key"].map(rank))
        .sort_values(["role_key", "importance", "r"], ascending=[True, False, True])
        .groupby("role_key")["skill_key"]
        .first()
    )
    keep = set(tops) | set(order[: max_skills if max_skills else len(order)])
    cols = [k for k in order if k in keep]
    m = long.pivot_table(
        index="role", columns="skill_key", values="importance", aggfunc="max", fill_value=0.0
    )[cols]
    names = long.drop_duplicates("skill_key").set_index("skill_key")["skill"]
    labels = [str(names[k]) for k in cols]
    dup = {x for x in labels if labels.count(x) > 1}
    m.columns = [f"{n} ({k})" if n in dup else n for n, k in zip(labels, cols, strict=True)]
    m.columns.name = "skill"
    return m


def skill_count(session: Session, filters: Filters) -> int:
    """Distinct skills the (filtered) roles ask for: the most the matrix can show."""
    stmt = select(func.count(func.distinct(RoleSkill.skill_id))).join(
        Role, Role.id == RoleSkill.role_id
    )
    if filters.roles:
        stmt = stmt.where(Role.key.in_(filters.roles))
    return int(session.scalar(stmt) or 0)


def skill_demand(session: Session, filters: Filters) -> pd.DataFrame:
    """Per skill: ``roles`` (open roles asking for it) and ``demand`` (sum over those roles of
    headcount × importance). ``attrs["headcount"]`` holds the open roles' total headcount."""
    stmt = (
        select(Skill.key, func.count(Role.id), func.sum(Role.headcount * RoleSkill.importance))
        .join(RoleSkill, RoleSkill.skill_id == Skill.id)
        .join(Role, Role.id == RoleSkill.role_id)
        .where(Role.is_open.is_(True))
        .group_by(Skill.key)
    )
    heads = select(func.sum(Role.headcount)).where(Role.is_open.is_(True))
    if filters.roles:
        stmt = stmt.where(Role.key.in_(filters.roles))
        heads = heads.where(Role.key.in_(filters.roles))
    df = pd.DataFrame(session.execute(stmt).all(), columns=["skill", "roles", "demand"])
    df["demand"] = df["demand"].astype(float)
    df.attrs["headcount"] = float(session.scalar(heads) or 0)
    return df


def _index_meta(session: Session) -> tuple[int, int]:
    n, hi = session.execute(select(func.count(Resume.id), func.max(Resume.id))).one()
    return int(n or 0), int(hi or 0)


def update_supply_index(
    session: Session,
    keys_in: Callable[[str], set[str]],
    path: Path,
    *,
    fingerprint: str = "",
    batch: int = 2000,
    progress: ProgressFn | None = None,
) -> dict:
    """Bring the on-disk supply index at ``path`` up to date and return it.

    The index holds, per ``country␟channel`` group, the number of resumes and the number
    naming each skill. Resumes added since the last run are read in batches; a change of
    ``fingerprint`` (the taxonomy) or a removed resume rebuilds it from scratch.
    """
    count, hi = _index_meta(session)
    idx: dict | None = None
    if path.exists():
        try:
            idx = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            idx = None
    if idx is not None:
        same_base = idx.get("fingerprint") == fingerprint and session.scalar(
            select(func.count(Resume.id)).where(Resume.id <= idx.get("max_id", 0))
        ) == idx.get("count")
        if not same_base:
            idx = None
    if idx is None:
        idx = {"fingerprint": fingerprint, "max_id": 0, "count": 0, "totals": {}, "counts": {}}
    if idx["max_id"] >= hi:
        return idx
    todo = session.scalar(select(func.count(Resume.id)).where(Resume.id > idx["max_id"])) or 0
    done = 0
    last = idx["max_id"]
    while True:
        rows = session.execute(
            select(Resume.id, Resume.text, Candidate.country, Candidate.source_channel)
            .outerjoin(Candidate, Candidate.id == Resume.candidate_id)
            .where(Resume.id > last)
            .order_by(Resume.id)
            .limit(batch)
        ).all()
        if not rows:
            break
        for rid, text, country, channel in rows:
            g = f"{country or ''}{_SEP}{channel or ''}"
            idx["totals"][g] = idx["totals"].get(g, 0) + 1
            counts = idx["counts"].setdefault(g, {})
            for k in keys_in(text or ""):
                counts[k] = counts.get(k, 0) + 1
            last = rid
        done += len(rows)
        if progress:
            progress(done, todo)
    idx["max_id"], idx["count"] = last, idx["count"] + done
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(idx), encoding="utf-8")
    tmp.replace(path)
    return idx


def _region_of(iso2: str) -> str | None:
    """The world region of a country code (the supply index groups by country only)."""
    from data.reference import load_countries

    c = load_countries().get(iso2)
    return c.region if c else None


def supply_index_path(cache_dir: Path, url: str) -> Path:
    """Where the resume skill index of the store at ``url`` lives in ``cache_dir``."""
    import hashlib

    name = hashlib.sha256(url.encode()).hexdigest()[:12]
    return Path(cache_dir) / f"skill-supply-{name}.json"


def refresh_supply_index(
    session: Session, cache_dir: Path, url: str, *, progress: ProgressFn | None = None
) -> dict:
    """Bring the store's resume skill index up to date with the bundled taxonomy.

    Front ends call this after bulk imports (``talentmap demo``) so the first dashboard view
    does not have to build it.
    """
    import hashlib

    from data.text.taxonomy import DEFAULT_PATH, load_taxonomy

    fingerprint = (
        hashlib.sha256(DEFAULT_PATH.read_bytes()).hexdigest()[:16]
        if DEFAULT_PATH.exists()
        else "none"
    )
    return update_supply_index(
        session,
        load_taxonomy().keys_in,
        supply_index_path(cache_dir, url),
        fingerprint=fingerprint,
        progress=progress,
    )


def skill_supply(index: dict, filters: Filters) -> tuple[pd.DataFrame, int]:
    """Resumes naming each skill, within the filter's countries, regions and channels (the date and
    role filters do not apply to resumes). Returns ``(DataFrame[skill, resumes], total)``."""
    total, counts = 0, {}
    for g, n in index["totals"].items():
        country, channel = g.split(_SEP)
        if filters.countries and country not in filters.countries:
            continue
        if filters.regions and _region_of(country) not in filters.regions:
            continue
        if filters.channels and channel not in filters.channels:
            continue
        total += n
        for k, c in index["counts"].get(g, {}).items():
            counts[k] = counts.get(k, 0) + c
    df = pd.DataFrame(sorted(counts.items()), columns=["skill", "resumes"])
    return df, total


def skill_gaps(
    session: Session,
    demand: pd.DataFrame,
    supply: pd.DataFrame,
    total_resumes: int,
    *,
    lang: Lang = "en",
) -> pd.DataFrame:
    """Demand against supply per skill, biggest gap first.

    Both sides are shares of comparable wholes (the metric layer's ``skill_gap``):
    ``demand_share`` is the share of open positions that need the skill, weighted by how much
    (Σ headcount × importance over the open roles asking for it ÷ their total headcount);
    ``supply_share`` is the share of resumes (within the country/region/channel filters) that
    name it; ``gap`` = demand_share − supply_share (positive: scarcer in the pool than in the
    openings). A skill most resumes name (Python in 59 % of them) is not a gap however many
    roles ask for it. ``coverage`` equals ``supply_share`` (kept for the table).
    """
    df = pd.merge(demand, supply, on="skill", how="outer").fillna(
        {"roles": 0, "demand": 0.0, "resumes": 0}
    )
    heads = float(demand.attrs.get("headcount") or 0)
    df["demand_share"] = df["demand"] / heads if heads else 0.0
    df["supply_share"] = df["resumes"] / total_resumes if total_resumes else 0.0
    df["coverage"] = df["supply_share"]
    df["gap"] = df["demand_share"] - df["supply_share"]
    names = _skill_names(session, lang)
    df["name"] = df["skill"].map(lambda k: names.get(k, k))
    df = df[df["demand"] > 0] if (df["demand"] > 0).any() else df
    df[["roles", "resumes"]] = df[["roles", "resumes"]].astype(int)
    return df.sort_values(["gap", "skill"], ascending=[False, True]).reset_index(drop=True)[
        [
            "skill",
            "name",
            "roles",
            "demand",
            "resumes",
            "coverage",
            "demand_share",
            "supply_share",
            "gap",
        ]
    ]


def role_profile(session: Session, role_key: str, *, lang: Lang = "en") -> dict:
    """One role: its fields and its skills (name, importance, required), most important first.

    Raises ``NotFoundError`` for an unknown key."""
    from data.errors import NotFoundError

    role = session.scalar(select(Role).where(Role.key == role_key))
    if role is None:
        raise NotFoundError(f"no role with key {role_key!r}: pick one from the list")
    name = Skill.name_zh if lang == "zh" else Skill.name_en
    skills = pd.DataFrame(
        session.execute(
            select(Skill.key, name, RoleSkill.importance, RoleSkill.required)
            .join(RoleSkill, RoleSkill.skill_id == Skill.id)
            .where(RoleSkill.role_id == role.id)
            .order_by(RoleSkill.importance.desc(), Skill.key)
        ).all(),
        columns=["key", "skill", "importance", "required"],
    )
    return {
        "key": role.key,
        "title": role.title_zh if lang == "zh" else role.title_en,
        "family": role.family,
        "level": role.level,
        "is_open": role.is_open,
        "headcount": role.headcount,
        "opened_at": role.opened_at,
        "source": role.source,
        "description": role.description,
        "csco_code": role.csco_code,
        "skills": skills,
    }


def document_map(
    session: Session, kinds: tuple[str, ...] = ("role", "skill", "strategy")
) -> pd.DataFrame:
    """Items extracted from strategy documents, with provenance (file and line span)."""
    rows = session.execute(
        select(
            Extraction.kind,
            Extraction.label,
            Extraction.canonical_key,
            Extraction.category,
            Document.file_name,
            Extraction.line_start,
            Extraction.line_end,
            Extraction.text,
        )
        .join(Document, Document.id == Extraction.document_id)
        .where(Extraction.kind.in_(kinds))
        .order_by(Extraction.kind, Document.file_name, Extraction.line_start)
    ).all()
    return pd.DataFrame(
        rows,
        columns=[
            "kind",
            "label",
            "canonical_key",
            "category",
            "document",
            "line_start",
            "line_end",
            "text",
        ],
    )
