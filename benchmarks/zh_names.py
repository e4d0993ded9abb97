"""Chinese name masking against the NAME tags of ResumeNER (recall: a missed name is a leak).

Run: ``.venv/bin/python -m benchmarks.zh_names`` (reads ``../shared/benchmarks/resumener_zh``).

ResumeNER (Yang & Zhang, ACL 2018) tags executives' bios from Sina Finance character by
character. For each sentence we mask it with the product path (``mask_contacts``, which masks
every name ``find_chinese_names`` finds) and check, for each gold NAME, whether every one of
its characters was masked. Recall = gold names fully masked / gold names. Precision = masked
spans that overlap a gold name / masked spans. Beside the product: each rule alone, and jieba's
part-of-speech tagger (``nr`` = person name) as a library baseline.

The rules were written and tuned on the train and dev splits only; test is reported as the
honest figure. Some "false positives" are untagged names in the gold data (e.g. a later
``黄先生`` in a sentence whose first mention is tagged), so precision is a lower bound.

Writes ``benchmarks/results/zh_names.json`` and ``.md``.
"""

from __future__ import annotations

import difflib
import gzip
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

from data.text import contacts
from data.text.contacts import NAME_TOKEN, find_chinese_names, mask_contacts

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "resumener_zh"
RESULTS = Path(__file__).resolve().parent / "results"
SPLITS = ("train", "dev", "test")

Sentence = tuple[str, list[tuple[int, int]]]


def load(split: str) -> list[Sentence]:
    """Sentences of one split with their gold NAME spans."""
    path = SHARED / f"{split}.char.bmes.gz"
    if not path.exists():
        sys.exit(f"{path} is missing: this benchmark needs ../shared/benchmarks/resumener_zh")
    out: list[Sentence] = []
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    start = None
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in [*fh, "\n"]:
            if not line.strip():
                if chars:
                    out.append(("".join(chars), spans))
                chars, spans, start = [], [], None
                continue
            ch, tag = line.split()
            k = len(chars)
            chars.append(ch)
            if tag == "S-NAME":
                spans.append((k, k + 1))
            elif tag == "B-NAME":
                start = k
            elif tag == "E-NAME" and start is not None:
                spans.append((start, k + 1))
                start = None
    return out


def masked_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that the product replaced by ``[NAME]`` (found by aligning the two)."""
    masked = mask_contacts(text)
    ops = difflib.SequenceMatcher(None, text, masked, autojunk=False).get_opcodes()
    return [
        (i1, i2) for op, i1, i2, j1, j2 in ops if op == "replace" and NAME_TOKEN in masked[j1:j2]
    ]


def jieba_spans(text: str) -> list[tuple[int, int]]:
    import jieba.posseg as pseg

    out: list[tuple[int, int]] = []
    pos = 0
    for word, flag in pseg.cut(text):
        if flag == "nr":
            out.append((pos, pos + len(word)))
        pos += len(word)
    return out


def rule(k: int) -> Callable[[str], list[tuple[int, int]]]:
    pattern = contacts._ZH_NAME_PATTERNS[k]
    group = "name" if "name" in pattern.groupindex else 0
    return lambda text: [(m.start(group), m.end(group)) for m in pattern.finditer(text)]


def score(data: list[Sentence], find: Callable[[str], list[tuple[int, int]]]) -> dict[str, float]:
    found = gold_n = pred_n = pred_ok = 0
    for text, gold in data:
        pred = find(text)
        covered = {i for a, b in pred for i in range(a, b)}
        gold_chars = {i for a, b in gold for i in range(a, b)}
        gold_n += len(gold)
        found += sum(all(i in covered for i in range(a, b)) for a, b in gold)
        pred_n += len(pred)
        pred_ok += sum(any(i in gold_chars for i in range(a, b)) for a, b in pred)
    return {
        "gold_names": gold_n,
        "recall": round(found / gold_n, 4) if gold_n else 0.0,
        "masked_spans": pred_n,
        "precision": round(pred_ok / pred_n, 4) if pred_n else 0.0,
    }


def misses(data: list[Sentence], limit: int = 40) -> list[str]:
    out = []
    for text, gold in data:
        covered = {i for a, b in masked_spans(text) for i in range(a, b)}
        for a, b in gold:
            if not all(i in covered for i in range(a, b)):
                out.append(f"{text[a:b]} — {text[max(0, a - 6) : b + 10]}")
    return out[:limit]


METHODS: dict[str, Callable[[str], list[tuple[int, int]]]] = {
    "product: mask_contacts": masked_spans,
    "find_chinese_names alone": find_chinese_names,
    "rule 1: surname + 先生/女士": rule(0),
    "rule 2: name + ，男/女": rule(1),
    "rule 3: sentence opens with a name + bio cue": rule(2),
    "rule 4: sentence opens with surname word + ，": rule(3),
    "rule 5: 姓名： label": rule(4),
    "baseline: jieba posseg nr": jieba_spans,
}


def main() -> None:
    splits = {s: load(s) for s in SPLITS}
    results: dict[str, dict[str, dict[str, float]]] = {}
    start = time.perf_counter()
    for name, find in METHODS.items():
        results[name] = {s: score(data, find) for s, data in splits.items()}
    seconds = time.perf_counter() - start
    payload = {
        "command": ".venv/bin/python -m benchmarks.zh_names",
        "python": platform.python_version(),
        "sentences": {s: len(d) for s, d in splits.items()},
        "results": results,
        "test_misses": misses(splits["test"]),
        "seconds": round(seconds, 1),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "zh_names.json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    lines = [
        "# Chinese names masked, against ResumeNER NAME tags",
        "",
        "Command: `.venv/bin/python -m benchmarks.zh_names` "
        f"(Python {payload['python']}, {seconds:.0f} s on the 2-core development machine).",
        "",
        "Recall = gold names whose every character was masked (a missed name is a leak); "
        "precision = masked spans overlapping a gold name. Rules tuned on train and dev only; "
        "**test is the honest figure**. Goal: recall ≥ 0.95 on test.",
        "",
        "| method | train recall | dev recall | **test recall** | test precision |",
        "|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['train']['recall']:.3f} | {r['dev']['recall']:.3f} | "
            f"**{r['test']['recall']:.3f}** | {r['test']['precision']:.3f} |"
        )
    lines += [
        "",
        f"Gold names: train {results['product: mask_contacts']['train']['gold_names']}, "
        f"dev {results['product: mask_contacts']['dev']['gold_names']}, "
        f"test {results['product: mask_contacts']['test']['gold_names']}. The rules are "
        "complementary: each alone finds a part, the product is their union plus every other "
        "mention of a name already found.",
        "",
        "The test split happens to hold only the patterns the rules cover; train and dev "
        "(where the rules were tuned, 1,062 names) stay at 0.973: expect about that on new "
        "bios.",
        "",
        "Names the product missed on test (name — context):",
        "",
        *[f"- {m}" for m in payload["test_misses"]],
        "",
        "Known limits: names written in Latin letters inside Chinese text (`JerryMa`), names "
        "right after a title with no punctuation (`董事郑扬宏男`), and bios that open with a "
        "name and a verb (`邹健中从2014年…`) are missed unless the same name is found elsewhere "
        "in the text. These are executives' bios, not engineers' resumes: a resume's own name "
        "is also found by the labelled/first-line rule of `extract_contact`.",
    ]
    (RESULTS / "zh_names.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
