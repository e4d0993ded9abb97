"""Demo-world scale: wall time, CPU time, rows/s and peak memory of ``build_demo`` on SQLite.

Each size runs in its own child process on a fresh SQLite file (so peak RSS is that run's),
the small size first as the baseline of the same run; the ratio of per-candidate times shows
how the build scales. The machine may be shared: the load average before and after each run
is recorded, and CPU time (user + system of the child) is reported beside wall time because it
is far less sensitive to other people's work than wall time.

    .venv/bin/python -m benchmarks.demo_scale   # 10,000 and 100,000 (~1M stage events)
    .venv/bin/python -m benchmarks.demo_scale --sizes 2000,20000 --no-write
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
AS_OF = dt.date(2026, 11, 25)
SEED = 7


def run_one(n: int, db_path: Path) -> dict[str, Any]:
    """Build a demo world of ``n`` candidates into a fresh SQLite file (in this process)."""
    from sqlalchemy import func, select

    from data.demo.world import build_demo
    from data.store.engine import make_engine, session_scope, upgrade
    from data.store.models import Application, Candidate, StageEvent

    eng = make_engine(f"sqlite:///{db_path}")
    upgrade(eng)
    t0, c0 = time.perf_counter(), time.process_time()
    result = build_demo(eng, candidates=n, seed=SEED, as_of=AS_OF)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    with session_scope(eng) as s:
        counted = {
            "candidates": s.scalar(select(func.count()).select_from(Candidate)),
            "applications": s.scalar(select(func.count()).select_from(Application)),
            "stage_events": s.scalar(select(func.count()).select_from(StageEvent)),
        }
    eng.dispose()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rows = (
        4 * result.candidates
        + result.applications
        + result.stage_events
        + result.enrolments
        + result.feedback
    )
    return {
        "candidates": n,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "rows_inserted": rows,
        "rows_per_s": round(rows / wall),
        "applications": result.applications,
        "stage_events": result.stage_events,
        "hires": result.hires,
        "feedback": result.feedback,
        "enrolments": result.enrolments,
        "countries": result.countries,
        "db_mb": round(db_path.stat().st_size / 2**20, 1),
        "phase_s": result.timings,
        "counted": counted,
    }


def measure(n: int) -> dict[str, Any]:
    """Run one size in a child process; returns its measurements plus the load around it."""
    with tempfile.TemporaryDirectory(prefix="tm-demo-scale-") as tmp:
        before = os.getloadavg()
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.demo_scale",
                "--child",
                str(n),
                "--db",
                str(Path(tmp) / "demo.sqlite"),
            ],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        after = os.getloadavg()
    data = json.loads(out.stdout.strip().splitlines()[-1])
    data["loadavg_before"] = [round(x, 2) for x in before]
    data["loadavg_after"] = [round(x, 2) for x in after]
    return data


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--sizes",
        default="10000,100000",
        help="comma-separated candidate counts; the first is the baseline",
    )
    ap.add_argument("--no-write", action="store_true", help="print only; do not write results")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(run_one(args.child, args.db)))
        return
    sizes = [int(x) for x in args.sizes.split(",")]
    runs = []
    for n in sizes:
        print(f"building {n} candidates …", file=sys.stderr, flush=True)
        runs.append(measure(n))
        print(json.dumps(runs[-1]), file=sys.stderr, flush=True)
    base = runs[0]
    for r in runs:
        r["wall_per_1k_s"] = round(r["wall_s"] / r["candidates"] * 1000, 3)
        r["cpu_per_1k_s"] = round(r["cpu_s"] / r["candidates"] * 1000, 3)
        r["wall_per_candidate_vs_baseline"] = round(
            (r["wall_s"] / r["candidates"]) / (base["wall_s"] / base["candidates"]), 2
        )
        r["cpu_per_candidate_vs_baseline"] = round(
            (r["cpu_s"] / r["candidates"]) / (base["cpu_s"] / base["candidates"]), 2
        )
    report = {
        "benchmark": "demo_scale",
        "command": "python -m benchmarks.demo_scale --sizes " + args.sizes,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "shared": "yes: other engineers' jobs ran at the same time (see loadavg)",
        },
        "seed": SEED,
        "as_of": AS_OF.isoformat(),
        "target": "100,000 candidates in under 120 s wall time on SQLite",
        "runs": runs,
    }
    print(json.dumps(report, indent=2))
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "demo_scale.json").write_text(
            json.dumps(report, indent=2) + "\n", encoding="utf-8"
        )
        (RESULTS / "demo_scale.md").write_text(markdown(report), encoding="utf-8")


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Demo world scale (SQLite)",
        "",
        f"Command: `{report['command']}` — {report['date']}, {report['machine']['cpus']} CPUs, "
        f"Python {report['machine']['python']}, SQLite {report['machine']['sqlite']}.",
        f"Target: {report['target']}. The machine was shared with other engineers' jobs; the "
        "load average (1/5/15 min) around each run is shown, and CPU time (of the build, in "
        "its own process) is given beside wall time because it depends much less on that load. "
        "Rows inserted = 4 per candidate (candidate, contact, demographics, resume) plus "
        "applications (1-4 per candidate), stage events, enrolments and feedback.",
        "",
        "| candidates | applications | stage events | rows inserted | wall s | CPU s "
        "| rows/s (wall) | peak RSS MB | wall per candidate vs baseline | CPU per candidate vs baseline | load before → after |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in report["runs"]:
        lines.append(
            f"| {r['candidates']:,} | {r['applications']:,} | {r['stage_events']:,} | "
            f"{r['rows_inserted']:,} | "
            f"{r['wall_s']} | {r['cpu_s']} | {r['rows_per_s']:,} | {r['peak_rss_mb']} | "
            f"{r['wall_per_candidate_vs_baseline']} | {r['cpu_per_candidate_vs_baseline']} | "
            f"{'/'.join(map(str, r['loadavg_before']))} → {'/'.join(map(str, r['loadavg_after']))} |"
        )
    lines += [
        "",
        "Phases (seconds, largest run): "
        + ", ".join(f"{k} {v}" for k, v in report["runs"][-1]["phase_s"].items()),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
