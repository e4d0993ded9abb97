"""Speed of ``Taxonomy.find`` on resume-sized texts, against a naive one-regex baseline.

Run: ``.venv/bin/python -m benchmarks.skills_find [--n 1000]``.

Texts: the first N English resumes of ``../shared/benchmarks/livecareer_resumes.csv.gz``
(used for measurement only), and N Chinese texts of the same length cut from the five seed
strategy documents (``../shared/seeds``). Times are CPU seconds of this process
(``time.process_time``), best of three, so other load on the machine counts less.

Baseline, in the same run: one ``re.IGNORECASE`` alternation of every surface form, longest
first, scanned with ``finditer`` (no token boundaries, no overlap resolution) — the plain way
to write it. It is so slow that the ratio is measured on the first 100 texts of each set
(both methods on the same texts, baseline run once). Writes ``benchmarks/results/skills_find.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from data.text.taxonomy import Taxonomy, load_taxonomy

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
RESULTS = Path(__file__).resolve().parent / "results"


def english_texts(n: int) -> list[str]:
    path = SHARED / "benchmarks" / "livecareer_resumes.csv.gz"
    if not path.exists():
        raise SystemExit(f"benchmark data not found: {path}")
    return pd.read_csv(path)["text"].astype(str).head(n).tolist()


def chinese_texts(n: int, length: int) -> list[str]:
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    if not seeds:
        raise SystemExit(f"seed documents not found in {SHARED / 'seeds'}")
    corpus = "".join(p.read_text(encoding="utf-8") for p in seeds)
    step = max(1, (len(corpus) - length) // n)
    return [(corpus + corpus)[i * step : i * step + length] for i in range(n)]


def naive(taxonomy: Taxonomy) -> Callable[[str], list[tuple[int, int]]]:
    forms = sorted({f for s in taxonomy.skills for f in s.forms}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(f) for f in forms), re.IGNORECASE)
    return lambda text: [m.span() for m in pattern.finditer(text)]


def cpu_seconds(fn: Callable[[str], Any], texts: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        for t in texts:
            fn(t)
        best = min(best, time.process_time() - t0)
    return best


def run(n: int, sample: int = 100) -> dict[str, Any]:
    tax = load_taxonomy()
    en = english_texts(n)
    zh = chinese_texts(n, int(sum(map(len, en)) / max(len(en), 1)))
    base = naive(tax)
    tax.find(en[0])  # warm the caches
    out: dict[str, Any] = {
        "skills": len(tax.skills),
        "texts_per_set": n,
        "baseline_sample": min(sample, n),
    }
    for name, texts in (("english_resumes", en), ("chinese_seed_text", zh)):
        ours = cpu_seconds(tax.find, texts)
        sub = texts[:sample]
        ours_sub = cpu_seconds(tax.find, sub)
        baseline_sub = cpu_seconds(base, sub, repeat=1)
        out[name] = {
            "mean_chars": round(sum(map(len, texts)) / len(texts)),
            "hits": sum(len(tax.find(t)) for t in texts),
            "ours_cpu_s": round(ours, 3),
            f"ours_cpu_s_first_{len(sub)}": round(ours_sub, 3),
            f"naive_regex_cpu_s_first_{len(sub)}": round(baseline_sub, 3),
            "speedup_vs_naive": round(baseline_sub / ours_sub, 1) if ours_sub else None,
        }
    out["command"] = f".venv/bin/python -m benchmarks.skills_find --n {n}"
    out["machine"] = f"{platform.system()} {platform.machine()}, Python {platform.python_version()}"
    return out


def write(result: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "skills_find.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    lines = [
        "# Skill finding speed (`Taxonomy.find`)",
        "",
        f"Command: `{result['command']}`; {result['skills']} skills; CPU seconds, best of "
        "three; baseline = one IGNORECASE alternation of all forms (no boundaries).",
        "",
        f"| texts | n | mean chars | ours, all n (s) | ours, first {result['baseline_sample']}"
        f" (s) | naive regex, first {result['baseline_sample']} (s) | speed-up |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    k = result["baseline_sample"]
    for name in ("english_resumes", "chinese_seed_text"):
        r = result[name]
        lines.append(
            f"| {name} | {result['texts_per_set']} | {r['mean_chars']} | "
            f"{r['ours_cpu_s']} | {r[f'ours_cpu_s_first_{k}']} | "
            f"{r[f'naive_regex_cpu_s_first_{k}']} | {r['speedup_vs_naive']}x |"
        )
    lines += ["", f"Machine: {result['machine']}.", ""]
    (RESULTS / "skills_find.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.skills_find",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--n", type=int, default=1000, help="texts per set (default 1000)")
    result = run(ap.parse_args(argv).n)
    write(result)
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
