"""Matching the other way (roles for a candidate), the line saying what scored a shortlist, and
the Model lab reaching the promotion gate through analytics.promotion, with the fallback notice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from data.errors import PromotionRefused
from data.store.engine import session_scope
from ml import registry
from ml.matcher import FEATURE_NAMES
from ml.pair_scorer import PairScorer
from tests.dashboard.seed import seed_store


def _scorer() -> PairScorer:
    rng = np.random.default_rng(0)
    X = rng.random((200, len(FEATURE_NAMES)))
    return PairScorer().fit(X, (X[:, 0] > 0.5).astype(int), feature_names=FEATURE_NAMES)


@pytest.mark.slow
def test_roles_for_a_candidate_with_explanations_and_scorer(sqlite_engine, make_app) -> None:
    seeded = seed_store(sqlite_engine, n_candidates=8)
    at = make_app(sqlite_engine).run()
    at.switch_page("app_pages/matching.py").run()
    at.radio(key="match_direction").set_value("by_resume").run()
    assert not at.exception, at.exception
    rid = at.selectbox(key="mob_resume").value
    at.button(key="mob_run").click().run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Role" in d.value.columns)
    # the same ranking computed the other way: every resume for every role, the whole pool
    from ml.encoders import get_encoder
    from ml.matcher import load_profiles, match

    with session_scope(sqlite_engine) as s:
        profiles = load_profiles(s)
        other = match(s, get_encoder("minilm"), top_k=len(seeded.resumes), actor="test", depth=None)
    scores = {r.role: r.score for r in other.rows if r.resume_id == rid}
    assert len(scores) == len(profiles)
    order = sorted(scores, key=lambda k: (-scores[k], k))
    titles = {p.key: p.title for p in profiles}
    assert list(table["Role"]) == [titles[k] for k in order][: len(table)]
    assert list(table["Score"]) == pytest.approx(
        [round(scores[k], 1) for k in order][: len(table)], abs=0.051
    )
    assert "Matched skills (evidence)" in table.columns
    assert any(
        c.value.startswith("Scored by: default model v")
        and f"encoder {get_encoder('minilm').model_id}" in c.value  # int8 on a CPU
        for c in at.caption
    )


def test_model_lab_promotes_through_analytics_promotion(
    sqlite_engine, make_app, tmp_path: Path, monkeypatch
) -> None:
    import analytics.promotion as promotion

    with session_scope(sqlite_engine) as s:
        mv = registry.register(
            s, "pair_scorer", models_dir=tmp_path / "m", save=_scorer().save, actor="t"
        )
        mv_id = mv.id
    calls: list[int] = []

    def fake(session, version_id, **kw):
        calls.append(version_id)
        raise PromotionRefused(["stopped by the test"])

    monkeypatch.setattr(promotion, "promote", fake)
    at = make_app(sqlite_engine).run()
    at.switch_page("app_pages/model_lab.py").run()
    at.button(key="lab_promote").click().run()
    assert not at.exception, at.exception
    assert calls == [mv_id]
    assert any("stopped by the test" in e.value for e in at.error)


def test_model_lab_shows_the_fallback_notice(sqlite_engine, make_app, tmp_path: Path) -> None:
    with session_scope(sqlite_engine) as s:
        a = registry.register(
            s, "pair_scorer", models_dir=tmp_path / "m", save=_scorer().save, actor="t"
        )
        b = registry.register(
            s, "pair_scorer", models_dir=tmp_path / "m", save=_scorer().save, actor="t"
        )
        a.status, a.promoted_at = "retired", a.created_at
        b.status, b.promoted_at = "active", b.created_at
        damaged = Path(b.artefact_path) / "model.pkl"
    damaged.write_bytes(b"damaged")
    at = make_app(sqlite_engine).run()
    at.switch_page("app_pages/model_lab.py").run()
    assert not at.exception, at.exception
    assert any(
        "pair_scorer v2 is damaged" in w.value and "pair_scorer v1 serves instead" in w.value
        for w in at.warning
    )


def test_model_lab_says_what_scores_shortlists_before_a_scorer_is_promoted(
    sqlite_engine, make_app, tmp_path: Path
) -> None:
    """With no promoted shortlist scorer the Model lab names the shipped default model, its
    training data and each input with its weight, read from ml/default_scorer.json here."""
    import json

    import ml

    shipped = json.loads((Path(ml.__file__).parent / "default_scorer.json").read_text())
    at = make_app(sqlite_engine).run()
    at.switch_page("app_pages/model_lab.py").run()
    assert not at.exception, at.exception
    assert f"Scoring shortlists now: default model v{shipped['version']}" in [
        h.value for h in at.subheader
    ]
    body = " ".join(m.value for m in at.markdown)
    assert f"{shipped['pairs']:,} resume–role pairs" in body
    assert shipped["data_hash"][:12] in body
    (weights,) = [d.value for d in at.dataframe if "Weight" in d.value.columns]
    assert len(weights) == len(shipped["feature_names"])
    assert list(weights["Weight"]) == pytest.approx(shipped["model"]["coef"], abs=5e-4)
    assert "BM25, against the pool" in list(weights["Input"])
    # once a shortlist scorer is active it scores the shortlists, and the section goes
    with session_scope(sqlite_engine) as s:
        mv = registry.register(
            s, "pair_scorer", models_dir=tmp_path / "m", save=_scorer().save, actor="t"
        )
        mv.status, mv.promoted_at = "active", mv.created_at
    at.switch_page("app_pages/model_lab.py").run()
    assert not at.exception, at.exception
    assert not any(h.value.startswith("Scoring shortlists now") for h in at.subheader)
