"""Ray path (``ml.distributed``) on a local two-CPU cluster: the same runs as the
single-process path (ids, scores, explanations, stored rows), and a worker that dies mid-run
loses no finished batch: Ray's restart finishes the run, or, with no retries left, a rerun
encodes only what was missing."""

from __future__ import annotations

import os
import shutil
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data.errors import ModelError, WorkerLost
from data.store.embeddings import count_vectors, get_vectors_keys, text_hash
from data.store.engine import make_engine
from data.store.models import MatchScore, Resume
from ml.embed import embed_pool, passages, warm_cache
from ml.matcher import MatchResult, match
from tests.ml.conftest import (
    RESUMES,
    CountingEncoder,
    DyingEncoder,
    seed_matching_store,
    unloadable_encoder,
)

pytestmark = pytest.mark.slow

ray = pytest.importorskip("ray")

EXTRA = [
    f"Engineer {n}.\nBuilt {w} pipelines with Python and SQL.\nShipped PyTorch models {n} times."
    for n, w in enumerate(["search", "ranking", "ads", "growth", "fraud", "speech"] * 4)
]


def _seed(engine: Engine) -> None:
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
    eng = make_engine(f"sqlite:///{path}")
    _seed(eng)
    return eng


def _every_passage(engine: Engine) -> set[str]:
    enc = CountingEncoder()
    with Session(engine) as s:
        texts = [t or "" for t in s.scalars(select(Resume.text).order_by(Resume.id))]
    return {text_hash(p) for t in texts for p in passages(enc, t)}


def _cached(engine: Engine, hashes: set[str]) -> set[str]:
    with Session(engine) as s:
        return set(get_vectors_keys(s, CountingEncoder.model_id, hashes))


def _single(engine: Engine, index_dir: Path | None, **kw) -> MatchResult:
    with Session(engine) as s:
        out = match(s, CountingEncoder(), actor="t", index_dir=index_dir, **kw)
        s.commit()
    return out


def _stored(engine: Engine, run_id: int) -> list[tuple]:
    with Session(engine) as s:
        q = select(MatchScore).where(MatchScore.run_id == run_id)
        return sorted(
            (m.role_id, m.rank, m.resume_id, m.score, m.explanation) for m in s.scalars(q)
        )


def _assert_same_run(a: MatchResult, ea: Engine, b: MatchResult, eb: Engine) -> None:
    """Same shortlists (ids and ranks exactly, scores to float tolerance), explanations,
    run parameters and stored MatchScore rows."""
    assert [(r.role, r.resume_id, r.rank) for r in a.rows] == [
        (r.role, r.resume_id, r.rank) for r in b.rows
    ]
    np.testing.assert_allclose([r.score for r in a.rows], [r.score for r in b.rows], atol=1e-6)
    assert [r.explanation for r in a.rows] == [r.explanation for r in b.rows]
    assert a.params == b.params
    sa, sb = _stored(ea, a.run_id), _stored(eb, b.run_id)
    assert len(sa) == len(a.rows) > 0
    assert [r[:3] for r in sa] == [r[:3] for r in sb]
    np.testing.assert_allclose([r[3] for r in sa], [r[3] for r in sb], atol=1e-6)
    assert [r[4] for r in sa] == [r[4] for r in sb]


@pytest.mark.parametrize(
    ("embedded", "depth", "top_k"),
    [(True, 3, 4), (False, 3, 4), (False, None, 30)],
    ids=["after-embed", "cold-cache-stage-one", "cold-cache-every-pair"],
)
def test_ray_match_equals_single_process(
    cluster, request, tmp_path: Path, embedded: bool, depth: int | None, top_k: int
) -> None:
    from ml.distributed import embed_with_ray, match_with_ray

    local, remote = _copy(request, tmp_path, "a.sqlite"), _copy(request, tmp_path, "b.sqlite")
    ia, ib = tmp_path / "ia", tmp_path / "ib"
    if embedded:
        with Session(local) as s:
            embed_pool(s, CountingEncoder(), ia)
            s.commit()
        n, encoded = embed_with_ray(remote, CountingEncoder, ib, workers=2, range_size=7)
        assert n == len(RESUMES) + len(EXTRA)
        assert encoded == len(_every_passage(remote))
    single = _single(local, ia, top_k=top_k, depth=depth)
    seen: list[tuple[int, int]] = []
    dist = match_with_ray(
        remote,
        CountingEncoder,
        workers=2,
        range_size=3,  # several shards, each with its own top-K to merge
        top_k=top_k,
        actor="t",
        depth=depth,
        index_dir=ib,
        progress=lambda done, total: seen.append((done, total)),
    )
    _assert_same_run(single, local, dist, remote)
    # stage two encoded exactly the candidates' passages, on the workers
    assert dist.texts_encoded == single.texts_encoded
    assert (dist.texts_encoded == 0) == embedded
    candidates = single.params["stage_one"]["candidates"]
    assert seen[0] == (0, candidates) and seen[-1] == (candidates, candidates)
    if depth is None:
        assert candidates == len(RESUMES) + len(EXTRA)
        pool = len(RESUMES) + len(EXTRA)
        assert len(single.rows) == len(single.params["roles"]) * pool  # every pair
    else:
        assert candidates < len(RESUMES) + len(EXTRA)
    if embedded:
        from ml.retrieval import VectorIndex

        va = VectorIndex.load(ia, CountingEncoder.model_id)
        vb = VectorIndex.load(ib, CountingEncoder.model_id)
        assert va is not None and vb is not None
        np.testing.assert_allclose(va.vectors, vb.vectors, atol=1e-6)
    local.dispose()
    remote.dispose()


