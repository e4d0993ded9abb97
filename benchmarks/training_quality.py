"""Quality of the role classifier on the public livecareer resumes (24 job families).

The torch head (``ml.classifier.RoleClassifier``), both scikit-learn baselines
(``ml.baselines``) and a zero-shot reading of the matcher's semantic feature (cosine between a
resume and each family name, top-1 as a class) are scored on the data set's fixed, label-
stratified ``fold`` column: macro-F1, accuracy and top-3 accuracy, mean ± std over the five
folds, on the full text and with the first line (the job title, which names the category in
most rows) removed, plus a per-category report.

Embeddings go through TalentMap's passage cache (``ml.embed``) in a git-ignored store shared with
``benchmarks.livecareer_embed``. On a shared 2-core CPU, each resume is embedded from its first
``--passages`` passages (the content-defined chunks the encoder pools); see the results file for
the value used.

    .venv/bin/python -m benchmarks.training_quality [--passages 2] [--variant nofirst|full]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from benchmarks.livecareer_embed import cache_engine, load_livecareer
from data.store.engine import session_scope

RESULTS = Path(__file__).resolve().parent / "results"
KEYS = ("macro_f1", "accuracy", "top3_accuracy")


LOCAL_CACHE = Path(__file__).resolve().parents[1] / "var" / "bench" / "training-passages.npz"


def doc_vectors(
    texts: list[str], *, encoder: Any, max_passages: int, block: int = 256
) -> np.ndarray:
    """Mean-pooled vectors of each text's first ``max_passages`` passages.

    Passage vectors already in the shared cache store are read (read-only, so a writer there
    never blocks us); the rest are encoded and kept in a local git-ignored ``.npz``.
    """
    from data.store.embeddings import get_vectors, text_hash
    from ml.embed import passages
    from ml.encoders import pool

    parts = [passages(encoder, t)[:max_passages] for t in texts]
    flat = [p for ps in parts for p in ps]
    owners = np.repeat(np.arange(len(texts)), [len(ps) for ps in parts])
    hashes = [text_hash(p) for p in flat]
    found: dict[str, np.ndarray] = {}
    if LOCAL_CACHE.exists():
        z = np.load(LOCAL_CACHE)
        found.update(zip(z["hashes"].tolist(), z["vectors"], strict=True))
    if cache_engine_path().exists():
        with session_scope(cache_engine()) as s:
            want = [h for h in set(hashes) if h not in found]
            for start in range(0, len(want), 900):
                found.update(get_vectors(s, encoder.model_id, want[start : start + 900]))
    missing = list(dict.fromkeys(h for h in hashes if h not in found))
    text_of = dict(zip(hashes, flat, strict=True))
    t0 = time.time()
    print(
        f"  {len(set(hashes)) - len(missing)} passages cached, {len(missing)} to encode", flush=True
    )
    for start in range(0, len(missing), block):
        chunk = missing[start : start + block]
        vecs = encoder.encode([text_of[h] for h in chunk])
        found.update(zip(chunk, vecs, strict=True))
        _save_local(found)
        print(
            f"  encoded {min(start + block, len(missing))}/{len(missing)} "
            f"({time.time() - t0:.0f} s)",
            flush=True,
        )
    return pool(np.stack([found[h] for h in hashes]), owners, len(texts))


def cache_engine_path() -> Path:
    from benchmarks.livecareer_embed import CACHE_DB

    return CACHE_DB


def _save_local(found: dict[str, np.ndarray]) -> None:
    LOCAL_CACHE.parent.mkdir(parents=True, exist_ok=True)
    tmp = LOCAL_CACHE.with_name("training-passages.tmp.npz")
    np.savez(tmp, hashes=np.array(list(found)), vectors=np.stack(list(found.values())))
    tmp.replace(LOCAL_CACHE)


def zero_shot(
    emb: np.ndarray, labels: list[str], folds: np.ndarray, *, encoder: Any
) -> list[dict[str, Any]]:
    """Per-fold metrics of 'the family whose name is most similar' (no training)."""
    from ml.evaluation import classification_metrics

    classes = sorted(set(labels))
    names = [c.replace("-", " ").lower() for c in classes]
    cls_vecs = encoder.encode([f"{n} resume" for n in names])
    sims = emb @ cls_vecs.T
    proba = np.exp(sims * 50)
    proba /= proba.sum(axis=1, keepdims=True)
    out = []
    for f in sorted(set(folds.tolist())):
        idx = np.flatnonzero(folds == f)
        m = classification_metrics([labels[i] for i in idx], proba[idx], classes)
        m["fold"] = f
        out.append(m)
    return out


def run_variant(
    name: str,
    texts: list[str],
    labels: list[str],
    folds: np.ndarray,
    emb: np.ndarray,
    encoder: Any,
    params: dict[str, Any],
    baselines: bool = True,
) -> dict[str, Any]:
    from ml.evaluation import summarise_folds
    from ml.training import SUMMARY_KEYS, cross_validate

    t0 = time.time()

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "cross-validation":
            print(f"  {name}: {done}/{total} fits ({time.time() - t0:.0f} s)", flush=True)

    cv = cross_validate(
        texts,
        labels,
        emb,
        folds,
        params=params,
        progress=progress,
        keep_fold=None,
        baselines=baselines,
    )
    zs = zero_shot(emb, labels, folds, encoder=encoder)
    summary = dict(cv["summary"])
    summary["zero_shot_matcher"] = summarise_folds(zs, SUMMARY_KEYS)
    return {
        "summary": summary,
        "per_class_head": cv["per_class"],
        "per_fold": cv["per_fold"],
        "seconds": round(time.time() - t0, 1),
    }


def _fmt(s: dict[str, Any], key: str) -> str:
    return f"{100 * s[key]['mean']:.1f} ± {100 * s[key]['std']:.1f}"


def write_markdown(result: dict[str, Any]) -> str:
    label = {
        "head": "torch head (RoleClassifier)",
        "embedding_logreg": "baseline: logistic regression on embeddings",
        "tfidf_linear": "baseline: TF-IDF + linear SVM",
        "zero_shot_matcher": "zero-shot: most similar family name (matcher's semantic feature)",
    }
    lines = [
        "# Role classifier quality on livecareer resumes (24 families, 2,483 resumes)",
        "",
        f"Command: `{result['command']}`",
        "",
        f"Fixed 5-fold split (`fold` column). Encoder {result['encoder']}, each resume "
        f"embedded from its first {result['max_passages']} passages (mean-pooled). "
        f"Head: `RoleClassifier` defaults (stacked lexical block, skill features, hidden 512, "
        f"AdamW, warm-up + cosine, early stopping on validation macro-F1) with "
        f"`{json.dumps(result['head_params'])}`. Baselines and the head ran on the same "
        "folds (the head was re-run alone with `--head-only` after its last change; the "
        "baselines' stored per-fold scores were kept).",
        "",
    ]
    for variant, title in (
        ("nofirst", "First line removed (the honest measure)"),
        ("full", "Full text (title line kept)"),
    ):
        v = result["variants"][variant]
        lines += [
            f"## {title}",
            "",
            "| model | macro-F1 % | accuracy % | top-3 accuracy % |",
            "|---|---|---|---|",
        ]
        for model, s in v["summary"].items():
            lines.append(
                f"| {label.get(model, model)} | {_fmt(s, 'macro_f1')} | "
                f"{_fmt(s, 'accuracy')} | {_fmt(s, 'top3_accuracy')} |"
            )
        d = v["head_margin"]
        lines += [
            "",
            f"Head minus best baseline ({d['best_baseline']}), macro-F1: "
            f"**{100 * d['macro_f1']:+.1f} points** (per fold: "
            f"{', '.join(f'{100 * x:+.1f}' for x in d['per_fold'])}).",
            "",
        ]
    lines += [
        "## Per-category report (torch head, first line removed; mean over folds)",
        "",
        "| category | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
    ]
    for cat, m in result["variants"]["nofirst"]["per_class_head"].items():
        lines.append(
            f"| {cat} | {m['precision']:.2f} | {m['recall']:.2f} | {m['f1']:.2f} | {m['support']} |"
        )
    lines += ["", "## Reading these numbers", "", result["discussion"], ""]
    return "\n".join(lines)


PARTS = Path(__file__).resolve().parents[1] / "var" / "bench"


def run_one(
    variant: str, passages: int, encoder_name: str, head_only: bool = False
) -> dict[str, Any]:
    """Embed and cross-validate one variant; the partial result is kept under var/bench."""
    from ml.encoders import get_encoder

    df = load_livecareer()
    enc = get_encoder(encoder_name)
    col = "text_nofirst" if variant == "nofirst" else "text"
    print(f"embedding ({variant})", flush=True)
    emb = doc_vectors(df[col].tolist(), encoder=enc, max_passages=passages)
    labels = df["label"].tolist()
    folds = df["fold"].to_numpy()
    params = {"encoder": encoder_name, "seed": 0}
    print(f"variant {variant}", flush=True)
    v = run_variant(
        variant, df[col].tolist(), labels, folds, emb, enc, params, baselines=not head_only
    )
    part = PARTS / f"training_quality-{variant}.json"
    if head_only:  # keep the baselines of an earlier run on the same folds
        old = json.loads(part.read_text())
        for key in ("summary", "per_fold"):
            v[key] = {**old[key], "head": v[key]["head"]}
        v["earlier_head"] = {
            "summary": old["summary"]["head"],
            "params": old.get("head_params"),
            "note": old.get("note", ""),
        }
    head = v["per_fold"]["head"]
    best = max(
        ("embedding_logreg", "tfidf_linear"), key=lambda b: v["summary"][b]["macro_f1"]["mean"]
    )
    v["head_margin"] = {
        "best_baseline": best,
        "macro_f1": v["summary"]["head"]["macro_f1"]["mean"]
        - v["summary"][best]["macro_f1"]["mean"],
        "per_fold": [
            h["macro_f1"] - b["macro_f1"] for h, b in zip(head, v["per_fold"][best], strict=True)
        ],
    }
    v["encoder"], v["head_params"] = enc.model_id, params
    PARTS.mkdir(parents=True, exist_ok=True)
    (PARTS / f"training_quality-{variant}.json").write_text(json.dumps(v, indent=2))
    return v


def report(passages: int, discussion: str = "") -> None:
    """Merge the two variants' partial results into benchmarks/results/training_quality.*"""
    variants = {
        n: json.loads((PARTS / f"training_quality-{n}.json").read_text())
        for n in ("nofirst", "full")
    }
    result = {
        "benchmark": "training_quality",
        "command": f".venv/bin/python -m benchmarks.training_quality --passages {passages}",
        "data": "livecareer_resumes.csv.gz (2,483 resumes, 24 categories, fixed 5 folds)",
        "encoder": variants["nofirst"]["encoder"],
        "max_passages": passages,
        "head_params": variants["nofirst"]["head_params"],
        "variants": variants,
        "discussion": discussion,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "training_quality.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "training_quality.md").write_text(write_markdown(result))
    print(
        json.dumps(
            {
                n: {m: {k: round(s[k]["mean"], 4) for k in KEYS} for m, s in v["summary"].items()}
                for n, v in variants.items()
            },
            indent=2,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=2)
    parser.add_argument("--variant", choices=["nofirst", "full", "both"], default="both")
    parser.add_argument("--report", action="store_true", help="only merge partial results")
    parser.add_argument("--discussion", type=Path, help="markdown file of the discussion")
    parser.add_argument("--encoder", default="minilm")
    parser.add_argument(
        "--head-only",
        action="store_true",
        help="re-run the head only, keeping the stored baselines",
    )
    args = parser.parse_args()
    if not args.report:
        for variant in ["nofirst", "full"] if args.variant == "both" else [args.variant]:
            run_one(variant, args.passages, args.encoder, head_only=args.head_only)
    if args.report or args.variant == "both":
        text = args.discussion.read_text() if args.discussion else ""
        report(args.passages, text)


if __name__ == "__main__":
    main()
