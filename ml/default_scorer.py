"""The default pair scorer: learned from public labelled resumes, calibrated, shipped as JSON.

``ml/default_scorer.json`` holds a scikit-learn logistic regression over the matcher's pair
features (standardised), with Platt calibration fitted by ``CalibratedClassifierCV`` on held-out
folds, so ``100 * p`` reads as the probability that the resume fits the role. It was fitted by
``python -m benchmarks.fit_default_scorer`` on livecareer folds 0-1 only (first line removed),
with role profiles written from ESCO occupation text (``benchmarks/livecareer_roles.yaml``);
the file records the training data's hash, the feature list and the fitting command.

The matcher uses it whenever no pair scorer of the user's own (trained on their recruiters'
decisions and promoted) is active. Probabilities are capped at ``cap`` (below 1), so no
shortlist shows a wall of 100s; candidates with equal rounded scores are ordered by the raw
margin (``margin``), which the calibration maps strictly monotonically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from data.errors import ModelError

RESOURCE = "default_scorer.json"


@dataclass(frozen=True)
class DefaultScorer:
    """Standardise, linear margin, Platt sigmoid, cap: ``p = min(cap, 1 / (1 + exp(a*m + b)))``."""

    version: int
    feature_names: list[str]
    data_hash: str
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    a: float
    b: float
    cap: float
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"default model v{self.version}"

    def _matrix(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(self.feature_names):
            raise ValueError(
                f"the default scorer expects {len(self.feature_names)} features "
                f"({', '.join(self.feature_names)}), got shape {X.shape}"
            )
        return X

    def margin(self, X: np.ndarray) -> np.ndarray:
        """The raw linear margin of each row (higher is a better fit)."""
        Z = (self._matrix(X) - self.mean) / self.scale
        return np.asarray(Z @ self.coef + self.intercept, dtype=np.float64)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = self(X)
        return np.column_stack([1.0 - p, p])

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """Calibrated probability of a fit, one per row, in ``[0, cap]``."""
        m = self.margin(X)
        with np.errstate(over="ignore"):
            p = 1.0 / (1.0 + np.exp(self.a * m + self.b))
        return np.minimum(p, self.cap)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DefaultScorer:
        try:
            lin, cal = data["model"], data["calibration"]
            return cls(
                version=int(data["version"]),
                feature_names=[str(f) for f in data["feature_names"]],
                data_hash=str(data["data_hash"]),
                mean=np.asarray(lin["mean"], dtype=np.float64),
                scale=np.asarray(lin["scale"], dtype=np.float64),
                coef=np.asarray(lin["coef"], dtype=np.float64),
                intercept=float(lin["intercept"]),
                a=float(cal["a"]),
                b=float(cal["b"]),
                cap=float(data["cap"]),
                meta={k: v for k, v in data.items() if k not in {"model", "calibration"}},
            )
        except (KeyError, TypeError, ValueError) as err:
            raise ModelError(
                f"the bundled default scorer ({RESOURCE}) is malformed: {err}"
            ) from err


@lru_cache(maxsize=1)
def load_default_scorer() -> DefaultScorer:
    """The default scorer bundled with the package (``ml/default_scorer.json``)."""
    try:
        text = resources.files("ml").joinpath(RESOURCE).read_text(encoding="utf-8")
    except (OSError, FileNotFoundError) as err:
        raise ModelError(
            f"the bundled default scorer ml/{RESOURCE} is missing: reinstall TalentMap or run "
            "`python -m benchmarks.fit_default_scorer`"
        ) from err
    return DefaultScorer.from_json(json.loads(text))
