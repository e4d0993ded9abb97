"""Role profiles, features, scores, explanations, top-k and stored, reproducible match runs."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

from data.errors import InputError, NotFoundError
from data.store.engine import session_scope
from data.store.models import AuditLog, MatchRun, MatchScore
from data.text.taxonomy import load_taxonomy
from ml.matcher import (
    DEFAULT_WEIGHTS,
    FEATURE_NAMES,
    RoleProfile,
    SkillSpace,
    TopK,
    load_profiles,
    load_run,
    match,
    merge_top,
    pair_features,
    score_pairs,
)
from tests.ml.conftest import seed_matching_store


def test_profiles_load_with_weighted_required_and_nice_skills(engine):
    with session_scope(engine) as s:
        seed_matching_store(s)
        profiles = load_profiles(s, ["ml_engineer"])
        assert [p.key for p in load_profiles(s)] == ["data_analyst", "ml_engineer"]
        with pytest.raises(NotFoundError, match="no_such_role"):
            load_profiles(s, ["ml_engineer", "no_such_role"])
    (p,) = profiles
    assert sorted(p.skills) == [
        ("kubernetes", 1.0, False),
        ("python", 1.0, True),
        ("pytorch", 2.0, True),
    ]
    text = p.text(load_taxonomy())
    assert "Machine Learning Engineer" in text and "机器学习工程师" in text and "PyTorch" in text


def _profile(skills):
    return RoleProfile(1, "r", "R", "", skills)


def test_coverage_is_weighted_and_bilingual():
    tax = load_taxonomy()
    prof = _profile([("pytorch", 3.0, True), ("python", 1.0, True), ("kubernetes", 1.0, False)])
    space = SkillSpace.of([prof])
    hits = space.hits(tax, ["熟悉PyTorch", "Python only", "python, pytorch and kubernetes", ""])
    feats = pair_features(
        np.zeros((4, 2), np.float32),
        np.zeros((4, 1), np.float32),
        hits,
        np.zeros((1, 2), np.float32),
        space,
        skill_best=np.zeros((4, 3), np.float32),
    )
    req = feats[:, 0, FEATURE_NAMES.index("required_coverage")]
    nice = feats[:, 0, FEATURE_NAMES.index("nice_coverage")]
    np.testing.assert_allclose(req, [0.75, 0.25, 1.0, 0.0])
    np.testing.assert_allclose(nice, [0.0, 0.0, 1.0, 0.0])
    found = feats[:, 0, FEATURE_NAMES.index("skills_found")]
    assert found[2] == pytest.approx(1.0) and found[3] == 0.0 and 0 < found[0] < found[2]


def test_skill_evidence_weighs_required_skills_three_to_one():
    prof = _profile([("pytorch", 1.0, True), ("kubernetes", 1.0, False)])
    space = SkillSpace.of([prof])
    best = np.zeros((2, 2), np.float32)
    best[0, space.keys.index("pytorch")] = 0.8  # the required skill is well evidenced
    best[1, space.keys.index("kubernetes")] = 0.8  # only the nice-to-have one
    feats = pair_features(
        np.zeros((2, 2), np.float32),
        np.zeros((2, 1), np.float32),
        space.hits(load_taxonomy(), ["", ""]),
        np.zeros((1, 2), np.float32),
        space,
        skill_best=best,
    )
    ev = feats[:, 0, FEATURE_NAMES.index("skill_evidence")]
    np.testing.assert_allclose(ev, [0.6, 0.2], rtol=1e-6)
    with pytest.raises(ValueError, match="skill_best"):
        pair_features(
            np.zeros((2, 2), np.float32),
            np.zeros((2, 1), np.float32),
            space.hits(load_taxonomy(), ["", ""]),
            np.zeros((1, 2), np.float32),
            space,
        )


def test_a_role_without_required_skills_is_fully_covered():
    space = SkillSpace.of([_profile([("sql", 1.0, False)])])
    feats = pair_features(
        np.zeros((1, 2), np.float32),
        np.zeros((1, 1), np.float32),
        space.hits(load_taxonomy(), ["nothing"]),
        np.zeros((1, 2), np.float32),
        space,
        skill_best=np.zeros((1, 1), np.float32),
    )
    assert feats[0, 0, FEATURE_NAMES.index("required_coverage")] == 1.0


def test_score_is_0_to_100_and_never_falls_with_more_evidence():
    from ml.default_scorer import load_default_scorer

    used = set(load_default_scorer().feature_names)
    rng = np.random.default_rng(0)
    feats = rng.uniform(-0.2, 1.0, size=(200, len(FEATURE_NAMES))).astype(np.float32)
    for kw in ({}, {"weights": DEFAULT_WEIGHTS}):
        scores = score_pairs(feats, **kw)
        assert scores.shape == (200,) and scores.min() >= 0 and scores.max() <= 100
    base = np.full((1, len(FEATURE_NAMES)), 0.3, np.float32)
    for j, name in enumerate(FEATURE_NAMES):
        better = base.copy()
        better[0, j] = 0.5
        # the learned default: rises with every feature it uses, ignores the others
        if name in used:
            assert score_pairs(better)[0] > score_pairs(base)[0], name
        else:
            assert score_pairs(better)[0] == score_pairs(base)[0], name
        # the hand-set weights: rise with every weighted feature
        if DEFAULT_WEIGHTS[name] > 0:
            w = DEFAULT_WEIGHTS
            assert score_pairs(better, weights=w)[0] > score_pairs(base, weights=w)[0], name
    assert score_pairs(np.ones((1, len(FEATURE_NAMES))), weights=DEFAULT_WEIGHTS) == (
        pytest.approx(100.0)
    )
    assert sum(DEFAULT_WEIGHTS.values()) == pytest.approx(1.0)


def test_a_pair_scorer_replaces_the_weights():
    feats = np.zeros((2, 3, len(FEATURE_NAMES)), np.float32)
    feats[..., 2] = [[0.0, 0.5, 1.0], [1.0, 0.5, 0.0]]
    seen = []

    def scorer(x):
        seen.append(x.shape)
        return x[:, 2] * 0.9

    out = score_pairs(feats, pair_scorer=scorer)
    assert seen == [(6, len(FEATURE_NAMES))]
    np.testing.assert_allclose(out, 90 * feats[..., 2], rtol=1e-6)
    with pytest.raises(ValueError, match="feature columns"):
        score_pairs(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="unknown feature weight"):
        score_pairs(feats, weights={"salary": 1.0})


def test_topk_over_blocks_equals_a_full_sort():
    rng = np.random.default_rng(1)
    scores = rng.random((1000, 7)).astype(np.float32)
    top = TopK(7, 5)
    for start in range(0, 1000, 128):
        top.add(scores[start : start + 128], np.arange(start, min(start + 128, 1000)))
    for j, best in enumerate(top.result()):
        expected = np.argsort(-scores[:, j])[:5]
        assert [rid for rid, _s in best] == expected.tolist()


@pytest.mark.parametrize("k", [1, 4, 30], ids=["k1", "k4", "k-beyond-shards"])
def test_merging_shard_topk_lists_equals_a_sort_of_their_union(k):
    # coarse scores and margins, so ties on score (and on both) are frequent; some pairs are
    # not candidates (-inf) and must never be listed
    rng = np.random.default_rng(7)
    n, roles = 60, 5
    ids = rng.permutation(np.arange(1000, 1000 + n))
    scores = rng.integers(0, 6, (n, roles)).astype(np.float32)
    scores[rng.random((n, roles)) < 0.2] = -np.inf
    margin = rng.integers(0, 3, (n, roles)).astype(np.float64)
    shards = []
    for rows in np.array_split(np.arange(n), 4):
        t = TopK(roles, k)
        t.add(scores[rows], ids[rows], margin[rows])
        shards.append(t)
    got = merge_top(shards, k).result()
    for j in range(roles):
        union = [
            (int(ids[i]), float(scores[i, j]), float(margin[i, j]))
            for i in range(n)
            if scores[i, j] != -np.inf
        ]
        union.sort(key=lambda p: (-p[1], -p[2], p[0]))
        assert got[j] == [(rid, sc) for rid, sc, _m in union[:k]]


def test_merge_top_refuses_shards_of_different_roles():
    with pytest.raises(ValueError, match="number of roles"):
        merge_top([TopK(2, 3), TopK(3, 3)], 3)
    with pytest.raises(ValueError, match="at least one"):
        merge_top([], 3)


def test_match_ranks_stores_explains_and_audits(engine, counting_encoder):
    with session_scope(engine) as s:
        ids = seed_matching_store(s)
        result = match(s, counting_encoder, top_k=3, actor="alice")
    ml = result.for_role("ml_engineer")
    analyst = result.for_role("data_analyst")
    assert {r.resume for r in ml[:2]} == {"ml_en.txt", "ml_zh.txt"}
    assert {r.resume for r in analyst[:2]} == {"analyst_en.txt", "analyst_zh.txt"}
    assert [r.rank for r in ml] == [1, 2, 3] and ml[0].score >= ml[1].score >= ml[2].score
    zh = next(r for r in ml if r.resume == "ml_zh.txt")
    assert set(zh.matched_skills) >= {"pytorch", "python"} and zh.missing_skills == []
    ev = {m["key"]: m["evidence"] for m in zh.explanation["matched_skills"]}
    assert "PyTorch" in ev["pytorch"] and "深度学习" in ev["pytorch"]
    assert zh.explanation["strongest_passages"]
    assert set(zh.explanation["features"]) == set(FEATURE_NAMES)

    with session_scope(engine) as s:
        run = s.get(MatchRun, result.run_id)
        assert run.created_by == "alice" and run.encoder == counting_encoder.model_id
        assert run.params["top_k"] == 3 and run.params["score_source"] == "default_scorer"
        assert run.params["default_scorer"]["version"] >= 1
        assert run.params["taxonomy_hash"] and run.params["roles"] == [
            "data_analyst",
            "ml_engineer",
        ]
        n_scores = s.scalar(
            select(func.count()).select_from(MatchScore).where(MatchScore.run_id == run.id)
        )
        assert n_scores == 6
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "match.run")).one()
        assert audit.target == str(run.id) and audit.actor == "alice"
        stored = load_run(s, run.id)
    assert [(r.role, r.resume_id, r.rank, r.score) for r in stored.rows] == [
        (r.role, r.resume_id, r.rank, r.score) for r in result.rows
    ]
    assert ids["cook.txt"] not in {r.resume_id for r in ml[:2]}


def test_rematching_unchanged_resumes_encodes_nothing(engine, counting_encoder):
    with session_scope(engine) as s:
        seed_matching_store(s)
        first = match(s, counting_encoder, top_k=2, actor="a")
    assert first.texts_encoded > 0
    counting_encoder.encoded.clear()
    with session_scope(engine) as s:
        second = match(s, counting_encoder, top_k=2, actor="a")
    assert counting_encoder.encoded == [] and second.texts_encoded == 0
    assert [(r.role, r.resume_id, r.score) for r in second.rows] == [
        (r.role, r.resume_id, r.score) for r in first.rows
    ]


def test_missing_required_skills_get_the_closest_passage(engine, counting_encoder):
    with session_scope(engine) as s:
        seed_matching_store(s)
        result = match(s, counting_encoder, role_keys=["ml_engineer"], top_k=5, actor="a")
    cook = next(r for r in result.rows if r.resume == "cook.txt")
    assert set(cook.missing_skills) == {"pytorch", "python"} and cook.matched_skills == []
    assert cook.rank == 5


def test_match_rejects_bad_requests(engine, counting_encoder):
    with session_scope(engine) as s:
        with pytest.raises(NotFoundError, match="no roles"):
            match(s, counting_encoder, actor="a")
        seed_matching_store(s)
        with pytest.raises(NotFoundError, match="ghost"):
            match(s, counting_encoder, role_keys=["ghost"], actor="a")
        with pytest.raises(NotFoundError, match="resume id"):
            match(s, counting_encoder, resume_ids=[999999], actor="a")
        with pytest.raises(InputError, match="top"):
            match(s, counting_encoder, top_k=0, actor="a")


def test_match_with_minilm_ranks_by_meaning(sqlite_engine, minilm):
    with session_scope(sqlite_engine) as s:
        seed_matching_store(s)
        result = match(s, minilm, role_keys=["ml_engineer"], top_k=5, actor="a")
    names = [r.resume for r in result.rows]
    assert set(names[:2]) == {"ml_en.txt", "ml_zh.txt"}
    assert result.rows[0].score > result.rows[-1].score + 20
