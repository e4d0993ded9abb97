"""The right to erasure and retention limits (GDPR Art. 17, PIPL Art. 47).

``erase_candidate`` removes a person from every table (candidate, contact, demographics,
resumes, the embeddings of their resume texts, match scores, feedback, applications, stage
events, enrolments) and from the data directory (uploads and caches that hold their data, and
every cached export), then leaves ONE audit entry naming them by pseudonym only. The audit
log's earlier rows also name them by pseudonym only; once the candidate row is gone nothing
links that pseudonym to a person. On SQLite the file is then compacted (``secure_delete`` is on
for every connection, the WAL is checkpointed and truncated, ``VACUUM`` rewrites the file) so a
byte search of the data directory finds nothing; on PostgreSQL the touched tables are rewritten (VACUUM FULL), then a checkpoint and a WAL
switch are forced (see ``compact``).

``anonymise_rejected`` applies a retention period: candidates whose applications were all
rejected more than N days ago lose their contact details, demographics, resume text (replaced
by a tombstone), resume file names, evidence snippets and embeddings; what aggregates need
(country, channel, applications, stage events, scores) stays.

Model artefacts under ``<data_dir>/models`` are never deleted here (that would take the serving
model down); a file there that still holds the person's data is reported, and the next
retraining forgets them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, case, delete, func, select, text, update
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from data.errors import InputError, NotFoundError
from data.store.audit import record
from data.store.models import (
    Application,
    Candidate,
    CandidateContact,
    CandidateDemographics,
    CandidateNote,
    Embedding,
    Enrolment,
    Feedback,
    MatchScore,
    Offer,
    Resume,
    StageEvent,
)

TOMBSTONE = "[anonymised: removed under the retention policy]"
"""What an anonymised resume's text becomes."""

PassageHashes = Callable[[str], Iterable[str]]
"""Extra embedding-cache keys of a resume text (its passages); given by the front end, which
knows the encoders' chunking. The whole text's key (sha256 of its UTF-8) is always included."""

_DB_SUFFIXES = ("", "-wal", "-shm", "-journal")


@dataclass
class EraseReport:
    """What an erasure removed (row counts per table, files) and any trace left behind."""

    pseudonym: str
    rows: dict[str, int] = field(default_factory=dict)
    files_deleted: list[str] = field(default_factory=list)
    traces: list[str] = field(default_factory=list)  # files still holding the person's data

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def text_key(text_value: str) -> str:
    """The embedding-cache key of a text: sha256 of its UTF-8 bytes (as ``data.store.embeddings``)."""
    return hashlib.sha256(text_value.encode("utf-8")).hexdigest()


def find_candidate(session: Session, ident: int | str) -> Candidate:
    """A candidate by id, pseudonym or external reference."""
    cand: Candidate | None = None
    key = str(ident).strip()
    if not key:
        raise InputError("say which candidate: an id or a pseudonym", field="candidate")
    if key.isdigit():
        cand = session.get(Candidate, int(key))
    if cand is None:
        cand = session.scalar(select(Candidate).where(Candidate.pseudonym == key))
    if cand is None:
        cand = session.scalar(select(Candidate).where(Candidate.external_ref == key))
    if cand is None:
        raise NotFoundError(
            f"no candidate {key!r} (by id, pseudonym or external reference): "
            "it may have been erased already"
        )
    return cand


def _engine_of(bind: Engine | sessionmaker[Session]) -> Engine:
    if isinstance(bind, Engine):
        return bind
    engine = bind.kw.get("bind")
    if not isinstance(engine, Engine):
        raise InputError("erase_candidate needs an Engine or a sessionmaker bound to one")
    return engine


def _secrets_of(session: Session, cand: Candidate) -> tuple[list[bytes], set[str], set[str]]:
    """(identifying byte strings, resume sha256s, resume file names) of a candidate."""
    strings = [cand.external_ref]
    if cand.contact is not None:
        strings += [cand.contact.name, cand.contact.email, cand.contact.phone]
        strings += [str(link) for link in (cand.contact.links or [])]
    resumes = session.execute(
        select(Resume.sha256, Resume.file_name).where(Resume.candidate_id == cand.id)
    ).all()
    needles = [s.encode("utf-8") for s in strings if s and len(s.strip()) >= 4]
    return needles, {r.sha256 for r in resumes}, {r.file_name for r in resumes}


