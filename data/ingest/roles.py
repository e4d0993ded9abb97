"""Role profiles from the user: import from CSV or YAML, list what is stored.

A role profile is a title (English, Chinese or both), a description and weighted required and
nice-to-have skills; skills are named in either language and resolved through the bilingual
taxonomy (``data.text.taxonomy``). Imports are all-or-nothing: every bad row is reported with its
file, row and field, and nothing is stored until the whole file is clean. Importing a file again
updates the roles it names (matched by ``key``). The format is documented in
``docs/roles-format.md``.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from data.errors import ImportErrors, InputError
from data.store.audit import record
from data.store.models import Role, RoleSkill, Skill
from data.store.skills import sync_skills
from data.text.csv_rows import csv_rows
from data.text.decoding import decode_text
from data.text.taxonomy import Taxonomy, load_taxonomy

COLUMNS: tuple[str, ...] = (
    "key",
    "title_en",
    "title_zh",
    "family",
    "level",
    "description",
    "required_skills",
    "nice_skills",
    "headcount",
    "is_open",
)
DEFAULT_FAMILY = "general"
DEFAULT_WEIGHT = {"required_skills": 1.0, "nice_skills": 0.5}
_LIMITS = {"key": 80, "title_en": 200, "title_zh": 200, "family": 64, "level": 32}
_TRUE = {"true", "yes", "y", "1", "open", "是"}
_FALSE = {"false", "no", "n", "0", "closed", "否"}


@dataclass(frozen=True)
class RoleProfile:
    """One checked role from an import file, its skills resolved to taxonomy keys."""

    key: str
    title_en: str
    title_zh: str
    family: str
    level: str | None
    description: str
    required: dict[str, float]
    nice: dict[str, float]
    headcount: int = 1
    is_open: bool = True


@dataclass(frozen=True)
class RoleRow:
    """A stored role as lists show it, with its skills as ``(skill key, weight)``."""

    id: int
    key: str
    title_en: str
    title_zh: str
    family: str
    level: str | None
    source: str
    is_open: bool
    headcount: int
    description: str
    required: tuple[tuple[str, float], ...] = field(default=())
    nice: tuple[tuple[str, float], ...] = field(default=())


def slugify(title: str) -> str:
    """A role key from a title: ``"Senior ML Engineer (NLP)"`` -> ``senior_ml_engineer_nlp``.

    Chinese characters are kept (``算法工程师`` stays as it is).
    """
    text = unicodedata.normalize("NFKC", title).lower()
    return re.sub(r"[^\w]+", "_", text).strip("_")[:80]


# --- reading files -------------------------------------------------------------------------


def _csv_records(text: str, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(spreadsheet row number, record); the header is row 1, so the first role is row 2."""
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    reader = csv_rows(text, name, dialect)
    header = next(reader, None)
    if not header:
        raise InputError("empty file: expected a header row with title_en or title_zh", file=name)
    columns = [h.strip().lower() for h in header]
    unknown = [c for c in columns if c and c not in COLUMNS]
    if unknown:
        raise InputError(
            f"unknown column(s) {', '.join(map(repr, unknown))}: the columns are "
            f"{', '.join(COLUMNS)}",
            file=name,
            row=1,
        )
    if "title_en" not in columns and "title_zh" not in columns:
        raise InputError("no title column: add title_en, title_zh or both", file=name, row=1)
    for row_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(columns):
            raise InputError(
                f"{len(cells)} cells but {len(columns)} columns: quote cells that "
                "contain the delimiter",
                file=name,
                row=row_no,
            )
        yield row_no, {c: v for c, v in zip(columns, cells, strict=False) if c}


def _yaml_records(text: str, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number of the role, record); accepts a list of roles or ``{roles: [...]}``."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(
            f"not valid YAML ({getattr(err, 'problem', err)}): check indentation and quotes",
            file=name,
            line=mark.line + 1 if mark else None,
        ) from None
    if isinstance(data, dict) and "roles" in data:
        data = data["roles"]
        node = next(v for k, v in node.value if k.value == "roles")  # type: ignore[union-attr]
    if not isinstance(data, list):
        raise InputError("expected a list of roles (or `roles:` followed by a list)", file=name)
    for item, item_node in zip(data, node.value, strict=True):  # type: ignore[union-attr]
        yield item_node.start_mark.line + 1, item


# --- checking records ----------------------------------------------------------------------


