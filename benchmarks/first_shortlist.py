"""The first shortlist over a freshly imported pool (issue 13), against today's full-encode path.

One run, on one machine, every path in its own fresh Python process (cold imports, as a user's
``talentmap match`` would start):

1. **product**: the demo world (``build_demo``, 10,000 candidates by default, each with a
   resume) in a fresh SQLite store, nothing encoded, no lexical index; then one ``match`` for
   one role at depth 200 with ``get_encoder("minilm")`` (on this CPU: the int8 ONNX path,
   already exported once into ``var/bench/onnx-minilm``; the one-time export is timed on its
   own in step 4). Phases are timed: lexical index build, encoding, the rest.
2. **product, second run**: the same match again (index and vectors stored).
3. **today's full-encode path**: every resume of the pool encoded with the torch model
   (``minilm-raw``, ``embed_documents`` through the cache, what ``match`` did before stage one
   existed and what ``match --depth 0`` still does) before anything is ranked. Encoding the whole
   pool takes about 20 CPU-minutes here, so it is measured on the first ``--full-sample``
   resumes of the same pool and scaled by the number of distinct passages of the whole pool
   (encoding time is linear in passages); the scaled figure is a lower bound, since it leaves
   out the index and the scoring of the product path.
4. **one-time export** of minilm to int8 ONNX into a fresh folder.
5. **scoring at scale**: ``benchmarks.matching_speed.scale`` (100,000 synthetic cached resumes
   x 200 roles, no encoding).

The machine is shared (2 cores, up to 8 helpers at once): every figure carries the load
average (``os.getloadavg()``) before and after, and the process CPU time (user + system, all
threads) beside wall time. CPU time is the steadier measure of the work; wall time depends on
how many other jobs held the cores.

    .venv/bin/python -m benchmarks.first_shortlist
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
ONNX_DIR = ROOT / "var" / "bench" / "onnx-minilm"


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


class _Clock:
    """Wall and CPU seconds spent inside wrapped calls."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0

    def wrap(self, fn: Any) -> Any:
        def inner(*a: Any, **kw: Any) -> Any:
            w, c = time.perf_counter(), _cpu()
            try:
                return fn(*a, **kw)
            finally:
                self.wall += time.perf_counter() - w
                self.cpu += _cpu() - c

        return inner


# --- children (each in its own process) ----------------------------------------------------


def child_build(store: Path, candidates: int) -> dict[str, Any]:
    from data.demo.world import build_demo
    from data.store.engine import make_engine, upgrade

    eng = make_engine(f"sqlite:///{store}")
    upgrade(eng)
    res = build_demo(eng, candidates=candidates, seed=7)
    return {"candidates": res.candidates, "roles": res.roles}


def child_match(store: Path, index_dir: Path, role: str, depth: int) -> dict[str, Any]:
    """``match`` as the CLI runs it: encoder loaded, one role, the stored pool."""
    import ml.retrieval
    from data.store.engine import make_engine, session_scope

    index = _Clock()
    ml.retrieval.load_or_build = index.wrap(ml.retrieval.load_or_build)  # type: ignore[assignment]
    from ml.encoders import get_encoder
    from ml.matcher import match

    enc = get_encoder("minilm", cache_dir=ONNX_DIR)
    encode = _Clock()
    enc.encode = encode.wrap(enc.encode)  # type: ignore[method-assign]
    eng = make_engine(f"sqlite:///{store}")
    with session_scope(eng) as s:
        r = match(
            s, enc, role_keys=[role], top_k=10, actor="admin", depth=depth, index_dir=index_dir
        )
    return {
        "encoder": r.encoder,
        "scorer": r.scorer,
        "passages_encoded": r.texts_encoded,
        "stage_one": r.params["stage_one"],
        "top": [(row.resume_id, row.score) for row in r.rows[:3]],
        "index_wall_s": index.wall,
        "index_cpu_s": index.cpu,
        "encode_wall_s": encode.wall,
        "encode_cpu_s": encode.cpu,
        "torch_imported": "torch" in sys.modules,
    }


