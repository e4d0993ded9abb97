"""Storing strategy documents: one transaction per file, replaced when the file changes.

``import_documents`` reads each file (``data.text.documents``: decoding and extraction, no
database, no transaction open) and stores one ``documents`` row per file path, its
``extractions``, pipelines with ordered stages, roles (``source="document"``) and their
skills. A file is stored once per content hash, a changed file replaces its earlier
extraction, and each file is one short write transaction: a bad file stores nothing and the
others still import; the same file imported twice at once is stored once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from data.errors import InputError
from data.queries.documents import stored_counts
from data.store.audit import record
from data.store.engine import write_transaction
from data.store.models import (
    Application,
    Document,
    Extraction,
    Pipeline,
    PipelineStage,
    Role,
    RoleSkill,
)
from data.text.documents import (
    EMBED_THRESHOLD,
    SUFFIXES,
    DocumentText,
    EmbedFn,
    Extracted,
    Item,
    RoleFound,
    SkillVectors,
    embed_skill_names,
    extract_document,
    read_document,
)
from data.text.files import MAX_UPLOAD_BYTES, collect_files

Progress = Callable[[int, int, str], None]


# --- storing -------------------------------------------------------------------------------


@dataclass
class DocumentResult:
    """What happened to one file."""

    file: str
    document_id: int
    status: Literal["imported", "unchanged", "replaced"]
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """Per-file outcome of ``import_documents``; ``failed`` holds ``(file, message)``."""

    imported: list[DocumentResult] = field(default_factory=list)
    unchanged: list[DocumentResult] = field(default_factory=list)
    replaced: list[DocumentResult] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def import_documents(
    target: Session | Engine,
    paths: Sequence[str | Path],
    *,
    embed_fn: EmbedFn | None = None,
    progress: Progress | None = None,
    actor: str = "system",
    taxonomy: Any | None = None,
    embed_threshold: float = EMBED_THRESHOLD,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> ImportReport:
    """Import strategy documents (files or folders of .md/.txt) into the store.

    Each file is its own transaction (a savepoint when ``target`` is a Session): a file that
    fails stores nothing and is reported in ``failed``; the others still import. A file whose
    content is already stored is ``unchanged``; a changed file at a known path is ``replaced``.
    ``progress(done, total, file)`` is called after each file.
    """
    from data.store.skills import sync_skills
    from data.text.taxonomy import load_taxonomy

    tax = taxonomy if taxonomy is not None else load_taxonomy()
    batch = collect_files(paths, suffixes=SUFFIXES, what=".md or .txt files")
    files = batch.files
    report = ImportReport(failed=[(r.path, str(r)) for r in batch.refused])
    vectors: SkillVectors | None = None

    def extract(doc: DocumentText) -> Extracted:
        nonlocal vectors
        if embed_fn is not None and vectors is None:
            vectors = embed_skill_names(tax, embed_fn)
        return extract_document(
            doc,
            taxonomy=tax,
            embed_fn=embed_fn,
            embed_threshold=embed_threshold,
            skill_vectors=vectors,
        )

    for n, path in enumerate(files, start=1):
        try:
            doc = read_document(path, max_bytes=max_bytes)
            # read and extracted with no transaction open
            extracted = None if _unchanged(target, doc) else extract(doc)

            def store(
                session: Session, doc: DocumentText = doc, ex: Extracted | None = extracted
            ) -> DocumentResult:
                existing, same = _stored(session, doc)
                if same is not None and _same_as_stored(existing, same):
                    # stored already (perhaps by a concurrent import of the same file)
                    return DocumentResult(
                        str(doc.path), same.id, "unchanged", stored_counts(session, same.id)
                    )
                if ex is None:  # replaced meanwhile by another import: extract after all
                    ex = extract(doc)
                skill_ids = sync_skills(session, tax)
                return _store(session, doc, ex, existing, same, skill_ids, actor)

            result = _write(target, store)
            {"imported": report.imported, "replaced": report.replaced}.get(
                result.status, report.unchanged
            ).append(result)
        except InputError as err:
            message = str(err) if str(path) in str(err) else f"{path}: {err}"
            report.failed.append((str(path), message))
        if progress is not None:
            progress(n, len(files), str(path))
    return report


def _stored(session: Session, doc: DocumentText) -> tuple[Document | None, Document | None]:
    """(the document stored at ``doc``'s path, the first document with its content)."""
    existing = session.scalar(select(Document).where(Document.path == str(doc.path)))
    same = session.scalar(
        select(Document).where(Document.sha256 == doc.sha256).order_by(Document.id).limit(1)
    )
    return existing, same


def _same_as_stored(existing: Document | None, same: Document | None) -> bool:
    """Whether the content is stored and its path holds that copy (or no other document)."""
    return same is not None and (existing is None or existing.id == same.id)


def _unchanged(target: Session | Engine, doc: DocumentText) -> bool:
    """Whether ``doc`` is stored as it is (a short read; nothing to extract then)."""
    if isinstance(target, Session):
        return _same_as_stored(*_stored(target, doc))
    with Session(target) as s:
        return _same_as_stored(*_stored(s, doc))


def _write(target: Session | Engine, work: Callable[[Session], DocumentResult]) -> DocumentResult:
    """One file's writes: a savepoint of the caller's Session, or one short write transaction
    on an Engine (retried when busy; document imports never overlap, so the same file
    imported twice at once is stored once and reported unchanged by the other import)."""
    if isinstance(target, Engine):
        return write_transaction(target, work, exclusive="docs.import")
    nested = target.begin_nested()
    try:
        result = work(target)
    except BaseException:
        nested.rollback()
        raise
    nested.commit()
    return result


def _store(
    session: Session,
    doc: DocumentText,
    ex: Extracted,
    existing: Document | None,
    duplicate: Document | None,
    skill_ids: dict[str, int],
    actor: str,
) -> DocumentResult:
    notes = list(ex.notes)
    status: Literal["imported", "replaced"] = "imported"
    if existing is not None:
        status = "replaced"
        notes += _clear(session, existing)
        if duplicate is not None:  # the new content is already stored at another path
            session.delete(existing)
            session.flush()
            record(
                session,
                actor,
                "docs.replace",
                target_type="document",
                target=str(duplicate.id),
                detail={"file": doc.path.name, "sha256": doc.sha256, "duplicate_of": duplicate.id},
            )
            return DocumentResult(
                str(doc.path),
                duplicate.id,
                status,
                stored_counts(session, duplicate.id),
                notes + [f"same content as document {duplicate.id}"],
            )
        row = existing
        row.sha256, row.encoding, row.language = doc.sha256, doc.encoding, doc.language
        row.title, row.file_name = doc.title, doc.path.name
        row.imported_at = func.current_timestamp()
    else:
        row = Document(
            path=str(doc.path),
            file_name=doc.path.name,
            sha256=doc.sha256,
            encoding=doc.encoding,
            language=doc.language,
            title=doc.title,
        )
        session.add(row)
    session.flush()
    rows: list[Extraction] = []

    def add(item: Item, **links: int | None) -> Extraction:
        e = Extraction(
            document_id=row.id,
            kind=item.kind,
            label=item.label[:500],
            canonical_key=item.canonical_key,
            category=item.category,
            text=item.text,
            line_start=item.line_start,
            line_end=item.line_end,
            payload=item.payload or None,
            **links,
        )
        rows.append(e)
        session.add(e)
        return e

    for p in ex.pipelines:
        pipe = Pipeline(name=p.name, source="document", document_id=row.id)
        pipe.stages = [
            PipelineStage(position=i, label=label[:200], canonical_key=key)
            for i, (label, key) in enumerate(p.stages)
        ]
        session.add(pipe)
        session.flush()
        add(p.item, pipeline_id=pipe.id)
    for item in ex.diagrams:
        add(item)
    for item in ex.skills:
        add(item, skill_id=skill_ids.get(item.canonical_key or ""))
    for item in ex.strategies:
        add(item)
    for found in ex.roles:
        if not found.defined:
            # a passing mention creates no role; it links to one that already exists
            known = session.scalar(select(Role.id).where(Role.key == found.key))
            add(found.item, role_id=known)
            continue
        role = _upsert_role(session, found, skill_ids)
        add(found.item, role_id=role.id)
        for duty in found.duties:
            add(duty, role_id=role.id)
    session.flush()
    counts = ex.counts()
    record(
        session,
        actor,
        "docs.replace" if status == "replaced" else "docs.import",
        target_type="document",
        target=str(row.id),
        detail={"file": doc.path.name, "sha256": doc.sha256, "counts": counts},
    )
    return DocumentResult(str(doc.path), row.id, status, counts, notes)


def _clear(session: Session, doc: Document) -> list[str]:
    """Remove what an earlier version of ``doc`` stored (pipelines in use are kept, detached)."""
    notes: list[str] = []
    session.execute(delete(Extraction).where(Extraction.document_id == doc.id))
    for pipe in session.scalars(select(Pipeline).where(Pipeline.document_id == doc.id)):
        used = session.scalar(
            select(func.count(Application.id)).where(Application.pipeline_id == pipe.id)
        )
        if used:
            pipe.document_id = None
            notes.append(
                f"pipeline {pipe.id} ({pipe.name}) is used by {used} application(s): "
                "kept, no longer linked to the document"
            )
        else:
            session.delete(pipe)
    session.flush()
    return notes


def _upsert_role(session: Session, found: RoleFound, skill_ids: dict[str, int]) -> Role:
    role = session.scalar(select(Role).where(Role.key == found.key))
    if role is None:
        role = session.scalar(
            select(Role)
            .where(
                (Role.title_zh == found.title_zh)
                | (func.lower(Role.title_en) == found.title_en.lower())
            )
            .limit(1)
        )
    description = "；".join(d.label for d in found.duties)
    if role is None:
        role = Role(
            key=found.key,
            title_en=found.title_en,
            title_zh=found.title_zh,
            family=found.family,
            description=description,
            source="document",
            is_open=found.defined,
            level=found.level,
            pay=found.pay,
        )
        session.add(role)
        session.flush()
    elif role.source == "document" and description:
        role.description = description
        role.is_open = True
    if role.source == "document":
        have = {
            rs.skill_id
            for rs in session.scalars(select(RoleSkill).where(RoleSkill.role_id == role.id))
        }
        for key in sorted(found.skills):
            sid = skill_ids.get(key)
            if sid is not None and sid not in have:
                session.add(RoleSkill(role_id=role.id, skill_id=sid, importance=1.0, required=True))
                have.add(sid)
        for key in sorted(found.nice - found.skills):
            sid = skill_ids.get(key)
            if sid is not None and sid not in have:
                session.add(
                    RoleSkill(role_id=role.id, skill_id=sid, importance=0.5, required=False)
                )
                have.add(sid)
    return role