def test_a_killed_worker_loses_no_batch_and_a_rerun_completes_the_rest(
    cluster, request, tmp_path: Path, engine: Engine
) -> None:
    from ml.distributed import match_with_ray

    local, remote = _copy(request, tmp_path, "a.sqlite"), engine  # the workers' store: both DBs
    _seed(remote)
    every = _every_passage(remote)
    marker = tmp_path / "died"
    dying = partial(DyingEncoder, str(marker), after=2, spare_pid=os.getpid())
    kw = {"top_k": 30, "actor": "t", "depth": None, "index_dir": None}  # index in memory
    # no retries: the worker's death ends the run, saying how to finish it
    with pytest.raises(WorkerLost, match="run the command again"):
        match_with_ray(remote, dying, workers=2, range_size=4, retries=0, **kw)
    dead = int(marker.read_text())
    finished = set(Path(f"{marker}.{dead}.log").read_text().split())
    assert finished  # the dead worker finished two batches before it died ...
    stored = _cached(remote, every)
    assert finished <= stored  # ... and both are in the store
    assert stored < every  # its third batch, at least, was lost with it
    rerun = match_with_ray(remote, CountingEncoder, workers=2, range_size=4, **kw)
    assert rerun.texts_encoded == len(every - stored)  # only what was missing
    assert _cached(remote, every) == every
    single = _single(local, None, top_k=30, depth=None)
    _assert_same_run(single, local, rerun, remote)
    local.dispose()


def test_ray_restarts_a_dead_worker_and_the_run_completes(cluster, request, tmp_path: Path) -> None:
    from ml.distributed import embed_with_ray

    local, remote = _copy(request, tmp_path, "a.sqlite"), _copy(request, tmp_path, "b.sqlite")
    every = _every_passage(remote)
    marker = tmp_path / "died"
    dying = partial(DyingEncoder, str(marker), after=1, spare_pid=os.getpid())
    n, encoded = embed_with_ray(remote, dying, tmp_path / "ib", workers=2, range_size=4)
    assert marker.exists()  # a worker did die mid-run
    assert n == len(RESUMES) + len(EXTRA)
    # the batch it was encoding was rerun by Ray on the restarted worker; none ran twice
    assert encoded == len(every)
    with Session(remote) as s:
        assert count_vectors(s, CountingEncoder.model_id) == len(every)
    with Session(local) as s:
        embed_pool(s, CountingEncoder(), tmp_path / "ia")
        s.commit()
    from ml.retrieval import VectorIndex

    va = VectorIndex.load(tmp_path / "ia", CountingEncoder.model_id)
    vb = VectorIndex.load(tmp_path / "ib", CountingEncoder.model_id)
    assert va is not None and vb is not None
    np.testing.assert_allclose(va.vectors, vb.vectors, atol=1e-6)
    local.dispose()
    remote.dispose()


def test_rerun_after_partial_run_encodes_only_the_rest(cluster, request, tmp_path: Path) -> None:
    from ml.distributed import warm_with_ray

    eng = _copy(request, tmp_path, "c.sqlite")
    enc = CountingEncoder()
    with Session(eng) as s:
        texts = [t or "" for t in s.scalars(select(Resume.text).order_by(Resume.id))]
    every = _every_passage(eng)
    # a run stopped after its first batch: that batch's passages are already cached
    first = texts[:7]
    done = {text_hash(p) for t in first for p in passages(enc, t)}
    assert warm_cache(eng, enc, [first]) == len(done)
    encoded = warm_with_ray(eng, CountingEncoder, workers=2, range_size=7)
    assert encoded == len(every - done)
    with Session(eng) as s:
        assert count_vectors(s, enc.model_id) == len(every)
    assert warm_with_ray(eng, CountingEncoder, workers=2, range_size=7) == 0
    eng.dispose()


def test_a_worker_that_cannot_load_its_encoder_says_so(cluster, request, tmp_path: Path) -> None:
    from ml.distributed import warm_with_ray

    eng = _copy(request, tmp_path, "d.sqlite")
    with pytest.raises(ModelError, match="could not start.*no model at /nowhere/minilm"):
        warm_with_ray(eng, unloadable_encoder, workers=2, range_size=7)
    assert _cached(eng, _every_passage(eng)) == set()
    eng.dispose()
