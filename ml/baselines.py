"""Two scikit-learn baselines the torch head must beat, with the head's fit/predict shape.

- ``EmbeddingLogReg``: multinomial logistic regression on the same frozen embeddings;
- ``TfidfLinear``: TF-IDF over word 1–2-grams and a linear SVM (probabilities from a softmax
  of its margins, for top-k metrics) — the classic text-classification baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ml.classifier import NotFittedError


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


class EmbeddingLogReg:
    """Logistic regression on encoder embeddings (class-weighted, L2)."""

    def __init__(
        self, *, C: float = 10.0, max_iter: int = 2000, class_weight: str | None = "balanced"
    ) -> None:
        self.C, self.max_iter, self.class_weight = C, max_iter, class_weight

    def fit(
        self, texts: Sequence[str], y: Sequence[Any], *, embeddings: np.ndarray
    ) -> EmbeddingLogReg:
        from sklearn.linear_model import LogisticRegression

        self.model_ = LogisticRegression(
            C=self.C, max_iter=self.max_iter, class_weight=self.class_weight
        )
        self.model_.fit(np.asarray(embeddings), np.asarray([str(v) for v in y]))
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, texts: Sequence[str], *, embeddings: np.ndarray) -> np.ndarray:
        if not hasattr(self, "model_"):
            raise NotFittedError("EmbeddingLogReg is not fitted yet: call fit first")
        return np.asarray(self.model_.predict_proba(np.asarray(embeddings)))

    def predict(self, texts: Sequence[str], *, embeddings: np.ndarray) -> np.ndarray:
        return np.asarray(
            self.classes_[self.predict_proba(texts, embeddings=embeddings).argmax(axis=1)]
        )


class TfidfLinear:
    """TF-IDF (word 1–2-grams, sublinear tf) + LinearSVC; ignores embeddings."""

    def __init__(
        self, *, C: float = 1.0, class_weight: str | None = "balanced", max_features: int = 100_000
    ) -> None:
        self.C, self.class_weight, self.max_features = C, class_weight, max_features

    def fit(
        self, texts: Sequence[str], y: Sequence[Any], *, embeddings: np.ndarray | None = None
    ) -> TfidfLinear:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        self.vectorizer_ = TfidfVectorizer(
            ngram_range=(1, 2),
            min_df=2,
            max_df=0.9,
            sublinear_tf=True,
            max_features=self.max_features,
        )
        X = self.vectorizer_.fit_transform([t or "" for t in texts])
        self.model_ = LinearSVC(C=self.C, class_weight=self.class_weight, random_state=0)
        self.model_.fit(X, np.asarray([str(v) for v in y]))
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(
        self, texts: Sequence[str], *, embeddings: np.ndarray | None = None
    ) -> np.ndarray:
        if not hasattr(self, "model_"):
            raise NotFittedError("TfidfLinear is not fitted yet: call fit first")
        margins = self.model_.decision_function(self.vectorizer_.transform(texts))
        if margins.ndim == 1:
            margins = np.column_stack([-margins, margins])
        return _softmax(margins)

    def predict(self, texts: Sequence[str], *, embeddings: np.ndarray | None = None) -> np.ndarray:
        return np.asarray(
            self.classes_[self.predict_proba(texts, embeddings=embeddings).argmax(axis=1)]
        )
