"""Load test: real dashboard sessions and concurrent writers on SQLite and PostgreSQL (localhost).

Each simulated user is an ``AppTest`` of ``dashboard/app.py`` in its own process (spawned): it
signs in through the sign-in form with a real user (argon2 password), then visits every page
its role may see, in turn, again and again until the time is up; odd users use Chinese, even
ones English. Every fourth user is a recruiter who also decides through the page widgets: on
Candidates it opens a candidate and moves an application to another stage (the stage-move
control), on Matching it picks two stored resumes and a role, runs the match and clicks
advance / reject on a shortlisted resume (alternating, so every click is a change). Beside
them run writer processes: resume imports (new files plus repeats of files already sent), a
feedback import of the same file again and again (idempotent), a match of stored resumes
against two roles (stored runs), and stage moves through ``data.ingest.people.move_stage``.

Counted afterwards against the store: every resume file stored once, the feedback file's rows
exactly once, every match run with all its score rows, every stage move and every dashboard
decision (audit row per click, one feedback row per pair, the last decision kept). An error is
any exception a page raised (``at.exception``; pages run with ``TALENTMAP_DASHBOARD_RAISE``),
any failure of the harness to drive a widget, any ``st.error`` shown, and any writer failure.

``python -m benchmarks.load_test --sqlite-seconds 60 --pg-seconds 120 --pg50-seconds 120``
(PostgreSQL is a throwaway server from ``tests/pg_server.py``; results to
``benchmarks/results/load_test.json``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import queue
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import types
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
APP = str(ROOT / "dashboard" / "app.py")

PAGES = [  # (file, who may see it)
    ("overview", "read"),
    ("roles_skills", "read"),
    ("international", "read"),
    ("cultivation", "read"),
    ("plan_forecast", "read"),
    ("compensation", "read"),
    ("candidates", "read"),
    ("matching", "decide"),
    ("model_lab", "read"),
    ("documents", "read"),
    ("reports", "read"),
    ("admin", "admin"),
]
ROLE_CYCLE = ("recruiter", "admin", "recruiter", "viewer")  # user i has ROLE_CYCLE[i % 4]
MATCH_POOL = 12  # stored resumes the match writer uses (embeddings cached after the first run)
MIN_FREE_MB = 4000  # end the run early when the machine's available memory falls below this
MOVER_APPS = 40  # applications the stage-move writer owns (the sessions never touch them)


def _env(cfg: dict[str, Any]) -> None:
    os.environ.update(
        {
            "DATABASE_URL": cfg["url"],
            "TALENTMAP_DATA_DIR": cfg["data_dir"],
            "TALENTMAP_DASHBOARD_RAISE": "1",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "STREAMLIT_LOGGER_LEVEL": "error",
            **cfg.get("env", {}),
        }
    )
    os.environ.pop("TALENTMAP_USER", None)
    os.environ.pop("TALENTMAP_TOKEN", None)


def _mem_available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("inf")


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# --------------------------------------------------------------------------- sessions


def session_worker(cfg: dict[str, Any], i: int, ready: Any, go: Any, start: Any, out: Any) -> None:
    """One dashboard user: sign in, then visit every page in turn until the time is up."""
    _env(cfg)
    result: dict[str, Any] = {"user": i, "samples": [], "errors": [], "moves": [], "clicks": []}
    try:
        _session(cfg, i, ready, go, start, result)
    except Exception as err:  # the harness itself failed: that is an error too
        result["errors"].append(f"user {i}: harness {err!r}: {traceback.format_exc()[-600:]}")
        ready.put(i)
    result["rss_mb"] = _rss_mb()
    out.put(("session", result))


def _session(cfg: dict[str, Any], i: int, ready: Any, go: Any, start: Any, res: dict) -> None:
    from sqlalchemy import select
    from streamlit.testing.v1 import AppTest

    from data.store.engine import make_engine, session_scope
    from data.store.users import PERMISSIONS

    role = ROLE_CYCLE[i % len(ROLE_CYCLE)]
    decider = i % len(ROLE_CYCLE) == 0
    lang = "zh" if i % 2 else "en"
    name = f"load-u{i:02d}"
    rnd = random.Random(i)
    pages = [p for p, need in PAGES if need in PERMISSIONS[role]]  # what the navigation shows
    eng = make_engine(cfg["url"])  # the harness's own reads (stage before a move)

    def check(at: AppTest, what: str) -> bool:
        bad = [f"{what}: {e.message}"[:400] for e in at.exception]
        bad += [f"{what}: st.error {e.value}"[:400] for e in at.error]
        res["errors"].extend(f"user {i} {b}" for b in bad)
        return not bad

    def sign_in() -> AppTest | None:
        """A new browser tab: open the app, sign in through the form."""
        at = AppTest.from_file(APP, default_timeout=300)
        at.session_state["lang"] = lang
        at.run()
        t0 = time.perf_counter()
        at.text_input(key="login_name").input(name)
        at.text_input(key="login_password").input(f"pw-{name}-load")
        at.button[0].click().run()
        res.setdefault("sign_in_s", time.perf_counter() - t0)
        if not check(at, "sign-in") or not at.sidebar.caption:
            res["errors"].append(f"user {i}: sign-in did not reach the pages")
            return None
        return at

    at = sign_in()
    ready.put(i)
    if at is None:
        return
    go.wait()

    def running() -> bool:  # the parent may end the run early (memory guard)
        return time.time() < start.value + cfg["seconds"]

    # users start on different pages, so a short run still times every page; the deciders
    # start where they decide
    k = pages.index("candidates") if decider else i
    seen: set[str] = set()
    while running():
        page = pages[k % len(pages)]
        k += 1
        t0 = time.perf_counter()
        try:
            at.switch_page(f"app_pages/{page}.py").run()
        except Exception as err:
            res["errors"].append(f"user {i} {page}: {err!r}"[:400])
            at = sign_in()  # a harness failure may leave the tab broken: open a new one
            if at is None:
                return
            continue
        res["samples"].append((page, time.perf_counter() - t0))
        # the first view of a page in a process fills that process's query caches
        res.setdefault("first", []).append(page not in seen)
        seen.add(page)
        if not check(at, page) or not decider or not running():
            continue
        try:
            if page == "candidates":
                _move(at, i, lang, cfg, eng, rnd, res, check, select, session_scope)
            elif page == "matching" and i % cfg["match_every"] == 0:
                _decide(at, i, cfg, eng, rnd, res, check)
        except Exception as err:
            res["errors"].append(
                f"user {i} {page} decision: {err!r} {traceback.format_exc()[-300:]}"[:700]
            )
            at = sign_in()
            if at is None:
                return
    eng.dispose()


def _sample(res: dict, what: str, t0: float) -> None:
    res["samples"].append((what, time.perf_counter() - t0))
    res.setdefault("first", []).append(False)


def _move(at, i, lang, cfg, eng, rnd, res, check, select, session_scope) -> None:
    """Open one of this user's candidates and move an application to another stage."""
    from data.reference.stages import STAGES
    from data.store.models import Application

    mine = cfg["move_candidates"][i]
    opener = at.selectbox(key=f"w_cand_open_{lang}")
    choices = [p for p in opener.options if p in mine]
    if not choices:
        return
    opener.set_value(rnd.choice(choices)).run()
    if not check(at, "candidates open"):
        return
    app_box = at.selectbox(key=f"w_cand_move_app_{lang}")
    app_id = int(app_box.value)
    with session_scope(eng) as s:
        before = s.scalar(select(Application.current_stage).where(Application.id == app_id))
    to = rnd.choice([st for st in STAGES if st != before])
    at.selectbox(key=f"w_cand_move_to_{lang}").set_value(to)
    t0 = time.perf_counter()
    at.button(key="cand_move").click().run()
    _sample(res, "candidates: move stage", t0)
    if check(at, "candidates move"):
        res["moves"].append((app_id, to))


