"""Dashboard speed: each page's AppTest script run, cold and warm, on a large demo world.

    .venv/bin/python -m benchmarks.dashboard_speed [--candidates 100000] [--data-dir DIR]

Builds the demo world (``talentmap demo --candidates N``) in a temporary data directory (or
reuses ``--data-dir`` when it already holds one), then for every page:

- cold: Streamlit's data and resource caches cleared, the page switched to and run once;
- warm: the same page run again three times (median).

The one-off resume skill index (the supply side of the skill gaps, kept on disk and updated
incrementally) is built once before timing and reported on its own. Each time is also given
as a ratio to a baseline measured in the same run: an AppTest run of a one-line script.
Targets (issue 7): warm under 2 s, cold under 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PAGES = [
    "overview",
    "roles_skills",
    "international",
    "cultivation",
    "matching",
    "model_lab",
    "documents",
    "reports",
]
WARM_LIMIT, COLD_LIMIT = 2.0, 5.0


def _talentmap(*args: str, env: dict[str, str]) -> None:
    exe = Path(sys.executable).with_name("talentmap")
    subprocess.run([str(exe), *args], check=True, env=env, cwd=ROOT)


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidates", type=int, default=100_000)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-save", action="store_true", help="print only, do not write results")
    args = ap.parse_args()

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="tm-dash-bench-"))
    env = {**os.environ, "TALENTMAP_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    env.pop("DATABASE_URL", None)
    os.environ.update({"TALENTMAP_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"})
    os.environ.pop("DATABASE_URL", None)
    db = data_dir / "talentmap.sqlite"
    demo_s = None
    if not db.exists():
        _talentmap("init", env=env)
        demo_s = _timed(
            lambda: _talentmap(
                "demo", "--candidates", str(args.candidates), "--seed", str(args.seed), env=env
            )
        )

    import streamlit as st
    from sqlalchemy import func, select
    from streamlit.testing.v1 import AppTest

    from data.store.engine import make_engine, session_scope
    from data.store.models import Application, Candidate, Resume, StageEvent

    eng = make_engine(f"sqlite:///{db}")
    with session_scope(eng) as s:
        sizes = {
            name: s.scalar(select(func.count()).select_from(model))
            for name, model in (
                ("candidates", Candidate),
                ("applications", Application),
                ("stage_events", StageEvent),
                ("resumes", Resume),
            )
        }
    eng.dispose()

    app = str(ROOT / "dashboard" / "app.py")

    def fresh() -> AppTest:
        at = AppTest.from_file(app, default_timeout=300)
        at.session_state["lang"] = "en"
        at.session_state["user"] = {"name": "admin", "role": "admin"}  # signed in already
        return at

    base = AppTest.from_string("import streamlit as st\nst.write('baseline')")
    base.run()
    baseline = statistics.median(_timed(base.run) for _ in range(5))

    # the one-off skill index: built on the first Roles & skills view, then kept on disk
    st.cache_data.clear()
    at = fresh()
    at.run()
    index_s = _timed(lambda: at.switch_page("app_pages/roles_skills.py").run())

    rows = []
    for page in PAGES:
        at = fresh()
        at.run()
        st.cache_data.clear()
        st.cache_resource.clear()
        cold = _timed(lambda p=page, a=at: a.switch_page(f"app_pages/{p}.py").run())
        if at.exception or at.error or not at.title:
            problem = (
                (at.exception or at.error)[0].value
                if (at.exception or at.error)
                else "no title drawn"
            )
            raise SystemExit(f"{page}: {problem}")
        warm = statistics.median(_timed(at.run) for _ in range(3))
        rows.append(
            {
                "page": page,
                "cold_s": round(cold, 3),
                "warm_s": round(warm, 3),
                "cold_x_baseline": round(cold / baseline, 1),
                "warm_x_baseline": round(warm / baseline, 1),
                "cold_ok": cold < COLD_LIMIT,
                "warm_ok": warm < WARM_LIMIT,
            }
        )
        print(f"{page:14s} cold {cold:6.2f} s   warm {warm:6.2f} s", flush=True)

    result = {
        "benchmark": "dashboard_speed",
        "candidates": args.candidates,
        "sizes": sizes,
        "store": "sqlite",
        "demo_build_s": None if demo_s is None else round(demo_s, 1),
        "skill_index_first_build_s": round(index_s, 2),
        "baseline_apptest_s": round(baseline, 4),
        "targets": {"warm_s": WARM_LIMIT, "cold_s": COLD_LIMIT},
        "pages": rows,
        "all_ok": all(r["cold_ok"] and r["warm_ok"] for r in rows),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "date": time.strftime("%Y-%m-%d"),
    }
    print(json.dumps(result, indent=2))
    if args.no_save:
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "dashboard_speed.json").write_text(
        json.dumps(result, indent=2) + "\n", encoding="utf-8"
    )
    lines = [
        "# Dashboard speed",
        "",
        f"Demo world: {sizes['candidates']:,} candidates, {sizes['applications']:,} "
        f"applications, {sizes['stage_events']:,} stage events, {sizes['resumes']:,} resumes "
        f"(SQLite). AppTest script run per page; cold = Streamlit's data and resource caches cleared (Python modules already imported, as in a running server); warm = median "
        f"of three reruns. Baseline: an AppTest run of a one-line script, "
        f"{baseline * 1000:.1f} ms. Targets: warm < {WARM_LIMIT:g} s, cold < {COLD_LIMIT:g} s.",
        "",
        "| page | cold (s) | warm (s) | cold × baseline | warm × baseline | within target |",
        "|---|---:|---:|---:|---:|:---:|",
        *[
            f"| {r['page']} | {r['cold_s']:.2f} | {r['warm_s']:.2f} | {r['cold_x_baseline']} | "
            f"{r['warm_x_baseline']} | {'yes' if r['cold_ok'] and r['warm_ok'] else 'NO'} |"
            for r in rows
        ],
        "",
        f"One-off resume skill index (first Roles & skills view after the demo, then kept on "
        f"disk and updated incrementally): {index_s:.1f} s.",
        "",
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"run `{' '.join(['python -m benchmarks.dashboard_speed', *sys.argv[1:]])}`.",
        "",
    ]
    (RESULTS / "dashboard_speed.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
