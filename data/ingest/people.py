"""Import your own candidates and stage events from CSV files (formats: docs/import-formats.md).

Both imports work in two passes:

1. **check** (``check_candidates``, ``check_events``): read the file and validate every row
   (columns, codes, dates, duplicates, references to the store) and collect every problem as
   an ``InputError`` naming file, row and field; if there is any, raise ``ImportErrors``
   before anything is written;
2. **store** the rows (upsert: candidates by ``external_id``, events by
   ``(application, to_stage, at)``) and add one audit row.

``import_candidates_file`` and ``import_events_file`` (the CLI's) do the first pass with no
transaction open and the second in one short write transaction, so a long file never holds
the database's write lock while it is read (``data.store.engine.write_transaction``).
``import_candidates`` and ``import_events`` do both in the caller's transaction. Rows are
numbered as a spreadsheet shows them: the header is row 1, the first data row is row 2. Any
failure, even half-way through storing, rolls everything back. Importing the same file twice
changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data.errors import ImportErrors, InputError, NotFoundError
from data.reference import (
    EEO1_ETHNICITIES,
    SEXES,
    SOURCE_CHANNELS,
    RoleSpec,
    load_roles,
    resolve_country,
)
from data.reference.stages import STAGES, map_stage, stage_label
from data.store.audit import record
from data.store.engine import lock_writes, write_transaction
from data.store.models import (
    Application,
    Candidate,
    CandidateContact,
    CandidateDemographics,
    Pipeline,
    PipelineStage,
    Role,
    RoleSkill,
    StageEvent,
)
from data.store.pseudonyms import new_pseudonym
from data.text.csv_rows import ImplausibleDate, check_date, read_table
from data.text.files import MAX_UPLOAD_BYTES, read_file

ProgressFn = Callable[[int, int], None]

CANDIDATE_COLUMNS: dict[str, str] = {
    "external_id": "required, unique in the file: your identifier of the person (ATS id)",
    "name": "full name (kept with contact details, never shown to a model)",
    "email": "e-mail address",
    "phone": "phone number",
    "country": "ISO 3166 alpha-2 or alpha-3 code, or the English or Chinese country name",
    "region": "world region; default: the country's region",
    "source_channel": "one of " + ", ".join(SOURCE_CHANNELS) + ", other",
    "sex": "self-reported: Female or Male; empty = not disclosed",
    "ethnicity": "self-reported EEO-1 category ("
    + "; ".join(EEO1_ETHNICITIES)
    + "); empty = not disclosed",
    "role": "role key or title (English or Chinese): opens an application for that role",
    "applied_at": "ISO date or date-time of the application (default: the import time)",
}
EVENT_COLUMNS: dict[str, str] = {
    "external_id": "required: the candidate's external_id (import candidates first)",
    "role": "required: role key or title (English or Chinese)",
    "to_stage": "required: canonical stage key ("
    + ", ".join(STAGES)
    + ") or a stage label in English or Chinese (e.g. 简历筛选)",
    "at": "required: ISO date or date-time (2025-03-01 or 2025-03-01T14:30)",
    "from_stage": "previous stage (same forms as to_stage); empty for the first event",
    "actor": "who moved the candidate",
    "outcome": "pass, fail or empty (fail at a stage = rejected there)",
}
MAX_CHARS: dict[str, int] = {"name": 200, "email": 200, "phone": 64, "region": 32, "actor": 64}
"""Free-text columns and the store's limits (PostgreSQL refuses longer values)."""
REQUIRED_CANDIDATE = ("external_id",)
REQUIRED_EVENT = ("external_id", "role", "to_stage", "at")
POST_HIRE = set(STAGES[STAGES.index("onboarding") :])
PEOPLE_WRITES = "people.write"
"""The lock (``data.store.engine.lock_writes``) taken by candidate and event imports and stage
moves: applications and stage events have no unique key to stop two of them storing one
thing twice."""


@dataclass
class ImportResult:
    """What an import did."""

    file: str
    rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    applications_created: int = 0
    details: dict[str, Any] = field(default_factory=dict)


# --- reading and validating ----------------------------------------------------------------