def _decide(at, i, cfg, eng, rnd, res, check) -> None:
    """Match two stored resumes (of those the page lists) against a role; decide on the top."""
    from data.queries.resumes import list_resumes
    from data.store.engine import session_scope

    box = at.multiselect(key="match_stored")
    with session_scope(eng) as s:
        ids = [r.id for r in list_resumes(s, limit=800)]
    listed = [r for r in ids if box.format_func(r) in box.options]
    pair = rnd.sample(listed, 2)
    role = cfg["roles"][i % len(cfg["roles"])]
    lang = at.session_state["lang"]
    box.set_value(pair)
    at.multiselect(key=f"w_match_roles_{lang}").set_value([role])
    t0 = time.perf_counter()
    at.button(key="match_run").click().run()
    _sample(res, "matching: run match", t0)
    if not check(at, "matching run"):
        return
    res["runs"] = res.get("runs", 0) + 1
    buttons = [b for b in at.button if (b.key or "").startswith(f"fb_advance_{role}_")]
    if not buttons:
        res["errors"].append(f"user {i}: no decision buttons after a match")
        return
    rid = int(buttons[0].key.rsplit("_", 1)[1])
    last = [c for c in res["clicks"] if c[0] == rid and c[1] == role]
    decision = "reject" if last and last[-1][2] == "advance" else "advance"
    t0 = time.perf_counter()
    at.button(key=f"fb_{decision}_{role}_{rid}").click().run()
    _sample(res, "matching: decide", t0)
    if check(at, "matching decide"):
        res["clicks"].append((rid, role, decision))