def _embedding_keys(texts: Iterable[str], passage_hashes: PassageHashes | None) -> set[str]:
    keys: set[str] = set()
    for t in texts:
        keys.add(text_key(t))
        if passage_hashes is not None:
            keys.update(passage_hashes(t))
    return keys


def _delete_embeddings(session: Session, keys: set[str]) -> int:
    n, ordered = 0, sorted(keys)
    for start in range(0, len(ordered), 500):
        part = ordered[start : start + 500]
        n += _count_delete(session, delete(Embedding).where(Embedding.text_hash.in_(part)))
    return n


def erase_candidate(
    bind: Engine | sessionmaker[Session],
    candidate: int | str,
    *,
    actor: str,
    data_dir: str | Path | None,
    passage_hashes: PassageHashes | None = None,
    progress: Callable[[str], None] | None = None,
) -> EraseReport:
    """Erase one candidate (by id, pseudonym or external reference) from the store and the data
    directory; returns what was removed. One audit row, pseudonym only, records it."""
    engine = _engine_of(bind)
    say = progress or (lambda _msg: None)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        cand = find_candidate(session, candidate)
        report = EraseReport(pseudonym=cand.pseudonym)
        needles, shas, file_names = _secrets_of(session, cand)
        resume_rows = session.execute(
            select(Resume.id, Resume.text).where(Resume.candidate_id == cand.id)
        ).all()
        resume_ids = [r.id for r in resume_rows]
        app_ids = list(
            session.scalars(select(Application.id).where(Application.candidate_id == cand.id))
        )
        say("removing rows")
        rows = report.rows
        rows["feedback"] = _count_delete(
            session, delete(Feedback).where(Feedback.resume_id.in_(resume_ids))
        )
        rows["match_scores"] = _count_delete(
            session, delete(MatchScore).where(MatchScore.resume_id.in_(resume_ids))
        )
        rows["embeddings"] = _delete_embeddings(
            session, _embedding_keys([r.text for r in resume_rows], passage_hashes)
        )
        rows["resumes"] = _count_delete(session, delete(Resume).where(Resume.id.in_(resume_ids)))
        rows["stage_events"] = _count_delete(
            session, delete(StageEvent).where(StageEvent.application_id.in_(app_ids))
        )
        rows["offers"] = _count_delete(
            session, delete(Offer).where(Offer.application_id.in_(app_ids))
        )
        rows["applications"] = _count_delete(
            session, delete(Application).where(Application.id.in_(app_ids))
        )
        rows["enrolments"] = _count_delete(
            session, delete(Enrolment).where(Enrolment.candidate_id == cand.id)
        )
        rows["candidate_notes"] = _count_delete(
            session, delete(CandidateNote).where(CandidateNote.candidate_id == cand.id)
        )
        rows["candidate_contacts"] = _count_delete(
            session, delete(CandidateContact).where(CandidateContact.candidate_id == cand.id)
        )
        rows["candidate_demographics"] = _count_delete(
            session,
            delete(CandidateDemographics).where(CandidateDemographics.candidate_id == cand.id),
        )
        session.expunge(cand)
        rows["candidates"] = _count_delete(
            session, delete(Candidate).where(Candidate.id == cand.id)
        )
        if data_dir is not None:
            say("removing files")
            report.files_deleted, report.traces = _scrub_files(
                Path(data_dir), needles, shas, file_names, engine
            )
        record(
            session,
            actor,
            "candidate.erase",
            target_type="candidate",
            target=report.pseudonym,
            detail={"rows": dict(rows), "files_deleted": len(report.files_deleted)},
        )
    say("compacting the database")
    try:
        report.traces += compact(engine, tables=list(rows))
    except OperationalError as err:  # another process holds the file: the rows are gone,
        report.traces.append(  # but old page images may linger in the WAL until compaction
            f"database not compacted ({err.orig}): run `talentmap erase --compact` when no "
            "other process (the dashboard) uses the store"
        )
        return report
    if data_dir is not None:
        report.traces += [
            f"{p} still holds their data: run `talentmap erase --compact` when no other "
            "process uses the store"
            for p in _db_files(engine)
            if _holds(p, needles)
        ]
    return report


