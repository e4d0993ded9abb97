"""Encoder fine-tuning runs (slowly) on CPU and yields a loadable encoder."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from data.errors import InputError
from ml.encoders import get_encoder
from ml.finetune import finetune_encoder

PAIRS = [
    ("Python developer: SQL, pandas, Airflow pipelines", "Data engineer"),
    ("Chef de partie, ten years in French kitchens, menu costing", "Head chef"),
    ("Staff accountant: general ledger, reconciliations, audits", "Financial accountant"),
    ("Grade 5 mathematics teacher, lesson planning", "Primary school teacher"),
]


@pytest.mark.slow
def test_finetune_on_cpu_saves_a_loadable_encoder(tmp_path: Path) -> None:
    steps: list[int] = []
    out = finetune_encoder(
        PAIRS,
        output=tmp_path / "enc",
        epochs=1,
        batch_size=4,
        max_seq_length=64,
        lr=1e-3,
        device="cpu",
        progress=lambda d, n: steps.append(d),
    )
    assert steps == [1]
    enc = get_encoder(str(out))
    vecs = enc.encode(["a chef", "an accountant"])
    assert vecs.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1, atol=1e-5)
    before = get_encoder("minilm").encode(["a chef"])
    assert not np.allclose(before, vecs[:1], atol=1e-4)  # the weights moved
    shutil.rmtree(out)


def test_finetune_needs_two_pairs(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="at least 2"):
        finetune_encoder(PAIRS[:1], output=tmp_path / "enc")