# --------------------------------------------------------------------------- writers


def writer_worker(
    cfg: dict[str, Any], kind: str, ready: Any, go: Any, start: Any, out: Any
) -> None:
    _env(cfg)
    res: dict[str, Any] = {"kind": kind, "errors": [], "ops": 0}
    try:
        from data.store.engine import make_engine

        eng = make_engine(cfg["url"])
        fn = {"resumes": _resumes, "feedback": _feedback, "match": _match, "stages": _stages}
        work = fn[kind](cfg, eng, res)
        ready.put(kind)
        go.wait()
        while time.time() < start.value + cfg["seconds"]:
            try:
                work()
                res["ops"] += 1
            except Exception as err:
                res["errors"].append(f"writer {kind}: {err!r}"[:400])
                time.sleep(0.5)
        eng.dispose()
    except Exception as err:
        res["errors"].append(f"writer {kind}: harness {err!r} {traceback.format_exc()[-600:]}")
        ready.put(kind)
    res["rss_mb"] = _rss_mb()
    out.put(("writer", res))


def _resumes(cfg: dict[str, Any], eng: Any, res: dict) -> Any:
    from data.ingest.resumes import import_resume_files

    folder = Path(cfg["work"]) / "cvs"
    folder.mkdir(exist_ok=True)
    res["files"] = []

    def work() -> None:
        n = len(res["files"])
        batch = []
        for j in range(n, n + 5):
            p = folder / f"load-{j}.txt"
            p.write_text(
                f"Load Engineer {j}\nPython, SQL, PyTorch and Kubernetes for {j % 9 + 1} years.\n",
                "utf-8",
            )
            batch.append(p)
        import_resume_files(eng, batch + batch[:2], actor="load-resumes")  # repeats too
        res["files"].extend(p.name for p in batch)
        time.sleep(0.5)

    return work


def _feedback(cfg: dict[str, Any], eng: Any, res: dict) -> Any:
    from data.ingest.feedback import import_feedback
    from data.store.engine import write_transaction

    path = Path(cfg["feedback_file"])

    def work() -> None:
        write_transaction(eng, lambda s: import_feedback(s, path, actor="load-feedback"))
        time.sleep(0.2)

    return work


