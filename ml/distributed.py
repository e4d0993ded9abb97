"""Batch embedding and matching on a Ray cluster (``talentmap embed|match --engine ray``).

Plain Ray actors, not Ray Data: each actor loads the encoder once (``encoder_factory()``) and
is handed resume id ranges; for a range it reads the texts from the store, encodes only the
passages the embedding cache lacks, and writes them back in short idempotent transactions
(``ml.embed.warm_cache``: ``INSERT .. ON CONFLICT DO NOTHING`` keyed by model and text hash).
Ray Data would add its streaming executor (seconds of start-up on two cores) and still need
our own write-back through the cache; actors give one model load per worker and id-range
tasks that can be rerun safely.

Because every vector lands in the same cache, the single-process code then finishes the job
from the cache without encoding: ``embed_with_ray`` pools the document vectors with
``ml.embed.embed_pool`` and ``match_with_ray`` runs ``ml.matcher.match``. The results are
therefore the single-process results, by construction. A worker killed mid-run loses only
its unfinished block; a rerun finds the finished blocks cached and encodes the rest.

Not yet distributed: stage-two scoring (features, scorer, top-K merge) runs in the driver
once the cache is warm; encoding is the part that dominates (``docs/scale.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data.errors import InputError
from ml.encoders import Encoder

INSTALL_HINT = "Ray is not installed: pip install 'talentmap[scale]'"

ProgressFn = Callable[[int, int], None]

RANGE = 256
"""Resumes per task (one id range): a killed worker loses at most one range's encoding."""


def require_ray() -> Any:
    """The ``ray`` module, or an ``InputError`` that says how to install it."""
    try:
        import ray
    except ImportError as err:  # pragma: no cover - the scale extra is installed in CI
        raise InputError(INSTALL_HINT, field="engine") from err
    return ray


def connect(address: str | None = None, *, num_cpus: int = 2) -> Any:
    """Join the cluster at ``address``, or start a local one (no dashboard)."""
    ray = require_ray()
    if not ray.is_initialized():
        if address:
            ray.init(address=address, include_dashboard=False, log_to_driver=False)
        else:
            ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
    return ray


def id_ranges(ids: Sequence[int], size: int = RANGE) -> list[tuple[int, int]]:
    """Inclusive ``(first, last)`` id ranges of at most ``size`` stored resumes each."""
    ordered = sorted(ids)
    return [
        (ordered[s], ordered[min(s + size, len(ordered)) - 1]) for s in range(0, len(ordered), size)
    ]


class _EncodeWorker:
    """One encoder load per worker; encodes id ranges into the store's cache."""

    def __init__(self, url: str, encoder_factory: Callable[[], Encoder]) -> None:
        from data.store.engine import make_engine

        self.engine = make_engine(url)
        self.encoder = encoder_factory()

    def encode_range(self, first: int, last: int) -> tuple[int, int]:
        """Cache the passages of resumes ``first..last``; returns (resumes, passages encoded)."""
        from data.store.models import Resume
        from ml.embed import warm_cache

        with Session(self.engine) as s:
            texts = list(
                s.scalars(
                    select(Resume.text)
                    .where(Resume.id >= first, Resume.id <= last)
                    .order_by(Resume.id)
                )
            )
        encoded = warm_cache(self.engine, self.encoder, [[t or "" for t in texts]])
        return len(texts), encoded


def warm_with_ray(
    engine: Engine,
    encoder_factory: Callable[[], Encoder],
    *,
    address: str | None = None,
    workers: int = 2,
    range_size: int = RANGE,
    progress: ProgressFn | None = None,
) -> int:
    """Encode every stored resume's uncached passages on ``workers`` Ray actors.

    Returns the number of passages encoded (0 when everything was cached already).
    """
    from data.store.models import Resume

    if workers < 1:
        raise InputError(f"workers must be at least 1, got {workers}", field="workers")
    ray = connect(address, num_cpus=max(2, workers))
    with Session(engine) as s:
        ids = [int(i) for i in s.scalars(select(Resume.id))]
    ranges = id_ranges(ids, range_size)
    if not ranges:
        return 0
    url = engine.url.render_as_string(hide_password=False)
    actor_cls = ray.remote(num_cpus=1)(_EncodeWorker)
    pool = [actor_cls.remote(url, encoder_factory) for _ in range(min(workers, len(ranges)))]
    try:
        pending = {
            pool[n % len(pool)].encode_range.remote(a, b): n for n, (a, b) in enumerate(ranges)
        }
        done_resumes = encoded = 0
        if progress:
            progress(0, len(ids))
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                pending.pop(ref)
                n_res, n_enc = ray.get(ref)
                done_resumes += n_res
                encoded += n_enc
                if progress:
                    progress(done_resumes, len(ids))
    finally:
        for actor in pool:
            ray.kill(actor)
    return encoded


def embed_with_ray(
    engine: Engine,
    encoder_factory: Callable[[], Encoder],
    index_dir: Path,
    *,
    address: str | None = None,
    workers: int = 2,
    range_size: int = RANGE,
    progress: ProgressFn | None = None,
) -> tuple[int, int]:
    """``talentmap embed --engine ray``: encode on Ray, then store the pool's document
    vectors from the cache (``embed_pool``, which encodes nothing now).

    Returns (resumes in the stored vectors, passages encoded on the workers).
    """
    from ml.embed import embed_pool

    encoded = warm_with_ray(
        engine,
        encoder_factory,
        address=address,
        workers=workers,
        range_size=range_size,
        progress=progress,
    )
    with Session(engine) as s:
        n = embed_pool(s, encoder_factory(), index_dir)
        s.commit()
    return n, encoded


def match_with_ray(
    engine: Engine,
    encoder_factory: Callable[[], Encoder],
    *,
    address: str | None = None,
    workers: int = 2,
    range_size: int = RANGE,
    progress: ProgressFn | None = None,
    **match_kw: Any,
) -> Any:
    """``talentmap match --engine ray``: warm the cache on Ray, then ``ml.matcher.match``
    (same arguments, same run record) in the driver, which reads every vector from the cache.
    The run is committed; returns its ``MatchResult``."""
    from ml.matcher import run_match

    warm_with_ray(
        engine,
        encoder_factory,
        address=address,
        workers=workers,
        range_size=range_size,
        progress=progress,
    )
    return run_match(engine, encoder_factory(), **match_kw)
