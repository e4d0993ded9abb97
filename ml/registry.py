"""Model registry: every training run is a ``ModelVersion`` row with its artefact folder.

Artefacts live in ``<models_dir>/<kind>/v<N>/`` with a sha256 checksum over their files.
A run is registered in three steps so that a failure never leaves half a model behind: the
artefact is written to a hidden temporary folder, renamed into place, and only then is the row
inserted (with its audit row, in the caller's transaction). Training that fails or is
interrupted before ``register`` leaves the registry — and the active model — untouched.

Status moves candidate → active → retired. ``promote`` is a gate: the challenger must beat the
active model on the same test split (identified by its split hash) and pass the bias audit,
which the front end injects (``ml/`` does not import ``analytics/``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from sqlalchemy.orm import Session

from data.errors import (
    ArtefactCorrupted,
    ModelError,
    PromotionRefused,
    RollbackRefused,
    TalentMapError,
)
from data.store import model_versions as q
from data.store.audit import record
from data.store.models import ModelVersion

Kind = Literal["classifier", "pair_scorer", "encoder"]
KINDS: tuple[str, ...] = ("classifier", "pair_scorer", "encoder")


@runtime_checkable
class AuditOutcome(Protocol):
    """What the promotion gate needs from a bias audit."""

    passed: bool
    reasons: list[str]


BiasAudit = Callable[[ModelVersion], AuditOutcome]
"""Audits a model version for adverse impact (``analytics.fairness.audit_model`` in the app)."""


@dataclass
class SimpleOutcome:
    """A plain ``AuditOutcome``."""

    passed: bool
    reasons: list[str] = field(default_factory=list)


def label(mv: ModelVersion) -> str:
    """``classifier v3`` — how a version is named in messages and audit rows."""
    return f"{mv.kind} v{mv.version}"


def artefact_checksum(folder: str | Path) -> str:
    """sha256 over every file's relative path and bytes, in path order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ArtefactCorrupted(f"model artefact folder {folder} is missing")
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        h.update(b"\0")
    return h.hexdigest()


def library_versions() -> dict[str, str]:
    """Versions of the libraries a model depends on (recorded with every run)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("torch", "scikit-learn", "numpy", "sentence-transformers", "talentmap"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            continue
    return out


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ModelError(f"unknown model kind {kind!r}: use one of {', '.join(KINDS)}")


def register(
    session: Session,
    kind: str,
    *,
    models_dir: str | Path,
    save: Callable[[Path], Any],
    actor: str,
    params: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
    data_hash: str | None = None,
) -> ModelVersion:
    """Store a trained model as the next candidate version of ``kind``.

    ``save(folder)`` writes the artefact. If it raises, nothing is registered and no folder
    is left behind.
    """
    _check_kind(kind)
    version = q.next_version(session, kind)
    root = Path(models_dir) / kind
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{uuid.uuid4().hex}"
    final = root / f"v{version}"
    try:
        tmp.mkdir()
        save(tmp)
        checksum = artefact_checksum(tmp)
        if final.exists():  # left by a run whose row was never committed
            shutil.rmtree(final)
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    mv = ModelVersion(
        kind=kind,
        version=version,
        status="candidate",
        params=params or {},
        metrics=metrics or {},
        artefact_path=str(final.resolve()),
        checksum=checksum,
        data_hash=data_hash,
        lib_versions=library_versions(),
        created_by=actor,
    )
    session.add(mv)
    session.flush()
    record(
        session,
        actor,
        "model.register",
        target_type="model_version",
        target=label(mv),
        model_version=label(mv),
        detail={"checksum": checksum, "data_hash": data_hash},
    )
    return mv


def active(session: Session, kind: str) -> ModelVersion | None:
    """The version of ``kind`` now serving, or None."""
    _check_kind(kind)
    return q.active_version(session, kind)


def verify(mv: ModelVersion) -> None:
    """Raise ``ArtefactCorrupted`` unless the artefact's checksum matches the registry."""
    if not mv.artefact_path or not mv.checksum:
        raise ArtefactCorrupted(f"{label(mv)} has no artefact recorded")
    actual = artefact_checksum(mv.artefact_path)
    if actual != mv.checksum:
        raise ArtefactCorrupted(
            f"{label(mv)}: artefact checksum mismatch in {mv.artefact_path} (expected "
            f"{mv.checksum[:12]}…, found {actual[:12]}…); the files were changed or damaged. "
            f"Retrain, or roll back with `talentmap models rollback {mv.kind}`"
        )


def load_artefact(mv: ModelVersion) -> Any:
    """The model object stored for ``mv`` (checksum not verified here)."""
    path = Path(mv.artefact_path or "")
    if mv.kind == "classifier":
        from ml.classifier import load_classifier

        return load_classifier(path)
    if mv.kind == "pair_scorer":
        from ml.pair_scorer import PairScorer

        return PairScorer.load(path)
    from ml.encoders import get_encoder

    return get_encoder(str(path))


@dataclass
class Loaded:
    """A served model: the version that serves, and what went wrong on the way (if anything)."""

    version: ModelVersion
    model: Any
    problems: list[ArtefactCorrupted] = field(default_factory=list)

    @property
    def fell_back(self) -> bool:
        return bool(self.problems)