def _match(cfg: dict[str, Any], eng: Any, res: dict) -> Any:
    from data.store.engine import session_scope
    from ml.encoders import get_encoder
    from ml.matcher import match

    enc = get_encoder(cfg.get("encoder", "minilm"))
    res["runs"] = []

    def work() -> None:
        with session_scope(eng) as s:
            result = match(
                s,
                enc,
                role_keys=cfg["roles"][:2],
                resume_ids=cfg["match_pool"],
                top_k=5,
                actor="load-matcher",
            )
        res["runs"].append((result.run_id, len(result.rows)))

    return work


def _stages(cfg: dict[str, Any], eng: Any, res: dict) -> Any:
    from sqlalchemy import select

    from data.ingest.people import move_stage
    from data.reference.stages import STAGES
    from data.store.engine import session_scope, write_transaction
    from data.store.models import Application

    apps = cfg["mover_apps"]
    rnd = random.Random(99)
    res["moves"] = []

    def work() -> None:
        app_id = rnd.choice(apps)
        with session_scope(eng) as s:
            before = s.scalar(select(Application.current_stage).where(Application.id == app_id))
        to = rnd.choice([x for x in STAGES if x != before])
        ev = write_transaction(eng, lambda s: move_stage(s, app_id, to, actor="load-mover"))
        if ev is not None:
            res["moves"].append((app_id, to))
        time.sleep(0.1)

    return work


# --------------------------------------------------------------------------- one run


