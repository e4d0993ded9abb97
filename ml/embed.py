"""Embedding through the store's cache: a text is encoded once per model, ever.

``embed_texts`` looks every text up by (model id, sha256) in bulk, encodes only the missing
ones, stores them, and returns the rows in input order. ``embed_documents`` does the same for
long texts at the level of their passages (the chunks the encoder pools), so the matcher gets
both the document vector and the passage vectors from one cache, and a resume whose first line
changed re-encodes one passage, not the whole text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from data.store.embeddings import get_vectors, get_vectors_keys, put_vectors, text_hash
from ml.encoders import Encoder, chunk_text, pool

ProgressFn = Callable[[int, int], None]
VectorStore = Callable[[str, dict[str, np.ndarray]], None]
"""Stores newly encoded vectors: ``store(model_id, {text hash: vector})``."""

STORE_BATCH = 512
"""Missing texts are encoded and stored in blocks of this size (bounded memory, steady progress)."""


def embed_texts(
    session: Session,
    encoder: Encoder,
    texts: Sequence[str],
    *,
    progress: ProgressFn | None = None,
    batch_size: int = 64,
    store: VectorStore | None = None,
) -> np.ndarray:
    """L2-normalised float32 vectors of ``texts`` (one row each), encoding only uncached texts.

    ``progress(done, total)`` counts texts that had to be encoded. New vectors are added to
    ``session`` (flushed, committed with the caller's transaction), or handed to ``store``
    block by block when given (``cache_writer``: then ``session`` is only read).
    """
    if len(texts) == 0:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    hashes = [text_hash(t) for t in texts]
    unique: dict[str, str] = {}
    for h, t in zip(hashes, texts):
        unique.setdefault(h, t)
    found = get_vectors(session, encoder.model_id, unique.keys())
    missing = [h for h in unique if h not in found]
    total = len(missing)
    done = 0
    if progress:
        progress(0, total)
    for start in range(0, total, STORE_BATCH):
        block = missing[start : start + STORE_BATCH]
        vecs = encoder.encode([unique[h] for h in block], batch_size=batch_size)
        new = {h: np.asarray(v, dtype=np.float32) for h, v in zip(block, vecs)}
        if store is not None:
            store(encoder.model_id, new)
        else:
            put_vectors(session, encoder.model_id, new)
            session.flush()
        found.update(new)
        done += len(block)
        if progress:
            progress(done, total)
    return np.stack([found[h] for h in hashes]).astype(np.float32, copy=False)


def passages(encoder: Encoder, text: str) -> list[str]:
    """The passages of ``text`` the encoder pools (its own chunking when it has one)."""
    chunker = getattr(encoder, "chunks", None)
    if callable(chunker):
        return list(chunker(text))
    return chunk_text(text) or [""]


@dataclass
class DocumentVectors:
    """Document vectors and, per document, its passages and their vectors."""

    vectors: np.ndarray
    """(n, dim) L2-normalised: the mean of each document's passage vectors."""
    passages: list[list[str]]
    passage_vectors: list[np.ndarray]
    """per document, (passages, dim) L2-normalised."""


def embed_documents(
    session: Session,
    encoder: Encoder,
    texts: Sequence[str],
    *,
    progress: ProgressFn | None = None,
    batch_size: int = 64,
    store: VectorStore | None = None,
) -> DocumentVectors:
    """Embed long texts passage by passage through the cache; pool passages per document.

    The document vector equals ``encoder.encode([text])[0]`` (same passages, same pooling).
    ``store`` as for ``embed_texts``.
    """
    parts = [passages(encoder, t) for t in texts]
    flat = [p for ps in parts for p in ps]
    owners = np.repeat(np.arange(len(texts)), [len(ps) for ps in parts])
    vecs = embed_texts(
        session, encoder, flat, progress=progress, batch_size=batch_size, store=store
    )
    pooled = (
        pool(vecs, owners, len(texts))
        if len(texts)
        else np.zeros((0, encoder.dim), dtype=np.float32)
    )
    bounds = np.cumsum([0] + [len(ps) for ps in parts])
    per_doc = [vecs[bounds[i] : bounds[i + 1]] for i in range(len(texts))]
    return DocumentVectors(pooled, parts, per_doc)


def embed_pool(
    session: Session,
    encoder: Encoder,
    index_dir: Path,
    *,
    progress: ProgressFn | None = None,
    block: int = 256,
) -> int:
    """Encode every stored resume (``talentmap embed``) and store the pool's document vectors.

    Passages go through the cache (already encoded ones are read, not re-encoded); the
    document vectors are written to ``index_dir`` (``ml.retrieval.VectorIndex``) so that stage
    one of matching also retrieves by vector. ``progress(done, total)`` counts resumes.
    Returns the number of resumes in the stored vectors.
    """
    from sqlalchemy import select

    from data.store.models import Resume
    from ml.retrieval import VectorIndex

    rows = [
        (int(i), str(d))
        for i, d in session.execute(select(Resume.id, Resume.sha256).order_by(Resume.id)).all()
    ]
    vectors = np.zeros((len(rows), encoder.dim), dtype=np.float32)
    if progress:
        progress(0, len(rows))
    for start in range(0, len(rows), block):
        part = [i for i, _d in rows[start : start + block]]
        texts = {
            int(i): t
            for i, t in session.execute(
                select(Resume.id, Resume.text).where(Resume.id.in_(part))
            ).all()
        }
        docs = embed_documents(session, encoder, [texts[i] or "" for i in part])
        vectors[start : start + len(part)] = docs.vectors
        session.commit()  # a long run keeps what it encoded even when stopped
        if progress:
            progress(min(start + block, len(rows)), len(rows))
    VectorIndex(
        np.array([i for i, _d in rows], dtype=np.int64), [d for _i, d in rows], vectors
    ).save(index_dir, encoder.model_id)
    return len(rows)


def cache_writer(engine: Engine) -> VectorStore:
    """A ``store`` for ``embed_texts`` that writes each block of new vectors in its own short
    write transaction (an idempotent insert, retried when the database is busy), so a caller
    that only reads in its session never holds the write lock while it encodes."""
    from data.store.engine import write_transaction

    def store(model_id: str, new: dict[str, np.ndarray]) -> None:
        write_transaction(engine, lambda s: put_vectors(s, model_id, new))

    return store


def warm_cache(
    engine: Engine,
    encoder: Encoder,
    texts: Iterable[Sequence[str]],
    *,
    progress: ProgressFn | None = None,
    batch_size: int = 64,
) -> int:
    """Encode and cache the passages of every document in ``texts`` (an iterable of blocks)
    without holding the database's write lock while encoding: each block's lookup is a short
    read, the encoding runs with no transaction open, and the new vectors are stored in their
    own short write transaction (an idempotent insert, retried when the database is busy).
    A match run afterwards finds everything cached, so it encodes nothing while it writes.
    Returns the number of passages encoded."""
    from data.store.engine import write_transaction

    encoded = 0
    for block in texts:
        unique: dict[str, str] = {}
        for t in block:
            for p in passages(encoder, t):
                unique.setdefault(text_hash(p), p)
        with Session(engine) as s:
            found = set(get_vectors_keys(s, encoder.model_id, unique.keys()))
        missing = [h for h in unique if h not in found]
        for start in range(0, len(missing), STORE_BATCH):
            part = missing[start : start + STORE_BATCH]
            vecs = encoder.encode([unique[h] for h in part], batch_size=batch_size)
            new = {h: np.asarray(v, dtype=np.float32) for h, v in zip(part, vecs)}
            write_transaction(engine, lambda s, new=new: put_vectors(s, encoder.model_id, new))  # type: ignore[misc]
            encoded += len(part)
        if progress:
            progress(encoded, encoded)
    return encoded
