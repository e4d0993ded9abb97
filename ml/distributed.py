"""Batch embedding and matching on a Ray cluster (``talentmap embed|match --engine ray``).

Plain Ray actors, not Ray Data: each actor loads the encoder once (``encoder_factory()``) and
is handed id ranges as it comes free (``_run``: the next range goes to whichever actor is
free, as ``ray.util.ActorPool`` would hand them, but on a failure the ranges already running
on the other actors are let finish first, so the store is settled when the error is raised).
Encoding a range reads its texts from the store, encodes only the passages the
embedding cache lacks, and writes them back in short idempotent transactions
(``ml.embed.warm_cache``: ``INSERT .. ON CONFLICT DO NOTHING`` keyed by model and text hash).
Ray Data would add its streaming executor (seconds of start-up on two cores) and still need
our own write-back through the cache; actors give one model load per worker and id-range
tasks that can be rerun safely.

Matching (``match_with_ray``) keeps stage one on the driver: the candidates of every role are
chosen from the whole pool's lexical (and vector) index by ``ml.matcher.plan_match``, exactly as
in one process. The candidates are then cut into id-range shards; each worker scores its shard
(``ml.matcher.score_candidates``: features and scorer, its passages encoded into the cache
first) and returns its own top ``k`` per role with scores and tie-break margins; the driver
merges them (``ml.matcher.merge_top``) and stores the run with ``ml.matcher.save_run``
(run record, explanations, ``MatchScore`` rows, audit), the same code as the local path.

Failures: the actors are created with Ray's own ``max_restarts`` / ``max_task_retries``, so a
worker process that dies is restarted and its unfinished tasks rerun (finished ranges are in
the cache and are not encoded again). When a worker dies more often than that, ``WorkerLost``
says so; everything finished is stored and a rerun encodes only what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data.errors import InputError, ModelError, WorkerLost
from ml.encoders import Encoder

INSTALL_HINT = "Ray is not installed: pip install 'talentmap[scale]'"

ProgressFn = Callable[[int, int], None]

RANGE = 256
"""Resumes per task (one id range): a killed worker loses at most one range's encoding."""

WORKERS = 2
"""Ray workers of a run unless told (``--workers``): one per core of a two-core machine."""

RETRIES = 2
"""How often Ray restarts a dead worker and reruns its unfinished tasks before giving up."""


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


class _Worker:
    """One encoder load per worker; encodes id ranges into the store's cache and scores
    shards of a match's candidates."""

    def __init__(self, url: str, encoder_factory: Callable[[], Encoder]) -> None:
        from data.store.engine import make_engine

        self.engine = make_engine(url)
        self.encoder = encoder_factory()

    def _texts(self, first: int, last: int) -> list[str]:
        from data.store.models import Resume

        with Session(self.engine) as s:
            return [
                t or ""
                for t in s.scalars(
                    select(Resume.text)
                    .where(Resume.id >= first, Resume.id <= last)
                    .order_by(Resume.id)
                )
            ]

    def encode_range(self, first: int, last: int) -> tuple[int, int]:
        """Cache the passages of resumes ``first..last``; returns (resumes, passages encoded)."""
        from ml.embed import warm_cache

        texts = self._texts(first, last)
        return len(texts), warm_cache(self.engine, self.encoder, [texts])

    def score_shard(self, scoring: Any, ids: list[int], lexical: Any, candidates: Any) -> Any:
        """Stage two for one shard of candidates (``ids`` ascending): cache its passages in
        short write transactions, then score from the cache in a read-only session.
        Returns (the shard's ``TopK``, passages encoded, resumes scored)."""
        from data.store.models import Resume
        from ml.embed import cache_writer, warm_cache
        from ml.matcher import score_candidates

        with Session(self.engine) as s:
            by_id = dict(s.execute(select(Resume.id, Resume.text).where(Resume.id.in_(ids))).all())
        encoded = warm_cache(self.engine, self.encoder, [[by_id[i] or "" for i in ids]])
        with Session(self.engine) as s:  # reads; anything left to encode cached in short writes
            top, more = score_candidates(
                s,
                self.encoder,
                scoring,
                ids,
                lexical,
                candidates,
                store=cache_writer(self.engine),
            )
        return top, encoded + more, len(ids)