def prepare(url: str, work: Path, users: int, candidates: int) -> dict[str, Any]:
    """Migrate, build the demo world, create the users, pick what each actor touches."""
    from sqlalchemy import select

    from data.demo.world import build_demo
    from data.store.engine import make_engine, session_scope, upgrade
    from data.store.models import Application, Candidate, Resume, Role
    from data.store.users import add_user, reset_password

    eng = make_engine(url)
    upgrade(eng)
    build_demo(eng, candidates=candidates, seed=7)
    with session_scope(eng) as s:
        for i in range(users):
            name = f"load-u{i:02d}"
            add_user(s, name, ROLE_CYCLE[i % len(ROLE_CYCLE)])
            reset_password(s, name, f"pw-{name}-load", actor="load-setup")
        roles = list(s.scalars(select(Role.key).order_by(Role.id)))[:4]
        resumes = list(s.scalars(select(Resume.id).order_by(Resume.id)))
        names = list(s.scalars(select(Resume.file_name).order_by(Resume.id).limit(400)))
        role_key = roles[0]
        # the first 200 pseudonyms (what Candidates lists unfiltered) go to the deciders,
        # the stage-move writer gets applications of candidates outside them
        listed = list(s.scalars(select(Candidate.pseudonym).order_by(Candidate.pseudonym)))
        shown = listed[: min(200, len(listed) // 2)]  # a small store: half each
        mover_apps = list(
            s.scalars(
                select(Application.id)
                .join(Candidate, Candidate.id == Application.candidate_id)
                .where(Candidate.pseudonym.not_in(shown))
                .order_by(Application.id)
                .limit(MOVER_APPS)
            )
        )
    eng.dispose()
    deciders = [i for i in range(users) if i % len(ROLE_CYCLE) == 0]
    move_candidates = {i: shown[k :: len(deciders)] for k, i in enumerate(deciders)}
    unique = [n for n in dict.fromkeys(names) if names.count(n) == 1][:20]
    fb = work / "feedback.csv"
    fb.write_text(
        "resume,role,decision,reviewer\n"
        + "".join(f"{n},{role_key},advance,Load Reviewer\n" for n in unique),
        encoding="utf-8",
    )
    return {
        "url": url,
        "work": str(work),
        "data_dir": str(work / "data"),
        "roles": roles,
        "match_pool": resumes[:MATCH_POOL],
        "mover_apps": mover_apps,
        "move_candidates": move_candidates,
        "feedback_file": str(fb),
        "feedback_expected": len(unique),
    }


def run(
    cfg: dict[str, Any], users: int, writers: list[str], seconds: float, probe: Any = None
) -> dict[str, Any]:
    """Start every process, let them sign in, run for ``seconds``, then count the store.
    The load average (and ``probe()``, e.g. the server's connection count) is sampled every
    5 s during the run."""
    cfg = {**cfg, "seconds": seconds}
    ctx = mp.get_context("spawn")
    ready, out = ctx.Queue(), ctx.Queue()
    go, start = ctx.Event(), ctx.Value("d", 0.0)
    procs = [
        ctx.Process(target=session_worker, args=(cfg, i, ready, go, start, out))
        for i in range(users)
    ] + [ctx.Process(target=writer_worker, args=(cfg, w, ready, go, start, out)) for w in writers]
    for p in procs:
        p.daemon = True  # they end with this process
    t_spawn = time.perf_counter()
    # spawn re-runs the parent's __main__ in each child; inside a test run that may be a
    # script an AppTest ran (dashboard/app.py), so start the children with a bare __main__
    # (their targets live in this module, imported by name)
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        for p in procs:
            p.start()
    finally:
        sys.modules["__main__"] = main
    waiting, give_up = len(procs), time.time() + 900
    while waiting:
        try:
            ready.get(timeout=2)
            waiting -= 1
        except queue.Empty:
            dead = [p.exitcode for p in procs if p.exitcode is not None]
            if dead or time.time() > give_up:  # none may end before the start: it died
                for p in procs:
                    p.terminate()
                raise RuntimeError(
                    f"{len(dead)} of {len(procs)} processes ended before the start "
                    f"(exit codes {dead}), {waiting} not ready"
                ) from None
    startup = time.perf_counter() - t_spawn
    load_before = os.getloadavg()
    start.value = t_go = time.time()
    go.set()
    results: list[Any] = []
    loads: list[float] = []
    probes: list[int] = []
    avail: list[float] = []
    ended_early: float | None = None
    give_up = time.time() + seconds + 900
    while len(results) < len(procs) and time.time() < give_up:
        try:
            results.append(out.get(timeout=5))
        except queue.Empty:
            if all(p.exitcode is not None for p in procs):
                break  # every process ended, some without a result (counted as missing)
        if time.time() < start.value + seconds:
            loads.append(os.getloadavg()[0])
            avail.append(_mem_available_mb())
            if avail[-1] < MIN_FREE_MB:  # other people's work shares this machine: stop
                ended_early = round(time.time() - start.value, 1)
                start.value = 0.0
            if probe is not None:
                probes.append(probe())
    wall = time.time() - t_go
    load_after = os.getloadavg()
    for p in procs:
        p.join(timeout=60)
    sessions = [r for k, r in results if k == "session"]
    wrs = {r["kind"]: r for k, r in results if k == "writer"}
    rep = _report(cfg, sessions, wrs, wall, startup, load_before, load_after)
    rep["load_1min_during"] = {
        "min": min(loads, default=0),
        "median": round(statistics.median(loads or [0]), 2),
        "max": max(loads, default=0),
    }
    if probes:
        rep["server_connections_peak"] = max(probes)
    rep["processes_missing"] = len(procs) - len(results)
    rep["mem_available_min_mb"] = min(avail, default=None)
    rep["ended_early_at_s"] = ended_early
    return rep


def _summary(xs: list[float]) -> dict[str, Any]:
    return {"n": len(xs), "p50_s": _pct(xs, 0.5), "p95_s": _pct(xs, 0.95)} if xs else {"n": 0}


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))], 3)


