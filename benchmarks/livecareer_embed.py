"""Embed the livecareer resumes once per encoder into a git-ignored cache store.

Used by ``benchmarks.matching_quality``; runnable alone to warm the cache in the background:
``.venv/bin/python -m benchmarks.livecareer_embed minilm muse``. Vectors go through TalentMap's
own cache (``ml.embed``) into ``var/bench/livecareer-embeddings.sqlite``, never into the repo.

Resumes are embedded in a fixed *stratified round-robin* order (one resume of each category in
turn, shuffled with a fixed seed, evaluation folds first), so that any prefix of the order is a
balanced sample: on a busy 2-core machine the benchmark can report on the first N resumes and
say so, and ``--limit`` reproduces exactly that sample.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from data.store.engine import make_engine, session_scope, upgrade

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "benchmarks" / "livecareer_resumes.csv.gz"
CACHE_DB = ROOT / "var" / "bench" / "livecareer-embeddings.sqlite"


def load_livecareer(path: Path = DATA) -> pd.DataFrame:
    """The benchmark rows plus ``text_nofirst`` (the text with its first line removed)."""
    if not path.exists():
        raise SystemExit(f"benchmark data not found at {path}: it must be in ../shared/benchmarks")
    df = pd.read_csv(path)
    df["text_nofirst"] = [t.split("\n", 1)[1] if "\n" in t else "" for t in df["text"]]
    return df


EVAL_FOLDS: tuple[int, ...] = (2, 3, 4)
"""Folds reported on."""
TUNE_FOLDS: tuple[int, ...] = (0, 1)
"""Folds any choice of method or weights was made on (a sample of ``TUNE_SAMPLE`` resumes)."""
TUNE_SAMPLE = 144


def stratified_order(
    df: pd.DataFrame, *, folds: tuple[int, ...] = EVAL_FOLDS, seed: int = 0
) -> list[int]:
    """Row positions of ``folds`` in round-robin order over categories (fixed seed)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    queues = []
    for label in sorted(df["label"].unique()):
        idx = np.flatnonzero((df["label"] == label).to_numpy() & df["fold"].isin(folds).to_numpy())
        queues.append(list(rng.permutation(idx)))
    order: list[int] = []
    depth = max(len(q) for q in queues)
    for r in range(depth):
        order.extend(int(q[r]) for q in queues if r < len(q))
    return order


def cache_engine():
    eng = make_engine(f"sqlite:///{CACHE_DB}")
    upgrade(eng)
    return eng


def embed_corpus(encoder_name: str, texts: list[str], *, block: int = 100) -> None:
    """Embed ``texts`` passage by passage into the cache store, committing every block."""
    from ml.embed import embed_documents
    from ml.encoders import get_encoder

    enc = get_encoder(encoder_name)
    eng = cache_engine()
    t0 = time.time()
    for start in range(0, len(texts), block):
        with session_scope(eng) as s:
            embed_documents(s, enc, texts[start : start + block])
        print(
            f"{encoder_name}: {min(start + block, len(texts))}/{len(texts)} "
            f"({time.time() - t0:.0f} s)",
            flush=True,
        )


def main(names: list[str], *, block: int = 24) -> None:
    """Embed both variants of each resume, block by block, alternating the encoders."""
    from ml.embed import embed_documents
    from ml.encoders import get_encoder

    df = load_livecareer()
    order = stratified_order(df, folds=TUNE_FOLDS)[:TUNE_SAMPLE] + stratified_order(df)
    encoders = [get_encoder(n) for n in names]
    eng = cache_engine()
    t0 = time.time()
    for start in range(0, len(order), block):
        rows = order[start : start + block]
        texts = [df["text"][i] for i in rows] + [df["text_nofirst"][i] for i in rows]
        for enc in encoders:
            with session_scope(eng) as s:
                embed_documents(s, enc, texts)
        print(
            f"{min(start + block, len(order))}/{len(order)} ({time.time() - t0:.0f} s)", flush=True
        )


if __name__ == "__main__":
    main(sys.argv[1:] or ["minilm", "muse"])
