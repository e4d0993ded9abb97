"""Encode throughput: single process vs Ray with 1 and 2 workers, and storage per resume.

    PYTHONPATH=$PWD python -m benchmarks.ray_embed [N]

Each mode gets a fresh SQLite store holding the same first N livecareer resumes (no cache),
encodes every passage with the packaged MiniLM, and is timed end to end (Ray: cluster and actor
start-up and one model load per worker included). Storage is measured from the SQLite file.
Writes benchmarks/results/ray_embed.{md,json}.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "benchmarks" / "livecareer_resumes.csv.gz"
if not DATA.exists():
    DATA = Path("/work/shared/benchmarks/livecareer_resumes.csv.gz")


def _store(path: Path, texts: list[str]):
    from data.store.engine import make_engine, session_scope, upgrade
    from data.store.models import Resume

    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    with session_scope(eng) as s:
        for n, t in enumerate(texts):
            s.add(
                Resume(
                    file_name=f"{n}.txt",
                    sha256=hashlib.sha256(t.encode()).hexdigest(),
                    language="en",
                    text=t,
                )
            )
    return eng


def _size(eng, path: Path) -> int:
    with eng.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        c.exec_driver_sql("VACUUM")
    return path.stat().st_size


def main(n: int) -> None:
    from data.store.embeddings import count_vectors
    from ml.distributed import embed_with_ray
    from ml.embed import embed_pool
    from ml.encoders import get_encoder

    texts = pd.read_csv(DATA)["text"].astype(str).head(n).tolist()
    results = []
    tmp = Path(tempfile.mkdtemp())
    for mode, workers in (("single process", 0), ("ray, 1 worker", 1), ("ray, 2 workers", 2)):
        path = tmp / f"{workers}.sqlite"
        eng = _store(path, texts)
        before = _size(eng, path)
        t0 = time.perf_counter()
        if workers == 0:
            from sqlalchemy.orm import Session

            with Session(eng) as s:
                embed_pool(s, get_encoder("minilm"), tmp / f"i{workers}")
                s.commit()
        else:
            embed_with_ray(
                eng,
                partial(get_encoder, "minilm"),
                tmp / f"i{workers}",
                workers=workers,
                range_size=max(1, n // 6),
            )
        secs = time.perf_counter() - t0
        from sqlalchemy.orm import Session

        with Session(eng) as s:
            passages = count_vectors(s)
        after = _size(eng, path)
        results.append(
            {
                "mode": mode,
                "resumes": n,
                "passages": passages,
                "seconds": round(secs, 1),
                "passages_per_s": round(passages / secs, 2),
                "resumes_per_s": round(n / secs, 3),
                "store_bytes_per_resume_text": round(before / n),
                "cache_bytes_per_resume": round((after - before) / n),
            }
        )
        print(results[-1], flush=True)
        eng.dispose()
    out = ROOT / "benchmarks" / "results"
    (out / "ray_embed.json").write_text(json.dumps(results, indent=2))
    cols = list(results[0])
    lines = [
        "# Encode throughput: single process vs Ray (MiniLM, CPU)",
        "",
        f"Command: `PYTHONPATH=$PWD python -m benchmarks.ray_embed {n}` on this 2-core machine,",
        "shared with other jobs (load average in the run: "
        f"{os.getloadavg()[0]:.1f}): numbers are a floor, not a clean-room figure.",
        "Ray workers run with OMP_NUM_THREADS=1 (Ray's default); the single process uses "
        "2 torch threads.",
        f"Scaled down to the first {n} livecareer resumes so all three modes finish in minutes.",
        "",
        "| " + " | ".join(cols) + " |",
        "|" + "---|" * len(cols),
        *("| " + " | ".join(str(r[c]) for c in cols) + " |" for r in results),
        "",
    ]
    (out / "ray_embed.md").write_text("\n".join(lines))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 36)
