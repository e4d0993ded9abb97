"""The torch role classifier and the two baselines, on a small real set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from data.errors import InputError
from ml.baselines import EmbeddingLogReg, TfidfLinear
from ml.classifier import NotFittedError, RoleClassifier
from ml.evaluation import classification_metrics
from tests.ml.training_data import HashEncoder, livecareer_sample

FAST = {"epochs": 15, "hidden": 64, "lexical_dim": 32, "patience": 5}


@pytest.fixture(scope="module")
def split(benchmarks_dir: Path):
    df = livecareer_sample(benchmarks_dir, per_class=25)
    emb = HashEncoder().encode(df["text"].tolist())
    test = df["fold"].isin([0, 1]).to_numpy()
    return df, emb, ~test, test


def test_head_learns_and_beats_chance(split) -> None:
    df, emb, tr, te = split
    texts = df["text"].tolist()
    model = RoleClassifier(**FAST).fit(
        [texts[i] for i in np.flatnonzero(tr)], df["label"][tr], embeddings=emb[tr]
    )
    proba = model.predict_proba([texts[i] for i in np.flatnonzero(te)], embeddings=emb[te])
    assert proba.shape == (te.sum(), 4)
    assert np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    m = classification_metrics(df["label"][te], proba, model.classes_)
    assert m["macro_f1"] > 0.5  # 4 classes: chance is 0.25
    assert model.best_epoch_ >= 1 and len(model.history_) >= model.best_epoch_
    assert all("val_macro_f1" in h for h in model.history_)


def test_estimator_contract(split) -> None:
    df, emb, _, _ = split
    model = RoleClassifier(epochs=3, l1=1e-5)
    assert model.get_params()["epochs"] == 3 and model.get_params()["l1"] == 1e-5
    assert not hasattr(model, "classes_")
    with pytest.raises(NotFittedError, match="not fitted yet"):
        model.predict(["text"], embeddings=emb[:1])
    assert model.fit(df["text"].tolist(), df["label"], embeddings=emb) is model
    with pytest.raises(ValueError, match="one row per text"):
        model.predict(["a", "b"], embeddings=emb[:1])
    with pytest.raises(InputError, match="at least 2 classes"):
        RoleClassifier(epochs=1).fit(["a", "b"], ["x", "x"], embeddings=emb[:2])


def test_save_load_gives_the_same_probabilities(split, tmp_path: Path) -> None:
    df, emb, tr, _ = split
    texts = df["text"].tolist()
    model = RoleClassifier(**FAST).fit(texts, df["label"], embeddings=emb)
    model.save(tmp_path / "m")
    back = RoleClassifier.load(tmp_path / "m")
    assert list(back.classes_) == list(model.classes_)
    np.testing.assert_allclose(
        back.predict_proba(texts[:5], embeddings=emb[:5]),
        model.predict_proba(texts[:5], embeddings=emb[:5]),
        atol=1e-6,
    )


def test_seeded_training_is_reproducible(split) -> None:
    df, emb, _, _ = split
    texts = df["text"].tolist()
    a = RoleClassifier(**FAST, seed=3).fit(texts, df["label"], embeddings=emb)
    b = RoleClassifier(**FAST, seed=3).fit(texts, df["label"], embeddings=emb)
    np.testing.assert_allclose(
        a.predict_proba(texts, embeddings=emb), b.predict_proba(texts, embeddings=emb), atol=1e-5
    )


def test_progress_callback_can_interrupt_mid_epoch(split) -> None:
    df, emb, _, _ = split
    calls: list[tuple[int, int]] = []

    def stop(done: int, total: int) -> None:
        calls.append((done, total))
        if done == 3:
            raise KeyboardInterrupt

    model = RoleClassifier(**FAST, batch_size=8)
    with pytest.raises(KeyboardInterrupt):
        model.fit(df["text"].tolist(), df["label"], embeddings=emb, progress=stop)
    assert calls[-1][0] == 3 and calls[-1][1] > 3
    assert not hasattr(model, "head_")


@pytest.mark.parametrize("baseline", [EmbeddingLogReg, TfidfLinear], ids=["logreg", "tfidf"])
def test_baselines_share_the_interface(split, baseline) -> None:
    df, emb, tr, te = split
    texts = np.array(df["text"].tolist(), dtype=object)
    model = baseline().fit(list(texts[tr]), df["label"][tr], embeddings=emb[tr])
    proba = model.predict_proba(list(texts[te]), embeddings=emb[te])
    assert proba.shape == (te.sum(), len(model.classes_))
    m = classification_metrics(df["label"][te], proba, model.classes_)
    assert m["accuracy"] > 0.4