def _run(
    ray: Any,
    engine: Engine,
    encoder_factory: Callable[[], Encoder],
    workers: int,
    retries: int,
    tasks: Sequence[Any],
    call: Callable[[Any, Any], Any],
) -> Iterator[Any]:
    """Results of ``call(actor, task)`` over ``tasks`` on up to ``workers`` actors, in the
    order they finish (the next task goes to whichever actor is free, as ``ray.util.ActorPool``
    does). Ray restarts a dead actor and reruns its task up to ``retries`` times; past that
    ``WorkerLost``. On any failure no new task is started, and the tasks already running on
    the other actors are let finish before the error is raised, so what is stored when the
    caller hears of it no longer changes (a rerun then does exactly the rest)."""
    from ray.exceptions import RayActorError

    if workers < 1:
        raise InputError(f"workers must be at least 1, got {workers}", field="workers")
    if retries < 0:
        raise InputError(f"retries must be 0 or more, got {retries}", field="retries")
    if not tasks:
        return
    url = engine.url.render_as_string(hide_password=False)
    actor_cls = ray.remote(num_cpus=1, max_restarts=retries, max_task_retries=retries)(_Worker)
    actors = [actor_cls.remote(url, encoder_factory) for _ in range(min(workers, len(tasks)))]
    waiting = list(tasks)[::-1]  # popped from the end: first task first
    idle = list(actors)
    running: dict[Any, Any] = {}  # object ref -> the actor running it
    failure: BaseException | None = None
    try:
        while waiting or running:
            while failure is None and idle and waiting:
                actor = idle.pop()
                running[call(actor, waiting.pop())] = actor
            if not running:
                break
            (ref,), _ = ray.wait(list(running), num_returns=1)
            actor = running.pop(ref)
            try:
                result = ray.get(ref)
            except Exception as err:  # settled below, once the other running tasks finish
                failure = failure or err
                continue  # a dead actor is not handed another task
            if failure is None:
                idle.append(actor)
                yield result
    finally:
        for a in actors:
            ray.kill(a)
    if failure is None:
        return
    if isinstance(failure, RayActorError):
        if getattr(failure, "actor_init_failed", False):
            text = str(failure).strip()
            cause = text.splitlines()[-1] if text else type(failure).__name__
            raise ModelError(
                f"a Ray worker could not start (loading the encoder or opening the store): {cause}"
            ) from failure
        raise WorkerLost(
            f"a Ray worker died and was restarted {retries} time(s) without finishing its "
            "batch; every finished batch is stored: run the command again to complete the "
            f"rest ({type(failure).__name__})"
        ) from failure
    raise failure


def warm_with_ray(
    engine: Engine,
    encoder_factory: Callable[[], Encoder],
    *,
    address: str | None = None,
    workers: int = WORKERS,
    range_size: int = RANGE,
    retries: int = RETRIES,
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
    done_resumes = encoded = 0
    if progress:
        progress(0, len(ids))
    for n_res, n_enc in _run(
        ray,
        engine,
        encoder_factory,
        workers,
        retries,
        ranges,
        lambda a, r: a.encode_range.remote(*r),
    ):
        done_resumes += n_res
        encoded += n_enc
        if progress:
            progress(done_resumes, len(ids))
    return encoded


def embed_with_ray(
    engine: Engine,
    encoder_factory: Callable[[], Encoder],
    index_dir: Path,
    *,
    address: str | None = None,
    workers: int = WORKERS,
    range_size: int = RANGE,
    retries: int = RETRIES,
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
        retries=retries,
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
    actor: str,
    address: str | None = None,
    workers: int = WORKERS,
    range_size: int = RANGE,
    retries: int = RETRIES,
    model_version_id: int | None = None,
    progress: ProgressFn | None = None,
    **plan_kw: Any,
) -> Any:
    """``talentmap match --engine ray``: stage one on the driver (``plan_match``, same
    arguments as ``ml.matcher.match``), stage two in shards of ``range_size`` candidates on
    the workers, their top-K lists merged and the run stored as the local path stores it.
    The run is committed; returns its ``MatchResult``. ``progress`` counts candidates scored."""
    from data.store.engine import write_transaction
    from ml.embed import cache_writer
    from ml.matcher import TopK, explain_run, merge_top, plan_match, save_run

    if workers < 1:
        raise InputError(f"workers must be at least 1, got {workers}", field="workers")
    ray = connect(address, num_cpus=max(2, workers))
    encoder = encoder_factory()
    with Session(engine) as s:  # reads; new role and skill vectors cached in short writes
        plan = plan_match(s, encoder, store=cache_writer(engine), **plan_kw)
    rows = plan.stage_two
    shards = [rows[a : a + range_size] for a in range(0, len(rows), range_size)]
    scoring = ray.put(plan.scoring)

    def call(a: Any, shard: Any) -> Any:
        return a.score_shard.remote(
            scoring,
            [plan.ids[int(r)] for r in shard],
            plan.lexical[shard],
            plan.candidates[shard],
        )

    tops = []
    encoded = done = 0
    if progress:
        progress(0, len(rows))
    for top, n_enc, n in _run(ray, engine, encoder_factory, workers, retries, shards, call):
        tops.append(top)
        encoded += n_enc
        done += n
        if progress:
            progress(done, len(rows))
    merged = merge_top(tops, plan.scoring.k) if tops else TopK(len(plan.scoring.profiles), 1)
    with Session(engine) as s:
        ranked = explain_run(
            s,
            encoder,
            plan,
            merged,
            encoded=encoded,
            model_version_id=model_version_id,
            store=cache_writer(engine),
        )
    # the run and its rows in one short write transaction (no encoding inside)
    return write_transaction(engine, lambda w: save_run(w, ranked, actor=actor))
