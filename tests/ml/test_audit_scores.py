"""``ml.training.audit_scores``: what the promotion gate's bias audit scores, per model kind."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import func, select

from data.demo.world import build_demo
from data.errors import ModelError
from data.store.engine import session_scope
from data.store.models import Application, ModelVersion, Resume, Role
from ml.matcher import FEATURE_NAMES
from ml.pair_scorer import PairScorer
from ml.training import audit_scores, matcher_features
from tests.ml.training_data import HashEncoder


@pytest.fixture
def demo_store(sqlite_engine):
    build_demo(
        sqlite_engine, candidates=60, seed=3, as_of=dt.date(2026, 11, 25), mode="refuse", actor="t"
    )
    return sqlite_engine


def _applied(session) -> dict[int, tuple[int, str]]:
    """resume id → (role id, family) of its candidate's first application."""
    first = (
        select(Application.candidate_id, func.min(Application.id).label("a"))
        .group_by(Application.candidate_id)
        .subquery()
    )
    rows = session.execute(
        select(Resume.id, Application.role_id, Role.family)
        .join(first, first.c.candidate_id == Resume.candidate_id)
        .join(Application, Application.id == first.c.a)
        .join(Role, Role.id == Application.role_id)
    ).all()
    return {r: (role, fam) for r, role, fam in rows}


class FixedClassifier:
    """Gives every text the same probabilities over ``classes_``; records what it was fed."""

    encoder = "minilm"

    def __init__(self, classes: list[str]) -> None:
        self.classes_ = np.asarray(classes)
        self.seen: list[str] = []

    def predict_proba(self, texts, *, embeddings=None):
        self.seen = list(texts)
        assert embeddings is not None and len(embeddings) == len(texts)
        p = np.arange(1, len(self.classes_) + 1, dtype=float)
        return np.tile(p / p.sum(), (len(texts), 1))


def _version(kind: str) -> ModelVersion:
    return ModelVersion(
        kind=kind, version=1, status="candidate", params={"encoder_model_id": HashEncoder.model_id}
    )


def test_classifier_scores_the_applied_family_and_notes_unknown_ones(demo_store) -> None:
    with session_scope(demo_store) as s:
        applied = _applied(s)
        families = sorted({fam for _, fam in applied.values()})
        known = families[:-1]  # the last family is unknown to this classifier
        model = FixedClassifier([*known, "zzz"])
        frame = audit_scores(s, _version("classifier"), model=model, encoder=HashEncoder())
        assert list(frame.columns) == ["resume_id", "score"]  # no demographics in the frame
        assert sorted(frame["resume_id"]) == sorted(applied)
        texts = dict(s.execute(select(Resume.id, Resume.text)).all())
        assert model.seen == [texts[r] for r in frame["resume_id"]]
        p = np.arange(1, len(model.classes_) + 1) / np.arange(1, len(model.classes_) + 1).sum()
        col = {c: j for j, c in enumerate(model.classes_)}
        expected = [
            p[col[applied[r][1]]] if applied[r][1] in col else p.max() for r in frame["resume_id"]
        ]
        assert frame["score"].tolist() == pytest.approx(expected)
        n_unknown = sum(1 for r in frame["resume_id"] if applied[r][1] == families[-1])
        assert n_unknown > 0
        assert frame.attrs["note"].startswith(f"{n_unknown} of {len(frame)} resumes")
        assert families[-1] in frame.attrs["note"]


def test_pair_scorer_scores_the_applied_pair_from_matcher_features(demo_store) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, len(FEATURE_NAMES)))
    scorer = PairScorer(seed=0).fit(X, (X[:, 0] + X[:, 3] > 0).astype(int))
    enc = HashEncoder()
    with session_scope(demo_store) as s:
        applied = _applied(s)
        frame = audit_scores(s, _version("pair_scorer"), model=scorer, encoder=enc)
        pairs = [(int(r), applied[int(r)][0]) for r in frame["resume_id"]]
        expected = scorer(matcher_features(s, pairs, encoder=enc))
        assert frame["score"].to_numpy() == pytest.approx(expected)
        assert ((frame["score"] > 0) & (frame["score"] < 1)).all()
        assert frame.attrs["note"] == ""


def test_sample_is_capped_deterministically_and_encoders_are_refused(demo_store) -> None:
    with session_scope(demo_store) as s:
        model = FixedClassifier(["data", "engineering"])
        a = audit_scores(s, _version("classifier"), model=model, encoder=HashEncoder(), limit=10)
        b = audit_scores(s, _version("classifier"), model=model, encoder=HashEncoder(), limit=10)
        assert len(a) == 10 and a["resume_id"].tolist() == b["resume_id"].tolist()
        ids = sorted(_applied(s))
        assert a["resume_id"].tolist()[0] == ids[0] and a["resume_id"].is_monotonic_increasing
        with pytest.raises(ModelError, match="an encoder scores nothing by itself"):
            audit_scores(s, _version("encoder"), model=object(), encoder=HashEncoder())


def test_empty_store_gives_an_empty_frame_with_a_note(sqlite_engine) -> None:
    with session_scope(sqlite_engine) as s:
        frame = audit_scores(s, _version("classifier"), model=FixedClassifier(["a", "b"]))
        assert frame.empty and list(frame.columns) == ["resume_id", "score"]
        assert "no stored resume" in frame.attrs["note"]