def child_full(store: Path, sample: int) -> dict[str, Any]:
    """Today's full-encode path on the first ``sample`` resumes, and the pool's passage count."""
    from sqlalchemy import select

    from data.store.embeddings import text_hash
    from data.store.engine import make_engine, session_scope
    from data.store.models import Resume
    from ml.embed import embed_documents, passages
    from ml.encoders import get_encoder

    enc = get_encoder("minilm-raw")
    eng = make_engine(f"sqlite:///{store}")
    with session_scope(eng) as s:
        texts = [t or "" for (t,) in s.execute(select(Resume.text).order_by(Resume.id))]
        pool = {text_hash(p) for t in texts for p in passages(enc, t)}
        part = {text_hash(p) for t in texts[:sample] for p in passages(enc, t)}
        w, c = time.perf_counter(), _cpu()
        encoded = [0]

        def count(done: int, total: int) -> None:
            if done == total:
                encoded[0] += total

        for start in range(0, sample, 256):
            embed_documents(s, enc, texts[start : min(start + 256, sample)], progress=count)
        wall, cpu = time.perf_counter() - w, _cpu() - c
        s.rollback()
    return {
        "encoder": enc.model_id,
        "sample_resumes": sample,
        "sample_passages": len(part),
        "sample_passages_encoded": encoded[0],
        "pool_resumes": len(texts),
        "pool_passages": len(pool),
        "sample_wall_s": wall,
        "sample_cpu_s": cpu,
        "scaled_wall_s": wall * len(pool) / max(1, encoded[0]),
        "scaled_cpu_s": cpu * len(pool) / max(1, encoded[0]),
    }


def child_export(folder: Path) -> dict[str, Any]:
    from ml.encoders import export_minilm_onnx

    steps: list[str] = []
    export_minilm_onnx(folder, int8=True, progress=steps.append)
    return {"steps": steps}


def child_scale() -> dict[str, Any]:
    from benchmarks.matching_speed import scale

    return scale()


CHILDREN = {
    "build": child_build,
    "match": child_match,
    "full": child_full,
    "export": child_export,
    "scale": child_scale,
}


def _child_main(name: str, kwargs: dict[str, Any], out: Path) -> None:
    w, c = time.perf_counter(), _cpu()
    res = CHILDREN[name](**{k: Path(v) if k in _PATHS else v for k, v in kwargs.items()})
    res["process_wall_s"] = time.perf_counter() - w
    res["process_cpu_s"] = _cpu() - c
    out.write_text(json.dumps(res, default=str))


_PATHS = {"store", "index_dir", "folder"}


