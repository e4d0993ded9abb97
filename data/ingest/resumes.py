"""Storing resumes: parse a batch of files and store each new one once, with its contacts.

``import_resumes`` parses a batch (``data.text.resume_files``) and stores each new file as a
``Candidate`` with its ``CandidateContact`` and a ``Resume`` whose text has the contact details
masked; identical files (same sha256 of the raw bytes) are stored once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data.errors import InputError
from data.store.audit import record
from data.store.engine import write_transaction
from data.store.models import Candidate, CandidateContact, Resume
from data.store.pseudonyms import new_pseudonym
from data.text.files import read_file
from data.text.resume_files import Limits, ParsedResume, parse_bytes

ProgressFn = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each file."""


@dataclass(frozen=True)
class ParseFailure:
    """A file that was not stored, and why (the reason says what to do)."""

    file_name: str
    reason: str  # in English
    code: str | None = None  # for the label catalog (error.<code>), with params
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ResumeImportReport:
    """What a batch import did: new resume ids, duplicates of stored ones, failures."""

    stored: list[int] = field(default_factory=list)
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    failed: list[ParseFailure] = field(default_factory=list)

    @property
    def processed(self) -> int:
        return len(self.stored) + len(self.duplicates) + len(self.failed)


Upload = tuple[str, bytes]
"""A file received in memory (e.g. from the dashboard): ``(file name, raw bytes)``."""


def import_resumes(
    session: Session,
    paths: Iterable[Path | Upload],
    *,
    actor: str,
    progress: ProgressFn | None = None,
    limits: Limits = Limits(),
) -> ResumeImportReport:
    """Parse and store each file; failures are reported, never stored, never stop the batch.

    ``paths`` holds file paths or ``(file name, bytes)`` uploads. A file whose bytes are
    already stored (same sha256) is reported as a duplicate without being parsed again. Each
    new resume gets a pseudonymous ``Candidate`` (source ``upload``) with its contact details,
    and one audit row naming the pseudonym only. The caller commits.
    """
    items = list(paths)
    report = ResumeImportReport()
    seen: dict[str, int] = {}
    for done, item in enumerate(items, start=1):
        name = item[0] if isinstance(item, tuple) else Path(item).name
        try:
            data = (
                item[1]
                if isinstance(item, tuple)
                else read_file(Path(item), max_bytes=limits.max_bytes)
            )
            digest = hashlib.sha256(data).hexdigest()
            existing = seen.get(digest) or session.scalar(
                select(Resume.id).where(Resume.sha256 == digest)
            )
            if existing is not None:
                report.duplicates.append((name, existing))
            else:
                parsed = parse_bytes(data, name, limits=limits)
                rid = store_resume(session, parsed, actor=actor)
                seen[digest] = rid
                report.stored.append(rid)
        except InputError as err:
            report.failed.append(ParseFailure(name, _reason(err), err.code, err.params))
        if progress:
            progress(done, len(items))
    return report


def import_resume_files(
    engine: Engine,
    paths: Iterable[Path | Upload],
    *,
    actor: str,
    progress: ProgressFn | None = None,
    limits: Limits = Limits(),
) -> ResumeImportReport:
    """Like ``import_resumes``, safe beside other writers: each file is read and parsed outside
    any transaction, then stored in its own short write transaction (retried with backoff when
    the database is busy). Storing is an idempotent upsert by sha256, so the same file imported
    by two processes at once ends as one resume, the other reporting a duplicate. Each stored
    file is committed at once: an interrupted import keeps what it stored, and a rerun skips it.
    """
    items = list(paths)
    report = ResumeImportReport()
    for done, item in enumerate(items, start=1):
        name = item[0] if isinstance(item, tuple) else Path(item).name
        try:
            data = (
                item[1]
                if isinstance(item, tuple)
                else read_file(Path(item), max_bytes=limits.max_bytes)
            )
            digest = hashlib.sha256(data).hexdigest()
            with Session(engine) as s:
                existing = s.scalar(select(Resume.id).where(Resume.sha256 == digest))
            if existing is not None:
                report.duplicates.append((name, existing))
            else:
                parsed = parse_bytes(data, name, limits=limits)  # no transaction open
                kind, rid = write_transaction(
                    engine,
                    lambda s, p=parsed: _store_once(s, p, actor=actor),  # type: ignore[misc]
                )
                if kind == "stored":
                    report.stored.append(rid)
                else:
                    report.duplicates.append((name, rid))
        except InputError as err:
            report.failed.append(ParseFailure(name, _reason(err), err.code, err.params))
        if progress:
            progress(done, len(items))
    return report


def _store_once(session: Session, parsed: ParsedResume, *, actor: str) -> tuple[str, int]:
    existing = session.scalar(select(Resume.id).where(Resume.sha256 == parsed.sha256))
    if existing is not None:
        return "duplicate", existing
    return "stored", store_resume(session, parsed, actor=actor)


def _reason(err: InputError) -> str:
    """The message without the ``file:`` prefix (reports list the file name separately)."""
    text = str(err)
    prefix = f"{err.file}: " if err.file else ""
    return text[len(prefix) :] if prefix and text.startswith(prefix) else text


def store_resume(session: Session, parsed: ParsedResume, *, actor: str) -> int:
    """Add one parsed resume as a new candidate; returns the resume id (audited)."""
    pseudonym = new_pseudonym(session)
    candidate = Candidate(pseudonym=pseudonym, source_channel="upload")
    c = parsed.contact
    candidate.contact = CandidateContact(
        name=c.name[:200] if c.name else None,
        email=c.email[:200] if c.email else None,
        phone=c.phone[:64] if c.phone else None,
        links=list(c.links) or None,
    )
    session.add(candidate)
    session.flush()
    resume = Resume(
        candidate_id=candidate.id,
        file_name=parsed.file_name[:255],
        sha256=parsed.sha256,
        language=parsed.language,
        text=parsed.text,
        pages=parsed.pages,
    )
    session.add(resume)
    session.flush()
    record(
        session,
        actor,
        "resumes.import",
        target_type="candidate",
        target=pseudonym,
        detail={"kind": parsed.kind, "language": parsed.language, "pages": parsed.pages},
    )
    return resume.id