def read_csv(
    path: Path,
    columns: dict[str, str],
    required: Iterable[str],
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> tuple[list[tuple[int, dict[str, str]]], list[InputError]]:
    """Rows of ``path`` as (row number, {column: stripped value}) plus header errors, read by
    the one strict reader (``data.text.csv_rows.read_table``): size-limited before reading,
    decoded as every importer decodes, unknown/duplicate columns, extra cells, NUL characters
    and over-long cells refused with file, row and field."""
    raw = read_file(Path(path), max_bytes=max_bytes)
    table = read_table(
        raw, path.name, columns=columns, required=list(required), max_chars=MAX_CHARS
    )
    return table.rows, table.errors


def parse_when(value: str) -> dt.datetime:
    """An ISO date or date-time as a naive UTC datetime; ValueError otherwise."""
    v = value.strip()
    if not v:
        raise ValueError("empty")
    when = dt.datetime.fromisoformat(v)
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    check_date(when)  # ImplausibleDate (a ValueError) for a year 9999
    return when


def _bad_date(value: str, err: ValueError) -> str:
    if isinstance(err, ImplausibleDate):
        return str(err)
    return f"bad date {value!r}; use ISO 8601 (2025-03-01 or 2025-03-01T14:30)"


def _choice(value: str, options: Iterable[str]) -> str | None:
    v = value.strip().casefold()
    for o in options:
        if o.casefold() == v:
            return o
    return None


_SEX_ALIASES = {
    "f": "Female",
    "m": "Male",
    "woman": "Female",
    "man": "Male",
    "女": "Female",
    "男": "Male",
}


class _Roles:
    """Resolves a role key or title to a role id, creating reference roles on first use."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self.index: dict[str, int] = {}
        for r in session.scalars(select(Role)):
            for k in (r.key, r.title_en, r.title_zh):
                self.index.setdefault(k.casefold(), r.id)
        self.reference: dict[str, RoleSpec] = {}
        for spec in load_roles():
            for k in (spec.key, spec.title_en, spec.title_zh):
                self.reference.setdefault(k.casefold(), spec)

    def known(self, text_: str) -> bool:
        k = text_.strip().casefold()
        return k in self.index or k in self.reference

    def id_of(self, text_: str) -> int:
        k = text_.strip().casefold()
        if k in self.index:
            return self.index[k]
        spec = self.reference[k]
        from data.store.skills import sync_skills
        from data.text.taxonomy import load_taxonomy

        ids = sync_skills(self.s, load_taxonomy())
        role = Role(
            key=spec.key,
            title_en=spec.title_en,
            title_zh=spec.title_zh,
            family=spec.family,
            level=spec.level,
            description=spec.description,
            source="import",
            opened_at=dt.date.today(),
        )
        for key, weight in spec.required.items():
            role.skills.append(RoleSkill(skill_id=ids[key], importance=weight, required=True))
        for key, weight in spec.nice.items():
            role.skills.append(RoleSkill(skill_id=ids[key], importance=weight, required=False))
        self.s.add(role)
        self.s.flush()
        for k2 in (spec.key, spec.title_en, spec.title_zh):
            self.index[k2.casefold()] = role.id
        return role.id


def _unknown_role(value: str) -> str:
    keys = ", ".join(s.key for s in load_roles())
    return (
        f"unknown role {value!r}: use a role key or title of the store or of the "
        f"reference roles ({keys})"
    )


def canonical_pipeline(session: Session) -> int:
    """The id of the canonical nine-stage pipeline, created when missing."""
    pid = session.scalar(
        select(Pipeline.id).where(Pipeline.source == "canonical").order_by(Pipeline.id).limit(1)
    )
    if pid is not None:
        return pid
    pipe = Pipeline(name="Canonical talent pipeline / 标准人才管道", source="canonical")
    for pos, key in enumerate(STAGES, start=1):
        pipe.stages.append(
            PipelineStage(position=pos, label=stage_label(key, "en"), canonical_key=key)
        )
    session.add(pipe)
    session.flush()
    return pipe.id


def _candidate_values(
    n: int, row: dict[str, str], file: str, roles: _Roles, errors: list[InputError]
) -> dict[str, Any]:
    """Validated values of one candidates row (errors appended, never raised)."""
    out: dict[str, Any] = {"external_id": row.get("external_id", "")}
    if not out["external_id"]:
        errors.append(
            InputError(
                "external_id is empty; every row needs your identifier",
                file=file,
                row=n,
                field="external_id",
            )
        )
    elif len(out["external_id"]) > 120:
        errors.append(
            InputError(
                "external_id is longer than 120 characters", file=file, row=n, field="external_id"
            )
        )
    for col in ("name", "email", "phone"):
        if col in row:
            out[col] = row[col] or None
    if out.get("email") and "@" not in out["email"]:
        errors.append(
            InputError(f"email {out['email']!r} has no '@'", file=file, row=n, field="email")
        )
    if "country" in row:
        country = None
        if row["country"]:
            country = resolve_country(row["country"])
            if country is None:
                errors.append(
                    InputError(
                        f"unknown country {row['country']!r}; use an ISO 3166-1 code (DE, DEU, "
                        "276) or the country's English or Chinese name (Germany, 德国)",
                        file=file,
                        row=n,
                        field="country",
                    )
                )
        out["country"] = country.iso2 if country else None
        if "region" not in row:
            out["region"] = country.region if country else None
    if "region" in row:
        out["region"] = row["region"] or None
    if "source_channel" in row:
        ch = row["source_channel"].strip().lower().replace(" ", "_").replace("-", "_")
        if ch and ch not in (*SOURCE_CHANNELS, "other"):
            errors.append(
                InputError(
                    f"unknown source_channel {row['source_channel']!r}; use "
                    f"one of {', '.join(SOURCE_CHANNELS)}, other",
                    file=file,
                    row=n,
                    field="source_channel",
                )
            )
        out["source_channel"] = ch or None
    if "sex" in row:
        v = row["sex"]
        sex = _choice(v, SEXES) or _SEX_ALIASES.get(v.strip().casefold()) if v else None
        if v and sex is None:
            errors.append(
                InputError(
                    f"unknown sex {v!r}; use Female, Male or leave it empty",
                    file=file,
                    row=n,
                    field="sex",
                )
            )
        out["sex"] = sex
    if "ethnicity" in row:
        v = row["ethnicity"]
        eth = _choice(v, EEO1_ETHNICITIES) if v else None
        if v and eth is None:
            errors.append(
                InputError(
                    f"unknown ethnicity {v!r}; use an EEO-1 category ("
                    + "; ".join(EEO1_ETHNICITIES)
                    + ") or leave it empty",
                    file=file,
                    row=n,
                    field="ethnicity",
                )
            )
        out["ethnicity"] = eth
    if row.get("role"):
        if not roles.known(row["role"]):
            errors.append(InputError(_unknown_role(row["role"]), file=file, row=n, field="role"))
        out["role"] = row["role"]
    if row.get("applied_at"):
        try:
            out["applied_at"] = parse_when(row["applied_at"])
        except ValueError as err:
            errors.append(
                InputError(
                    _bad_date(row["applied_at"], err),
                    file=file,
                    row=n,
                    field="applied_at",
                )
            )
    return out


# --- candidates ----------------------------------------------------------------------------


def import_candidates(
    session: Session, path: Path, *, actor: str, progress: ProgressFn | None = None
) -> ImportResult:
    """Upsert the candidates of a CSV file by ``external_id``; all or nothing.

    Raises ``ImportErrors`` listing every bad row (file, row, field) before writing anything.
    """
    roles = _Roles(session)
    checked = check_candidates(path, roles)
    return _store_candidates(session, checked, roles, actor=actor, progress=progress)


def import_candidates_file(
    engine: Engine,
    path: Path,
    *,
    actor: str,
    progress: ProgressFn | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> ImportResult:
    """``import_candidates`` safe beside other writers: the file is read and every row checked
    with no transaction open (roles looked up in a short read-only session), then the rows are
    stored in one short write transaction, retried when the database is busy. An upsert by
    ``external_id``: the same file imported twice at once stores each person once."""
    with Session(engine) as s:
        snapshot = _Roles(s)
    checked = check_candidates(path, snapshot, max_bytes=max_bytes)

    def store(session: Session) -> ImportResult:
        return _store_candidates(session, checked, _Roles(session), actor=actor, progress=progress)

    return write_transaction(engine, store, exclusive=PEOPLE_WRITES)


@dataclass
class CheckedRows:
    """A read and checked import file: its name and ``(row number, values)`` to store."""

    file: str
    values: list[tuple[int, dict[str, Any]]]


def check_candidates(
    path: Path, roles: _Roles, *, max_bytes: int = MAX_UPLOAD_BYTES
) -> CheckedRows:
    """Read and check every row of a candidates file (no writes); raises ``ImportErrors``
    listing every bad row, ``InputError`` for a file with no rows."""
    path = Path(path)
    rows, errors = read_csv(path, CANDIDATE_COLUMNS, REQUIRED_CANDIDATE, max_bytes=max_bytes)
    if any(e.row == 1 for e in errors):
        raise ImportErrors(errors)
    values: list[tuple[int, dict[str, Any]]] = []
    first_row: dict[str, int] = {}
    for n, row in rows:
        v = _candidate_values(n, row, path.name, roles, errors)
        ext = v["external_id"]
        if ext and ext in first_row:
            errors.append(
                InputError(
                    f"duplicate external_id {ext!r} (first on row "
                    f"{first_row[ext]}); each person once per file",
                    file=path.name,
                    row=n,
                    field="external_id",
                )
            )
        elif ext:
            first_row[ext] = n
        values.append((n, v))
    if errors:
        raise ImportErrors(sorted(errors, key=lambda e: (e.row or 0, e.field or "")))
    if not values:
        raise InputError("no data rows below the header; nothing to import", file=path.name)
    return CheckedRows(path.name, values)


def _gone_roles(checked: CheckedRows, roles: _Roles, fld: str = "role") -> None:
    """Raise ``ImportErrors`` for rows whose role was known when the file was checked but is
    no longer (deleted by another user meanwhile)."""
    errors = [
        InputError(_unknown_role(v[fld]), file=checked.file, row=n, field=fld)
        for n, v in checked.values
        if v.get(fld) and not roles.known(v[fld])
    ]
    if errors:
        raise ImportErrors(errors)


def _store_candidates(
    session: Session,
    checked: CheckedRows,
    roles: _Roles,
    *,
    actor: str,
    progress: ProgressFn | None = None,
) -> ImportResult:
    """Write checked candidate rows (upsert by ``external_id``) and the audit row."""
    _gone_roles(checked, roles)
    values, file = checked.values, checked.file
    existing = _candidates_by_ref(session, [v["external_id"] for _, v in values])
    result = ImportResult(file=file, rows=len(values))
    pipeline_id = canonical_pipeline(session) if any("role" in v for _, v in values) else None
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    for done, (n, v) in enumerate(values, start=1):
        _apply_candidate_row(session, n, v, existing, roles, pipeline_id, now, result)
        if progress and (done % 200 == 0 or done == len(values)):
            progress(done, len(values))
    session.flush()
    record(
        session,
        actor,
        "import.candidates",
        target_type="file",
        target=file[:64],
        detail={
            "file": file,
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "applications_created": result.applications_created,
        },
    )
    return result


def _candidates_by_ref(session: Session, refs: list[str]) -> dict[str, Candidate]:
    out: dict[str, Candidate] = {}
    for i in range(0, len(refs), 500):
        for c in session.scalars(
            select(Candidate).where(Candidate.external_ref.in_(refs[i : i + 500]))
        ):
            out[c.external_ref or ""] = c
    return out


def _set(obj: Any, values: dict[str, Any], keys: Iterable[str]) -> bool:
    changed = False
    for k in keys:
        if k in values and getattr(obj, k) != values[k]:
            setattr(obj, k, values[k])
            changed = True
    return changed


def _apply_candidate_row(
    session: Session,
    n: int,
    v: dict[str, Any],
    existing: dict[str, Candidate],
    roles: _Roles,
    pipeline_id: int | None,
    now: dt.datetime,
    result: ImportResult,
) -> None:
    """Write one validated row (the unit the half-way failure test interrupts)."""
    cand = existing.get(v["external_id"])
    changed = False
    if cand is None:
        cand = Candidate(pseudonym=new_pseudonym(), external_ref=v["external_id"])
        session.add(cand)
        existing[v["external_id"]] = cand
        result.created += 1
        created = True
    else:
        created = False
    changed |= _set(cand, v, ("country", "region", "source_channel"))
    if any(k in v for k in ("name", "email", "phone")):
        if cand.contact is None:
            cand.contact = CandidateContact()
            changed = True
        changed |= _set(cand.contact, v, ("name", "email", "phone"))
    if any(k in v for k in ("sex", "ethnicity")):
        if cand.demographics is None:
            cand.demographics = CandidateDemographics()
            changed = True
        changed |= _set(cand.demographics, v, ("sex", "ethnicity"))
    if "role" in v:
        session.flush()
        role_id = roles.id_of(v["role"])
        app = session.scalar(
            select(Application).where(
                Application.candidate_id == cand.id, Application.role_id == role_id
            )
        )
        if app is None:
            assert pipeline_id is not None
            session.add(
                Application(
                    candidate_id=cand.id,
                    role_id=role_id,
                    pipeline_id=pipeline_id,
                    current_stage=STAGES[0],
                    status="active",
                    applied_at=v.get("applied_at") or now,
                )
            )
            result.applications_created += 1
            changed = True
        elif "applied_at" in v and app.applied_at != v["applied_at"]:
            app.applied_at = v["applied_at"]
            changed = True
    if not created:
        if changed:
            result.updated += 1
        else:
            result.unchanged += 1


# --- stage events --------------------------------------------------------------------------


def _stage(value: str) -> str | None:
    v = value.strip()
    if v.lower() in STAGES:
        return v.lower()
    return map_stage(v)


def import_events(
    session: Session, path: Path, *, actor: str, progress: ProgressFn | None = None
) -> ImportResult:
    """Upsert stage events by (application, to_stage, at); all or nothing.

    Each (external_id, role) pair is one application, opened when missing. Afterwards each
    touched application's ``current_stage``, ``status``, ``closed_at`` and ``hired_at`` follow
    its latest event. Raises ``ImportErrors`` listing every bad row before writing anything.
    """
    roles = _Roles(session)
    checked = check_events(path, roles, lambda refs: set(_candidates_by_ref(session, refs)))
    return _store_events(session, checked, roles, actor=actor, progress=progress)


def import_events_file(
    engine: Engine,
    path: Path,
    *,
    actor: str,
    progress: ProgressFn | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> ImportResult:
    """``import_events`` safe beside other writers: the file is read and every row checked
    with no transaction open (roles and candidates looked up in short read-only sessions),
    then stored in one short write transaction, retried when the database is busy. Events
    have no unique key in the store, so event imports take the write lock first
    (``exclusive``): the same file imported twice at once stores each event once."""
    with Session(engine) as s:
        snapshot = _Roles(s)

    def known(refs: list[str]) -> set[str]:
        with Session(engine) as s:
            return set(_candidates_by_ref(s, refs))

    checked = check_events(path, snapshot, known, max_bytes=max_bytes)

    def store(session: Session) -> ImportResult:
        return _store_events(session, checked, _Roles(session), actor=actor, progress=progress)

    return write_transaction(engine, store, exclusive=PEOPLE_WRITES)


def check_events(
    path: Path,
    roles: _Roles,
    known_candidates: Callable[[list[str]], set[str]],
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> CheckedRows:
    """Read and check every row of a stage-events file (no writes); ``known_candidates(refs)``
    says which external ids the store holds. Raises ``ImportErrors`` listing every bad row."""
    path = Path(path)
    file = path.name
    rows, errors = read_csv(path, EVENT_COLUMNS, REQUIRED_EVENT, max_bytes=max_bytes)
    if any(e.row == 1 for e in errors):
        raise ImportErrors(errors)
    cands = known_candidates(sorted({r.get("external_id", "") for _, r in rows}))
    parsed: list[tuple[int, dict[str, Any]]] = []
    first_row: dict[tuple[str, str, str, dt.datetime], int] = {}
    for n, row in rows:
        v: dict[str, Any] = {"actor": row.get("actor") or None}
        ext = row.get("external_id", "")
        if not ext:
            errors.append(InputError("external_id is empty", file=file, row=n, field="external_id"))
        elif ext not in cands:
            errors.append(
                InputError(
                    f"no candidate with external_id {ext!r}; import it with "
                    "`talentmap import candidates` first",
                    file=file,
                    row=n,
                    field="external_id",
                )
            )
        v["external_id"] = ext
        role = row.get("role", "")
        if not role:
            errors.append(InputError("role is empty", file=file, row=n, field="role"))
        elif not roles.known(role):
            errors.append(InputError(_unknown_role(role), file=file, row=n, field="role"))
        v["role"] = role
        for col in ("to_stage", "from_stage"):
            raw = row.get(col, "")
            if not raw:
                if col == "to_stage":
                    errors.append(InputError("to_stage is empty", file=file, row=n, field=col))
                v[col] = None
                continue
            key = _stage(raw)
            if key is None:
                errors.append(
                    InputError(
                        f"unknown stage {raw!r}; use one of {', '.join(STAGES)} or a stage label",
                        file=file,
                        row=n,
                        field=col,
                    )
                )
            v[col] = key
        try:
            v["at"] = parse_when(row.get("at", ""))
        except ValueError as err:
            errors.append(
                InputError(
                    _bad_date(row.get("at", ""), err),
                    file=file,
                    row=n,
                    field="at",
                )
            )
            v["at"] = None
        outcome = (row.get("outcome") or "").strip().lower() or None
        if outcome not in (None, "pass", "fail"):
            errors.append(
                InputError(
                    f"unknown outcome {row.get('outcome')!r}; use pass, fail or leave it empty",
                    file=file,
                    row=n,
                    field="outcome",
                )
            )
        v["outcome"] = outcome
        if v["to_stage"] and v["at"] and ext and role:
            event_key = (ext, role.casefold(), v["to_stage"], v["at"])
            if event_key in first_row:
                errors.append(
                    InputError(
                        f"duplicate event (same candidate, role, to_stage and "
                        f"at as row {first_row[event_key]})",
                        file=file,
                        row=n,
                        field="at",
                    )
                )
            else:
                first_row[event_key] = n
        parsed.append((n, v))
    if errors:
        raise ImportErrors(sorted(errors, key=lambda e: (e.row or 0, e.field or "")))
    if not parsed:
        raise InputError("no data rows below the header; nothing to import", file=file)
    return CheckedRows(file, parsed)


def _store_events(
    session: Session,
    checked: CheckedRows,
    roles: _Roles,
    *,
    actor: str,
    progress: ProgressFn | None = None,
) -> ImportResult:
    """Write checked event rows (upsert by application, to_stage, at) and the audit row."""
    _gone_roles(checked, roles)
    file, parsed = checked.file, checked.values
    cands = _candidates_by_ref(session, sorted({v["external_id"] for _, v in parsed}))
    gone = [
        InputError(
            f"no candidate with external_id {v['external_id']!r} any more (erased while the "
            "file was checked?); import it again first",
            file=file,
            row=n,
            field="external_id",
        )
        for n, v in parsed
        if v["external_id"] not in cands
    ]
    if gone:
        raise ImportErrors(gone)
    pipeline_id = canonical_pipeline(session)
    result = ImportResult(file=file, rows=len(parsed))
    apps: dict[tuple[int, int], Application] = {}
    first_at: dict[tuple[str, str], dt.datetime] = {}
    for _, v in parsed:
        k = (v["external_id"], v["role"].casefold())
        first_at[k] = min(first_at.get(k, v["at"]), v["at"])
    for done, (n, v) in enumerate(parsed, start=1):
        _apply_event_row(session, n, v, cands, roles, apps, first_at, pipeline_id, result)
        if progress and (done % 200 == 0 or done == len(parsed)):
            progress(done, len(parsed))
    session.flush()
    for app in apps.values():
        _refresh_application(session, app)
    session.flush()
    record(
        session,
        actor,
        "import.events",
        target_type="file",
        target=file[:64],
        detail={
            "file": file,
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "applications_created": result.applications_created,
        },
    )
    return result


def _apply_event_row(
    session: Session,
    n: int,
    v: dict[str, Any],
    cands: dict[str, Candidate],
    roles: _Roles,
    apps: dict[tuple[int, int], Application],
    first_at: dict[tuple[str, str], dt.datetime],
    pipeline_id: int,
    result: ImportResult,
) -> None:
    """Write one validated event row (the unit the half-way failure test interrupts)."""
    cand = cands[v["external_id"]]
    role_id = roles.id_of(v["role"])
    app = apps.get((cand.id, role_id))
    if app is None:
        app = session.scalar(
            select(Application)
            .where(Application.candidate_id == cand.id, Application.role_id == role_id)
            .order_by(Application.id)
            .limit(1)
        )
        if app is None:
            app = Application(
                candidate_id=cand.id,
                role_id=role_id,
                pipeline_id=pipeline_id,
                current_stage=v["to_stage"],
                status="active",
                applied_at=first_at[(v["external_id"], v["role"].casefold())],
            )
            session.add(app)
            session.flush()
            result.applications_created += 1
        apps[(cand.id, role_id)] = app
    ev = session.scalar(
        select(StageEvent)
        .where(
            StageEvent.application_id == app.id,
            StageEvent.to_stage == v["to_stage"],
            StageEvent.at == v["at"],
        )
        .limit(1)
    )
    if ev is None:
        session.add(
            StageEvent(
                application_id=app.id,
                to_stage=v["to_stage"],
                at=v["at"],
                from_stage=v["from_stage"],
                actor=v["actor"],
                outcome=v["outcome"],
            )
        )
        result.created += 1
    elif _set(ev, v, ("from_stage", "actor", "outcome")):
        result.updated += 1
    else:
        result.unchanged += 1


def _refresh_application(session: Session, app: Application) -> None:
    """Derive current stage, status, closed/hired dates from the application's events."""
    events = list(
        session.scalars(
            select(StageEvent)
            .where(StageEvent.application_id == app.id)
            .order_by(StageEvent.at, StageEvent.id)
        )
    )
    if not events:
        return
    last = events[-1]
    values: dict[str, Any] = {"current_stage": last.to_stage}
    hired = next((e.at for e in events if e.to_stage in POST_HIRE), None)
    if hired is not None:
        values["hired_at"] = hired
        values["status"] = "hired"
        if last.outcome == "fail":
            values["left_at"] = last.at
    elif last.outcome == "fail":
        values.update(status="rejected", closed_at=last.at)
    elif app.status == "rejected":
        values.update(status="active", closed_at=None)
    if events[0].at < app.applied_at:
        values["applied_at"] = events[0].at
    _set(app, values, values.keys())


def move_stage(
    session: Session,
    application_id: int,
    to_stage: str,
    *,
    actor: str,
    outcome: str | None = None,
    at: dt.datetime | None = None,
) -> StageEvent | None:
    """Move one application to ``to_stage``: one stage event, one audit row, derived fields.

    ``to_stage`` is a canonical stage key; ``outcome`` is ``pass``, ``fail`` (the candidate
    leaves the pipeline there) or ``None``. Moving an application to the stage it is already
    at with no outcome stores nothing and returns ``None`` (a second click is not a second
    move). The event is never dated before the application's latest event, so the history
    stays in order. Raises ``InputError`` for an unknown stage or outcome, ``NotFoundError``
    for an unknown application.
    """
    if to_stage not in STAGES:
        raise InputError(
            f"unknown stage {to_stage!r}; the stages are {', '.join(STAGES)}", field="stage"
        )
    if outcome not in (None, "pass", "fail"):
        raise InputError(
            f"outcome must be 'pass', 'fail' or empty, got {outcome!r}", field="outcome"
        )
    actor = (actor or "").strip()
    if not actor:
        raise InputError("a named user is required to move a candidate", field="actor")
    # two clicks at once must not both read the old stage and both store a move
    lock_writes(session, PEOPLE_WRITES)
    app = session.get(Application, application_id)
    if app is None:
        raise NotFoundError(f"no application with id {application_id}")
    if app.current_stage == to_stage and outcome is None:
        return None
    last_at = session.scalar(
        select(StageEvent.at)
        .where(StageEvent.application_id == app.id)
        .order_by(StageEvent.at.desc(), StageEvent.id.desc())
        .limit(1)
    )
    when = at or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    if last_at is not None and when < last_at:
        when = last_at
    from_stage = app.current_stage
    ev = StageEvent(
        application_id=app.id,
        from_stage=from_stage,
        to_stage=to_stage,
        at=when,
        actor=actor[:64],
        outcome=outcome,
    )
    session.add(ev)
    session.flush()
    _refresh_application(session, app)
    pseudonym = session.scalar(select(Candidate.pseudonym).where(Candidate.id == app.candidate_id))
    role_key = session.scalar(select(Role.key).where(Role.id == app.role_id))
    record(
        session,
        actor,
        "candidate.stage_move",
        target_type="candidate",
        target=pseudonym,
        detail={"role": role_key, "from": from_stage, "to": to_stage, "outcome": outcome},
    )
    session.flush()
    return ev
