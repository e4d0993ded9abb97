"""``roles from-posting`` on real Chinese AI postings: skills per section and titles vs hand labels.

Run: ``.venv/bin/python -m benchmarks.postings``.

Data: 30 of the 57 postings in ``../shared/benchmarks/boss_postings_zh/`` (BOSS直聘, read from
there, never copied), labelled by hand in ``benchmarks/labels/boss_postings_zh.yaml`` by the
TalentMap team before the reader was written (see the file's header for the policy). Halves:
the first 15 labelled postings in SHA-256 order of the file name are the tuning half, the
other 15 the report half (the reader was never adjusted while looking at them).

Both the labels and the draft are compared as skill keys: each label name is resolved through
the same open vocabulary a user's role file goes through (core, ESCO, else a custom key), so a
label the vocabulary does not know can only be missed. A label in both lists counts as
required. Micro-averaged precision/recall/F1 per section; title accuracy is exact match after
NFKC, case folding and removing spaces and punctuation; pay accuracy is the stated range text.

Baseline in the same run: every skill the taxonomy finds anywhere in the posting counts as
required (no sections, no chrome removal, no nice-to-have), and the title is the posting's
first line: what reading a posting without this module gives.
Writes ``benchmarks/results/postings.json`` and ``.md``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from data.text.postings import read_posting
from data.text.taxonomy import load_taxonomy
from data.text.vocabulary import Vocabulary

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "benchmarks" / "boss_postings_zh"
LABELS = Path(__file__).resolve().parent / "labels" / "boss_postings_zh.yaml"
RESULTS = Path(__file__).resolve().parent / "results"
COMMAND = ".venv/bin/python -m benchmarks.postings"


def _norm_title(t: str) -> str:
    t = unicodedata.normalize("NFKC", t).casefold()
    return re.sub(r"[\W_]+", "", t)


def halves(files: list[str]) -> dict[str, str]:
    order = sorted(files, key=lambda f: hashlib.sha256(f.encode("utf-8")).hexdigest())
    return {f: ("tune" if i < len(order) // 2 else "report") for i, f in enumerate(order)}


def prf(pred: set[str], gold: set[str]) -> tuple[int, int, int]:
    return len(pred & gold), len(pred), len(gold)


def summarise(counts: list[tuple[int, int, int]]) -> dict[str, float]:
    tp = sum(c[0] for c in counts)
    npred = sum(c[1] for c in counts)
    ngold = sum(c[2] for c in counts)
    p = tp / npred if npred else 0.0
    r = tp / ngold if ngold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "gold": ngold}


def main() -> int:
    if not DATA.is_dir():
        raise SystemExit(f"benchmark data not found: {DATA}")
    labels = yaml.safe_load(LABELS.read_text(encoding="utf-8"))["postings"]
    half = halves([p["file"] for p in labels])
    tax = load_taxonomy()
    vocab = Vocabulary(tax)

    def keys(names: list[str]) -> set[str]:
        return {vocab.resolve(str(n)).skill.key for n in names or []}

    rows: list[dict[str, Any]] = []
    for lab in labels:
        text = (DATA / lab["file"]).read_text(encoding="utf-8")
        draft = read_posting(text, tax)
        gold_req = keys(lab["required"])
        gold_nice = keys(lab.get("nice")) - gold_req
        pred_req = {s.key for s in draft.required}
        pred_nice = {s.key for s in draft.nice}
        first_line = next((ln for ln in text.splitlines() if ln.strip()), "")
        base_req = {h.key for h in tax.find(text)}
        rows.append(
            {
                "file": lab["file"],
                "half": half[lab["file"]],
                "required": prf(pred_req, gold_req),
                "nice": prf(pred_nice, gold_nice),
                "all": prf(pred_req | pred_nice, gold_req | gold_nice),
                "base_required": prf(base_req, gold_req),
                "base_all": prf(base_req, gold_req | gold_nice),
                "title_ok": _norm_title(draft.title) == _norm_title(lab["title"]),
                "base_title_ok": _norm_title(first_line) == _norm_title(lab["title"]),
                "title": draft.title,
                "gold_title": lab["title"],
                "pay_ok": (draft.pay.text if draft.pay else None) == lab.get("pay"),
                "false_required": sorted(pred_req - gold_req),
                "missed_required": sorted(gold_req - pred_req),
            }
        )
    out: dict[str, Any] = {"command": COMMAND, "halves": {}}
    for h in ("tune", "report", "all"):
        sel = [r for r in rows if h == "all" or r["half"] == h]
        out["halves"][h] = {
            "postings": len(sel),
            "ours_required": summarise([r["required"] for r in sel]),
            "ours_nice": summarise([r["nice"] for r in sel]),
            "ours_any_section": summarise([r["all"] for r in sel]),
            "baseline_required": summarise([r["base_required"] for r in sel]),
            "baseline_any_section": summarise([r["base_all"] for r in sel]),
            "title_accuracy": round(sum(r["title_ok"] for r in sel) / len(sel), 3),
            "baseline_title_accuracy": round(sum(r["base_title_ok"] for r in sel) / len(sel), 3),
            "pay_accuracy": round(sum(r["pay_ok"] for r in sel) / len(sel), 3),
        }
    out["rows"] = rows
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "postings.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=1, default=list), encoding="utf-8"
    )
    lines = [
        "# Job postings into role profiles (`roles from-posting`), BOSS直聘 Chinese AI postings",
        "",
        f"Command: `{COMMAND}`  ",
        "Labels: `benchmarks/labels/boss_postings_zh.yaml`, 30 postings labelled by hand by the "
        "TalentMap team before the reader was written; tuning half = first 15 by SHA-256 of the "
        "file name, report half = the other 15. Skill keys compared after resolving label names "
        "through the open vocabulary; micro-averaged.  ",
        "Baseline (same run): every taxonomy skill found anywhere in the page counts as "
        "required; title = the page's first line.",
        "",
        "| half | n | section | ours P | ours R | ours F1 | baseline P | baseline R | baseline F1 |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for h in ("report", "tune", "all"):
        s = out["halves"][h]
        for sec, ours, base in (
            ("required", "ours_required", "baseline_required"),
            ("nice-to-have", "ours_nice", None),
            ("any (req ∪ nice)", "ours_any_section", "baseline_any_section"),
        ):
            o = s[ours]
            b = s[base] if base else None
            bcells = f"{b['precision']} | {b['recall']} | {b['f1']}" if b else "– | – | –"
            lines.append(
                f"| {h} | {s['postings']} | {sec} | {o['precision']} | {o['recall']} | "
                f"{o['f1']} | {bcells} |"
            )
    lines += [
        "",
        "| half | title accuracy (ours) | title accuracy (first line) | pay range exact |",
        "|---|---:|---:|---:|",
    ]
    for h in ("report", "tune", "all"):
        s = out["halves"][h]
        lines.append(
            f"| {h} | {s['title_accuracy']} | {s['baseline_title_accuracy']} | "
            f"{s['pay_accuracy']} |"
        )
    (RESULTS / "postings.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
