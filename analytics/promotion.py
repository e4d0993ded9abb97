"""The promotion gate and the served model, once for both front ends.

``promote`` is the only way the CLI (``talentmap models promote``) and the Model lab make a
model version active. It asks the registry (``ml.registry.promote``: intact artefact, better
than the active version on the same test split) and adds what needs analytics:

- **calibration** (pair scorers): expected calibration error on the version's own test split
  at most ``MAX_ECE``; the reliability curve is part of the reasons, so a scorer that says 0.97
  where 20 % advance is refused with the bins that show it;
- **the bias audit** (``analytics.fairness.audit_model``) of the scores the version gives the
  stored applicants (``ml.training.audit_scores``, which reuses stored match features and the
  embedding cache), under the fairness module's failing rule; its warnings come back with the
  outcome.

``serving`` loads the active model of a kind and says, in a ``Notice``, when a corrupted
artefact made an older version serve instead, so both front ends can show it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from data.errors import PromotionRefused, TalentMapError
from data.store import model_versions as q
from data.store.models import ModelVersion
from ml import registry
from ml.encoders import Encoder

MAX_ECE = 0.05
"""Highest expected calibration error (test split) a pair scorer may have to be promoted."""

StageProgress = Callable[[str, int, int], None]


@dataclass
class GateOutcome:
    """A promotion that went through: the version now active and what the gate noted."""

    version: ModelVersion
    warnings: list[str] = field(default_factory=list)
    reliability: list[dict[str, Any]] = field(default_factory=list)
    audit_id: int | None = None


def reliability_lines(bins: Sequence[dict[str, Any]]) -> list[str]:
    """The reliability curve as text, one bin per line: predicted against observed."""
    return [
        f"{b['lo']:.1f}–{b['hi']:.1f}: predicted {b['mean_predicted']:.2f}, observed "
        f"{b['fraction_positive']:.2f} (n = {b['count']})"
        for b in bins
    ]


def calibration_reasons(mv: ModelVersion) -> tuple[list[str], list[dict[str, Any]]]:
    """Why a pair scorer's probabilities cannot be trusted on its test split (empty when they
    can), and that split's reliability curve. Other kinds are not judged here."""
    if mv.kind != "pair_scorer":
        return [], []
    test = (mv.metrics or {}).get("test") or {}
    ece = test.get("ece")
    bins = list(test.get("reliability") or [])
    if ece is None:
        return [
            f"{registry.label(mv)} has no calibration measured on its test split: retrain it "
            "with `talentmap train pair-scorer`"
        ], bins
    if float(ece) <= MAX_ECE:
        return [], bins
    curve = "; ".join(reliability_lines(bins))
    return [
        f"{registry.label(mv)} is badly calibrated on its test split ({test.get('n', '?')} "
        f"decisions): expected calibration error {float(ece):.3f}, above {MAX_ECE}; its scores "
        f"would not read as probabilities. Reliability curve: {curve}"
    ], bins


def promote(
    session: Session,
    version_id: int,
    *,
    actor: str,
    encoder: Encoder | None = None,
    encoder_for: Callable[[str], Encoder] | None = None,
    cache_dir: Path | None = None,
    progress: StageProgress | None = None,
) -> GateOutcome:
    """Make model version ``version_id`` active if it passes the whole gate.

    Raises ``PromotionRefused`` with every reason otherwise (the refusal is in the audit log,
    in the caller's transaction: commit it). ``encoder`` (or ``encoder_for(name)``) is the
    encoder a pair scorer's features come from; ``progress(stage, done, total)`` follows the
    audit's scoring.
    """
    from analytics.fairness import audit_model
    from ml.training import audit_scores

    mv = q.get_version_by_id(session, version_id)
    warnings: list[str] = []
    bins: list[dict[str, Any]] = []
    audit_ids: list[int] = []

    def gate(candidate: ModelVersion) -> registry.SimpleOutcome:
        reasons, curve = calibration_reasons(candidate)
        bins.extend(curve)
        enc = encoder
        if enc is None and candidate.kind == "pair_scorer":
            name = (candidate.params or {}).get("encoder") or "minilm"
            enc = encoder_for(name) if encoder_for is not None else None
        try:
            scores = audit_scores(
                session, candidate, encoder=enc, cache_dir=cache_dir, progress=progress
            )
        except TalentMapError as err:
            return registry.SimpleOutcome(False, [*reasons, f"bias audit could not run: {err}"])
        if scores.attrs.get("note"):
            warnings.append(f"bias audit: {scores.attrs['note']}")
        outcome = audit_model(session, candidate, scores=scores, actor=actor)
        if outcome.audit_id is not None:
            audit_ids.append(outcome.audit_id)
        warnings.extend(outcome.result.warnings)
        return registry.SimpleOutcome(not reasons and outcome.passed, reasons + outcome.reasons)

    promoted = registry.promote(session, mv.id, actor=actor, bias_audit=gate)
    return GateOutcome(promoted, warnings, bins, audit_ids[-1] if audit_ids else None)


def promote_version(session: Session, kind: str, version: int, **kw: Any) -> GateOutcome:
    """``promote`` by kind and version number (``classifier`` 3) instead of row id."""
    return promote(session, q.get_version(session, kind, version).id, **kw)


@dataclass
class Notice:
    """A served model came from an older version because the active one's artefact is bad."""

    broken: str
    serving: str
    error: str

    def text(self) -> str:
        return f"{self.broken} is damaged ({self.error}); serving {self.serving} instead"


@dataclass
class Serving:
    """The model serving ``kind`` (None: none active) and the fallback notice, if any."""

    model: Any
    version: ModelVersion | None
    notice: Notice | None = None

    @property
    def version_id(self) -> int | None:
        return None if self.version is None else self.version.id


def serving(session: Session, kind: str, *, actor: str) -> Serving:
    """The active, checksum-verified model of ``kind``; falls back to the newest intact
    earlier version (with a ``Notice``) when the active one is damaged."""
    loaded = registry.load_active(session, kind, actor=actor)
    if loaded is None:
        return Serving(None, None)
    notice = None
    if loaded.fell_back:
        current = registry.active(session, kind)
        notice = Notice(
            registry.label(current) if current is not None else kind,
            registry.label(loaded.version),
            str(loaded.problems[0]),
        )
    return Serving(loaded.model, loaded.version, notice)


__all__ = [
    "MAX_ECE",
    "GateOutcome",
    "Notice",
    "PromotionRefused",
    "Serving",
    "calibration_reasons",
    "promote",
    "promote_version",
    "reliability_lines",
    "serving",
]
