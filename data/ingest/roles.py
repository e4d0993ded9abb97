"""Role profiles from the user: import from CSV or YAML, list what is stored.

A role profile is a title (English, Chinese or both), a description and weighted required and
nice-to-have skills. Skills are free text in either language, resolved through the open
vocabulary (``data.text.vocabulary``): the bilingual core, skills already stored, the ESCO list,
and otherwise a new custom skill kept with the user's own words. Two names of one skill merge
(the higher weight kept) and a skill in both lists stays required, each with a notice quoting
the user's words. Imports are all-or-nothing: every bad row is reported with its file, row and
field, and nothing is stored until the whole file is clean. Importing a file again
updates the roles it names (matched by ``key``). The format is documented in
``docs/roles-format.md``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from data.errors import ImportErrors, InputError
from data.store.audit import record
from data.store.engine import write_transaction
from data.store.models import Role, RoleSkill, Skill
from data.store.skills import add_skills, stored_extras, sync_skills
from data.text import safe_yaml
from data.text.csv_rows import OutOfRange, parse_int, read_table
from data.text.decoding import decode_text
from data.text.files import MAX_UPLOAD_BYTES, read_file
from data.text.postings import PayRange, PostingDraft, draft_problems, parse_pay, read_posting
from data.text.taxonomy import SkillDef, Taxonomy, load_taxonomy
from data.text.vocabulary import Vocabulary

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
    "pay",
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
    pay: PayRange | None = None


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
    pay: dict[str, Any] | None = None


@dataclass(frozen=True)
class Notice:
    """Something an import did that the user should know (it is not an error)."""

    message: str
    file: str | None = None
    row: int | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        return str(
            InputError(self.message, file=self.file, row=self.row, line=self.line, field=self.field)
        )


@dataclass
class RoleCheck:
    """A checked role file: its profiles, the notices, and the skills it adds to the store."""

    profiles: list[RoleProfile]
    notices: list[Notice]
    new_skills: list[SkillDef]
    names: dict[str, str] = field(default_factory=dict)
    """skill key -> the user's words for it (the first seen), for messages."""


@dataclass
class RoleImport:
    """What ``import_roles_checked`` stored."""

    ids: list[int]
    notices: list[Notice]
    new_skills: list[SkillDef]


def slugify(title: str) -> str:
    """A role key from a title: ``"Senior ML Engineer (NLP)"`` -> ``senior_ml_engineer_nlp``.

    Chinese characters are kept (``算法工程师`` stays as it is).
    """
    text = unicodedata.normalize("NFKC", title).lower()
    return re.sub(r"[^\w]+", "_", text).strip("_")[:80]


FIX = "save it as UTF-8 CSV or YAML"
MAX_HEADCOUNT = 100_000
"""Openings one role may have (a larger number is a typo, and 10**29 overflowed the store)."""


# --- reading files -------------------------------------------------------------------------


