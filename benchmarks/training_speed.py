"""Speed: training the role classifier's torch head on 10,000 cached embeddings.

Synthetic 384-d embeddings (MiniLM's width) of 24 role families, clustered with noise so the
head has something to learn; no text features (the head alone is timed). The baseline in the
same run is scikit-learn's logistic regression on the same rows. The target is under 60 s on a
2-core CPU; a GPU time is recorded when one is present.

    .venv/bin/python -m benchmarks.training_speed
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
N, DIM, CLASSES = 10_000, 384, 24


def synthetic(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(CLASSES, DIM)).astype(np.float32)
    y = rng.integers(0, CLASSES, size=N)
    X = centres[y] * 0.12 + rng.normal(size=(N, DIM)).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return X.astype(np.float32), np.array([f"family-{c:02d}" for c in y])


def run_head(X: np.ndarray, y: np.ndarray, device: str, epochs: int) -> dict[str, float]:
    from ml.classifier import RoleClassifier

    texts = [""] * len(y)
    t0, c0 = time.perf_counter(), time.process_time()
    model = RoleClassifier(
        lexical="none", skill_features=False, epochs=epochs, device=device, batch_size=128
    ).fit(texts, y, embeddings=X)
    secs = time.perf_counter() - t0
    return {
        "seconds": round(secs, 2),
        "cpu_seconds": round(time.process_time() - c0, 2),
        "epochs_run": len(model.history_),
        "val_macro_f1": round(float(model.best_val_macro_f1_ or 0), 4),
    }


def main() -> None:
    import torch
    from sklearn.linear_model import LogisticRegression

    X, y = synthetic()
    torch.tensor([0.0])  # import and initialise torch outside the timings
    epochs = 40
    head = run_head(X, y, "cpu", epochs)
    t0, c0 = time.perf_counter(), time.process_time()
    lr = LogisticRegression(max_iter=2000).fit(X, y)
    lr_secs = time.perf_counter() - t0
    lr_cpu = time.process_time() - c0
    result = {
        "benchmark": "training_speed",
        "command": ".venv/bin/python -m benchmarks.training_speed",
        "rows": N,
        "dim": DIM,
        "classes": CLASSES,
        "max_epochs": epochs,
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "load_average_at_end": list(os.getloadavg()),
            "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(),
        },
        "head_cpu": head,
        "baseline_sklearn_logreg_cpu": {
            "seconds": round(lr_secs, 2),
            "cpu_seconds": round(lr_cpu, 2),
            "train_accuracy": round(float(lr.score(X, y)), 4),
        },
        "ratio_head_to_logreg": round(head["seconds"] / lr_secs, 2),
        "target_seconds": 60,
        "meets_target": head["seconds"] < 60,
        "gpu": None,
    }
    if torch.cuda.is_available():
        result["gpu"] = {"device": torch.cuda.get_device_name(0), **run_head(X, y, "cuda", epochs)}
    else:
        result["gpu_note"] = (
            "no GPU was lent to this task: GPU time not measured; the head "
            "uses CUDA with mixed precision automatically when one is present"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "training_speed.json").write_text(json.dumps(result, indent=2) + "\n")
    md = [
        "# Training speed: torch head on 10,000 cached embeddings",
        "",
        f"Command: `{result['command']}`",
        "",
        "| what | wall seconds (CPU seconds) | note |",
        "|---|---|---|",
        f"| torch head, CPU ({head['epochs_run']} epochs with early stopping, batch 128) | "
        f"{head['seconds']} (CPU {head['cpu_seconds']}) | validation macro-F1 "
        f"{head['val_macro_f1']} |",
        f"| scikit-learn logistic regression, CPU (baseline) | {round(lr_secs, 2)} (CPU "
        f"{round(lr_cpu, 2)}) | same rows |",
        "",
        f"Ratio head / logistic regression: **{result['ratio_head_to_logreg']}×**. Target: "
        f"under 60 s — {'met' if result['meets_target'] else 'NOT met'}.",
        "",
        f"Machine: {os.cpu_count()} CPU cores shared with other jobs (load average at the end "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}), torch {torch.__version__}.",
        "",
        result.get("gpu_note") or f"GPU: {result['gpu']}",
        "",
    ]
    (RESULTS / "training_speed.md").write_text("\n".join(md))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
