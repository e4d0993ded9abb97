"""Resume parsing speed and contact-masking false positives on public resumes.

Run: ``.venv/bin/python -m benchmarks.resume_parsing`` (reads ``../shared/benchmarks``).

1. Parse every real PDF in ``livecareer_pdfs/`` (one per category plus one scanned file) with
   the default engine (pypdf checks, pdftotext text) and with pypdf alone, in the same run:
   files and pages per second, the speed ratio, and the failures with their reasons (the
   scanned one must fail).
2. Contact extraction over the 2,483 livecareer resume texts. Those pages carry few contact
   details, so every name found is suspect: we report how many names, e-mails, phones and links
   are found, and list the name hits so a reader can judge them. Phones found there were checked
   by eye to be phone numbers (supervisor references).

Writes ``benchmarks/results/resume_parsing.json`` and ``.md``.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

from data.errors import InputError
from data.text.contacts import extract_contact, mask_contacts
from data.text.resume_files import Limits, parse_resume

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
RESULTS = Path(__file__).resolve().parent / "results"


def _parse_pdfs(folder: Path, engine: str) -> dict[str, object]:
    files = sorted(folder.rglob("*.pdf"))
    limits = Limits(pdf_engine=engine)  # type: ignore[arg-type]
    pages = 0
    failed: dict[str, str] = {}
    start = time.perf_counter()
    for path in files:
        try:
            parsed = parse_resume(path, limits=limits)
            pages += parsed.pages or 0
        except InputError as err:
            failed[f"{path.parent.name}/{path.name}"] = str(err).split(": ", 1)[1]
    seconds = time.perf_counter() - start
    return {
        "files": len(files),
        "parsed": len(files) - len(failed),
        "pages": pages,
        "seconds": round(seconds, 2),
        "files_per_s": round(len(files) / seconds, 2),
        "pages_per_s": round(pages / seconds, 2),
        "failed": failed,
    }


def _contacts(csv_path: Path) -> dict[str, object]:
    import pandas as pd

    texts = pd.read_csv(csv_path)["text"].tolist()
    found = {"name": 0, "email": 0, "phone": 0, "links": 0}
    names: list[str] = []
    masked_chars = 0
    start = time.perf_counter()
    for text in texts:
        contact = extract_contact(text)
        masked = mask_contacts(text, contact)
        masked_chars += len(text) - len(masked)
        for key in ("name", "email", "phone"):
            found[key] += bool(getattr(contact, key))
        found["links"] += bool(contact.links)
        if contact.name:
            names.append(contact.name)
    seconds = time.perf_counter() - start
    return {
        "resumes": len(texts),
        "resumes_with": found,
        "names_found": names,
        "ms_per_resume": round(1000 * seconds / len(texts), 2),
    }


def main() -> int:
    if not SHARED.exists():
        print(f"benchmark data not found at {SHARED}", file=sys.stderr)
        return 1
    result = {
        "command": "python -m benchmarks.resume_parsing",
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average_at_start": [round(x, 1) for x in os.getloadavg()],
        "pdf_parsing": _parse_pdfs(SHARED / "livecareer_pdfs", "pdftotext"),
        "pdf_parsing_pypdf": _parse_pdfs(SHARED / "livecareer_pdfs", "pypdf"),
        "contact_extraction": _contacts(SHARED / "livecareer_resumes.csv.gz"),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "resume_parsing.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    p, c = result["pdf_parsing"], result["contact_extraction"]
    q = result["pdf_parsing_pypdf"]
    result["pdftotext_speedup_vs_pypdf"] = round(q["seconds"] / p["seconds"], 1)
    (RESULTS / "resume_parsing.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    md = [
        "# Resume parsing",
        "",
        f"Command: `{result['command']}` ({result['machine']}, load average "
        f"{result['load_average_at_start'][0]} at start: absolute speeds vary with load, the "
        "ratio is measured in the same run)",
        "",
        "| measure | value |",
        "|---|---|",
        f"| real livecareer PDFs parsed | {p['parsed']} of {p['files']} ({p['pages']} pages) |",
        f"| parse speed, default (pypdf checks + pdftotext text) | {p['files_per_s']} files/s, "
        f"{p['pages_per_s']} pages/s |",
        f"| parse speed, pypdf only (fallback) | {q['files_per_s']} files/s, "
        f"{q['pages_per_s']} pages/s |",
        f"| default speed-up over pypdf only, same run | {result['pdftotext_speedup_vs_pypdf']}× |",
        f"| contact extraction + masking | {c['ms_per_resume']} ms per resume |",
        f"| resumes (of {c['resumes']}) with a name found | {c['resumes_with']['name']} |",
        f"| … with an e-mail / phone / link found | {c['resumes_with']['email']} / "
        f"{c['resumes_with']['phone']} / {c['resumes_with']['links']} |",
        "",
        "Failures (each must be one of the known bad files):",
        "",
        *[f"- `{k}`: {v}" for k, v in p["failed"].items()],
        "",
        "Names found on livecareer texts (these pages open with a job title and rarely name "
        "anyone, so every hit here would be a false positive):",
        "",
        *([f"- {n}" for n in c["names_found"]] or ["- none"]),
        "",
    ]
    (RESULTS / "resume_parsing.md").write_text("\n".join(md), encoding="utf-8")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
