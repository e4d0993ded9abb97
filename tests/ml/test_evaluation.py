"""Metrics, evaluators and duplicate-aware splits."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

from data.errors import InputError
from ml.evaluation import (
    CalibrationEvaluator,
    ClassificationEvaluator,
    RankingEvaluator,
    calibration_metrics,
    classification_metrics,
    holdout_split,
    make_folds,
    mrr,
    ndcg_at_k,
    near_duplicate_groups,
    split_hash,
)


def test_classification_metrics_match_sklearn() -> None:
    rng = np.random.default_rng(1)
    classes = ["a", "b", "c", "d"]
    y = rng.choice(classes, size=200)
    proba = rng.random((200, 4))
    proba /= proba.sum(axis=1, keepdims=True)
    pred = np.array(classes)[proba.argmax(axis=1)]
    m = classification_metrics(y, proba, classes)
    assert m["accuracy"] == pytest.approx(accuracy_score(y, pred))
    assert m["macro_f1"] == pytest.approx(f1_score(y, pred, average="macro"))
    assert m["macro_precision"] == pytest.approx(precision_score(y, pred, average="macro"))
    assert m["macro_recall"] == pytest.approx(recall_score(y, pred, average="macro"))
    top3 = np.argsort(-proba, axis=1)[:, :3]
    expected = np.mean([classes.index(t) in row for t, row in zip(y, top3)])
    assert m["top3_accuracy"] == pytest.approx(expected)
    assert m["top3_accuracy"] >= m["accuracy"]
    assert np.trace(np.array(m["confusion_matrix"])) == int(m["accuracy"] * 200)
    assert sum(c["support"] for c in m["per_class"].values()) == 200


def test_classification_metrics_rejects_wrong_shape() -> None:
    with pytest.raises(ValueError, match="expected probabilities of shape"):
        classification_metrics(["a", "b"], np.ones((2, 3)), ["a", "b"])


def test_ranking_metrics_by_hand() -> None:
    assert mrr([[0, 1, 0], [1, 0, 0], [0, 0, 0]]) == pytest.approx((0.5 + 1 + 0) / 3)
    # one relevant item at rank 2 of 10: dcg = 1/log2(3), ideal = 1
    assert ndcg_at_k([[0, 1] + [0] * 8], 10) == pytest.approx(1 / np.log2(3))
    assert ndcg_at_k([[1, 1, 0]], 10) == pytest.approx(1.0)


def test_calibration_perfect_and_overconfident() -> None:
    y = [1] * 8 + [0] * 2
    assert calibration_metrics(y, [0.8] * 10)["ece"] == pytest.approx(0.0)
    over = calibration_metrics(y, [0.99] * 10)
    assert over["ece"] == pytest.approx(0.19)
    (only_bin,) = over["reliability"]
    assert only_bin["count"] == 10 and only_bin["fraction_positive"] == pytest.approx(0.8)


class _Fixed:
    classes_ = np.array(["x", "y"])

    def predict_proba(self, X: list[int]) -> np.ndarray:
        return np.array([[0.9, 0.1] if v == 0 else [0.2, 0.8] for v in X])


def test_evaluators_follow_one_contract() -> None:
    res = ClassificationEvaluator([0, 1, 1], ["x", "y", "x"], name="t")(_Fixed())
    assert res["primary_metric"] == "macro_f1" and res["greater_is_better"] is True
    assert res["metrics"]["accuracy"] == pytest.approx(2 / 3)
    cal = CalibrationEvaluator([0, 1, 1], [0, 1, 1])(_Fixed())
    assert cal["primary_metric"] == "ece" and cal["greater_is_better"] is False
    rank = RankingEvaluator(["q1", "q2"], [{2}, {0}])(
        lambda qs: np.array([[0.1, 0.5, 0.9], [0.2, 0.9, 0.1]])
    )
    assert rank["metrics"]["mrr"] == pytest.approx((1 + 0.5) / 2)
    assert rank["primary_metric"] == "ndcg@10"


def _texts(n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    vocab = [f"word{i}" for i in range(400)]
    return [" ".join(rng.choice(vocab, size=80)) for _ in range(n)]


def test_near_duplicates_share_a_group() -> None:
    texts = _texts(30)
    texts.append(texts[3].replace("word", "word", 1) + " phone 555 0100")  # near-duplicate
    texts.append(texts[7].upper())  # exact duplicate after normalisation
    groups = near_duplicate_groups(texts)
    assert groups[30] == groups[3]
    assert groups[31] == groups[7]
    assert len(set(groups.tolist())) == 30


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_near_duplicate_pair_never_straddles_folds(seed: int) -> None:
    texts = _texts(60, seed)
    labels = ["a", "b", "c"] * 20
    pairs = []
    for i in range(0, 60, 6):
        texts.append(texts[i] + " updated")
        labels.append(labels[i])
        pairs.append((i, len(texts) - 1))
    folds = make_folds(texts, labels, k=5, seed=seed)
    assert set(folds.tolist()) == set(range(5))
    for a, b in pairs:
        assert folds[a] == folds[b]
    train, test = holdout_split(texts, labels, test_size=0.2, seed=seed)
    for a, b in pairs:
        assert (a in test) == (b in test)
    assert not set(train) & set(test)


def test_user_fold_column_is_honoured() -> None:
    texts = _texts(12)
    folds = make_folds(texts, ["a", "b"] * 6, fold_column=[3, 1, 1, 3, 2, 2] * 2)
    assert folds.tolist() == [2, 0, 0, 2, 1, 1] * 2
    with pytest.raises(InputError, match="fewer than 2 distinct folds"):
        make_folds(texts, ["a", "b"] * 6, fold_column=[0] * 12)


def test_split_hash_is_order_free_and_label_sensitive() -> None:
    assert split_hash(["a", "b"], [1, 2]) == split_hash(["b", "a"], [2, 1])
    assert split_hash(["a", "b"], [1, 2]) != split_hash(["a", "b"], [2, 1])
