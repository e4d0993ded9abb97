"""Optional encoder fine-tuning on (resume, role) pairs, for users with a GPU.

Contrastive training with sentence-transformers' ``MultipleNegativesRankingLoss``: each resume
is pulled towards the role it was hired or advanced for and pushed away from the other roles in
its batch (in-batch negatives). The loop is a plain torch loop over the loss module, so it needs
neither ``datasets`` nor ``accelerate``; it runs on CUDA with mixed precision when present and,
slowly, on CPU. The result is a sentence-transformers folder that ``get_encoder(path)`` loads;
register it in the model registry as kind ``encoder``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from data.errors import InputError, ModelError

ProgressFn = Callable[[int, int], None]


def _load_base(base: str, device: str) -> Any:
    from sentence_transformers import SentenceTransformer

    from ml.encoders import minilm_path

    path = minilm_path() if base == "minilm" else base
    try:
        return SentenceTransformer(path, device=device)
    except Exception as err:
        raise ModelError(
            f"cannot load the base encoder {base!r} for fine-tuning: {err}. "
            "Use 'minilm' or a local sentence-transformers folder"
        ) from err


def finetune_encoder(
    pairs: Sequence[tuple[str, str]],
    *,
    output: str | Path,
    base: str = "minilm",
    epochs: int = 1,
    batch_size: int = 16,
    lr: float = 2e-5,
    warmup_frac: float = 0.1,
    max_seq_length: int = 256,
    seed: int = 0,
    device: str | None = None,
    progress: ProgressFn | None = None,
) -> Path:
    """Fine-tune ``base`` on (resume text, role text) pairs and save it to ``output``.

    Returns the folder, loadable with ``ml.encoders.get_encoder(str(folder))``.
    """
    import torch
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    pairs = [(a, b) for a, b in pairs if (a or "").strip() and (b or "").strip()]
    if len(pairs) < 2:
        raise InputError(
            "fine-tuning needs at least 2 non-empty (resume, role) pairs: the "
            "other pairs of a batch are each pair's negatives"
        )
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    random.seed(seed)
    torch.manual_seed(seed)
    model = _load_base(base, device)
    model.max_seq_length = max_seq_length
    loss_fn = MultipleNegativesRankingLoss(model)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    order = list(range(len(pairs)))
    steps_per_epoch = math.ceil(len(pairs) / batch_size)
    total = steps_per_epoch * epochs
    warm = max(1, int(warmup_frac * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt,
        lambda s: (
            min(1.0, (s + 1) / warm) * max(0.0, (total - s) / max(1, total - warm))
            if s >= warm
            else (s + 1) / warm
        ),
    )
    amp = device.startswith("cuda")
    scaler = torch.amp.GradScaler("cuda", enabled=amp)
    model.train()
    step = 0
    for _epoch in range(epochs):
        random.shuffle(order)
        for start in range(0, len(order), batch_size):
            batch = [pairs[i] for i in order[start : start + batch_size]]
            if len(batch) < 2:
                continue
            feats = []
            for column in zip(*batch, strict=True):
                prep = getattr(model, "preprocess", None) or model.tokenize
                f = prep(list(column))
                feats.append({k: v.to(device) if hasattr(v, "to") else v for k, v in f.items()})
            with torch.autocast(device_type="cuda", dtype=torch.float16, enabled=amp):
                loss = loss_fn(feats, torch.empty(0))
            opt.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            scaler.step(opt)
            scaler.update()
            sched.step()
            step += 1
            if progress:
                progress(step, total)
    model.eval()
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    model.save(str(output))
    return output