def _report(cfg, sessions, wrs, wall, startup, load_before, load_after) -> dict[str, Any]:
    from sqlalchemy import func, select

    from data.store.engine import make_engine, session_scope
    from data.store.models import (
        Application,
        AuditLog,
        Feedback,
        MatchRun,
        MatchScore,
        Resume,
        Role,
        StageEvent,
    )

    per_page: dict[str, list[float]] = defaultdict(list)
    first_views: list[float] = []
    repeat_views: list[float] = []
    for r in sessions:
        for (page, sec), first in zip(r["samples"], r.get("first", []), strict=True):
            per_page[page].append(sec)
            if ":" not in page:
                (first_views if first else repeat_views).append(sec)
    errors = [e for r in sessions for e in r["errors"]]
    errors += [e for w in wrs.values() for e in w["errors"]]
    eng = make_engine(cfg["url"])
    checks: dict[str, Any] = {}
    with session_scope(eng) as s:
        # resumes: every file written stored once, no duplicate content
        files = wrs.get("resumes", {}).get("files", [])
        stored = s.scalar(select(func.count()).where(Resume.file_name.like("load-%.txt")))
        dup = s.scalar(select(func.count()).select_from(Resume)) - s.scalar(
            select(func.count(func.distinct(Resume.sha256)))
        )
        checks["resumes"] = {"written": len(files), "stored": stored, "duplicates": dup}
        # feedback import: the file's rows exactly once
        fb = s.scalar(select(func.count()).where(Feedback.reviewer == "Load Reviewer"))
        checks["feedback_import"] = {"expected": cfg["feedback_expected"], "stored": fb}
        # match runs: each run stored with all its rows
        runs = wrs.get("match", {}).get("runs", [])
        stored_runs = s.scalar(select(func.count()).where(MatchRun.created_by == "load-matcher"))
        short = 0
        for run_id, n in runs:
            got = s.scalar(select(func.count()).where(MatchScore.run_id == run_id))
            short += int(got < n)
        checks["match_runs"] = {"made": len(runs), "stored": stored_runs, "short_runs": short}
        users = [f"load-u{r['user']:02d}" for r in sessions]
        s_runs = sum(r.get("runs", 0) for r in sessions)
        s_stored = s.scalar(select(func.count()).where(MatchRun.created_by.in_(users or ["-"])))
        checks["session_match_runs"] = {"made": s_runs, "stored": s_stored}
        # stage moves by the writer and by the sessions
        moves = [("load-mover", m) for m in wrs.get("stages", {}).get("moves", [])]
        moves += [(f"load-u{r['user']:02d}", m) for r in sessions for m in r["moves"]]
        actors = {a for a, _ in moves} | {f"load-u{r['user']:02d}" for r in sessions}
        events = dict(
            s.execute(
                select(StageEvent.actor, func.count())
                .where(StageEvent.actor.in_(actors))
                .group_by(StageEvent.actor)
            ).all()
        )
        last: dict[int, str] = {}
        for _, (app_id, to) in moves:
            last[app_id] = to  # each application is moved by one actor only
        wrong = sum(
            s.scalar(select(Application.current_stage).where(Application.id == a)) != to
            for a, to in last.items()
        )
        made_w = len(wrs.get("stages", {}).get("moves", []))
        made_s = sum(len(r["moves"]) for r in sessions)
        checks["stage_moves"] = {
            "writer_made": made_w,
            "writer_stored": events.get("load-mover", 0),
            "sessions_made": made_s,
            "sessions_stored": sum(v for k, v in events.items() if k != "load-mover"),
            "wrong_current_stage": wrong,
        }
        # dashboard decisions: an audit row per click, one feedback row per pair, last one kept
        clicks = [(f"load-u{r['user']:02d}", c) for r in sessions for c in r["clicks"]]
        names = sorted({a for a, _ in clicks})
        audited = s.scalar(
            select(func.count()).where(
                AuditLog.actor.in_(names or ["-"]),
                AuditLog.action.in_(["feedback.record", "feedback.change"]),
            )
        )
        role_ids = dict(s.execute(select(Role.key, Role.id)).all())
        final: dict[tuple[str, int, str], str] = {}
        for who, (rid, role, decision) in clicks:
            final[(who, rid, role)] = decision
        rows = {
            (f.reviewer, f.resume_id, f.role_id): f.decision
            for f in s.scalars(select(Feedback).where(Feedback.reviewer.in_(names or ["-"])))
        }
        mismatched = sum(
            rows.get((who, rid, role_ids[role])) != d for (who, rid, role), d in final.items()
        )
        checks["decisions"] = {
            "clicks": len(clicks),
            "audit_rows": audited,
            "pairs": len(final),
            "feedback_rows": len(rows),
            "wrong_final_decision": mismatched,
        }
    eng.dispose()
    lost = (
        max(0, len(files) - stored)
        + max(0, cfg["feedback_expected"] - fb)
        + max(0, len(runs) - stored_runs)
        + max(0, s_runs - s_stored)
        + short
        + max(0, made_w - events.get("load-mover", 0))
        + max(0, made_s - checks["stage_moves"]["sessions_stored"])
        + max(0, len(clicks) - audited)
        + mismatched
        + wrong
    )
    duplicated = (
        max(0, stored - len(files))
        + dup
        + max(0, fb - cfg["feedback_expected"])
        + max(0, stored_runs - len(runs))
        + max(0, s_stored - s_runs)
        + max(0, events.get("load-mover", 0) - made_w)
        + max(0, checks["stage_moves"]["sessions_stored"] - made_s)
        + max(0, audited - len(clicks))
        + max(0, len(rows) - len(final))
    )
    all_times = first_views + repeat_views  # page views (decisions are timed apart)
    return {
        "seconds": round(wall, 1),
        "startup_s": round(startup, 1),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "sessions": len(sessions),
        "page_views": len(all_times),
        "p50_s": _pct(all_times, 0.5) if all_times else None,
        "p95_s": _pct(all_times, 0.95) if all_times else None,
        "pages": {
            p: {"n": len(v), "p50_s": _pct(v, 0.5), "p95_s": _pct(v, 0.95)}
            for p, v in per_page.items()
        },
        "first_views": _summary(first_views),
        "repeat_views": _summary(repeat_views),
        "sign_in_p50_s": round(statistics.median([r.get("sign_in_s", 0) for r in sessions]), 3),
        "writer_ops": {k: w["ops"] for k, w in wrs.items()},
        "errors": errors,
        "error_count": len(errors),
        "lost_rows": lost,
        "duplicated_rows": duplicated,
        "checks": checks,
        "peak_rss_mb": {
            "session_max": max((r.get("rss_mb", 0) for r in sessions), default=0),
            "session_median": statistics.median([r.get("rss_mb", 0) for r in sessions] or [0]),
            "writers": {k: w.get("rss_mb") for k, w in wrs.items()},
        },
    }


