"""Choose the matcher's hand-set weights on the tuning sample (folds 0-1), never on 2-4.

Computes the hybrid features of the tuning sample once per encoder (first line removed), then
scores a coarse grid of weights by MRR of the true role and prints the best settings. The
weights in ``ml.matcher.DEFAULT_WEIGHTS`` are a choice made from this output.

    .venv/bin/python -m benchmarks.matching_tune
"""

from __future__ import annotations

import itertools
import os

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks.livecareer_embed import (
    TUNE_FOLDS,
    TUNE_SAMPLE,
    cache_engine,
    load_livecareer,
    stratified_order,
)
from benchmarks.matching_quality import (
    _tokens_en,
    bm25_scores,
    hybrid_features,
    livecareer_profiles,
    rank_metrics,
    tfidf_scores,
)
from data.store.engine import session_scope
from data.text.taxonomy import load_taxonomy
from ml.matcher import FEATURE_NAMES, score_pairs


def grid() -> list[dict[str, float]]:
    out = []
    for doc, pas, req, nice, found, evid in itertools.product(
        (0.1, 0.2, 0.35),
        (0.0, 0.1, 0.2),
        (0.1, 0.18, 0.3),
        (0.0, 0.06),
        (0.0, 0.06),
        (0.0, 0.2, 0.4, 0.6),
    ):
        out.append(dict(zip(FEATURE_NAMES, (doc, pas, req, nice, found, evid))))
    return out


def main() -> None:
    from ml.encoders import get_encoder

    profiles, tax = livecareer_profiles(load_taxonomy())
    labels = [p.key for p in profiles]
    df = load_livecareer()
    order = stratified_order(df, folds=TUNE_FOLDS)[:TUNE_SAMPLE]
    truth = np.array([labels.index(df["label"][i]) for i in order])
    texts = [df["text_nofirst"][i] for i in order]
    role_texts = [p.text(tax) for p in profiles]
    print(f"tuning sample: {len(order)} resumes of folds {TUNE_FOLDS}, first line removed")
    print(
        "tfidf MRR",
        round(rank_metrics(tfidf_scores(texts, role_texts, _tokens_en), truth, labels)["mrr"], 3),
    )
    print(
        "bm25  MRR",
        round(rank_metrics(bm25_scores(texts, role_texts, _tokens_en), truth, labels)["mrr"], 3),
    )
    with session_scope(cache_engine()) as s:
        for name in ("minilm", "muse"):
            feats = hybrid_features(s, get_encoder(name), texts, profiles, tax)
            base = rank_metrics(score_pairs(feats), truth, labels)["mrr"]
            scored = sorted(
                (
                    (rank_metrics(score_pairs(feats, weights=w), truth, labels)["mrr"], w)
                    for w in grid()
                ),
                key=lambda x: -x[0],
            )
            print(f"{name}: default weights MRR {base:.3f}")
            for mrr, w in scored[:5]:
                print(f"   {mrr:.3f} {w}")


if __name__ == "__main__":
    main()
