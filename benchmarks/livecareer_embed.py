"""Embed the livecareer resumes once per encoder into a git-ignored cache store.

Used by ``benchmarks.matching_quality``; runnable alone to warm the cache in the background:
``.venv/bin/python -m benchmarks.livecareer_embed minilm muse``. Vectors go through TalentMap's
own cache (``ml.embed``) into ``var/bench/livecareer-embeddings.sqlite``, never into the repo.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from data.db import make_engine, session_scope, upgrade  # noqa: E402

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


def cache_engine():  # noqa: ANN201 - sqlalchemy Engine
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
            embed_documents(s, enc, texts[start:start + block])
        print(f"{encoder_name}: {min(start + block, len(texts))}/{len(texts)} "
              f"({time.time() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    df = load_livecareer()
    texts = list(df["text"]) + list(df["text_nofirst"])
    for name in sys.argv[1:] or ["minilm"]:
        embed_corpus(name, texts)