def _csv_records(raw: bytes, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(spreadsheet row number, record); the header is row 1, so the first role is row 2.

    Read by the one strict reader: RFC 4180 quoting (``""RAG""`` inside a quoted cell is
    ``"RAG"``; the dialect used to be guessed from the header and got this wrong), commas,
    semicolons or tabs as the header shows, unknown/duplicate columns and extra cells refused."""
    table = read_table(raw, name, columns=COLUMNS, delimiters=",;\t")
    if table.errors:
        raise ImportErrors(table.errors)
    if "title_en" not in table.columns and "title_zh" not in table.columns:
        raise InputError("no title column: add title_en, title_zh or both", file=name, row=1)
    yield from table.rows


def _yaml_records(text: str, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number of the role, record); accepts a list of roles or ``{roles: [...]}``.

    Read with depth, alias and expansion limits (``data.text.safe_yaml``)."""
    data, node = safe_yaml.load(text, name)
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

    def __init__(
        self,
        name: str,
        number: int,
        *,
        is_yaml: bool,
        errors: list[InputError],
        notices: list[Notice] | None = None,
    ):
        self.name, self.number, self.is_yaml, self.errors = name, number, is_yaml, errors
        self.notices: list[Notice] = notices if notices is not None else []

    def error(self, message: str, fld: str | None = None) -> None:
        where: dict[str, Any] = {"line": self.number} if self.is_yaml else {"row": self.number}
        self.errors.append(InputError(message, file=self.name, field=fld, **where))

    def notice(self, message: str, fld: str | None = None) -> None:
        where: dict[str, Any] = {"line": self.number} if self.is_yaml else {"row": self.number}
        self.notices.append(Notice(message, file=self.name, field=fld, **where))


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


def _weights(
    value: Any, fld: str, row: _Row, vocab: Vocabulary, names: dict[str, str]
) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, raw in _skill_items(value, fld, row):
        if not name:
            row.error("empty skill name before a weight: write `skill:weight`", fld)
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
        res = vocab.resolve(name)
        key = res.skill.key
        if res.how == "custom" and key not in names:
            hint = vocab.suggestion(name)
            row.notice(
                f"{res.surface!r} is not in the skill vocabulary: kept as a custom skill, found "
                "in resumes by these words" + (f" (did you mean {hint!r}?)" if hint else ""),
                fld,
            )
        if key in out:
            first = names.get(key, res.surface)
            kept = max(out[key], weight)
            same = first.casefold() == res.surface.casefold()
            row.notice(
                (
                    f"{res.surface!r} is listed twice"
                    if same
                    else f"{first!r} and {res.surface!r} name the same skill"
                    + ("" if res.how == "custom" else f" ({_label(res.skill)})")
                )
                + f": kept once, weight {kept:g}",
                fld,
            )
            out[key] = kept
            continue
        names.setdefault(key, res.surface)
        out[key] = weight
    return out


def _label(skill: SkillDef) -> str:
    """A skill as messages name it: its English name, and the Chinese one when it differs."""
    if skill.name_zh and skill.name_zh != skill.name_en:
        return f"{skill.name_en} / {skill.name_zh}"
    return skill.name_en


def _disambiguate(
    required: dict[str, float],
    req_names: dict[str, str],
    nice: dict[str, float],
    nice_names: dict[str, str],
    vocab: Vocabulary,
    row: _Row,
) -> None:
    """A name that is a skill only in some senses (``transformers`` beside switchgear) keeps
    that sense only when another skill of the role supports it; else it is the user's own."""
    keys = set(required) | set(nice)
    for weights, names, fld in (
        (required, req_names, "required_skills"),
        (nice, nice_names, "nice_skills"),
    ):
        for key in list(weights):
            surface = names.get(key)
            if surface is None:
                continue
            res = vocab.resolve_in_context(surface, keys - {key})
            if res.skill.key == key:
                continue
            row.notice(
                f"{surface!r} is kept as your own skill, not {_label(vocab.core.by_key[key])}: "
                "nothing else in this role is of that kind",
                fld,
            )
            weights[res.skill.key] = weights.pop(key)
            names[res.skill.key] = names.pop(key)


def _record_key(rec: dict[str, Any]) -> str:
    """The given key, else one made from the English (or Chinese) title."""
    lowered = {str(k).strip().lower(): v for k, v in rec.items()}
    title = _text(lowered.get("title_en")) or _text(lowered.get("title_zh"))
    return _text(lowered.get("key")) or slugify(title)


def _profile(
    rec: Any, row: _Row, vocab: Vocabulary, names: dict[str, str] | None = None
) -> RoleProfile | None:
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
            headcount = parse_int(_text(rec.get("headcount")), low=1, high=MAX_HEADCOUNT)
        except OutOfRange as err:
            row.error(f"{err}: is the headcount right?", "headcount")
        except ValueError:
            row.error(
                f"{_text(rec.get('headcount'))[:40]!r} is not a positive whole number", "headcount"
            )
    is_open = True
    if _text(rec.get("is_open")):
        flag = _text(rec.get("is_open")).lower()
        if flag in _TRUE:
            is_open = True
        elif flag in _FALSE:
            is_open = False
        else:
            row.error(f"{rec.get('is_open')!r} is not yes/no", "is_open")
    pay = None
    if _text(rec.get("pay")):
        pay = parse_pay(_text(rec.get("pay")))
        if pay is None:
            row.error(
                f"pay {_text(rec.get('pay'))!r} not understood: write a range such as "
                "`50-80K·15薪`, `20-30K` or `$150k-$180k`",
                "pay",
            )
    names = {} if names is None else names
    req_names: dict[str, str] = {}
    required = _weights(rec.get("required_skills"), "required_skills", row, vocab, req_names)
    nice_names: dict[str, str] = dict(req_names)
    nice_seen: dict[str, str] = {}
    nice_only = _weights(rec.get("nice_skills"), "nice_skills", row, vocab, nice_seen)
    nice: dict[str, float] = {}
    for sk, weight in nice_only.items():
        if sk in required:
            a, b = req_names[sk], nice_seen[sk]
            what = (
                f"{a!r} is both required and nice to have"
                if a.casefold() == b.casefold()
                else f"{a!r} (required) and {b!r} (nice to have) name the same skill"
            )
            row.notice(f"{what}: kept as required (weight {required[sk]:g})", "nice_skills")
        else:
            nice[sk] = weight
            nice_names.setdefault(sk, nice_seen[sk])
    _disambiguate(required, req_names, nice, nice_names, vocab, row)
    for k, v in nice_names.items():
        names.setdefault(k, v)
    if not required and "required_skills" not in [e.field for e in row.errors[before:]]:
        row.error(
            "no required skills: list at least one, e.g. `python: 0.8; sql: 0.5`", "required_skills"
        )
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
        pay=pay,
    )