def _count_delete(session: Session, stmt: Any) -> int:
    return int(cast("CursorResult[Any]", session.execute(stmt)).rowcount or 0)


def _db_files(engine: Engine) -> list[Path]:
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return []
    base = Path(engine.url.database)
    return [Path(f"{base}{s}") for s in _DB_SUFFIXES if Path(f"{base}{s}").exists()]


def _holds(path: Path, needles: list[bytes]) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return any(n in data for n in needles)


def _scrub_files(
    data_dir: Path, needles: list[bytes], shas: set[str], file_names: set[str], engine: Engine
) -> tuple[list[str], list[str]]:
    """Delete every cached export, and uploads/caches that hold the person; report the rest."""
    deleted: list[str] = []
    traces: list[str] = []
    skip = {p.resolve() for p in _db_files(engine)}
    if not data_dir.exists():
        return deleted, traces
    for root, _dirs, files in os.walk(data_dir):
        for name in files:
            path = Path(root) / name
            if path.resolve() in skip:
                continue
            rel = path.relative_to(data_dir)
            top = rel.parts[0] if len(rel.parts) > 1 else ""
            if top == "exports":
                path.unlink(missing_ok=True)
                deleted.append(str(rel))
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue
            hit = (
                name in file_names
                or any(s in name for s in shas)
                or hashlib.sha256(data).hexdigest() in shas
                or any(n in data for n in needles)
            )
            if not hit:
                continue
            if top == "models":
                traces.append(f"{rel} still holds their data: retrain to forget them")
            else:
                path.unlink(missing_ok=True)
                deleted.append(str(rel))
    return sorted(deleted), traces


PERSON_TABLES: tuple[str, ...] = (
    "feedback",
    "match_scores",
    "embeddings",
    "resumes",
    "stage_events",
    "offers",
    "applications",
    "enrolments",
    "candidate_notes",
    "candidate_contacts",
    "candidate_demographics",
    "candidates",
)
"""The tables a person's data lives in (what ``erase --compact`` rewrites)."""


def compact(engine: Engine, *, tables: list[str] | None = None) -> list[str]:
    """Make deleted data unrecoverable from the database files; returns what could not be done.

    SQLite: checkpoint and truncate the WAL and VACUUM (``secure_delete`` is on for every
    connection). PostgreSQL: a plain VACUUM only marks dead rows free, leaving their bytes in the
    table files, so each table is rewritten (``VACUUM FULL``, which rebuilds its indexes and
    TOAST too) and re-analysed, the planner statistics (which may hold sample values) are
    rewritten, then a CHECKPOINT and ``pg_switch_wal()`` close the WAL segment that recorded
    the deletes so it can be recycled. WAL segments already archived and backups keep the data
    until they expire (README, "Privacy and compliance")."""
    notes: list[str] = []
    if engine.dialect.name == "sqlite":
        engine.dispose()  # idle pooled connections would keep WAL readers alive
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("PRAGMA secure_delete=ON")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.exec_driver_sql("VACUUM")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
    elif engine.dialect.name == "postgresql":
        known = set(PERSON_TABLES)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in tables or list(PERSON_TABLES):
                if table not in known:
                    raise InputError(f"not a table that holds people: {table!r}")
                conn.execute(text(f'VACUUM (FULL, ANALYZE) "{table}"'))
            for what, sql in (
                ("the planner statistics", "VACUUM FULL pg_catalog.pg_statistic"),
                ("the checkpoint", "CHECKPOINT"),
                ("the WAL switch", "SELECT pg_switch_wal()"),
                ("the checkpoint after the WAL switch", "CHECKPOINT"),
            ):
                try:
                    conn.execute(text(sql))
                except (OperationalError, ProgrammingError) as err:
                    first = str(getattr(err, "orig", err)).strip().splitlines()[0]
                    notes.append(
                        f"{what} was not done ({first}): a database superuser must run "
                        f"`{sql}` so old page images leave the server's files"
                    )
    return notes


