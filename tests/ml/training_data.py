"""Small real training sets for the training tests (sampled from the livecareer benchmark)."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

CLASSES = ("ACCOUNTANT", "CHEF", "TEACHER", "INFORMATION-TECHNOLOGY")


def livecareer_sample(
    benchmarks_dir: Path,
    *,
    per_class: int = 20,
    classes: Sequence[str] = CLASSES,
    max_chars: int = 700,
    seed: int = 0,
) -> pd.DataFrame:
    """``per_class`` resumes of each class, text cut to ``max_chars`` (fast to embed)."""
    df = pd.read_csv(benchmarks_dir / "livecareer_resumes.csv.gz")
    df = df[df["label"].isin(classes)]
    df = df.groupby("label").sample(per_class, random_state=seed).reset_index(drop=True)
    df["text"] = df["text"].str.slice(0, max_chars)
    return df[["id", "label", "fold", "text"]]


class HashEncoder:
    """Deterministic bag-of-words vectors (no model): words hashed into 128 dimensions."""

    model_id = "test:hash-bow"
    dim = 128

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress=None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for tok in re.findall(r"[a-z]+", (t or "").lower()):
                out[i, zlib.crc32(tok.encode()) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        if progress:
            progress(len(texts), len(texts))
        return out / norms