# --------------------------------------------------------------------------- servers


def two_servers(url: str, data_dir: str) -> dict[str, Any]:
    """Start two ``talentmap serve --port`` processes (Streamlit, 127.0.0.1) against the same
    store, as the nginx upstream in docs/deploy expects, and ask each for /_stcore/health."""
    from tests.pg_server import free_port

    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TALENTMAP_DATA_DIR": data_dir,
        "PYTHONPATH": str(ROOT),
    }
    ports = [free_port(), free_port()]
    talentmap = Path(sys.executable).parent / "talentmap"  # the recipe of docs/deploy.md
    procs = [
        subprocess.Popen(
            [str(talentmap), "serve", "--port", str(p)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for p in ports
    ]
    answers: dict[str, str] = {}
    try:
        for port in ports:
            for _ in range(120):
                try:
                    with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/_stcore/health", timeout=2
                    ) as r:
                        answers[str(port)] = f"{r.status} {r.read().decode()}"
                        break
                except OSError:
                    time.sleep(0.5)
            else:
                answers[str(port)] = "no answer in 60 s"
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
    return answers


# --------------------------------------------------------------------------- main

WRITERS = ["resumes", "feedback", "match", "stages"]


def main() -> None:
    from tests.pg_server import running_postgres

    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--many-users", type=int, default=50)
    ap.add_argument("--candidates", type=int, default=1000)
    ap.add_argument("--sqlite-seconds", type=float, default=60)
    ap.add_argument("--pg-seconds", type=float, default=120)
    ap.add_argument("--pg50-seconds", type=float, default=120, help="0: skip the 50-user run")
    ap.add_argument("--pool-size", type=int, default=2, help="TALENTMAP_DB_POOL_SIZE per process")
    ap.add_argument("--max-overflow", type=int, default=3)
    ap.add_argument(
        "--match-every", type=int, default=4, help="user i runs matches when i %% N == 0"
    )
    ap.add_argument(
        "--many-match-every", type=int, default=8, help="the same for the many-user run"
    )
    ap.add_argument(
        "--label", default=None, help="store the SQLite run under this key (e.g. a baseline)"
    )
    ap.add_argument("--only", choices=["sqlite", "postgresql", "postgresql_many"], default=None)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "load_test.json")
    args = ap.parse_args()
    out: dict[str, Any] = {
        "command": " ".join(sys.argv),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(),
        "candidates": args.candidates,
    }
    pool_env = {
        "TALENTMAP_DB_POOL_SIZE": str(args.pool_size),
        "TALENTMAP_DB_MAX_OVERFLOW": str(args.max_overflow),
    }
    with tempfile.TemporaryDirectory(prefix="tm-load-") as tmp:
        t = Path(tmp)
        if args.sqlite_seconds and args.only in (None, "sqlite"):
            (t / "sq").mkdir()
            cfg = prepare(
                f"sqlite:///{t / 'sq' / 'load.sqlite'}", t / "sq", args.users, args.candidates
            )
            cfg["match_every"] = args.match_every
            key = args.label or "sqlite"
            out[key] = run(cfg, args.users, WRITERS, args.sqlite_seconds)
            out[key]["command"] = out["command"]
            _show(key, out[key])
        pg_runs = [("postgresql", args.users, args.pg_seconds, WRITERS)]
        pg_runs.append(("postgresql_many", args.many_users, args.pg50_seconds, WRITERS))
        pg_runs = [r for r in pg_runs if r[2] and args.only in (None, r[0])]
        if pg_runs:
            with running_postgres(durable=True, options="-c max_connections=200") as base:
                for label, users, seconds, writers in pg_runs:
                    (t / label).mkdir()
                    url = _new_db(base, label)
                    cfg = prepare(url, t / label, users, args.candidates)
                    cfg["env"] = pool_env
                    cfg["match_every"] = (
                        args.many_match_every if label == "postgresql_many" else args.match_every
                    )
                    out[label] = run(cfg, users, writers, seconds, probe=_connections(base))
                    out[label]["pool"] = pool_env
                    out[label]["command"] = out["command"]
                    _show(label, out[label])
                    if label == "postgresql":
                        out["two_servers_health"] = two_servers(url, cfg["data_dir"])
    old = (
        json.loads(args.out.read_text(encoding="utf-8")) if args.only and args.out.exists() else {}
    )
    old.update(out)  # a run of one part (--only) keeps the other parts' results
    args.out.write_text(json.dumps(old, indent=2, ensure_ascii=False), encoding="utf-8")


def _new_db(base: str, name: str) -> str:
    from data.store.engine import make_engine

    admin = make_engine(f"{base}/postgres")
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return f"{base}/{name}"


def _connections(base: str) -> Any:
    """A probe: how many client connections the server holds now."""
    from data.store.engine import make_engine

    eng = make_engine(f"{base}/postgres")

    def probe() -> int:
        with eng.connect() as c:
            return int(
                c.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                ).scalar_one()
            )

    return probe


def _show(label: str, r: dict[str, Any]) -> None:
    brief = {k: v for k, v in r.items() if k not in ("errors", "pages")}
    print(label, json.dumps(brief, indent=1, ensure_ascii=False), flush=True)
    for e in r["errors"][:10]:
        print("  error:", e, flush=True)


if __name__ == "__main__":
    main()