def run_child(name: str, **kwargs: Any) -> dict[str, Any]:
    """Run one step in a fresh interpreter; wall and CPU of the whole process (start-up and
    imports included) and the load average before and after."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = Path(f.name)
    load_before = _load()
    w = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.first_shortlist",
            "--child",
            name,
            "--kwargs",
            json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in kwargs.items()}),
            "--child-out",
            str(out),
        ],
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = json.loads(out.read_text())
    out.unlink()
    res["wall_s"] = time.perf_counter() - w
    res["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    res["load_before"] = load_before
    res["load_after"] = _load()
    print(f"  {name}: wall {res['wall_s']:.1f} s, CPU {res['cpu_s']:.1f} s", flush=True)
    return res


# --- report --------------------------------------------------------------------------------


def _fig(r: dict[str, Any]) -> str:
    return (
        f"{r['wall_s']:.1f} s wall / {r['cpu_s']:.1f} s CPU "
        f"(load {r['load_before'][0]:.1f} → {r['load_after'][0]:.1f})"
    )


def markdown(r: dict[str, Any]) -> str:
    p, p2, full, ex, sc = r["product"], r["product_again"], r["full"], r["export"], r["scale"]
    ratio_wall = full["scaled_wall_s"] / p["wall_s"]
    ratio_cpu = full["scaled_cpu_s"] / p["cpu_s"]
    lines = [
        "# First shortlist over a freshly imported pool (issue 13)",
        "",
        f"Command: `{r['command']}`  ",
        f"Run {r['date']} ({r['seconds']:.0f} s in all) on the shared {os.cpu_count()}-core "
        "machine (up to 8 helpers at once), no GPU. Each path ran in its own fresh Python "
        "process; wall and CPU time are of that whole process (start-up and imports included; "
        "CPU = user + system of all its threads) with the 1-minute load average before → after. "
        "CPU time is the steadier measure here: at a load of 20 on 2 cores a process waits for "
        "a core most of the time, and its wall time says more about the other jobs than about "
        "it.",
        "",
        f"Pool: the demo world, {r['build']['candidates']:,} candidates with a resume each "
        f"({full['pool_passages']:,} distinct passages), built in a fresh SQLite store "
        f"({_fig(r['build'])}); one role (`{r['role']}`), depth {r['depth']}, top 10.",
        "",
        "| path | passages encoded | wall / CPU (load) | of which: index build | encoding |",
        "|---|---|---|---|---|",
        f"| **first shortlist** (`match`, encoder `{p['encoder']}`) | {p['passages_encoded']:,} | "
        f"{_fig(p)} | {p['index_wall_s']:.1f} s / {p['index_cpu_s']:.1f} s CPU | "
        f"{p['encode_wall_s']:.1f} s / {p['encode_cpu_s']:.1f} s CPU |",
        f"| same match again (index and vectors stored) | {p2['passages_encoded']:,} | "
        f"{_fig(p2)} | {p2['index_wall_s']:.1f} s / {p2['index_cpu_s']:.1f} s CPU | "
        f"{p2['encode_wall_s']:.1f} s / {p2['encode_cpu_s']:.1f} s CPU |",
        f"| today's full-encode path (`{full['encoder']}`), first {full['sample_resumes']} "
        f"resumes measured | {full['sample_passages_encoded']:,} | "
        f"{full['sample_wall_s']:.1f} s wall / {full['sample_cpu_s']:.1f} s CPU of encoding "
        f"(load {full['load_before'][0]:.1f} → {full['load_after'][0]:.1f}) | — | all |",
        f"| today's full-encode path, scaled to the pool ({full['pool_passages']:,} passages) | "
        f"{full['pool_passages']:,} | ≥ {full['scaled_wall_s']:,.0f} s wall / "
        f"≥ {full['scaled_cpu_s']:,.0f} s CPU | — | all |",
        "",
        f"**Ratio, full-encode path ÷ first shortlist: {ratio_cpu:.0f}× in CPU time, "
        f"{ratio_wall:.0f}× in wall time** (both measured in this run; the full path's figure "
        "is its encoding alone, scaled from the sample, so the ratio is a lower bound).",
        "",
        f"Target: first shortlist ≤ 30 s on this CPU. Measured: {p['wall_s']:.1f} s wall at "
        f"load {p['load_before'][0]:.1f}, {p['cpu_s']:.1f} s CPU. torch imported by the product "
        f"path: {p['torch_imported']}. Scorer recorded: `{json.dumps(p['scorer'])}`.",
        "",
        f"One-time export of minilm to int8 ONNX (steps {', '.join(ex['steps'])}), into a fresh "
        f"folder: {_fig(ex)}. `get_encoder('minilm')` does it once per data directory "
        "(`<data dir>/models/encoders`), with the steps shown by the CLI; the table above ran "
        "with it already made.",
        "",
        "## Scoring at scale (stage two's block code, no encoding)",
        "",
        f"{sc['resumes']:,} synthetic cached resumes ({sc['dim']}-d vectors, "
        f"{sc['passages_per_resume']} passages each, sparse skill hits) × {sc['roles']} roles, "
        f"top {sc['top_k']} per role, blocks of {sc['block']:,} "
        "(`benchmarks.matching_speed.scale`): "
        f"**{sc['scoring_s']:.2f} s** of scoring wall time, {sc['scoring_cpu_s']:.2f} s CPU "
        f"(load {sc['load_before'][0]:.1f} → {sc['load_after'][0]:.1f}; whole process "
        f"{_fig(sc)}, including generating the synthetic data); target < 10 s. "
        f"Peak RSS {sc['peak_rss_mb']:.0f} MiB.",
        "",
        "## Notes",
        "",
        "- The full-encode path is scaled, not run whole: at the rate measured on the sample "
        "the torch model needs over 20 CPU-minutes for the pool (hours of wall time when the "
        "machine is busy). Encoding time is linear in passages, so the sample's passages per second times "
        "the pool's distinct passages is its encoding time; it leaves out the index and the "
        "scoring (both also in the product path), so it is a lower bound.",
        "- Encoder throughput and quality of each path (raw `SentenceTransformer.encode`, the "
        "torch path, int8): `encoders_int8.md`.",
        f"- Targets: first shortlist {p['wall_s']:.1f} s wall / {p['cpu_s']:.1f} s CPU at load "
        f"{p['load_before'][0]:.1f} ({'met' if p['wall_s'] <= 30 else 'not met in wall time'}"
        f"); 100k x 200 scoring {sc['scoring_s']:.1f} s wall "
        f"({'met' if sc['scoring_s'] < 10 else 'not met in wall time'}). The single-threaded "
        f"part is the lexical index build ({p['index_cpu_s']:.1f} s CPU: tokenising and finding "
        "skills in every resume); on a busy machine it waits longest for a core.",
        "- What was removed from the first shortlist's path (profiled with cProfile on this "
        "benchmark): the torch encoder ("
        f"{1000 * full['sample_cpu_s'] / max(1, full['sample_passages_encoded']):.0f} ms of CPU "
        "per passage in this run; int8 ONNX "
        f"{1000 * p['encode_cpu_s'] / max(1, p['passages_encoded']):.0f} ms) and with it the import of torch, transformers and sentence-transformers (the int8 "
        "path tokenises with `tokenizers` and runs `onnxruntime`); onnxruntime's spinning "
        "threads (half the encode's CPU on a busy machine); a quadratic comparison in the "
        "taxonomy's context check, run for every resume of the index. Only the stage-two "
        "candidates' passages are encoded, each once (cache keyed by passage hash); the "
        "lexical index is stored and reused (the second run: "
        f"{p2['index_cpu_s']:.1f} s CPU to load it).",
    ]
    busy = RESULTS / "first_shortlist_busy.json"
    if busy.exists():
        b = json.loads(busy.read_text())
        bp, bf, bs = b["product"], b["full"], b["scale"]
        lines += [
            "",
            f"## The same benchmark on a busy machine ({b['date']}, `first_shortlist_busy.json`)",
            "",
            f"At load {bp['load_before'][0]:.0f} (other helpers' jobs): first shortlist "
            f"{bp['wall_s']:.1f} s wall / {bp['cpu_s']:.1f} s CPU (index build "
            f"{bp['index_wall_s']:.1f} s wall / {bp['index_cpu_s']:.1f} s CPU, encoding "
            f"{bp['encode_wall_s']:.1f} s / {bp['encode_cpu_s']:.1f} s CPU); full-encode path "
            f"≥ {bf['scaled_wall_s']:,.0f} s wall / ≥ {bf['scaled_cpu_s']:,.0f} s CPU: "
            f"{bf['scaled_cpu_s'] / bp['cpu_s']:.0f}× in CPU, "
            f"{bf['scaled_wall_s'] / bp['wall_s']:.0f}× in wall; 100k x 200 scoring "
            f"{bs['scoring_s']:.1f} s wall / {bs['scoring_cpu_s']:.1f} s CPU. There the 30 s "
            "and 10 s targets were met in CPU time, not in wall time.",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--candidates", type=int, default=10000)
    ap.add_argument("--role", default="cv_engineer")
    ap.add_argument("--depth", type=int, default=200)
    ap.add_argument("--full-sample", type=int, default=200, help="resumes of the full path")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--rewrite", action="store_true", help="rewrite the .md from the .json")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--kwargs", help=argparse.SUPPRESS)
    ap.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child_main(args.child, json.loads(args.kwargs), args.child_out)
        return {}
    if args.rewrite:
        rep = json.loads((args.out / "first_shortlist.json").read_text())
        (args.out / "first_shortlist.md").write_text(markdown(rep), encoding="utf-8")
        return rep
    t0 = time.time()
    report: dict[str, Any] = {
        "command": "python -m benchmarks.first_shortlist " + " ".join(argv or sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "role": args.role,
        "depth": args.depth,
    }
    run_child("export", folder=ONNX_DIR)  # make sure the shared export exists (not timed here)
    work = Path(tempfile.mkdtemp(prefix="tm-first-"))
    try:
        store = work / "store.sqlite"
        print("building the pool", flush=True)
        report["build"] = run_child("build", store=store, candidates=args.candidates)
        pristine = work / "pristine.sqlite"
        shutil.copy(store, pristine)
        print("first shortlist", flush=True)
        kw = {"store": store, "index_dir": work / "index", "role": args.role, "depth": args.depth}
        report["product"] = run_child("match", **kw)
        report["product_again"] = run_child("match", **kw)
        print("full-encode path (sample)", flush=True)
        report["full"] = run_child("full", store=pristine, sample=args.full_sample)
        print("one-time export", flush=True)
        report["export"] = run_child("export", folder=work / "onnx")
        print("scoring at scale", flush=True)
        report["scale"] = run_child("scale")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report["seconds"] = time.time() - t0
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "first_shortlist.json").write_text(json.dumps(report, indent=1, default=str))
    (args.out / "first_shortlist.md").write_text(markdown(report), encoding="utf-8")
    return report


if __name__ == "__main__":
    rep = main()
    if rep:
        print(markdown(rep))
