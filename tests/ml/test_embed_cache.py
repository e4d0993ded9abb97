"""The embedding cache: a text is encoded once per model; lookups are bulk and chunked."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

import data.store.embeddings as emb
from data.store.engine import session_scope
from data.store.models import Embedding
from ml.embed import embed_documents, embed_texts


def test_each_text_is_encoded_once_per_model(engine, counting_encoder):
    texts = ["Python engineer", "数据分析师", "Python engineer", "chef"]
    with session_scope(engine) as s:
        first = embed_texts(s, counting_encoder, texts)
    assert sorted(counting_encoder.encoded) == sorted({*texts})  # the duplicate once
    assert first.shape == (4, counting_encoder.dim) and first.dtype == np.float32
    np.testing.assert_allclose(first[0], first[2])
    np.testing.assert_allclose(first, counting_encoder.encode(texts), rtol=1e-6)

    counting_encoder.encoded.clear()
    with session_scope(engine) as s:
        again = embed_texts(s, counting_encoder, list(reversed(texts)) + ["new text"])
    assert counting_encoder.encoded == ["new text"]
    np.testing.assert_allclose(again[:4], first[::-1])
    with session_scope(engine) as s:
        assert emb.count_vectors(s, counting_encoder.model_id) == 4


def test_another_model_id_has_its_own_vectors(engine, counting_encoder):
    with session_scope(engine) as s:
        embed_texts(s, counting_encoder, ["same text"])
    counting_encoder.model_id = "test:other"
    counting_encoder.encoded.clear()
    with session_scope(engine) as s:
        embed_texts(s, counting_encoder, ["same text"])
        assert dict(emb.cached_models(s)) == {"test:hashing-bow": 1, "test:other": 1}
    assert counting_encoder.encoded == ["same text"]


def test_bulk_lookup_is_chunked_and_stores_float32_bytes(engine, counting_encoder, monkeypatch):
    monkeypatch.setattr(emb, "LOOKUP_CHUNK", 3)
    texts = [f"resume number {i}" for i in range(10)]
    with session_scope(engine) as s:
        vecs = embed_texts(s, counting_encoder, texts)
    counting_encoder.encoded.clear()
    with session_scope(engine) as s:
        again = embed_texts(s, counting_encoder, texts)
        row = s.scalars(
            select(Embedding).where(Embedding.text_hash == emb.text_hash(texts[0]))
        ).one()
    assert counting_encoder.encoded == []
    np.testing.assert_array_equal(again, vecs)
    assert row.dim == counting_encoder.dim and len(row.vector) == 4 * counting_encoder.dim
    assert row.model_id == counting_encoder.model_id


def test_nothing_is_stored_when_the_transaction_fails(engine, counting_encoder):
    with pytest.raises(RuntimeError), session_scope(engine) as s:
        embed_texts(s, counting_encoder, ["lost"])
        raise RuntimeError("boom")
    with session_scope(engine) as s:
        assert emb.count_vectors(s) == 0


def test_document_vectors_equal_the_encoders_pooled_vectors(sqlite_engine, minilm):
    text = "\n".join(
        f"Line {i}: built data pipelines in Python and SQL for team {i}." for i in range(60)
    )
    with session_scope(sqlite_engine) as s:
        docs = embed_documents(s, minilm, [text, "short resume"])
    assert len(docs.passages[0]) > 1, "a long text is split into passages"
    np.testing.assert_allclose(docs.vectors, minilm.encode([text, "short resume"]), atol=1e-5)
    assert docs.passage_vectors[0].shape == (len(docs.passages[0]), minilm.dim)