def anonymise_rejected(
    session: Session,
    days: int,
    *,
    as_of: dt.datetime | dt.date | None = None,
    actor: str,
    data_dir: str | Path | None = None,
    passage_hashes: PassageHashes | None = None,
) -> int:
    """Anonymise candidates whose applications were all rejected more than ``days`` days before
    ``as_of`` (default now); returns how many. One audit row records the run (counts only)."""
    if days < 0:
        raise InputError(f"retention days must be 0 or more, got {days}", field="days")
    now = as_of or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if not isinstance(now, dt.datetime):
        now = dt.datetime.combine(now, dt.time())
    cutoff = now - dt.timedelta(days=days)
    closed = func.coalesce(Application.closed_at, Application.applied_at)
    stats = (
        select(Application.candidate_id)
        .group_by(Application.candidate_id)
        .having(func.sum(case((Application.status != "rejected", 1), else_=0)) == 0)
        .having(func.max(closed) < cutoff)
    )
    ids = list(
        session.scalars(
            select(Candidate.id).where(Candidate.id.in_(stats), Candidate.anonymised_at.is_(None))
        )
    )
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        resumes = session.execute(
            select(Resume.id, Resume.text, Resume.sha256, Resume.file_name).where(
                Resume.candidate_id.in_(part)
            )
        ).all()
        resume_ids = [r.id for r in resumes]
        _delete_embeddings(session, _embedding_keys([r.text for r in resumes], passage_hashes))
        if data_dir is not None:
            _remove_uploads(
                Path(data_dir), {r.sha256 for r in resumes}, {r.file_name for r in resumes}
            )
        for r in resumes:
            session.execute(
                update(Resume)
                .where(Resume.id == r.id)
                .values(
                    text=TOMBSTONE,
                    file_name=f"anonymised-{r.id}",
                    sha256=text_key(f"anonymised resume {r.id}"),
                )
            )
        for score_id, explanation in session.execute(
            select(MatchScore.id, MatchScore.explanation).where(
                MatchScore.resume_id.in_(resume_ids)
            )
        ).all():
            kept = _without_text(explanation or {})
            session.execute(
                update(MatchScore).where(MatchScore.id == score_id).values(explanation=kept)
            )
        session.execute(
            update(Feedback).where(Feedback.resume_id.in_(resume_ids)).values(note=None)
        )
        session.execute(delete(CandidateNote).where(CandidateNote.candidate_id.in_(part)))
        session.execute(delete(CandidateContact).where(CandidateContact.candidate_id.in_(part)))
        session.execute(
            delete(CandidateDemographics).where(CandidateDemographics.candidate_id.in_(part))
        )
        session.execute(
            update(Candidate)
            .where(Candidate.id.in_(part))
            .values(anonymised_at=now, external_ref=None)
        )
    session.expire_all()
    record(
        session,
        actor,
        "candidates.anonymise",
        target_type="candidate",
        target=None,
        detail={"count": len(ids), "days": days, "as_of": now.isoformat()},
    )
    return len(ids)


_TEXT_KEYS = {"evidence", "closest", "text", "snippet", "strongest_passages"}


def _without_text(explanation: Any) -> Any:
    """An explanation without resume text (evidence snippets, passages); skills and scores kept."""
    if isinstance(explanation, dict):
        return {k: _without_text(v) for k, v in explanation.items() if k not in _TEXT_KEYS}
    if isinstance(explanation, list):
        return [_without_text(v) for v in explanation]
    return explanation


def _remove_uploads(data_dir: Path, shas: set[str], file_names: set[str]) -> None:
    uploads = data_dir / "uploads"
    if not uploads.exists():
        return
    for path in uploads.rglob("*"):
        if path.is_file() and (
            path.name in file_names
            or any(s in path.name for s in shas)
            or hashlib.sha256(path.read_bytes()).hexdigest() in shas
        ):
            path.unlink(missing_ok=True)
