"""Pair scorer: (resume, role) → calibrated probability that a recruiter advances the pair.

Trained on recruiter feedback (advance / reject, each with a named reviewer) over the matcher's
feature matrix (one row per pair, columns ``ml.matcher.FEATURE_NAMES``). A gradient-boosted or
logistic model is calibrated with Platt scaling (small data) or isotonic regression (≥ 1,000
labels) inside cross-validation, so the score reads as a probability. An instance is callable
``scorer(features) -> probabilities`` and so plugs into the matcher's ``pair_scorer`` hook.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from data.errors import InputError, ModelError
from ml.classifier import NotFittedError
from ml.evaluation import calibration_metrics

_CONFIG = "config.json"
_MODEL = "model.pkl"


class PairScorer:
    """Calibrated advance-probability model over matcher features."""

    def __init__(
        self,
        *,
        base: Literal["logistic", "boosting"] = "logistic",
        calibration: Literal["auto", "sigmoid", "isotonic"] = "auto",
        cv: int = 3,
        seed: int = 0,
    ) -> None:
        self.base, self.calibration, self.cv, self.seed = base, calibration, cv, seed

    def _estimator(self) -> Any:
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        if self.base == "boosting":
            from sklearn.ensemble import HistGradientBoostingClassifier

            return HistGradientBoostingClassifier(
                max_iter=200, learning_rate=0.05, random_state=self.seed
            )
        from sklearn.linear_model import LogisticRegression

        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))

    def fit(
        self, X: np.ndarray, y: Sequence[int], *, feature_names: Sequence[str] | None = None
    ) -> PairScorer:
        """``X``: one row of matcher features per pair; ``y``: 1 advanced, 0 rejected."""
        from sklearn.calibration import CalibratedClassifierCV

        X = np.asarray(X, dtype=np.float64)
        y_arr = np.asarray(y, dtype=int)
        if X.ndim != 2 or len(X) != len(y_arr):
            raise ValueError(
                f"expected a 2-D feature matrix with one row per label, got "
                f"{X.shape} for {len(y_arr)} labels"
            )
        counts = np.bincount(y_arr, minlength=2)
        if len(counts) > 2 or counts.min() < 2:
            raise InputError(
                f"the pair scorer needs at least 2 'advance' and 2 'reject' decisions, got "
                f"{counts[1]} advance and {counts[0]} reject: record more feedback first",
                field="decision",
            )
        method = self.calibration
        if method == "auto":
            method = "isotonic" if len(y_arr) >= 1000 else "sigmoid"
        cv = int(max(2, min(self.cv, counts.min())))
        self.model_ = CalibratedClassifierCV(self._estimator(), method=method, cv=cv)
        self.model_.fit(X, y_arr)
        self.method_ = method
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = X.shape[1]
        self.feature_names_ = (
            list(feature_names)
            if feature_names is not None
            else [f"f{i}" for i in range(X.shape[1])]
        )
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "model_"):
            raise NotFittedError(
                "this PairScorer is not fitted yet: train one with `talentmap train pair-scorer`"
            )
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"expected {self.n_features_in_} features per pair "
                f"({', '.join(self.feature_names_)}), got shape {X.shape}"
            )
        return np.asarray(self.model_.predict_proba(X))

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """Probability of advancing, one per row (the matcher's ``pair_scorer`` hook)."""
        return self.predict_proba(X)[:, 1]

    def evaluate(self, X: np.ndarray, y: Sequence[int], *, n_bins: int = 10) -> dict[str, Any]:
        """Accuracy, ROC AUC, Brier score, ECE and the reliability curve on ``X``/``y``."""
        from sklearn.metrics import roc_auc_score

        y_arr = np.asarray(y, dtype=int)
        p = self(X)
        m = calibration_metrics(y_arr, p, n_bins=n_bins)
        m["accuracy"] = float(np.mean((p >= 0.5) == (y_arr == 1)))
        m["roc_auc"] = float(roc_auc_score(y_arr, p)) if len(np.unique(y_arr)) == 2 else None
        return m

    def save(self, folder: str | Path) -> Path:
        if not hasattr(self, "model_"):
            raise NotFittedError("cannot save an unfitted PairScorer")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        config = {
            "type": "PairScorer",
            "params": {
                "base": self.base,
                "calibration": self.calibration,
                "cv": self.cv,
                "seed": self.seed,
            },
            "method": self.method_,
            "feature_names": self.feature_names_,
        }
        (folder / _CONFIG).write_text(json.dumps(config, indent=2), encoding="utf-8")
        with open(folder / _MODEL, "wb") as fh:
            pickle.dump(self.model_, fh)
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> PairScorer:
        folder = Path(folder)
        try:
            config = json.loads((folder / _CONFIG).read_text(encoding="utf-8"))
            with open(folder / _MODEL, "rb") as fh:
                model = pickle.load(fh)
        except (OSError, ValueError, pickle.UnpicklingError) as err:
            raise ModelError(f"cannot load a PairScorer from {folder}: {err}") from err
        scorer = cls(**config["params"])
        scorer.model_ = model
        scorer.method_ = config["method"]
        scorer.feature_names_ = config["feature_names"]
        scorer.n_features_in_ = len(scorer.feature_names_)
        scorer.classes_ = np.array([0, 1])
        return scorer
