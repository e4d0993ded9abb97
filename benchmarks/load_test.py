"""Load test: 20 dashboard sessions and 4 writers at once, on SQLite and PostgreSQL (localhost).

The sessions are threads that call the dashboard pages' query functions (the analytics each
page runs: KPIs, funnel, breakdowns, role-skill matrix, programmes) uncached, each with its own
connection from a shared pool, as Streamlit's server threads do; one "page" is one such call
set, timed. The writers are threads too: resume imports (each file stored in its own short,
retried transaction), feedback imports of one file again and again (idempotent), candidate
imports (upsert) and single dashboard decisions. At the end the store is counted: every
resume stored once, each imported decision once, every decision made, every candidate once.

``python -m benchmarks.load_test --sqlite-seconds 60 --pg-seconds 120``
(PostgreSQL is started in a temporary folder as the ``postgres`` user, as in the tests.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analytics import cultivation, kpis, pipeline, skills  # noqa: E402
from analytics.filters import Filters  # noqa: E402
from data.demo.world import build_demo  # noqa: E402
from data.ingest.feedback import import_feedback, record_feedback  # noqa: E402
from data.ingest.people import import_candidates  # noqa: E402
from data.ingest.resumes import import_resume_files  # noqa: E402
from data.store.engine import make_engine, session_scope, upgrade, write_transaction  # noqa: E402
from data.store.models import Candidate, Feedback, Resume, Role  # noqa: E402

SESSIONS, WRITERS = 20, 4


def page(engine: Any) -> None:
    f = Filters()
    with session_scope(engine) as s:
        kpis.kpis(s, f)
        pipeline.funnel(s, f)
        pipeline.breakdowns(s, f)
        skills.role_skill_matrix(s, f, lang="en", max_skills=40)
        cultivation.programme_summary(s, f, lang="en")


def run(url: str, seconds: float, work: Path) -> dict[str, Any]:
    engine = make_engine(url)
    upgrade(engine)
    build_demo(engine, candidates=2000, seed=7)
    with session_scope(engine) as s:
        role = s.scalar(select(Role).order_by(Role.id).limit(1))
        role_key, role_id = role.key, role.id
        rid = s.scalar(select(Resume.id).order_by(Resume.id).limit(1))
        resumes0 = s.scalar(select(func.count()).select_from(Resume))
        base_fb = s.scalar(select(func.count()).select_from(Feedback))
    folder = work / "cvs"
    folder.mkdir(parents=True)
    stop = time.monotonic() + seconds
    errors: list[str] = []
    times: list[float] = []
    decisions = [0]
    made_files: list[Path] = []
    lock = threading.Lock()

    def reader() -> None:
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                page(engine)
            except Exception as err:
                errors.append(f"page: {err!r}"[:300])
            with lock:
                times.append(time.perf_counter() - t0)

    def resumes() -> None:
        i = 0
        while time.monotonic() < stop:
            batch = []
            for _ in range(5):
                p = folder / f"load-{i}.txt"
                p.write_text(f"Engineer {i}. Python, SQL, PyTorch, Kubernetes.\n", "utf-8")
                batch.append(p)
                i += 1
            with lock:
                made_files.extend(batch)
            import_resume_files(engine, batch + batch[:2], actor="load")  # duplicates too

    fb = work / "fb.csv"
    with session_scope(engine) as s:
        names = list(s.scalars(select(Resume.file_name).order_by(Resume.id).limit(400)))
    unique = [n for n in dict.fromkeys(names) if names.count(n) == 1][:20]
    fb.write_text(
        "resume,role,decision,reviewer\n"
        + "".join(f"{n},{role_key},advance,Load Reviewer\n" for n in unique),
        encoding="utf-8",
    )
    people = work / "people.csv"
    people.write_text(
        "external_id,name,email,country,source_channel\n"
        + "".join(f"L-{i},Load {i},l{i}@example.com,DE,referral\n" for i in range(200)),
        encoding="utf-8",
    )

    def feedback() -> None:
        while time.monotonic() < stop:
            write_transaction(engine, lambda s: import_feedback(s, fb, actor="load"))
            time.sleep(0.2)

    def candidates_and_decisions() -> None:
        while time.monotonic() < stop:
            write_transaction(engine, lambda s: import_candidates(s, people, actor="load"))
            write_transaction(
                engine,
                lambda s: record_feedback(s, rid, role_id, "reject", "Load Dora", actor="dora"),
            )
            with lock:
                decisions[0] += 1

    def guard(fn: Any) -> Any:
        def inner() -> None:
            try:
                fn()
            except Exception as err:
                errors.append(f"{fn.__name__}: {err!r}"[:300])

        return inner

    threads = [threading.Thread(target=reader) for _ in range(SESSIONS)]
    threads += [
        threading.Thread(target=guard(fn))
        for fn in (resumes, feedback, candidates_and_decisions, feedback)
    ]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    with session_scope(engine) as s:
        stored = s.scalar(select(func.count()).select_from(Resume)) - resumes0
        distinct = s.scalar(select(func.count(func.distinct(Resume.sha256))))
        total = s.scalar(select(func.count()).select_from(Resume))
        imported = s.scalar(select(func.count()).where(Feedback.reviewer == "Load Reviewer"))
        dora = s.scalar(select(func.count()).where(Feedback.reviewer == "Load Dora"))
        cands = s.scalar(select(func.count()).where(Candidate.external_ref.like("L-%")))
        fb_total = s.scalar(select(func.count()).select_from(Feedback))
    engine.dispose()
    times.sort()
    return {
        "seconds": round(wall, 1),
        "pages": len(times),
        "p50_s": round(statistics.median(times), 3) if times else None,
        "p95_s": round(times[int(0.95 * (len(times) - 1))], 3) if times else None,
        "errors": errors,
        "resume_files_written": len(made_files),
        "resumes_stored": stored,
        "resumes_lost": len(made_files) - stored,
        "resume_duplicates_in_store": total - distinct,
        "imported_decisions": imported,
        "imported_decisions_expected": len(unique),
        "decisions_made": decisions[0],
        "decisions_stored": dora,
        "candidates": cands,
        "candidates_expected": 200,
        "feedback_rows_added": fb_total - base_fb,
    }


def _pg(root: Path) -> tuple[str, Any]:
    import socket

    with socket.socket() as sk:
        sk.bind(("127.0.0.1", 0))
        port = sk.getsockname()[1]
    root.chmod(0o777)
    shutil.chown(root, "postgres")
    data = root / "data"
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*as_pg, "initdb", "-D", str(data), "--auth=trust", "-U", "postgres",
                    "-E", "UTF8", "--locale=C"], check=True, capture_output=True)  # fmt: skip
    subprocess.run([*as_pg, "pg_ctl", "-D", str(data), "-l", str(root / "log"), "-w", "-o",
                    f"-p {port} -c listen_addresses=127.0.0.1 -k {root}", "start"],
                   check=True, capture_output=True)  # fmt: skip
    eng = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
    with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql("CREATE DATABASE load")
    eng.dispose()

    def stop() -> None:
        subprocess.run([*as_pg, "pg_ctl", "-D", str(data), "-m", "fast", "stop"],
                       capture_output=True)  # fmt: skip

    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/load", stop


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sqlite-seconds", type=float, default=60)
    ap.add_argument("--pg-seconds", type=float, default=120)
    args = ap.parse_args()
    out: dict[str, Any] = {"sessions": SESSIONS, "writers": WRITERS}
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        (t / "sq").mkdir()
        out["sqlite"] = run(f"sqlite:///{t / 'sq' / 'load.sqlite'}", args.sqlite_seconds, t / "sq")
        pg_root = Path(tempfile.mkdtemp(prefix="tm-load-pg-"))  # postgres must reach it
        url, stop = _pg(pg_root)
        try:
            (t / "pgw").mkdir()
            out["postgresql"] = run(url, args.pg_seconds, t / "pgw")
        finally:
            stop()
            shutil.rmtree(pg_root, ignore_errors=True)
    res = ROOT / "benchmarks" / "results"
    (res / "load_test.json").write_text(json.dumps(out, indent=2), encoding="utf-8")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
