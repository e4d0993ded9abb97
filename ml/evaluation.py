"""Evaluation built in: metrics, evaluators and leak-free splits.

Evaluators follow the sentence-transformers contract: a callable returning
``{"metrics": {...}, "primary_metric": name, "greater_is_better": bool}``.

Splits keep duplicate and near-duplicate texts (same normalised hash, or TF-IDF cosine of
word shingles at or above a threshold) in the same fold, so a resume sent twice with a changed
phone number never sits on both sides of a split.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from data.errors import InputError

EvalResult = dict[str, Any]


# --- metrics ---------------------------------------------------------------------------------


def classification_metrics(
    y_true: Sequence[Any], proba: np.ndarray, classes: Sequence[Any], *, k: int = 3
) -> dict[str, Any]:
    """Accuracy, macro precision/recall/F1, top-k accuracy, per-class report, confusion matrix.

    ``proba`` has one column per entry of ``classes``; labels in ``y_true`` absent from
    ``classes`` count as misses.
    """
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    proba = np.asarray(proba, dtype=np.float64)
    classes = list(classes)
    y_true = list(y_true)
    if proba.ndim != 2 or proba.shape != (len(y_true), len(classes)):
        raise ValueError(
            f"expected probabilities of shape ({len(y_true)}, {len(classes)}), got {proba.shape}"
        )
    pred = [classes[i] for i in proba.argmax(axis=1)]
    labels = sorted(set(classes) | set(y_true), key=str)
    p, r, f, s = precision_recall_fscore_support(
        y_true, pred, labels=labels, average=None, zero_division=0
    )
    present = [i for i, lab in enumerate(labels) if lab in set(y_true)]
    index = {c: i for i, c in enumerate(classes)}
    kk = min(k, len(classes))
    topk = np.argsort(-proba, axis=1)[:, :kk]
    hits = [index.get(t, -1) in row for t, row in zip(y_true, topk, strict=True)]
    return {
        "accuracy": float(np.mean([a == b for a, b in zip(y_true, pred, strict=True)])),
        "macro_precision": float(np.mean(p[present])),
        "macro_recall": float(np.mean(r[present])),
        "macro_f1": float(np.mean(f[present])),
        f"top{k}_accuracy": float(np.mean(hits)),
        "per_class": {
            str(lab): {
                "precision": float(p[i]),
                "recall": float(r[i]),
                "f1": float(f[i]),
                "support": int(s[i]),
            }
            for i, lab in enumerate(labels)
        },
        "labels": [str(x) for x in labels],
        "confusion_matrix": confusion_matrix(y_true, pred, labels=labels).tolist(),
        "n": len(y_true),
    }


def mrr(relevance: Sequence[Sequence[int]]) -> float:
    """Mean reciprocal rank of the first relevant item; each row is ranked best first."""
    out = []
    for row in relevance:
        hits = np.flatnonzero(np.asarray(row) > 0)
        out.append(1.0 / (hits[0] + 1) if len(hits) else 0.0)
    return float(np.mean(out)) if out else 0.0


def ndcg_at_k(relevance: Sequence[Sequence[float]], k: int = 10) -> float:
    """Mean nDCG@k; each row holds graded relevance in ranked order (best first)."""
    out = []
    for row in relevance:
        rel = np.asarray(row, dtype=float)
        disc = 1.0 / np.log2(np.arange(2, min(k, len(rel)) + 2))
        dcg = float(np.sum(rel[:k] * disc))
        ideal = float(np.sum(np.sort(rel)[::-1][:k] * disc))
        out.append(dcg / ideal if ideal > 0 else 0.0)
    return float(np.mean(out)) if out else 0.0


def calibration_metrics(
    y_true: Sequence[int] | np.ndarray, prob: Sequence[float] | np.ndarray, *, n_bins: int = 10
) -> dict[str, Any]:
    """Expected calibration error and the reliability curve (equal-width bins, empty ones
    left out) of binary probabilities."""
    y = np.asarray(y_true, dtype=float)
    p = np.clip(np.asarray(prob, dtype=float), 0.0, 1.0)
    if len(y) != len(p):
        raise ValueError(f"expected as many probabilities as labels, got {len(p)} and {len(y)}")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1], right=False), 0, n_bins - 1)
    bins, ece = [], 0.0
    for b in range(n_bins):
        mask = which == b
        if not mask.any():
            continue
        conf, acc = float(p[mask].mean()), float(y[mask].mean())
        ece += mask.mean() * abs(conf - acc)
        bins.append(
            {
                "lo": float(edges[b]),
                "hi": float(edges[b + 1]),
                "count": int(mask.sum()),
                "mean_predicted": conf,
                "fraction_positive": acc,
            }
        )
    brier = float(np.mean((p - y) ** 2)) if len(y) else 0.0
    return {"ece": float(ece), "brier": brier, "reliability": bins, "n": int(len(y))}


# --- evaluators ------------------------------------------------------------------------------


class ProbabilisticClassifier(Protocol):
    classes_: np.ndarray

    def predict_proba(self, X: Any) -> np.ndarray: ...


class ClassificationEvaluator:
    """Scores a fitted classifier on held-out ``X``/``y``; primary metric macro-F1."""

    def __init__(self, X: Any, y: Sequence[Any], *, name: str = "", k: int = 3) -> None:
        self.X, self.y, self.name, self.k = X, list(y), name, k

    def __call__(self, model: ProbabilisticClassifier) -> EvalResult:
        proba = model.predict_proba(self.X)
        m = classification_metrics(self.y, proba, list(model.classes_), k=self.k)
        return {
            "metrics": m,
            "primary_metric": "macro_f1",
            "greater_is_better": True,
            "name": self.name,
        }


class RankingEvaluator:
    """MRR and nDCG@10 of a scorer over queries; ``relevant[i]`` holds the set of relevant
    candidate indices for query ``i``; the scorer returns one score per candidate per query."""

    def __init__(
        self, queries: Any, relevant: Sequence[set[int]], *, k: int = 10, name: str = ""
    ) -> None:
        self.queries, self.relevant, self.k, self.name = queries, list(relevant), k, name

    def __call__(self, score: Any) -> EvalResult:
        scores = np.asarray(score(self.queries), dtype=float)
        rels = []
        for row, rel in zip(scores, self.relevant, strict=True):
            order = np.argsort(-row, kind="stable")
            rels.append([1 if i in rel else 0 for i in order])
        metrics = {"mrr": mrr(rels), f"ndcg@{self.k}": ndcg_at_k(rels, self.k), "n": len(rels)}
        return {
            "metrics": metrics,
            "primary_metric": f"ndcg@{self.k}",
            "greater_is_better": True,
            "name": self.name,
        }


class CalibrationEvaluator:
    """ECE and reliability curve of a binary probabilistic model (column 1 = positive)."""

    def __init__(self, X: Any, y: Sequence[int], *, n_bins: int = 10, name: str = "") -> None:
        self.X, self.y, self.n_bins, self.name = X, list(y), n_bins, name

    def __call__(self, model: ProbabilisticClassifier) -> EvalResult:
        p = np.asarray(model.predict_proba(self.X))[:, 1]
        m = calibration_metrics(self.y, p, n_bins=self.n_bins)
        return {
            "metrics": m,
            "primary_metric": "ece",
            "greater_is_better": False,
            "name": self.name,
        }


def summarise_folds(
    results: Sequence[dict[str, Any]],
    keys: Sequence[str] = ("macro_f1", "accuracy", "top3_accuracy"),
) -> dict[str, dict[str, Any]]:
    """Mean and standard deviation of each metric over per-fold metric dicts."""
    out: dict[str, dict[str, Any]] = {}
    for key in keys:
        vals = [float(r[key]) for r in results if key in r]
        if vals:
            out[key] = {"mean": float(np.mean(vals)), "std": float(np.std(vals)), "folds": vals}
    return out


# --- duplicate-aware splits ------------------------------------------------------------------


def normalised_hash(text: str) -> str:
    """sha256 of the lower-cased, whitespace-collapsed text (the benchmark's ``text_sha256``)."""
    return hashlib.sha256(" ".join((text or "").lower().split()).encode("utf-8")).hexdigest()


def near_duplicate_groups(
    texts: Sequence[str], *, threshold: float = 0.9, block: int = 1000
) -> np.ndarray:
    """One group id per text: exact duplicates and texts whose TF-IDF cosine over word
    3-shingles is at least ``threshold`` share a group (transitively)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(texts)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    first: dict[str, int] = {}
    for i, t in enumerate(texts):
        h = normalised_hash(t)
        if h in first:
            union(first[h], i)
        else:
            first[h] = i
    docs = [" ".join(re.findall(r"\w+", (t or "").lower())) or "_empty_" for t in texts]
    if n > 1:
        vec = TfidfVectorizer(
            analyzer="word",
            ngram_range=(3, 3),
            token_pattern=r"\S+",
            sublinear_tf=True,
            dtype=np.float32,
        )
        try:
            X = vec.fit_transform(docs)
        except ValueError:  # every text shorter than a shingle
            X = None
        if X is not None:
            for start in range(0, n, block):
                sims = (X[start : start + block] @ X.T).tocoo()
                keep = (sims.data >= threshold) & (sims.row + start < sims.col)
                for a, b in zip(sims.row[keep] + start, sims.col[keep], strict=True):
                    union(int(a), int(b))
    roots = np.array([find(i) for i in range(n)])
    _, ids = np.unique(roots, return_inverse=True)
    return ids


def stratified_group_folds(
    y: Sequence[Any], groups: np.ndarray, *, k: int = 5, seed: int = 0
) -> np.ndarray:
    """A fold number (0..k-1) per row: label-stratified, groups never split."""
    from sklearn.model_selection import StratifiedGroupKFold

    labels = np.asarray([str(v) for v in y])
    if k < 2:
        raise InputError(f"cross-validation needs at least 2 folds, got {k}", field="folds")
    if len(np.unique(groups)) < k:
        raise InputError(
            f"only {len(np.unique(groups))} distinct texts for {k} folds: add data or use fewer "
            "folds",
            field="folds",
        )
    folds = np.full(len(labels), -1, dtype=int)
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    for f, (_, test) in enumerate(splitter.split(np.zeros(len(labels)), labels, groups)):
        folds[test] = f
    return folds


def make_folds(
    texts: Sequence[str],
    y: Sequence[Any],
    *,
    k: int = 5,
    seed: int = 0,
    fold_column: Sequence[Any] | np.ndarray | None = None,
    threshold: float = 0.9,
) -> np.ndarray:
    """Folds for cross-validation: the user's ``fold_column`` when given (honoured as is),
    else stratified folds that keep near-duplicates together."""
    if fold_column is not None:
        vals = np.asarray(list(fold_column))
        _, folds = np.unique(vals.astype(str), return_inverse=True)
        if len(np.unique(folds)) < 2:
            raise InputError("the fold column holds fewer than 2 distinct folds", field="fold")
        return folds
    groups = near_duplicate_groups(texts, threshold=threshold)
    return stratified_group_folds(y, groups, k=k, seed=seed)


def holdout_split(
    texts: Sequence[str],
    y: Sequence[Any],
    *,
    test_size: float = 0.2,
    seed: int = 0,
    threshold: float = 0.9,
) -> tuple[np.ndarray, np.ndarray]:
    """Train and test row indices; near-duplicates stay on one side, labels stratified."""
    k = max(2, round(1 / test_size))
    folds = make_folds(texts, y, k=k, seed=seed, threshold=threshold)
    test = np.flatnonzero(folds == 0)
    train = np.flatnonzero(folds != 0)
    return train, test


def split_hash(texts: Sequence[str], y: Sequence[Any]) -> str:
    """Identifies a test split by its content (order-free): two models compared on the same
    split hash were scored on the same rows."""
    items = sorted(f"{normalised_hash(t)}\t{lab}" for t, lab in zip(texts, y, strict=True))
    return hashlib.sha256("\n".join(items).encode("utf-8")).hexdigest()
