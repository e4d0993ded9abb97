"""Role classifier: resume text → role family, a torch MLP head over frozen encoder embeddings.

Follows the scikit-learn estimator contract (``__init__`` stores keyword arguments, ``fit``
returns ``self``, learned attributes end in ``_``, prediction checks the model is fitted) and
saves to / loads from a folder like a sentence-transformers model.

Input features, each standardised on the training rows only:
- the encoder's embedding of the whole resume (long texts are chunked and mean-pooled by the
  encoder, so nothing past the model's window is lost);
- a skill-presence vector from the skills taxonomy (``data.text.taxonomy``) when it is installed;
- a lexical block (``lexical``): by default (``"stack"``) the class margins of a linear SVM over
  TF-IDF word 1–2-grams, computed out-of-fold on the training rows so the head learns how far
  to trust them; alternatively a wide linear layer straight over the sparse TF-IDF terms
  (``"wide"``), a truncated-SVD (``"svd"``) or chi² selection (``"chi2"``) of them, or nothing.
  Frozen sentence embeddings blur the rare, specific words (tools, certifications, industry
  terms) that tell neighbouring job families apart; this block gives the head those words back.

Training: class-weighted cross-entropy, AdamW (decoupled weight decay = L2) with an optional L1
penalty, linear warm-up then cosine decay, early stopping on validation macro-F1 (the best
weights are kept), fixed seeds, CUDA with mixed precision when present, else CPU.
"""

from __future__ import annotations

import json
import math
import pickle
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from data.errors import InputError, ModelError, TalentMapError

ProgressFn = Callable[[int, int], None]
"""Called as ``progress(done_steps, total_steps)`` after every optimiser step; raising from it
stops training (nothing is kept)."""

_CONFIG = "config.json"
_WEIGHTS = "head.pt"
_FEATURES = "features.pkl"


class NotFittedError(ModelError):
    """The model was used before ``fit``."""


def _skill_sets(texts: Sequence[str], *, required: bool = False) -> list[set[str]] | None:
    """Taxonomy skill keys found in each text; None when no taxonomy can be loaded (training
    then goes on without skill features, with a warning)."""
    try:
        from data.text.taxonomy import load_taxonomy

        tax = load_taxonomy()
    except (ImportError, TalentMapError) as err:
        if required:
            raise ModelError(
                f"this model uses skill features but the skills taxonomy cannot be loaded: {err}"
            ) from err
        warnings.warn(f"training without skill features: {err}", stacklevel=3)
        return None
    return [set(tax.keys_in(t or "")) for t in texts]


