"""Ray path (``ml.distributed``) on a local two-CPU cluster: same shortlists as the
single-process path, and a rerun after a partial run encodes only what was left."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data.store.embeddings import count_vectors, text_hash
from data.store.engine import make_engine
from ml.embed import embed_pool, passages, warm_cache
from ml.matcher import match
from tests.ml.conftest import RESUMES, CountingEncoder, seed_matching_store

pytestmark = pytest.mark.slow

ray = pytest.importorskip("ray")

EXTRA = [
    f"Engineer {n}.\nBuilt {w} pipelines with Python and SQL.\nShipped PyTorch models {n} times."
    for n, w in enumerate(["search", "ranking", "ads", "growth", "fraud", "speech"] * 4)
]


def _seed(engine: Engine) -> None:
    from data.store.models import Resume

    with Session(engine) as s:
        seed_matching_store(s)
        for n, text in enumerate(EXTRA):
            s.add(Resume(file_name=f"x{n}.txt", sha256=f"{n + 100:064d}", language="en", text=text))
        s.commit()


@pytest.fixture(scope="module")
def cluster():
    root = str(Path(__file__).resolve().parents[2])
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [root, *[p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]]
    )
    from ml.distributed import connect

    connect(None, num_cpus=2)
    yield
    ray.shutdown()


def _copy(request: pytest.FixtureRequest, tmp_path: Path, name: str) -> Engine:
    template: Path = request.getfixturevalue("_sqlite_template")
    path = tmp_path / name
    shutil.copy(template, path)
    return make_engine(f"sqlite:///{path}")


def test_ray_match_equals_single_process(cluster, request, tmp_path: Path) -> None:
    from ml.distributed import embed_with_ray, match_with_ray

    local, remote = _copy(request, tmp_path, "a.sqlite"), _copy(request, tmp_path, "b.sqlite")
    _seed(local)
    _seed(remote)
    with Session(local) as s:
        embed_pool(s, CountingEncoder(), tmp_path / "ia")
        s.commit()
        single = match(s, CountingEncoder(), top_k=4, actor="t", depth=3, index_dir=tmp_path / "ia")
        s.commit()
    n, encoded = embed_with_ray(remote, CountingEncoder, tmp_path / "ib", workers=2, range_size=7)
    assert n == len(RESUMES) + len(EXTRA)
    assert encoded > 0
    dist = match_with_ray(
        remote,
        CountingEncoder,
        workers=2,
        range_size=7,
        top_k=4,
        actor="t",
        depth=3,
        index_dir=tmp_path / "ib",
    )
    assert dist.texts_encoded == 0  # everything came from the workers' cache writes
    a = [(r.role, r.resume_id, r.rank) for r in single.rows]
    b = [(r.role, r.resume_id, r.rank) for r in dist.rows]
    assert a == b
    np.testing.assert_allclose(
        [r.score for r in single.rows], [r.score for r in dist.rows], atol=1e-6
    )
    from ml.retrieval import VectorIndex

    va = VectorIndex.load(tmp_path / "ia", CountingEncoder.model_id)
    vb = VectorIndex.load(tmp_path / "ib", CountingEncoder.model_id)
    assert va is not None and vb is not None
    np.testing.assert_allclose(va.vectors, vb.vectors, atol=1e-6)
    local.dispose()
    remote.dispose()


def test_rerun_after_partial_run_encodes_only_the_rest(cluster, request, tmp_path: Path) -> None:
    from data.store.models import Resume
    from ml.distributed import warm_with_ray

    eng = _copy(request, tmp_path, "c.sqlite")
    _seed(eng)
    enc = CountingEncoder()
    with Session(eng) as s:
        texts = [t or "" for t in s.scalars(select(Resume.text).order_by(Resume.id))]
    every = {text_hash(p) for t in texts for p in passages(enc, t)}
    # a run killed after its first batch: that batch's passages are already cached
    first = texts[:7]
    done = {text_hash(p) for t in first for p in passages(enc, t)}
    assert warm_cache(eng, enc, [first]) == len(done)
    encoded = warm_with_ray(eng, CountingEncoder, workers=2, range_size=7)
    assert encoded == len(every - done)
    with Session(eng) as s:
        assert count_vectors(s, enc.model_id) == len(every)
    assert warm_with_ray(eng, CountingEncoder, workers=2, range_size=7) == 0
    eng.dispose()
