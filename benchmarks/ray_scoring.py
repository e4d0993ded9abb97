"""Scoring at scale on Ray: N synthetic resumes x 200 roles, top 50 per role, merged.

    PYTHONPATH=$PWD python -m benchmarks.ray_scoring --sizes 100000,300000,1000000

No store and no encoding: each worker generates its shard's cached-looking inputs (random
unit passage vectors, their mean as document vectors, sparse skill hits, lexical features),
block by block from a seed fixed by the block's first id, and runs stage two's own code on
them (``passage_best``, ``pair_features``, ``score_pairs`` with the bundled default scorer,
``margins`` for ties, ``TopK``). The driver merges the shards' top-50 lists with
``ml.matcher.merge_top``, the function ``talentmap match --engine ray`` uses. The single
process baseline scores the same blocks with the same code in the driver, and its shortlists
are compared with the merged ones. Each size gets fresh actors, so a worker's peak RSS
(``getrusage``) is that size's. Writes benchmarks/results/ray_scoring.{md,json}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def setup(n_roles: int, n_skills: int, dim: int, seed: int = 0) -> dict[str, Any]:
    """Roles (8 skills each, 4 required), their vectors and the skill vectors."""
    from ml.matcher import RoleProfile, SkillSpace

    rng = np.random.default_rng(seed)
    keys = [f"s{i}" for i in range(n_skills)]
    profiles = [
        RoleProfile(
            j,
            f"role{j}",
            f"Role {j}",
            "",
            [
                (keys[int(s)], float(rng.integers(1, 3)), bool(i < 4))
                for i, s in enumerate(rng.choice(n_skills, 8, replace=False))
            ],
        )
        for j in range(n_roles)
    ]
    space = SkillSpace.of(profiles)
    return {
        "space": space,
        "role_vectors": _unit(rng.standard_normal((n_roles, dim), dtype=np.float32)),
        "skill_vectors": _unit(rng.standard_normal((len(space.keys), dim), dtype=np.float32)),
        "dim": dim,
        "n_skills": n_skills,
    }


def score_range(
    s: dict[str, Any], start: int, n: int, k: int, *, block: int, passages: int
) -> tuple[Any, float]:
    """The ``TopK`` of synthetic resumes ``start .. start+n-1``; and the seconds spent
    generating the synthetic inputs (the rest is scoring)."""
    from scipy import sparse

    from ml.matcher import TopK, margins, pair_features, passage_best, score_pairs

    space, roles, skills, dim = s["space"], s["role_vectors"], s["skill_vectors"], s["dim"]
    r = roles.shape[0]
    targets = np.vstack([roles, skills])
    top = TopK(r, k)
    gen = 0.0
    for b in range(start, start + n, block):
        m = min(block, start + n - b)
        t = time.perf_counter()
        rng = np.random.default_rng([7, b])
        pas = _unit(rng.standard_normal((m * passages, dim), dtype=np.float32))
        docs = _unit(pas.reshape(m, passages, dim).mean(axis=1))
        per_doc = [pas[i * passages : (i + 1) * passages] for i in range(m)]
        hits = sparse.random(
            m, len(space.keys), density=12 / s["n_skills"], format="csr", rng=rng, dtype=np.float32
        )
        hits.data[:] = 1.0
        lexical = np.empty((m, r, 4), dtype=np.float32)
        lexical[:, :, :2] = rng.random((m, r, 2), dtype=np.float32)
        lexical[:, :, 2:] = rng.standard_normal((m, r, 2), dtype=np.float32)
        gen += time.perf_counter() - t
        best = passage_best(per_doc, targets)
        feats = pair_features(
            docs, best[:, :r], hits, roles, space, skill_best=best[:, r:], lexical=lexical
        )
        top.add(score_pairs(feats), np.arange(b, b + m), margins(feats))
        del pas, docs, per_doc, hits, lexical, best, feats
    return top, gen


class Scorer:
    """A Ray actor scoring shards of synthetic resumes; reports its own time and memory."""

    def __init__(self) -> None:
        self.rss_start = _rss_mb()

    def shard(self, s: dict[str, Any], start: int, n: int, k: int, block: int, passages: int):
        t, c = time.perf_counter(), time.process_time()
        top, gen = score_range(s, start, n, k, block=block, passages=passages)
        return {
            "top": top,
            "pid": os.getpid(),
            "wall_s": time.perf_counter() - t,
            "cpu_s": time.process_time() - c,
            "generate_s": gen,
            "rss_start_mb": self.rss_start,
            "peak_rss_mb": _peak_mb(),
        }


def ray_run(ray: Any, s_ref: Any, size: int, args: Any) -> dict[str, Any]:
    from ray.util import ActorPool

    from ml.matcher import merge_top

    actors = [ray.remote(num_cpus=1)(Scorer).remote() for _ in range(args.workers)]
    shards = [(a, min(args.shard, size - a)) for a in range(0, size, args.shard)]
    load0 = os.getloadavg()
    t = time.perf_counter()
    parts = list(
        ActorPool(actors).map_unordered(
            lambda a, sh: a.shard.remote(s_ref, sh[0], sh[1], args.k, args.block, args.passages),
            shards,
        )
    )
    t_merge = time.perf_counter()
    merged = merge_top([p["top"] for p in parts], args.k)
    done = time.perf_counter()
    for a in actors:
        ray.kill(a)
    per: dict[int, dict[str, Any]] = {}
    for p in parts:
        w = per.setdefault(
            p["pid"], {"shards": 0, "wall_s": 0.0, "cpu_s": 0.0, "generate_s": 0.0, "peak": 0.0}
        )
        w["shards"] += 1
        w["wall_s"] += p["wall_s"]
        w["cpu_s"] += p["cpu_s"]
        w["generate_s"] += p["generate_s"]
        w["peak"] = max(w["peak"], p["peak_rss_mb"])
        w["rss_start_mb"] = p["rss_start_mb"]
    return {
        "merged": merged,
        "wall_s": done - t,
        "merge_s": done - t_merge,
        "load_before": load0[0],
        "load_after": os.getloadavg()[0],
        "workers": [
            {
                "shards": w["shards"],
                "busy_s": round(w["wall_s"], 1),
                "cpu_s": round(w["cpu_s"], 1),
                "generate_s": round(w["generate_s"], 1),
                "rss_start_mb": round(w["rss_start_mb"], 1),
                "peak_rss_mb": round(w["peak"], 1),
            }
            for w in per.values()
        ],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,300000,1000000")
    ap.add_argument("--baseline-sizes", default="100000,300000")
    ap.add_argument("--roles", type=int, default=200)
    ap.add_argument("--k", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--shard", type=int, default=12 * 4096)
    ap.add_argument("--block", type=int, default=4096)
    ap.add_argument("--passages", type=int, default=4)
    ap.add_argument("--skills", type=int, default=400)
    ap.add_argument("--dim", type=int, default=384)
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    if args.shard % args.block:
        ap.error("--shard must be a multiple of --block (blocks are seeded by their first id)")
    baseline = {int(x) for x in args.baseline_sizes.split(",") if x}
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *[p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]]
    )
    import ray

    from ml.distributed import connect

    s = setup(args.roles, args.skills, args.dim)
    t = time.perf_counter()
    connect(None, num_cpus=args.workers)
    start_s = time.perf_counter() - t
    s_ref = ray.put(s)
    rows: list[dict[str, Any]] = []
    for size in sizes:
        r = ray_run(ray, s_ref, size, args)
        merged = r.pop("merged")
        assert all(len(sl) == args.k for sl in merged.result())
        row: dict[str, Any] = {
            "resumes": size,
            "ray_wall_s": round(r["wall_s"], 1),
            "merge_s": round(r["merge_s"], 3),
            "pairs_per_s": round(size * args.roles / r["wall_s"]),
            "load_before": round(r["load_before"], 1),
            "load_after": round(r["load_after"], 1),
            "workers": r["workers"],
        }
        if size in baseline:
            load0 = os.getloadavg()[0]
            t0, c0 = time.perf_counter(), time.process_time()
            # one TopK over every block of the pool, as ml.matcher.match keeps it (no merge)
            one, _gen = score_range(s, 0, size, args.k, block=args.block, passages=args.passages)
            single_s = time.perf_counter() - t0
            a_lists, b_lists = one.result(), merged.result()
            same_ids = sum([i for i, _ in x] == [i for i, _ in y] for x, y in zip(a_lists, b_lists))
            diff = max(
                abs(sa - sb) for x, y in zip(a_lists, b_lists) for (_, sa), (_, sb) in zip(x, y)
            )
            row.update(
                {
                    "single_wall_s": round(single_s, 1),
                    "single_cpu_s": round(time.process_time() - c0, 1),
                    "single_load_before": round(load0, 1),
                    "roles_with_identical_ids": f"{same_ids}/{args.roles}",
                    "max_score_diff": float(f"{diff:.2e}"),
                }
            )
        row["driver_peak_rss_mb"] = round(_peak_mb(), 1)
        rows.append(row)
        print(json.dumps(row), flush=True)
    ray.shutdown()
    write(rows, args, start_s)


def write(rows: list[dict[str, Any]], args: Any, start_s: float) -> None:
    command = (
        f"PYTHONPATH=$PWD python -m benchmarks.ray_scoring --sizes {args.sizes} "
        f"--baseline-sizes {args.baseline_sizes} --workers {args.workers}"
    )
    out = ROOT / "benchmarks" / "results"
    data = {"command": command, "params": vars(args), "cluster_start_s": start_s, "rows": rows}
    (out / "ray_scoring.json").write_text(json.dumps(data, indent=2))
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# Scoring {args.roles} roles over synthetic resumes on Ray, top {args.k} per role",
        "",
        f"Command: `{command}`  ",
        f"Run {when}: local Ray cluster of {args.workers} workers (1 CPU, 1 BLAS thread each) "
        "on this 2-core machine (1-minute load average beside each figure: above 2, other "
        "jobs were competing for the cores), no GPU lent. Synthetic inputs (no store, no encoding): "
        f"{args.dim}-d unit vectors, {args.passages} passages per resume, {args.skills} skills "
        "(8 per role, each skill compared with every passage), sparse skill hits, random "
        f"lexical features; shards of {args.shard:,} resumes, blocks of {args.block:,}; "
        "scored by the bundled default scorer with its margin as tie-break, exactly stage "
        "two's code; shards' top lists merged by `ml.matcher.merge_top`. Times include "
        "generating the synthetic inputs on the workers (shown apart). Ray cluster start-up "
        f"({start_s:.1f} s) is not in the times.",
        "",
        "| resumes | pairs | Ray wall s | pairs/s | merge s | load before→after | "
        "single process s (load) | same top-50 ids | max score diff |",
        "|---:|---:|---:|---:|---:|---|---|---|---|",
    ]
    for r in rows:
        single = (
            f"{r['single_wall_s']} ({r['single_load_before']})" if "single_wall_s" in r else "—"
        )
        lines.append(
            f"| {r['resumes']:,} | {r['resumes'] * args.roles:,} | {r['ray_wall_s']} | "
            f"{r['pairs_per_s']:,} | {r['merge_s']} | {r['load_before']}→{r['load_after']} | "
            f"{single} | {r.get('roles_with_identical_ids', '—')} | "
            f"{r.get('max_score_diff', '—')} |"
        )
    lines += [
        "",
        "Peak RSS of the driver (it holds only the merged lists; with a baseline it also "
        "scored the same pool itself): "
        + ", ".join(f"{r['resumes']:,}: {r['driver_peak_rss_mb']} MiB" for r in rows)
        + ".",
        "",
        "Per worker (each size on fresh actors, so the peak RSS is that size's):",
        "",
        "| resumes | worker | shards | busy s | of which generating s | CPU s | RSS at start MiB "
        "| peak RSS MiB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        for n, w in enumerate(r["workers"], 1):
            lines.append(
                f"| {r['resumes']:,} | {n} | {w['shards']} | {w['busy_s']} | "
                f"{w['generate_s']} | {w['cpu_s']} | {w['rss_start_mb']} | {w['peak_rss_mb']} |"
            )
    lines.append("")
    (out / "ray_scoring.md").write_text("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
