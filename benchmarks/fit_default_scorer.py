"""Fit the default pair scorer shipped in ``ml/default_scorer.json`` (issue 13, item 3).

Training data: livecareer folds 0-1 only (a fixed stratified sample of ``--n`` resumes, first
line removed), each resume paired with all 24 role profiles of ``benchmarks/livecareer_roles.yaml``
(ESCO occupation text + skills): its own category is a fit (1), the other 23 are not (0).
Features are TalentMap's own pair features (``ml.matcher.document_features``, encoder minilm,
vectors from the benchmark cache). The model is scikit-learn's ``LogisticRegression`` on
standardised features inside ``CalibratedClassifierCV`` (Platt/sigmoid, fitted on grouped
out-of-fold predictions: a resume's 24 pairs stay in one fold); features whose weight comes out
negative are dropped (a fit never falls with more evidence). Exported to JSON (coefficients,
scaler, sigmoid) and checked to reproduce scikit-learn's probabilities. Folds 2-4 are never read.

    .venv/bin/python -m benchmarks.fit_default_scorer --n 240
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from benchmarks.livecareer_embed import TUNE_FOLDS, cache_engine, load_livecareer, stratified_order
from data.store.engine import session_scope

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "ml" / "default_scorer.json"
CAP = 0.99
"""Probabilities are capped here: no shortlist shows a row of 100s."""


def training_features(n: int, encoder_name: str = "minilm") -> dict[str, Any]:
    """Pair features, labels and groups of the first ``n`` tuning resumes (folds 0-1)."""
    from benchmarks.matching_quality import livecareer_profiles
    from data.text.taxonomy import load_taxonomy
    from ml.encoders import get_encoder
    from ml.matcher import document_features

    df = load_livecareer()
    order = stratified_order(df, folds=TUNE_FOLDS)[:n]
    assert set(df["fold"][order]) <= set(TUNE_FOLDS)
    profiles, tax = livecareer_profiles(load_taxonomy())
    labels = [p.key for p in profiles]
    texts = [df["text_nofirst"][i] for i in order]
    truth = np.array([labels.index(df["label"][i]) for i in order])
    with session_scope(cache_engine()) as s:
        feats = document_features(s, get_encoder(encoder_name), texts, profiles, tax)
    y = (truth[:, None] == np.arange(len(profiles))[None, :]).astype(int)
    roles_yaml = (ROOT / "benchmarks" / "livecareer_roles.yaml").read_bytes()
    h = hashlib.sha256(roles_yaml)
    for i in order:
        h.update(f"{df['text_sha256'][i]}:{df['label'][i]};".encode())
    return {
        "X": feats.reshape(-1, feats.shape[-1]).astype(np.float64),
        "y": y.reshape(-1),
        "groups": np.repeat(np.arange(len(order)), len(profiles)),
        "feats": feats,
        "truth": truth,
        "data_hash": h.hexdigest(),
        "n_resumes": len(order),
        "roles": len(profiles),
        "encoder": encoder_name,
    }


def fit(X: np.ndarray, y: np.ndarray, groups: np.ndarray, *, C: float = 1.0) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    splits = list(GroupKFold(n_splits=5).split(X, y, groups))
    base = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000))
    cal = CalibratedClassifierCV(base, method="sigmoid", cv=splits, ensemble=False)
    return cal.fit(X, y)


def export(cal: Any, feature_names: list[str], meta: dict[str, Any]) -> dict[str, Any]:
    cc = cal.calibrated_classifiers_[0]
    pipe = cc.estimator
    scaler, lr = pipe[0], pipe[-1]
    sig = cc.calibrators[0]
    return {
        "version": meta.pop("version"),
        "feature_names": feature_names,
        "data_hash": meta.pop("data_hash"),
        "cap": CAP,
        "model": {
            "type": "sklearn LogisticRegression on StandardScaler",
            "mean": scaler.mean_.tolist(),
            "scale": scaler.scale_.tolist(),
            "coef": lr.coef_[0].tolist(),
            "intercept": float(lr.intercept_[0]),
        },
        "calibration": {
            "type": "sklearn CalibratedClassifierCV(method='sigmoid', ensemble=False)",
            "a": float(sig.a_),
            "b": float(sig.b_),
        },
        **meta,
    }


def grouped_mrr(scores: np.ndarray, truth: np.ndarray) -> float:
    true = scores[np.arange(len(truth)), truth]
    rank = 1 + (scores > true[:, None]).sum(axis=1)
    return float((1.0 / rank).mean())


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=240, help="tuning resumes of folds 0-1")
    ap.add_argument("--version", type=int, default=1)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    from sklearn.model_selection import GroupKFold

    from ml.default_scorer import DefaultScorer
    from ml.matcher import FEATURE_NAMES

    t0 = time.time()
    d = training_features(args.n)
    X, y, groups = d["X"], d["y"], d["groups"]
    # A fit must never fall when a resume shows more evidence: features whose coefficient
    # comes out negative (collinear twins such as bm25 beside bm25_z) are dropped one at a time
    # (the most negative first) and the model refitted, until every coefficient is >= 0.
    names = list(FEATURE_NAMES)
    dropped: list[str] = []
    while True:
        cols = [FEATURE_NAMES.index(n) for n in names]
        probe = fit(X[:, cols], y, groups)
        coef = probe.calibrated_classifiers_[0].estimator[-1].coef_[0]
        if coef.min() >= 0:
            break
        worst = names[int(np.argmin(coef))]
        names.remove(worst)
        dropped.append(worst)
    Xs = X[:, cols]
    # choose C by grouped CV MRR on the tuning folds (the only other model choice made)
    cv_mrr = {}
    for C in (0.1, 1.0, 10.0):
        per = []
        for tr, te in GroupKFold(n_splits=5).split(Xs, y, groups):
            m = fit(Xs[tr], y[tr], groups[tr], C=C)
            p = m.predict_proba(Xs[te])[:, 1].reshape(-1, d["roles"])
            per.append(grouped_mrr(p, d["truth"][np.unique(groups[te])]))
        cv_mrr[C] = float(np.mean(per))
    best_c = max(cv_mrr, key=lambda c: cv_mrr[c])
    cal = fit(Xs, y, groups, C=best_c)
    if cal.calibrated_classifiers_[0].estimator[-1].coef_[0].min() < 0:
        raise SystemExit(f"C={best_c} gives a negative coefficient: widen the elimination")
    X = Xs
    data = export(
        cal,
        names,
        {
            "version": args.version,
            "data_hash": d["data_hash"],
            "trained_on": (
                f"livecareer folds 0-1, {d['n_resumes']} resumes (first line removed) x "
                f"{d['roles']} ESCO-based role profiles; positives = own category"
            ),
            "encoder": d["encoder"],
            "pairs": int(len(y)),
            "positives": int(y.sum()),
            "C": best_c,
            "cv_mrr_by_C": {str(k): v for k, v in cv_mrr.items()},
            "dropped_for_negative_weight": dropped,
            "command": "python -m benchmarks.fit_default_scorer " + " ".join(argv or sys.argv[1:]),
            "fitted": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        },
    )
    ours = DefaultScorer.from_json(json.loads(json.dumps(data)))
    p_ref = cal.predict_proba(X)[:, 1]
    p_ours = 1.0 / (1.0 + np.exp(ours.a * ours.margin(X) + ours.b))
    if not np.allclose(p_ref, p_ours, atol=1e-9):
        raise SystemExit("exported scorer does not reproduce scikit-learn's probabilities")
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in data.items() if k != "model"}, indent=1))
    print(f"{time.time() - t0:.0f} s")
    return data


if __name__ == "__main__":
    main()
