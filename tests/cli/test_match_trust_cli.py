"""`talentmap match --by resume`, every output naming its scorer, and the promotion gate
reached from the CLI through analytics.promotion."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from sqlalchemy import select

import ml.encoders
from data.store.engine import session_scope
from data.store.models import MatchRun, MatchScore
from ml.matcher import document_features, load_profiles, score_pairs
from tests.ml.conftest import CountingEncoder, seed_matching_store


@pytest.fixture
def store_cli(cli, monkeypatch):
    enc = CountingEncoder()
    monkeypatch.setattr(ml.encoders, "get_encoder", lambda name="minilm", **_kw: enc)
    with session_scope(cli.engine) as s:
        cli.ids = seed_matching_store(s)
    cli.encoder = enc
    return cli


def _expected_roles(engine, encoder, resume_id: int) -> list[tuple[str, float]]:
    """The roles for one resume computed another way: the matcher's feature tensor for the
    whole (stored pool × role) grid, scored, this resume's row sorted by hand."""
    from data.store.models import Resume
    from data.store.skills import store_taxonomy

    with session_scope(engine) as s:
        pool = s.execute(select(Resume.id, Resume.text).order_by(Resume.id)).all()
        profiles = load_profiles(s)
        feats = document_features(s, encoder, [t for _, t in pool], profiles, store_taxonomy(s))
    row = [i for i, _ in pool].index(resume_id)
    scores = score_pairs(feats)[row]
    order = sorted(range(len(profiles)), key=lambda j: (-float(scores[j]), profiles[j].key))
    return [(profiles[j].key, round(float(scores[j]), 2)) for j in order]


def test_match_by_resume_json_ranks_roles_for_the_candidate(store_cli) -> None:
    rid = store_cli.ids["ml_zh.txt"]
    res = store_cli("match", "--by", "resume", "--resume", str(rid), "--format", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    expected = _expected_roles(store_cli.engine, store_cli.encoder, rid)
    assert [(r["role"], r["score"]) for r in rows] == expected
    assert [r["rank"] for r in rows] == list(range(1, len(expected) + 1))
    assert {r["resume_id"] for r in rows} == {rid} and rows[0]["direction"] == "by_resume"
    assert rows[0]["role"] == "ml_engineer" and "pytorch" in rows[0]["matched_skills"]
    assert set(rows[0]["evidence"]) == set(rows[0]["matched_skills"])  # same explanations
    with session_scope(store_cli.engine) as s:
        run = s.get(MatchRun, rows[0]["run_id"])
        assert run.direction == "by_resume" and run.scorer["encoder"] == "test:hashing-bow"
        stored = s.scalars(select(MatchScore).where(MatchScore.run_id == run.id)).all()
        assert sorted(m.rank for m in stored) == [1, 2]


def test_match_by_resume_table_and_top(store_cli) -> None:
    res = store_cli("match", "--by", "resume", "--top", "1")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].startswith("scored by: default model v")
    assert "· encoder test:hashing-bow" in lines[0]
    assert lines[1].split()[:3] == ["resume", "rank", "role"]
    body = lines[2:]
    assert len(body) == len(store_cli.ids)  # one best role per stored resume
    assert {ln.split()[0] for ln in body} == set(store_cli.ids)


def test_every_output_names_its_scorer(store_cli) -> None:
    from ml.default_scorer import load_default_scorer

    version = load_default_scorer().version
    expected = f"default model v{version} · encoder test:hashing-bow · stage one: top 200 per role"
    table = store_cli("match", "--top", "1")
    assert table.exit_code == 0 and f"scored by: {expected}" in table.stdout
    rows = list(csv.DictReader(io.StringIO(store_cli("match", "--format", "csv").stdout)))
    assert rows and {r["scored_by"] for r in rows} == {expected}
    data = json.loads(store_cli("match", "--format", "json").stdout)
    assert {d["scored_by"] for d in data} == {expected}
    assert data[0]["scorer"] == {
        "kind": "default_model",
        "version": version,
        "model_version_id": None,
        "encoder": "test:hashing-bow",
        "stage_one_depth": 200,
    }


def test_resume_option_needs_by_resume(store_cli) -> None:
    res = store_cli("match", "--resume", "1")
    assert res.exit_code != 0 and "--by resume" in res.output


def test_cli_promotion_goes_through_analytics_promotion(store_cli, monkeypatch) -> None:
    import analytics.promotion as promotion
    from data.errors import PromotionRefused

    calls: list[tuple[str, int]] = []

    def fake(session, kind, version, **kw):
        calls.append((kind, version))
        raise PromotionRefused(["stopped by the test"])

    monkeypatch.setattr(promotion, "promote_version", fake)
    res = store_cli("models", "promote", "3", "--kind", "pair_scorer")
    assert res.exit_code == 6 and "stopped by the test" in res.output
    assert calls == [("pair_scorer", 3)]


def test_pair_scorer_shortlist_names_the_version(store_cli, tmp_path) -> None:
    """With an active pair scorer, the table says 'your pair scorer v1' and no score is 100."""
    from ml import registry
    from ml.matcher import FEATURE_NAMES
    from ml.pair_scorer import PairScorer

    rng = np.random.default_rng(0)
    X = rng.random((300, len(FEATURE_NAMES)))
    y = (X[:, 0] > 0.3).astype(int)
    with session_scope(store_cli.engine) as s:
        mv = registry.register(
            s,
            "pair_scorer",
            models_dir=tmp_path,
            save=PairScorer().fit(X, y, feature_names=FEATURE_NAMES).save,
            actor="t",
        )
        mv.status = "active"
    data = json.loads(store_cli("match", "--format", "json").stdout)
    assert {d["scored_by"].split(" · ")[0] for d in data} == {"your pair scorer v1"}
    assert all(d["score"] < 100 for d in data)
    assert data[0]["scorer"]["kind"] == "pair_scorer" and data[0]["scorer"]["version"] == 1
