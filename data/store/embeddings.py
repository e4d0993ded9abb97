"""The embedding cache table: vectors keyed by (model id, sha256 of the text).

Vectors are stored as little-endian float32 bytes. Lookups are bulk ``IN`` queries in chunks
(SQLite and PostgreSQL both cap bound parameters), so a match over thousands of resumes costs a
handful of round trips, not one per text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from data.store.models import Embedding

LOOKUP_CHUNK = 900
"""Hashes per ``IN (...)`` query (below SQLite's default limit of 999 bound parameters)."""


def text_hash(text: str) -> str:
    """The cache key of ``text``: sha256 of its UTF-8 bytes, hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(blob: bytes, dim: int) -> np.ndarray:
    vec = np.frombuffer(blob, dtype="<f4")
    if vec.shape[0] != dim:
        raise ValueError(f"cached vector has {vec.shape[0]} values, expected {dim}")
    return vec.astype(np.float32)


def get_vectors(session: Session, model_id: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
    """The cached vectors of ``model_id`` for those of ``hashes`` that are stored."""
    wanted = list(dict.fromkeys(hashes))
    found: dict[str, np.ndarray] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        part = wanted[start : start + LOOKUP_CHUNK]
        rows = session.execute(
            select(Embedding.text_hash, Embedding.dim, Embedding.vector).where(
                Embedding.model_id == model_id, Embedding.text_hash.in_(part)
            )
        )
        for h, dim, blob in rows:
            found[h] = from_bytes(blob, dim)
    return found


def put_vectors(session: Session, model_id: str, vectors: Mapping[str, np.ndarray]) -> int:
    """Store vectors not yet cached for ``model_id``; returns how many rows were added.

    Keys already present are skipped, so storing the same text twice is harmless.
    """
    if not vectors:
        return 0
    present = set(get_vectors_keys(session, model_id, vectors.keys()))
    rows = [
        {
            "model_id": model_id,
            "text_hash": h,
            "dim": int(np.asarray(v).shape[-1]),
            "vector": to_bytes(v),
        }
        for h, v in vectors.items()
        if h not in present
    ]
    if rows:
        session.execute(insert(Embedding), rows)
    return len(rows)


def get_vectors_keys(session: Session, model_id: str, hashes: Iterable[str]) -> list[str]:
    """Which of ``hashes`` are cached for ``model_id`` (without loading the vectors)."""
    wanted = list(dict.fromkeys(hashes))
    out: list[str] = []
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        part = wanted[start : start + LOOKUP_CHUNK]
        out.extend(
            session.scalars(
                select(Embedding.text_hash).where(
                    Embedding.model_id == model_id, Embedding.text_hash.in_(part)
                )
            )
        )
    return out


def count_vectors(session: Session, model_id: str | None = None) -> int:
    """How many vectors are cached (for one model, or in all)."""
    q = select(func.count()).select_from(Embedding)
    if model_id is not None:
        q = q.where(Embedding.model_id == model_id)
    return int(session.scalar(q) or 0)


def cached_models(session: Session) -> Sequence[tuple[str, int]]:
    """``(model_id, vectors)`` for every model in the cache."""
    rows = session.execute(
        select(Embedding.model_id, func.count())
        .group_by(Embedding.model_id)
        .order_by(Embedding.model_id)
    )
    return [(m, int(n)) for m, n in rows]