def load_active(session: Session, kind: str, *, actor: str = "system") -> Loaded | None:
    """Load the active model of ``kind`` after verifying its checksum.

    A corrupted artefact is reported (an audit row, and in ``Loaded.problems``) and the most
    recent previously active version whose checksum still matches serves instead. Returns None
    when no version of ``kind`` is active; raises ``ArtefactCorrupted`` when no good one is left.
    """
    current = active(session, kind)
    if current is None:
        return None
    problems: list[ArtefactCorrupted] = []
    for mv in [current, *q.previously_active(session, kind, exclude=current.id)]:
        try:
            verify(mv)
            model = load_artefact(mv)
        except (ArtefactCorrupted, ModelError) as err:
            bad = err if isinstance(err, ArtefactCorrupted) else ArtefactCorrupted(str(err))
            problems.append(bad)
            record(
                session,
                actor,
                "model.artefact_corrupted",
                target_type="model_version",
                target=label(mv),
                model_version=label(mv),
                detail={"error": str(bad)},
            )
            continue
        if problems:
            record(
                session,
                actor,
                "model.fallback",
                target_type="model_version",
                target=label(mv),
                model_version=label(mv),
                detail={"instead_of": label(current)},
            )
        return Loaded(mv, model, problems)
    raise ArtefactCorrupted(f"no usable {kind} model: {'; '.join(str(p) for p in problems)}")


def _test_scores(mv: ModelVersion) -> dict[str, float]:
    """split hash → primary metric, over every test split ``mv`` was evaluated on."""
    metrics = mv.metrics or {}
    primary = metrics.get("primary_metric", "macro_f1")
    out = {}
    for split, m in (metrics.get("evaluations") or {}).items():
        if primary in m:
            out[split] = float(m[primary])
    return out


def add_evaluation(
    session: Session, mv: ModelVersion, split: str, metrics: dict[str, Any], *, actor: str
) -> None:
    """Store ``mv``'s scores on the test split ``split`` (so versions can be compared)."""
    data = dict(mv.metrics or {})
    evaluations = dict(data.get("evaluations") or {})
    evaluations[split] = metrics
    data["evaluations"] = evaluations
    mv.metrics = data
    record(
        session,
        actor,
        "model.evaluate",
        target_type="model_version",
        target=label(mv),
        model_version=label(mv),
        detail={"split_hash": split},
    )


def promotion_reasons(
    session: Session, mv: ModelVersion, *, bias_audit: BiasAudit | None
) -> list[str]:
    """Why ``mv`` may not go live (empty when it may)."""
    reasons: list[str] = []
    if mv.status == "active":
        return [f"{label(mv)} is already active"]
    try:
        verify(mv)
    except ArtefactCorrupted as err:
        reasons.append(str(err))
    current = active(session, mv.kind)
    mine = _test_scores(mv)
    primary = (mv.metrics or {}).get("primary_metric", "macro_f1")
    greater = (mv.metrics or {}).get("greater_is_better", True)
    if not mine:
        reasons.append(
            f"{label(mv)} has no test-split evaluation: run `talentmap evaluate "
            f"--version {mv.version}`"
        )
    elif current is not None:
        theirs = _test_scores(current)
        shared = sorted(set(mine) & set(theirs))
        if not shared:
            reasons.append(
                f"{label(mv)} and the active {label(current)} were not scored on the same test "
                f"split: evaluate both on one data set with `talentmap evaluate`"
            )
        else:
            split = shared[-1]
            a, b = mine[split], theirs[split]
            beats = a > b if greater else a < b
            if not beats:
                reasons.append(
                    f"{label(mv)} does not beat the active {label(current)} on test split "
                    f"{split[:12]}: {primary} {a:.4f} vs {b:.4f}"
                )
    if bias_audit is None:
        reasons.append("no bias audit was run: the gate needs one")
    else:
        try:
            outcome = bias_audit(mv)
        except TalentMapError as err:
            reasons.append(f"bias audit could not run: {err}")
        else:
            if not outcome.passed:
                reasons.extend(outcome.reasons or ["bias audit failed"])
    return reasons


def promote(
    session: Session, version_id: int, *, actor: str, bias_audit: BiasAudit | None
) -> ModelVersion:
    """Make version ``version_id`` active; the one it replaces is retired.

    Raises ``PromotionRefused`` with every reason when the challenger does not beat the active
    model on the same test split, fails the bias audit, or its artefact is damaged.
    """
    mv = q.get_version_by_id(session, version_id)
    reasons = promotion_reasons(session, mv, bias_audit=bias_audit)
    if reasons:
        record(
            session,
            actor,
            "model.promote_refused",
            target_type="model_version",
            target=label(mv),
            model_version=label(mv),
            detail={"reasons": reasons},
        )
        raise PromotionRefused(reasons)
    current = active(session, mv.kind)
    if current is not None:
        current.status = "retired"
        session.flush()
    mv.status = "active"
    mv.promoted_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    session.flush()
    record(
        session,
        actor,
        "model.promote",
        target_type="model_version",
        target=label(mv),
        model_version=label(mv),
        detail={"replaces": label(current) if current is not None else None},
    )
    return mv


def rollback(session: Session, kind: str, *, actor: str) -> ModelVersion:
    """Retire the active version of ``kind`` and serve the previously active one again.

    Raises ``RollbackRefused`` when nothing is active or no earlier version is intact.
    """
    current = active(session, kind)
    if current is None:
        raise RollbackRefused(
            [
                f"no {kind} model is active, so there is nothing to roll back: "
                f"promote one with `talentmap models promote`"
            ]
        )
    for prev in q.previously_active(session, kind, exclude=current.id):
        try:
            verify(prev)
        except ArtefactCorrupted:
            continue
        current.status = "retired"
        current.promoted_at = None  # a rolled-back version is not a fallback target again
        session.flush()
        prev.status = "active"
        prev.promoted_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        session.flush()
        record(
            session,
            actor,
            "model.rollback",
            target_type="model_version",
            target=label(prev),
            model_version=label(prev),
            detail={"retired": label(current)},
        )
        return prev
    raise RollbackRefused([f"no earlier {kind} version with an intact artefact to roll back to"])