def _read_text(path: Path, max_bytes: int = MAX_UPLOAD_BYTES) -> tuple[str, str, bool]:
    """(name, text, is_yaml) of a role file; refuses unknown types, unreadable or empty files."""
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml"):
        raise InputError(
            f"unsupported file type {suffix or '(none)'!r}: use .csv, .yaml or .yml", file=name
        )
    raw = read_file(path, max_bytes=max_bytes)
    is_yaml = suffix != ".csv"
    text = decode_text(raw.replace(b"\x00", b"") if not is_yaml else raw, name, fix=FIX).text
    if not text.strip():
        raise InputError("empty file: see docs/roles-format.md for the format", file=name)
    return name, text, suffix != ".csv"


def check_records(
    records: Iterator[tuple[int, Any]] | list[tuple[int, Any]],
    name: str,
    *,
    is_yaml: bool,
    vocabulary: Vocabulary,
) -> RoleCheck:
    """Check role records (``(row or line number, mapping)``) however they were read.

    Raises ``ImportErrors`` listing every bad row; otherwise returns the profiles, the
    notices (custom skills, merged names, skills in both lists) and the new skills to store.
    """
    errors: list[InputError] = []
    notices: list[Notice] = []
    profiles: list[RoleProfile] = []
    names: dict[str, str] = {}
    seen: dict[str, int] = {}
    for number, rec in records:
        row = _Row(name, number, is_yaml=is_yaml, errors=errors, notices=notices)
        profile = _profile(rec, row, vocabulary, names)
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
    return RoleCheck(profiles, notices, vocabulary.new_skills, names)


def check_roles(
    path: Path, *, taxonomy: Taxonomy | None = None, vocabulary: Vocabulary | None = None
) -> RoleCheck:
    """Read and check a role file (``.csv``, ``.yaml``/``.yml``); raises on any bad row.

    Raises ``InputError`` for a file that cannot be read at all and ``ImportErrors`` listing
    every bad row otherwise.
    """
    name, text, is_yaml = _read_text(path)
    vocab = vocabulary or Vocabulary(taxonomy or load_taxonomy())
    records = _yaml_records(text, name) if is_yaml else _csv_records(text.encode(), name)
    return check_records(records, name, is_yaml=is_yaml, vocabulary=vocab)


def read_roles(path: Path, *, taxonomy: Taxonomy | None = None) -> list[RoleProfile]:
    """The checked profiles of a role file (see ``check_roles``)."""
    return check_roles(path, taxonomy=taxonomy).profiles


# --- storing -------------------------------------------------------------------------------


def store_vocabulary(session: Session, taxonomy: Taxonomy | None = None) -> Vocabulary:
    """The open vocabulary over the core taxonomy and the skills the store already holds."""
    return Vocabulary(taxonomy or load_taxonomy(), stored=stored_extras(session))


def save_profiles(
    session: Session,
    check: RoleCheck,
    *,
    actor: str,
    file: str,
    taxonomy: Taxonomy | None = None,
    source: str = "import",
) -> list[int]:
    """Upsert checked profiles (by key) and the skills they add; one audit row per role."""
    tax = taxonomy or load_taxonomy()
    skill_ids = sync_skills(session, tax)
    skill_ids.update(add_skills(session, check.new_skills))
    missing = {k for p in check.profiles for k in (*p.required, *p.nice)} - set(skill_ids)
    if missing:
        for row in session.scalars(select(Skill).where(Skill.key.in_(sorted(missing)))):
            skill_ids[row.key] = row.id
    keys = [p.key for p in check.profiles]
    existing = {
        r.key: r
        for r in session.scalars(
            select(Role).where(Role.key.in_(keys)).options(selectinload(Role.skills))
        )
    }
    ids: list[int] = []
    for p in check.profiles:
        role = existing.get(p.key)
        created = role is None
        if role is None:
            role = Role(key=p.key)
            session.add(role)
        role.title_en, role.title_zh = p.title_en, p.title_zh
        role.family, role.level, role.description = p.family, p.level, p.description
        role.headcount, role.is_open, role.source = p.headcount, p.is_open, source
        role.pay = p.pay.to_json() if p.pay is not None else None
        role.skills.clear()
        session.flush()
        for key, weight in p.required.items():
            role.skills.append(RoleSkill(skill_id=skill_ids[key], importance=weight, required=True))
        for key, weight in p.nice.items():
            role.skills.append(
                RoleSkill(skill_id=skill_ids[key], importance=weight, required=False)
            )
        session.flush()
        custom = [k for k in (*p.required, *p.nice) if k.startswith("custom_")]
        record(
            session,
            actor,
            "roles.import",
            target_type="role",
            target=p.key,
            detail={
                "file": file,
                "created": created,
                "required": len(p.required),
                "nice": len(p.nice),
                "custom_skills": len(custom),
            },
        )
        ids.append(role.id)
    return ids


