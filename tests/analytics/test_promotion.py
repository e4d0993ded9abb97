"""The promotion gate (analytics.promotion): calibration with its reliability curve, the bias
audit's failing rule, the fallback notice, and that both front ends reach it through one place."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from analytics import promotion
from analytics.fairness import GroupRow, fails
from data.errors import PromotionRefused
from data.store.engine import session_scope
from data.store.models import AuditLog, ModelVersion
from ml import registry
from ml.matcher import FEATURE_NAMES
from ml.pair_scorer import PairScorer
from tests.ml.conftest import CountingEncoder

ROOT = Path(__file__).resolve().parents[2]


def _overconfident(seed: int = 0) -> tuple[PairScorer, np.ndarray, np.ndarray]:
    """A real pair scorer trained where nearly every pair with a high first feature advanced
    (97 %), tested where only 20 % of such pairs do: it says ~0.97, the truth is 0.2."""
    rng = np.random.default_rng(seed)
    X = rng.random((600, len(FEATURE_NAMES)))
    X[:, 0] = np.r_[rng.uniform(0.8, 1.0, 300), rng.uniform(0.0, 0.2, 300)]
    y = np.r_[(rng.random(300) < 0.97), (rng.random(300) < 0.03)].astype(int)
    scorer = PairScorer().fit(X, y, feature_names=FEATURE_NAMES)
    Xt = rng.random((200, len(FEATURE_NAMES)))
    Xt[:, 0] = rng.uniform(0.8, 1.0, 200)
    yt = np.zeros(200, dtype=int)
    yt[:40] = 1  # a 20 % positive class
    return scorer, Xt, yt


def _register(session, models_dir: Path, scorer: PairScorer, Xt, yt) -> ModelVersion:
    test = scorer.evaluate(Xt, yt)
    split = hashlib.sha256(b"split").hexdigest()
    return registry.register(
        session,
        "pair_scorer",
        models_dir=models_dir,
        save=scorer.save,
        actor="t",
        params={"feature_names": list(FEATURE_NAMES)},
        metrics={
            "primary_metric": "roc_auc",
            "test_split": split,
            "evaluations": {split: {"roc_auc": test["roc_auc"] or 0.5, "ece": test["ece"]}},
            "test": test,
        },
    )


def test_badly_calibrated_pair_scorer_is_refused_with_its_reliability_curve(
    engine, tmp_path: Path
) -> None:
    scorer, Xt, yt = _overconfident()
    p = scorer(Xt)
    assert p.mean() > 0.9 and yt.mean() == 0.2  # it says ~0.97 where 20 % advance
    # ECE by hand: ten equal-width bins, |mean predicted − observed| weighted by bin size
    which = np.minimum((p * 10).astype(int), 9)
    expected_ece = sum(
        (which == b).mean() * abs(p[which == b].mean() - yt[which == b].mean())
        for b in range(10)
        if (which == b).any()
    )
    top = which == 9
    top_line = (
        f"predicted {p[top].mean():.2f}, observed {yt[top].mean():.2f} (n = {int(top.sum())})"
    )
    with session_scope(engine) as s:
        mv = _register(s, tmp_path, scorer, Xt, yt)
        mv_id = mv.id
    with session_scope(engine) as s, pytest.raises(PromotionRefused) as err:
        promotion.promote(s, mv_id, actor="t", encoder=CountingEncoder())
    reason = next(r for r in err.value.reasons if "calibration" in r)
    assert f"expected calibration error {expected_ece:.3f}" in reason
    assert "above 0.05" in reason
    assert "0.9–1.0: " + top_line in reason
    with session_scope(engine) as s:
        assert s.get(ModelVersion, mv_id).status == "candidate"
        refused = s.scalars(select(AuditLog).where(AuditLog.action == "model.promote_refused"))
        assert any("calibration" in r for a in refused for r in a.detail["reasons"])


def test_a_calibrated_scorer_has_no_calibration_reason(engine, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    X = rng.random((5000, len(FEATURE_NAMES)))
    truth = 1 / (1 + np.exp(-6 * (X[:, 0] - 0.5)))  # a logistic truth the scorer can learn
    y = (rng.random(5000) < truth).astype(int)
    scorer = PairScorer().fit(X[:2000], y[:2000], feature_names=FEATURE_NAMES)
    with session_scope(engine) as s:
        mv = _register(s, tmp_path, scorer, X[2000:], y[2000:])
        reasons, bins = promotion.calibration_reasons(mv)
    assert reasons == [] and sum(b["count"] for b in bins) == 3000


def test_failing_rule_needs_size_and_significance() -> None:
    def row(n: int, p: float, ratio: float = 0.5) -> GroupRow:
        return GroupRow("sex", "x", n, 0, 0.0, 0.1, ratio, None, ratio < 0.8, p)

    assert fails(row(30, 0.01))
    assert not fails(row(29, 0.01))  # too few people: a warning
    assert not fails(row(300, 0.2))  # not significant: a warning
    assert not fails(row(300, 0.001, ratio=0.85))  # no adverse impact


def test_small_gap_is_a_warning_with_numbers() -> None:
    import pandas as pd

    from analytics.fairness import audit_selection

    # 8 of 20 Asian women selected against 45 of 60 White men (the most selected): ratio 0.53
    rows = [("female", "Asian", 1)] * 8 + [("female", "Asian", 0)] * 12
    rows += [("male", "Asian", 1)] * 70 + [("male", "Asian", 0)] * 30
    rows += [("female", "White", 1)] * 40 + [("female", "White", 0)] * 20
    rows += [("male", "White", 1)] * 45 + [("male", "White", 0)] * 15
    df = pd.DataFrame(rows, columns=["sex", "ethnicity", "selected"])
    result = audit_selection(df, "selected")
    inter = next(r for r in result.rows if r.group == "female × Asian")
    assert inter.flagged and inter.n == 20  # ratio 0.4/0.75 = 0.53 < 0.8, but 20 people
    assert not any("Female × Asian" in r for r in result.reasons)
    warn = next(w for w in result.warnings if "Female × Asian" in w and "impact ratio" in w)
    assert "0.53" in warn and "n = 20" in warn and "fewer than 30 people" in warn
    zh = next(w for w in result.warning_texts("zh") if "影响比" in w)
    assert "0.53" in zh and "不足 30 人" in zh


def test_fallback_notice_names_both_versions(engine, tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    X = rng.random((100, len(FEATURE_NAMES)))
    y = (X[:, 0] > 0.5).astype(int)
    with session_scope(engine) as s:
        a = registry.register(
            s, "pair_scorer", models_dir=tmp_path, save=PairScorer().fit(X, y).save, actor="t"
        )
        b = registry.register(
            s, "pair_scorer", models_dir=tmp_path, save=PairScorer().fit(X, y).save, actor="t"
        )
        a.status, a.promoted_at = "retired", a.created_at
        b.status, b.promoted_at = "active", b.created_at
        path = Path(b.artefact_path) / "model.pkl"
    path.write_bytes(b"damaged")
    with session_scope(engine) as s:
        served = promotion.serving(s, "pair_scorer", actor="t")
    assert served.version is not None and served.version.version == 1
    assert served.notice is not None
    assert (served.notice.broken, served.notice.serving) == ("pair_scorer v2", "pair_scorer v1")
    assert "checksum" in served.notice.error


def test_only_analytics_promotion_calls_the_registry_gate() -> None:
    """One home for the gate: no front end (or anything else) calls registry.promote."""
    callers = [
        p.relative_to(ROOT).as_posix()
        for folder in ("cli", "dashboard", "analytics", "ml", "data")
        for p in (ROOT / folder).rglob("*.py")
        if "registry.promote(" in p.read_text(encoding="utf-8")
    ]
    assert callers == ["analytics/promotion.py"]
