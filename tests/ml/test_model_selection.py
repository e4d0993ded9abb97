"""``train classifier`` model selection: the cross-validated winner is what gets registered."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.svm import LinearSVC

from data.store.engine import session_scope
from ml import registry
from ml.baselines import TfidfLinear
from ml.classifier import RoleClassifier
from ml.training import LabelledData, select_model, train_classifier
from tests.ml.training_data import HashEncoder, livecareer_sample

pytestmark = pytest.mark.slow

FAST = {"epochs": 8, "hidden": 32, "lexical_dim": 16, "patience": 3}


def test_the_cv_winner_is_registered(sqlite_engine, tmp_path: Path, benchmarks_dir: Path) -> None:
    df = livecareer_sample(benchmarks_dir, per_class=12, max_chars=500)
    folds = (np.arange(len(df)) % 3).astype(str)  # fixed folds, so the check below can rebuild them
    data = LabelledData(df["text"].tolist(), df["label"].tolist(), "s.csv", folds)
    with session_scope(sqlite_engine) as s:
        report = train_classifier(
            s, data, encoder=HashEncoder(), models_dir=tmp_path, actor="t", k=3, params=FAST
        )
    cands = report["selection"]["candidates"]
    winner = max(cands, key=lambda n: cands[n]["macro_f1"])
    assert report["model"] == winner == report["selection"]["winner"]
    # TF-IDF + linear SVM's mean macro-F1 rebuilt with scikit-learn alone on the same folds
    f1s = []
    for f in sorted(set(folds)):
        tr, te = folds != f, folds == f
        vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_df=0.9, sublinear_tf=True)
        Xtr = vec.fit_transform(df["text"][tr])
        svm = LinearSVC(class_weight="balanced", random_state=0).fit(Xtr, df["label"][tr])
        pred = svm.predict(vec.transform(df["text"][te]))
        f1s.append(f1_score(df["label"][te], pred, average="macro"))
    assert cands["tfidf_linear"]["macro_f1"] == pytest.approx(np.mean(f1s), abs=1e-9)
    # the registered artefact is the winner's kind of model
    with session_scope(sqlite_engine) as s:
        from data.store import model_versions as q

        mv = q.get_version(s, "classifier", report["version"])
        model = registry.load_artefact(mv)
        assert mv.params["model"] == winner
    expected = {
        "tfidf_linear": TfidfLinear,
        "stacked_head": RoleClassifier,
        "torch_head": RoleClassifier,
    }[winner]
    assert isinstance(model, expected)
    if winner != "tfidf_linear":
        assert model.lexical == ("none" if winner == "torch_head" else "stack")


def test_select_model_takes_the_best_mean_and_the_first_on_ties() -> None:
    def summ(x: float) -> dict:
        return {"macro_f1": {"mean": x, "std": 0.0}}

    summary = {"head": summ(0.6), "torch_head": summ(0.7), "tfidf_linear": summ(0.7)}
    assert select_model(summary, ["head", "torch_head", "tfidf_linear"]) == "torch_head"
    assert select_model(summary, ["head"]) == "head"