class _Row:
    """Collects the errors of one record, each naming the file, row (or line) and field."""

    def __init__(self, name: str, number: int, *, is_yaml: bool, errors: list[InputError]):
        self.name, self.number, self.is_yaml, self.errors = name, number, is_yaml, errors

    def error(self, message: str, fld: str | None = None) -> None:
        where = {"line": self.number} if self.is_yaml else {"row": self.number}
        self.errors.append(InputError(message, file=self.name, field=fld, **where))


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _skill_items(value: Any, fld: str, row: _Row) -> list[tuple[str, Any]]:
    """``[(name, weight or None)]`` from a CSV cell or a YAML list/mapping."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        items = []
        for part in re.split(r"[;；\n]", value):
            part = part.strip()
            if not part:
                continue
            m = re.fullmatch(r"(.*?)\s*[:：]\s*([^:：]*)", part)
            items.append((m.group(1), m.group(2)) if m else (part, None))
        return items
    if isinstance(value, dict):  # {python: 0.9, sql: 0.5}
        return [(_text(k), v) for k, v in value.items()]
    if isinstance(value, list):
        items = []
        for entry in value:
            if isinstance(entry, dict) and "skill" in entry:
                extra = set(entry) - {"skill", "weight"}
                if extra:
                    row.error(
                        f"unknown key(s) {', '.join(sorted(map(str, extra)))} in a skill: "
                        "use `skill` and `weight`",
                        fld,
                    )
                items.append((_text(entry["skill"]), entry.get("weight")))
            elif isinstance(entry, str):
                items.append((entry.strip(), None))
            else:
                row.error(
                    f"expected `{{skill: NAME, weight: 0.8}}` or a skill name, got {entry!r}", fld
                )
        return items
    row.error(f"expected a list of skills, got {type(value).__name__}", fld)
    return []


def _weights(value: Any, fld: str, row: _Row, tax: Taxonomy) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, raw in _skill_items(value, fld, row):
        if not name:
            row.error("empty skill name before a weight: write `skill:weight`", fld)
            continue
        skill = tax.lookup(name)
        if skill is None:
            row.error(
                f"unknown skill {name!r}: check spelling or add it to the taxonomy "
                "(data/reference/skills.yaml)",
                fld,
            )
            continue
        if raw is None or raw == "":
            weight = DEFAULT_WEIGHT[fld]
        else:
            try:
                weight = float(raw)
            except (TypeError, ValueError):
                row.error(
                    f"weight {raw!r} of {name!r} is not a number: use a number in (0, 1], "
                    "e.g. `python: 0.8`",
                    fld,
                )
                continue
            if not 0 < weight <= 1:
                row.error(
                    f"weight {weight:g} of {name!r} is out of range: use a number in (0, 1]", fld
                )
                continue
        if skill.key in out:
            row.error(f"skill {name!r} is listed twice", fld)
            continue
        out[skill.key] = weight
    return out


def _record_key(rec: dict[str, Any]) -> str:
    """The given key, else one made from the English (or Chinese) title."""
    lowered = {str(k).strip().lower(): v for k, v in rec.items()}
    title = _text(lowered.get("title_en")) or _text(lowered.get("title_zh"))
    return _text(lowered.get("key")) or slugify(title)


def _profile(rec: Any, row: _Row, tax: Taxonomy) -> RoleProfile | None:
    if not isinstance(rec, dict):
        row.error(f"expected a role (a mapping of fields), got {type(rec).__name__}")
        return None
    rec = {str(k).strip().lower(): v for k, v in rec.items()}
    if row.is_yaml:
        aliases = {"required": "required_skills", "nice": "nice_skills"}
        rec = {aliases.get(k, k): v for k, v in rec.items()}
        unknown = sorted(set(rec) - set(COLUMNS))
        if unknown:
            row.error(f"unknown field(s) {', '.join(unknown)}: the fields are {', '.join(COLUMNS)}")
    before = len(row.errors)
    title_en, title_zh = _text(rec.get("title_en")), _text(rec.get("title_zh"))
    if not title_en and not title_zh:
        row.error("no title: give title_en, title_zh or both", "title_en")
    key = _record_key(rec)
    if (title_en or title_zh) and not key:
        row.error("cannot make a key from the title: give a key", "key")
    values = {
        "key": key,
        "title_en": title_en,
        "title_zh": title_zh,
        "family": _text(rec.get("family")) or DEFAULT_FAMILY,
        "level": _text(rec.get("level")),
    }
    for fld, limit in _LIMITS.items():
        if len(values[fld]) > limit:
            row.error(f"{len(values[fld])} characters, more than {limit}: shorten it", fld)
    headcount = 1
    if _text(rec.get("headcount")):
        try:
            headcount = int(_text(rec.get("headcount")))
            if headcount < 1:
                raise ValueError
        except ValueError:
            row.error(f"{rec.get('headcount')!r} is not a positive whole number", "headcount")
    is_open = True
    if _text(rec.get("is_open")):
        flag = _text(rec.get("is_open")).lower()
        if flag in _TRUE:
            is_open = True
        elif flag in _FALSE:
            is_open = False
        else:
            row.error(f"{rec.get('is_open')!r} is not yes/no", "is_open")
    required = _weights(rec.get("required_skills"), "required_skills", row, tax)
    nice = _weights(rec.get("nice_skills"), "nice_skills", row, tax)
    if not required and "required_skills" not in [e.field for e in row.errors[before:]]:
        row.error(
            "no required skills: list at least one, e.g. `python: 0.8; sql: 0.5`", "required_skills"
        )
    for both in sorted(set(required) & set(nice)):
        row.error(f"skill {both!r} is both required and nice to have: keep one", "nice_skills")
    if len(row.errors) > before:
        return None
    return RoleProfile(
        key=key,
        title_en=title_en or title_zh,
        title_zh=title_zh or title_en,
        family=values["family"],
        level=values["level"] or None,
        description=_text(rec.get("description")),
        required=required,
        nice=nice,
        headcount=headcount,
        is_open=is_open,
    )


def read_roles(path: Path, *, taxonomy: Taxonomy | None = None) -> list[RoleProfile]:
    """Read and check a role file (``.csv``, ``.yaml``/``.yml``); raises on any bad row.

    Raises ``InputError`` for a file that cannot be read at all and ``ImportErrors`` listing
    every bad row otherwise.
    """
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml"):
        raise InputError(
            f"unsupported file type {suffix or '(none)'!r}: use .csv, .yaml or .yml", file=name
        )
    try:
        text = decode_text(path.read_bytes(), name, fix="save it as UTF-8 CSV or YAML").text
    except OSError as err:
        raise InputError(
            f"cannot read the file ({err.strerror or err}): check the path", file=name
        ) from None
    if not text.strip():
        raise InputError("empty file: see docs/roles-format.md for the format", file=name)
    tax = taxonomy or load_taxonomy()
    is_yaml = suffix != ".csv"
    records = _yaml_records(text, name) if is_yaml else _csv_records(text, name)
    errors: list[InputError] = []
    profiles: list[RoleProfile] = []
    seen: dict[str, int] = {}
    for number, rec in records:
        row = _Row(name, number, is_yaml=is_yaml, errors=errors)
        profile = _profile(rec, row, tax)
        key = _record_key(rec) if isinstance(rec, dict) else ""
        if key and key in seen:
            where = "line" if is_yaml else "row"
            row.error(
                f"key {key!r} already used in {where} {seen[key]}: give each role its own key",
                "key",
            )
            continue
        if key:
            seen[key] = number
        if profile is not None:
            profiles.append(profile)
    if errors:
        raise ImportErrors(errors)
    if not profiles:
        raise InputError("no roles in the file: see docs/roles-format.md", file=name)
    return profiles


# --- storing -------------------------------------------------------------------------------


def import_roles(
    session: Session, path: Path, *, actor: str, taxonomy: Taxonomy | None = None
) -> list[int]:
    """Check every role in ``path``, then upsert them all (by key); returns their ids.

    All-or-nothing: one bad row and nothing is written. One audit row per role. The caller
    commits.
    """
    tax = taxonomy or load_taxonomy()
    profiles = read_roles(path, taxonomy=tax)
    skill_ids = sync_skills(session, tax)
    keys = [p.key for p in profiles]
    existing = {
        r.key: r
        for r in session.scalars(
            select(Role).where(Role.key.in_(keys)).options(selectinload(Role.skills))
        )
    }
    ids: list[int] = []
    for p in profiles:
        role = existing.get(p.key)
        created = role is None
        if role is None:
            role = Role(key=p.key)
            session.add(role)
        role.title_en, role.title_zh = p.title_en, p.title_zh
        role.family, role.level, role.description = p.family, p.level, p.description
        role.headcount, role.is_open, role.source = p.headcount, p.is_open, "import"
        role.skills.clear()
        session.flush()
        for key, weight in p.required.items():
            role.skills.append(RoleSkill(skill_id=skill_ids[key], importance=weight, required=True))
        for key, weight in p.nice.items():
            role.skills.append(
                RoleSkill(skill_id=skill_ids[key], importance=weight, required=False)
            )
        session.flush()
        record(
            session,
            actor,
            "roles.import",
            target_type="role",
            target=p.key,
            detail={
                "file": Path(path).name,
                "created": created,
                "required": len(p.required),
                "nice": len(p.nice),
            },
        )
        ids.append(role.id)
    return ids


def list_roles(session: Session, *, open_only: bool = False) -> list[RoleRow]:
    """Every stored role (by key) with its weighted skills; two queries, however many roles."""
    stmt = select(Role).order_by(Role.key)
    if open_only:
        stmt = stmt.where(Role.is_open.is_(True))
    roles = list(session.scalars(stmt))
    skill_rows = session.execute(
        select(RoleSkill.role_id, Skill.key, RoleSkill.importance, RoleSkill.required)
        .join(Skill, Skill.id == RoleSkill.skill_id)
        .order_by(RoleSkill.role_id, RoleSkill.importance.desc(), Skill.key)
    )
    required: dict[int, list[tuple[str, float]]] = {}
    nice: dict[int, list[tuple[str, float]]] = {}
    for role_id, key, weight, is_required in skill_rows:
        (required if is_required else nice).setdefault(role_id, []).append((key, weight))
    return [
        RoleRow(
            id=r.id,
            key=r.key,
            title_en=r.title_en,
            title_zh=r.title_zh,
            family=r.family,
            level=r.level,
            source=r.source,
            is_open=r.is_open,
            headcount=r.headcount,
            description=r.description or "",
            required=tuple(required.get(r.id, ())),
            nice=tuple(nice.get(r.id, ())),
        )
        for r in roles
    ]
