"""Reads of stored strategy documents: lists, one document's extractions, summaries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.errors import NotFoundError
from data.store.models import Document, Extraction, Pipeline


def stored_counts(session: Session, document_id: int) -> dict[str, int]:
    """Extractions per kind stored for one document."""
    rows = session.execute(
        select(Extraction.kind, func.count(Extraction.id))
        .where(Extraction.document_id == document_id)
        .group_by(Extraction.kind)
    )
    return {k: int(c) for k, c in rows}


@dataclass(frozen=True)
class DocumentSummary:
    id: int
    file_name: str
    path: str
    language: str
    encoding: str
    title: str | None
    sha256: str
    imported_at: Any
    counts: dict[str, int]


def list_documents(session: Session) -> list[DocumentSummary]:
    """Every stored document with its extraction counts per kind (one aggregate query)."""
    counts: dict[int, dict[str, int]] = {}
    for doc_id, kind, n in session.execute(
        select(Extraction.document_id, Extraction.kind, func.count(Extraction.id)).group_by(
            Extraction.document_id, Extraction.kind
        )
    ):
        counts.setdefault(doc_id, {})[kind] = int(n)
    return [
        DocumentSummary(
            d.id,
            d.file_name,
            d.path,
            d.language,
            d.encoding,
            d.title,
            d.sha256,
            d.imported_at,
            counts.get(d.id, {}),
        )
        for d in session.scalars(select(Document).order_by(Document.id))
    ]


def document_detail(session: Session, document_id: int) -> tuple[Document, list[Extraction]]:
    """A document and its extractions in document order; ``NotFoundError`` if there is none."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFoundError(f"no document with id {document_id}; see `talentmap docs list`")
    rows = list(
        session.scalars(
            select(Extraction)
            .where(Extraction.document_id == document_id)
            .order_by(Extraction.line_start, Extraction.id)
        )
    )
    return doc, rows


def document_pipelines(session: Session, document_id: int | None = None) -> list[Pipeline]:
    """Pipelines read from documents (all, or one document's), with their ordered stages."""
    q = select(Pipeline).where(Pipeline.source == "document").order_by(Pipeline.id)
    if document_id is not None:
        q = q.where(Pipeline.document_id == document_id)
    return list(session.scalars(q))


@dataclass(frozen=True)
class ExtractedSummary:
    """One canonical item across documents: how often it was read and from how many files."""

    kind: str
    canonical_key: str | None
    category: str | None
    mentions: int
    documents: int


def extraction_summary(session: Session, kind: str) -> list[ExtractedSummary]:
    """Items of ``kind`` (e.g. "strategy", "role", "skill") grouped by canonical key and
    category over all documents, most documents first (aggregated in SQL)."""
    n_docs = func.count(func.distinct(Extraction.document_id))
    rows = session.execute(
        select(Extraction.canonical_key, Extraction.category, func.count(Extraction.id), n_docs)
        .where(Extraction.kind == kind)
        .group_by(Extraction.canonical_key, Extraction.category)
        .order_by(n_docs.desc(), func.count(Extraction.id).desc(), Extraction.canonical_key)
    )
    return [ExtractedSummary(kind, key, cat, int(m), int(d)) for key, cat, m, d in rows]