class _Features:
    """Turns (texts, embeddings) into the head's dense input; fitted on training rows."""

    def __init__(self, *, lexical: str, lexical_dim: int, skill_features: bool, seed: int) -> None:
        self.lexical, self.lexical_dim = lexical, lexical_dim
        self.skill_features, self.seed = skill_features, seed
        self.tfidf: Any = None
        self.reducer: Any = None
        self.wide: Any = None
        self.stack: Any = None
        self.skill_vocab: list[str] = []
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None

    def fit_transform(self, texts: Sequence[str], emb: np.ndarray, y: np.ndarray) -> np.ndarray:
        blocks = [emb]
        self.margin_cols: tuple[int, int] | None = None
        if self.lexical == "stack":
            margins = self._fit_stack(texts, y)
            self.margin_cols = (emb.shape[1], emb.shape[1] + margins.shape[1])
            blocks.append(margins)
        elif self.lexical == "wide":
            from sklearn.feature_extraction.text import TfidfVectorizer

            self.wide = TfidfVectorizer(
                ngram_range=(1, 2),
                min_df=2,
                max_df=0.9,
                sublinear_tf=True,
                max_features=100_000,
                dtype=np.float32,
            )
            self.wide.fit(texts)
        elif self.lexical != "none" and self.lexical_dim > 0:
            from sklearn.feature_extraction.text import TfidfVectorizer

            self.tfidf = TfidfVectorizer(
                ngram_range=(1, 2),
                min_df=2,
                max_df=0.9,
                sublinear_tf=True,
                max_features=100_000,
                dtype=np.float32,
            )
            X = self.tfidf.fit_transform(texts)
            dim = min(self.lexical_dim, X.shape[1] - 1, X.shape[0] - 1)
            if dim >= 1:
                if self.lexical == "svd":
                    from sklearn.decomposition import TruncatedSVD

                    self.reducer = TruncatedSVD(n_components=dim, random_state=self.seed)
                    blocks.append(self.reducer.fit_transform(X))
                else:
                    from sklearn.feature_selection import SelectKBest, chi2

                    self.reducer = SelectKBest(chi2, k=min(self.lexical_dim, X.shape[1]))
                    blocks.append(self.reducer.fit_transform(X, y).toarray())
            else:
                self.tfidf = None
        if self.skill_features:
            sets = _skill_sets(texts)
            if sets is not None:
                counts: dict[str, int] = {}
                for s in sets:
                    for key in s:
                        counts[key] = counts.get(key, 0) + 1
                self.skill_vocab = sorted(k for k, c in counts.items() if c >= 2)
                blocks.append(self._skills(sets))
        X = np.hstack([np.asarray(b, dtype=np.float32) for b in blocks])
        self.mean = X.mean(axis=0)
        self.std = X.std(axis=0) + 1e-6
        return np.asarray((X - self.mean) / self.std)

    def _fit_stack(self, texts: Sequence[str], y: np.ndarray) -> np.ndarray:
        """Lexical evidence as class scores: a TF-IDF linear SVM's margins, out-of-fold on
        the training rows (so the head learns how far to trust them), in-sample never."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.model_selection import StratifiedKFold, cross_val_predict
        from sklearn.svm import LinearSVC

        self.tfidf = TfidfVectorizer(
            ngram_range=(1, 2),
            min_df=2,
            max_df=0.9,
            sublinear_tf=True,
            max_features=100_000,
            dtype=np.float32,
        )
        X = self.tfidf.fit_transform(texts)
        svm = LinearSVC(C=1.0, class_weight="balanced", random_state=self.seed)
        k = int(min(5, np.unique(y, return_counts=True)[1].min()))
        if k >= 2:
            cv = StratifiedKFold(n_splits=k, shuffle=True, random_state=self.seed)
            oof = cross_val_predict(svm, X, y, cv=cv, method="decision_function")
        else:
            oof = None
        self.stack = svm.fit(X, y)
        if oof is None:
            oof = self.stack.decision_function(X)
        oof = np.asarray(oof, dtype=np.float32)
        return oof if oof.ndim == 2 else np.column_stack([-oof, oof])

    def _skills(self, sets: list[set[str]]) -> np.ndarray:
        index = {k: i for i, k in enumerate(self.skill_vocab)}
        out = np.zeros((len(sets), len(index)), dtype=np.float32)
        for r, s in enumerate(sets):
            for key in s:
                if key in index:
                    out[r, index[key]] = 1.0
        return out

    @property
    def n_wide(self) -> int:
        return len(self.wide.vocabulary_) if getattr(self, "wide", None) is not None else 0

    def sparse(self, texts: Sequence[str]) -> Any:
        """The wide block: TF-IDF rows (scipy CSR) fed straight to a linear layer, or None."""
        if getattr(self, "wide", None) is None:
            return None
        return self.wide.transform(texts).tocsr()

    def transform(self, texts: Sequence[str], emb: np.ndarray) -> np.ndarray:
        blocks = [emb]
        if getattr(self, "stack", None) is not None:
            margins = self.stack.decision_function(self.tfidf.transform(texts))
            blocks.append(margins if margins.ndim == 2 else np.column_stack([-margins, margins]))
        elif self.tfidf is not None:
            X = self.reducer.transform(self.tfidf.transform(texts))
            blocks.append(X.toarray() if hasattr(X, "toarray") else X)
        if self.skill_vocab:
            sets = _skill_sets(texts, required=True)
            assert sets is not None
            blocks.append(self._skills(sets))
        X = np.hstack([np.asarray(b, dtype=np.float32) for b in blocks])
        return np.asarray((X - self.mean) / self.std)


def _device(requested: str | None) -> str:
    import torch

    if requested:
        return requested
    return "cuda" if torch.cuda.is_available() else "cpu"


def _build_head(
    n_in: int,
    n_out: int,
    hidden: int,
    dropout: float,
    n_wide: int = 0,
    skip: tuple[int, int] | None = None,
) -> Any:
    """A deep part (MLP over the dense features) plus, when ``n_wide``, a wide linear layer over
    sparse TF-IDF terms whose logits are added (a wide-and-deep head)."""
    import torch
    from torch import nn

    class Head(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            if hidden <= 0:
                self.deep = nn.Sequential(nn.Dropout(dropout), nn.Linear(n_in, n_out))
            else:
                self.deep = nn.Sequential(
                    nn.Dropout(dropout),
                    nn.Linear(n_in, hidden),
                    nn.GELU(),
                    nn.Dropout(dropout),
                    nn.Linear(hidden, n_out),
                )
            self.wide = nn.Parameter(torch.zeros(n_wide, n_out)) if n_wide else None
            self.skip = None
            if skip is not None:
                # the lexical margins go straight to the logits, starting as the SVM's own
                # decision; the deep part starts silent and learns corrections from the rest
                a, b = skip
                self.skip_cols = (a, b)
                self.register_buffer("skip_mean", torch.zeros(b - a))
                self.register_buffer("skip_std", torch.ones(b - a))
                self.skip = nn.Linear(b - a, n_out)
                with torch.no_grad():
                    self.skip.weight.copy_(torch.eye(n_out, b - a) * 2.0)
                    self.skip.bias.zero_()
                    last = self.deep[-1]
                    last.weight.zero_()  # type: ignore[operator]
                    last.bias.zero_()  # type: ignore[operator]

        def forward(self, x: Any, xs: Any = None) -> Any:
            out = self.deep(x)
            if self.skip is not None:
                a, b = self.skip_cols
                out = out + self.skip(x[:, a:b] * self.skip_std + self.skip_mean)
            if self.wide is not None and xs is not None:
                out = out + torch.sparse.mm(xs, self.wide)
            return out

    return Head()


def _sparse_batch(xs: Any, idx: np.ndarray, device: str) -> Any:
    """Rows ``idx`` of a scipy CSR matrix as a torch sparse COO tensor."""
    if xs is None:
        return None
    import torch

    sub = xs[idx].tocoo()
    ind = torch.tensor(np.vstack([sub.row, sub.col]), dtype=torch.long)
    val = torch.tensor(sub.data, dtype=torch.float32)
    return torch.sparse_coo_tensor(ind, val, sub.shape).to(device)


def _macro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, pred, average="macro", labels=np.unique(y), zero_division=0))


class RoleClassifier:
    """Resume → role family. ``fit(texts, y, embeddings=...)``; embeddings are computed with
    the named encoder when not given (pass cached ones to train fast)."""

    def __init__(
        self,
        *,
        encoder: str = "minilm",
        hidden: int = 512,
        dropout: float = 0.3,
        lr: float = 1e-3,
        weight_decay: float = 0.05,
        l1: float = 0.0,
        epochs: int = 80,
        batch_size: int = 64,
        warmup_frac: float = 0.1,
        patience: int = 10,
        validation_fraction: float = 0.1,
        lexical: Literal["stack", "wide", "svd", "chi2", "none"] = "stack",
        lexical_dim: int = 256,
        wide_lr_mult: float = 10.0,
        wide_weight_decay: float = 0.0,
        skill_features: bool = True,
        class_weight: Literal["balanced", "none"] = "balanced",
        seed: int = 0,
        device: str | None = None,
        mixed_precision: bool = True,
    ) -> None:
        self.encoder = encoder
        self.hidden = hidden
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.l1 = l1
        self.epochs = epochs
        self.batch_size = batch_size
        self.warmup_frac = warmup_frac
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.lexical = lexical
        self.lexical_dim = lexical_dim
        self.wide_lr_mult = wide_lr_mult
        self.wide_weight_decay = wide_weight_decay
        self.skill_features = skill_features
        self.class_weight = class_weight
        self.seed = seed
        self.device = device
        self.mixed_precision = mixed_precision

    # --- sklearn plumbing ----------------------------------------------------------------
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        import inspect

        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {n: getattr(self, n) for n in names}

    def set_params(self, **params: Any) -> RoleClassifier:
        for k, v in params.items():
            if k not in self.get_params():
                raise ValueError(f"unknown parameter {k!r} for RoleClassifier")
            setattr(self, k, v)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "head_"):
            raise NotFittedError(
                "this RoleClassifier is not fitted yet: call fit(texts, labels) first, or load "
                "a trained one with RoleClassifier.load(folder)"
            )

    def _embed(self, texts: Sequence[str], embeddings: np.ndarray | None) -> np.ndarray:
        if embeddings is not None:
            emb = np.asarray(embeddings, dtype=np.float32)
            if emb.ndim != 2 or emb.shape[0] != len(texts):
                raise ValueError(
                    f"expected embeddings of shape ({len(texts)}, dim), "
                    f"got {emb.shape}: one row per text"
                )
            return emb
        from ml.encoders import get_encoder

        return get_encoder(self.encoder).encode(list(texts))

    # --- training ------------------------------------------------------------------------
    def fit(
        self,
        texts: Sequence[str],
        y: Sequence[Any],
        *,
        embeddings: np.ndarray | None = None,
        validation: tuple[Sequence[str], Sequence[Any], np.ndarray | None] | None = None,
        progress: ProgressFn | None = None,
    ) -> RoleClassifier:
        """Train on ``texts`` labelled ``y``. Early stopping watches ``validation`` (texts,
        labels, embeddings) or, when not given, a stratified ``validation_fraction`` of the
        training rows."""
        import torch

        texts = [t or "" for t in texts]
        y_arr = np.asarray([str(v) for v in y])
        if len(texts) != len(y_arr):
            raise ValueError(
                f"expected one label per text, got {len(y_arr)} labels for {len(texts)} texts"
            )
        classes = np.unique(y_arr)
        if len(classes) < 2:
            raise InputError(
                f"a classifier needs at least 2 classes, got {len(classes)}", field="label"
            )
        emb = self._embed(texts, embeddings)
        rng = np.random.default_rng(self.seed)
        torch.manual_seed(self.seed)

        va_idx = None
        v_texts: list[str] | None
        v_y: Any
        v_emb: Any
        if validation is not None:
            tr_idx = np.arange(len(texts))
            given_texts, given_y, given_emb = validation
            v_texts = [t or "" for t in given_texts]
            v_y = np.asarray([str(v) for v in given_y])
            v_emb = self._embed(v_texts, given_emb)
        elif self.validation_fraction > 0 and len(texts) >= 20:
            tr_idx, va_idx = self._val_split(y_arr, rng)
            v_texts = [texts[i] for i in va_idx]
            v_y, v_emb = y_arr[va_idx], emb[va_idx]
        else:
            tr_idx, v_texts, v_y, v_emb = np.arange(len(texts)), None, None, None

        feats = _Features(
            lexical=self.lexical,
            lexical_dim=self.lexical_dim,
            skill_features=self.skill_features,
            seed=self.seed,
        )
        tr_texts = [texts[i] for i in tr_idx]
        index = {c: i for i, c in enumerate(classes)}
        yt = np.array([index[c] for c in y_arr[tr_idx]])
        if self.lexical == "stack" and va_idx is not None:
            # stacked margins are out-of-fold for every row, so the validation rows can share
            # the fit and the SVM sees all the training data
            X_all = feats.fit_transform(texts, emb, y_arr)
            X, Xv = X_all[tr_idx], X_all[va_idx]
        else:
            X = feats.fit_transform(tr_texts, emb[tr_idx], y_arr[tr_idx])
            Xv = feats.transform(v_texts, v_emb) if v_texts is not None else None
        Xs = feats.sparse(tr_texts)
        Xvs = feats.sparse(v_texts) if v_texts is not None else None

        device = _device(self.device)
        amp = self.mixed_precision and device.startswith("cuda")
        skip = getattr(feats, "margin_cols", None)
        head = _build_head(X.shape[1], len(classes), self.hidden, self.dropout, feats.n_wide, skip)
        if skip is not None:
            import torch as _t

            assert feats.mean is not None and feats.std is not None  # set by fit_transform
            head.skip_mean.copy_(_t.tensor(feats.mean[skip[0] : skip[1]]))
            head.skip_std.copy_(_t.tensor(feats.std[skip[0] : skip[1]]))
        head = head.to(device)
        counts = np.bincount(yt, minlength=len(classes)).astype(np.float32)
        if self.class_weight == "balanced":
            w = len(yt) / (len(classes) * np.maximum(counts, 1))
        else:
            w = np.ones(len(classes), dtype=np.float32)
        loss_fn = torch.nn.CrossEntropyLoss(
            weight=torch.tensor(w, dtype=torch.float32, device=device)
        )
        groups: list[dict[str, Any]] = [{"params": list(head.deep.parameters())}]
        if head.skip is not None:  # no decay: it starts at the SVM's decision on purpose
            groups.append({"params": list(head.skip.parameters()), "weight_decay": 0.0})
        if head.wide is not None:  # tf-idf values are small: the wide layer learns faster
            groups.append(
                {
                    "params": [head.wide],
                    "lr": self.lr * self.wide_lr_mult,
                    "weight_decay": self.wide_weight_decay,
                }
            )
        opt = torch.optim.AdamW(groups, lr=self.lr, weight_decay=self.weight_decay)
        # small sets still get several optimiser steps per epoch
        batch = max(1, min(self.batch_size, math.ceil(len(yt) / 8)))
        steps_per_epoch = max(1, math.ceil(len(yt) / batch))
        total = steps_per_epoch * self.epochs
        warm = max(1, int(self.warmup_frac * total))

        def schedule(step: int) -> float:
            if step < warm:
                return (step + 1) / warm
            t = (step - warm) / max(1, total - warm)
            return 0.5 * (1 + math.cos(math.pi * min(1.0, t)))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
        scaler = torch.amp.GradScaler("cuda", enabled=amp)
        threads = torch.get_num_threads()
        if device == "cpu" and X.shape[1] * max(self.hidden, len(classes)) < 2_000_000:
            torch.set_num_threads(1)  # small heads: thread hand-offs cost more than they save
        try:
            Xt = torch.tensor(X, dtype=torch.float32, device=device)
            Yt = torch.tensor(yt, dtype=torch.long, device=device)
            gen = torch.Generator().manual_seed(self.seed)
            best_f1, best_state, best_epoch, stale, step = -1.0, None, 0, 0, 0
            history: list[dict[str, float]] = []
            for epoch in range(self.epochs):
                head.train()
                perm = torch.randperm(len(yt), generator=gen).to(device)
                total_loss = 0.0
                for start in range(0, len(yt), batch):
                    idx = perm[start : start + batch]
                    xs = _sparse_batch(Xs, idx.cpu().numpy(), device)
                    with torch.autocast(device_type="cuda", dtype=torch.float16, enabled=amp):
                        loss = loss_fn(head(Xt[idx], xs), Yt[idx])
                    if self.l1 > 0:
                        loss = loss + self.l1 * sum(
                            p.abs().sum()
                            for n, p in head.named_parameters()
                            if n.endswith("weight")
                        )
                    opt.zero_grad(set_to_none=True)
                    scaler.scale(loss).backward()
                    scaler.step(opt)
                    scaler.update()
                    sched.step()
                    step += 1
                    total_loss += float(loss.detach()) * len(idx)
                    if progress:
                        progress(step, total)
                record = {"epoch": epoch + 1, "loss": total_loss / len(yt)}
                if Xv is not None:
                    pred = self._proba(head, Xv, Xvs, device, amp).argmax(axis=1)
                    f1 = _macro_f1(np.array([index.get(c, -1) for c in v_y]), pred)
                    record["val_macro_f1"] = f1
                    if f1 >= best_f1:  # ties go to the later, better-fitted epoch
                        best_f1, best_epoch, stale = f1, epoch + 1, 0
                        best_state = {k: v.detach().clone() for k, v in head.state_dict().items()}
                    else:
                        stale += 1
                history.append(record)
                if Xv is not None and stale >= self.patience:
                    break
        finally:
            torch.set_num_threads(threads)
        if best_state is not None:
            head.load_state_dict(best_state)
        head.eval()
        self.head_ = head.to("cpu")
        self.features_ = feats
        self.classes_ = classes
        self.n_features_in_ = int(X.shape[1])
        self.history_ = history
        self.best_epoch_ = best_epoch or len(history)
        self.best_val_macro_f1_ = best_f1 if best_f1 >= 0 else None
        self.device_ = device
        self.embedding_dim_ = int(emb.shape[1])
        return self

    def _val_split(self, y: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.model_selection import train_test_split

        idx = np.arange(len(y))
        n_val = max(len(np.unique(y)), int(round(self.validation_fraction * len(y))))
        strat = y if np.unique(y, return_counts=True)[1].min() >= 2 else None
        if n_val >= len(y) - len(np.unique(y)):
            strat = None
        try:
            tr, va = train_test_split(
                idx, test_size=n_val, stratify=strat, random_state=int(rng.integers(1 << 31))
            )
        except ValueError:
            tr, va = train_test_split(idx, test_size=n_val, random_state=int(rng.integers(1 << 31)))
        return np.sort(tr), np.sort(va)

    @staticmethod
    def _proba(head: Any, X: np.ndarray, xs: Any, device: str, amp: bool) -> np.ndarray:
        import torch

        head.eval()
        out = []
        with torch.no_grad():
            for start in range(0, len(X), 1024):
                xb = torch.tensor(X[start : start + 1024], dtype=torch.float32, device=device)
                xsb = _sparse_batch(xs, np.arange(start, min(start + 1024, len(X))), device)
                with torch.autocast(device_type="cuda", dtype=torch.float16, enabled=amp):
                    logits = head(xb, xsb)
                out.append(torch.softmax(logits.float(), dim=1).cpu().numpy())
        return np.vstack(out) if out else np.zeros((0, 0), dtype=np.float32)

    # --- prediction ----------------------------------------------------------------------
    def predict_proba(
        self, texts: Sequence[str], *, embeddings: np.ndarray | None = None
    ) -> np.ndarray:
        """One row per text, one column per entry of ``classes_``."""
        self._check_fitted()
        texts = [t or "" for t in texts]
        emb = self._embed(texts, embeddings)
        if emb.shape[1] != self.embedding_dim_:
            raise ValueError(
                f"expected {self.embedding_dim_}-d embeddings (encoder "
                f"{self.encoder!r}), got {emb.shape[1]}-d"
            )
        X = self.features_.transform(texts, emb)
        return self._proba(self.head_, X, self.features_.sparse(texts), "cpu", False)

    def predict(self, texts: Sequence[str], *, embeddings: np.ndarray | None = None) -> np.ndarray:
        """The most probable class of each text."""
        self._check_fitted()
        return np.asarray(
            self.classes_[self.predict_proba(texts, embeddings=embeddings).argmax(axis=1)]
        )

    # --- persistence ---------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Write the model to ``folder`` (created): config.json, head.pt, features.pkl."""
        import torch

        self._check_fitted()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        config = {
            "type": "RoleClassifier",
            "params": {k: v for k, v in self.get_params().items() if k != "device"},
            "classes": [str(c) for c in self.classes_],
            "n_features_in": self.n_features_in_,
            "embedding_dim": self.embedding_dim_,
            "skip": list(getattr(self.features_, "margin_cols", None) or []) or None,
            "best_epoch": self.best_epoch_,
            "best_val_macro_f1": self.best_val_macro_f1_,
            "history": self.history_,
        }
        (folder / _CONFIG).write_text(json.dumps(config, indent=2), encoding="utf-8")
        torch.save(self.head_.state_dict(), folder / _WEIGHTS)
        with open(folder / _FEATURES, "wb") as fh:
            pickle.dump(self.features_, fh)
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> RoleClassifier:
        """A fitted classifier from a folder written by ``save``."""
        import torch

        folder = Path(folder)
        try:
            config = json.loads((folder / _CONFIG).read_text(encoding="utf-8"))
            state = torch.load(folder / _WEIGHTS, map_location="cpu", weights_only=True)
            with open(folder / _FEATURES, "rb") as fh:
                feats = pickle.load(fh)
        except (OSError, ValueError, pickle.UnpicklingError, RuntimeError) as err:
            raise ModelError(f"cannot load a RoleClassifier from {folder}: {err}") from err
        model = cls(**config["params"])
        model.classes_ = np.asarray(config["classes"])
        skip = tuple(config["skip"]) if config.get("skip") else None
        head = _build_head(
            config["n_features_in"],
            len(model.classes_),
            model.hidden,
            model.dropout,
            feats.n_wide,
            skip,
        )
        head.load_state_dict(state)
        head.eval()
        model.head_ = head
        model.features_ = feats
        model.n_features_in_ = config["n_features_in"]
        model.embedding_dim_ = config["embedding_dim"]
        model.best_epoch_ = config["best_epoch"]
        model.best_val_macro_f1_ = config["best_val_macro_f1"]
        model.history_ = config["history"]
        model.device_ = "cpu"
        return model