def import_roles_checked(
    session: Session, path: Path, *, actor: str, taxonomy: Taxonomy | None = None
) -> RoleImport:
    """Check every role in ``path``, then upsert them all (by key) with the skills they add.

    All-or-nothing: one bad row and nothing is written. Returns the ids, the notices and the
    new (ESCO or custom) skills. The caller commits.
    """
    tax = taxonomy or load_taxonomy()
    check = check_roles(path, vocabulary=store_vocabulary(session, tax))
    ids = save_profiles(session, check, actor=actor, file=Path(path).name, taxonomy=tax)
    return RoleImport(ids, check.notices, check.new_skills)


def import_roles_file(
    engine: Engine,
    path: Path,
    *,
    actor: str,
    taxonomy: Taxonomy | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> RoleImport:
    """``import_roles_checked`` safe beside other writers: the file is read, parsed and
    checked with no transaction open (against a snapshot of the store's skills, read in a
    short read-only session), then stored in one short write transaction, retried when the
    database is busy. Storing is an upsert by key, so the same file imported twice at once
    ends as one copy of each role; the writes of role imports never overlap (``exclusive``),
    so two imports replacing one role's skills do not interleave."""
    tax = taxonomy or load_taxonomy()
    name, text, is_yaml = _read_text(path, max_bytes)
    records = list(_yaml_records(text, name) if is_yaml else _csv_records(text.encode(), name))
    with Session(engine) as s:
        vocab = store_vocabulary(s, tax)
    check = check_records(records, name, is_yaml=is_yaml, vocabulary=vocab)

    def store(session: Session) -> list[int]:
        return save_profiles(session, check, actor=actor, file=name, taxonomy=tax)

    ids = write_transaction(engine, store, exclusive="roles.import")
    return RoleImport(ids, check.notices, check.new_skills)


def import_roles(
    session: Session, path: Path, *, actor: str, taxonomy: Taxonomy | None = None
) -> list[int]:
    """``import_roles_checked`` returning just the role ids."""
    return import_roles_checked(session, path, actor=actor, taxonomy=taxonomy).ids


# --- job postings ---------------------------------------------------------------------------


def posting_text(data: bytes, file_name: str) -> str:
    """The text of an uploaded posting (.txt, .md, .pdf or .docx), decoded like a resume."""
    from data.text.resume_files import parse_bytes

    return parse_bytes(data, file_name).text


def draft_from_posting(text: str, *, name: str, taxonomy: Taxonomy | None = None) -> PostingDraft:
    """A role-profile draft read from one posting; raises ``InputError`` naming the file when
    the posting yields no title or no skill (nothing is drafted, nothing stored)."""
    if not text.strip():
        raise InputError("empty posting: paste or upload the job posting's text", file=name)
    draft = read_posting(text, taxonomy or load_taxonomy())
    problems = draft_problems(draft)
    if problems:
        raise InputError("; ".join(problems) + "; nothing was saved", file=name)
    return draft


def save_role_record(
    session: Session,
    record: dict[str, Any],
    *,
    actor: str,
    name: str = "posting",
    taxonomy: Taxonomy | None = None,
) -> RoleImport:
    """Check and store one reviewed role record (a draft after the user's edits).

    The record has the fields of the roles file format; it goes through the same checks and
    the same open vocabulary as an imported file. Raises ``ImportErrors`` on any bad field.
    """
    tax = taxonomy or load_taxonomy()
    check = check_records(
        [(1, record)], name, is_yaml=True, vocabulary=store_vocabulary(session, tax)
    )
    ids = save_profiles(session, check, actor=actor, file=name, taxonomy=tax, source="posting")
    return RoleImport(ids, check.notices, check.new_skills)


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
            pay=r.pay,
        )
        for r in roles
    ]
