"""The model registry: register, the promotion gate, rollback, interruption, corruption."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from data.errors import ArtefactCorrupted, PromotionRefused
from data.store.engine import session_scope
from data.store.models import AuditLog, ModelVersion
from ml import registry
from ml.registry import SimpleOutcome
from ml.training import LabelledData, evaluate_classifier, train_classifier
from tests.ml.training_data import HashEncoder, livecareer_sample

SPLIT = "s" * 64


def _save(payload: str):
    def save(folder: Path) -> None:
        (folder / "model.json").write_text(json.dumps({"w": payload}))

    return save


def _register(
    session, models_dir: Path, score: float | None, *, split: str = SPLIT, kind: str = "pair_scorer"
) -> ModelVersion:
    metrics = {"primary_metric": "roc_auc", "greater_is_better": True}
    if score is not None:
        metrics["evaluations"] = {split: {"roc_auc": score}}
    return registry.register(
        session,
        kind,
        models_dir=models_dir,
        save=_save(str(score)),
        actor="ana",
        params={"C": 1},
        metrics=metrics,
        data_hash="d" * 64,
    )


def _passes(_mv: ModelVersion) -> SimpleOutcome:
    return SimpleOutcome(True, [])


def _audit_rows(session, action: str) -> int:
    return session.scalar(
        select(func.count()).select_from(AuditLog).where(AuditLog.action == action)
    )


def test_register_stores_row_artefact_checksum_and_audit(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as s:
        mv = _register(s, tmp_path, 0.7)
        mv2 = _register(s, tmp_path, 0.8)
    with session_scope(engine) as s:
        rows = s.scalars(select(ModelVersion).order_by(ModelVersion.version)).all()
        assert [(r.version, r.status) for r in rows] == [(1, "candidate"), (2, "candidate")]
        assert rows[0].artefact_path == str((tmp_path / "pair_scorer" / "v1").resolve())
        assert rows[0].checksum == registry.artefact_checksum(tmp_path / "pair_scorer" / "v1")
        assert rows[0].checksum != rows[1].checksum
        assert {"torch", "scikit-learn", "python"} <= set(rows[0].lib_versions)
        assert rows[0].created_by == "ana" and rows[0].data_hash == "d" * 64
        assert _audit_rows(s, "model.register") == 2
    assert mv.version == 1 and mv2.version == 2


def test_failed_save_registers_nothing_and_leaves_no_folder(engine: Engine, tmp_path: Path) -> None:
    def broken(folder: Path) -> None:
        (folder / "half.bin").write_bytes(b"x")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), session_scope(engine) as s:
        registry.register(s, "classifier", models_dir=tmp_path, save=broken, actor="ana")
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(ModelVersion)) == 0
    assert list((tmp_path / "classifier").iterdir()) == []


def test_first_promotion_needs_a_test_score_and_the_audit(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as s:
        unscored = _register(s, tmp_path, None)
        with pytest.raises(PromotionRefused, match="no test-split evaluation") as err:
            registry.promote(s, unscored.id, actor="ana", bias_audit=_passes)
        assert len(err.value.reasons) == 1
        scored = _register(s, tmp_path, 0.7)
        with pytest.raises(PromotionRefused, match="no bias audit"):
            registry.promote(s, scored.id, actor="ana", bias_audit=None)
        registry.promote(s, scored.id, actor="ana", bias_audit=_passes)
        assert registry.active(s, "pair_scorer").version == 2
        assert _audit_rows(s, "model.promote") == 1
        assert _audit_rows(s, "model.promote_refused") == 2


@pytest.mark.parametrize(
    ("score", "split", "audit", "reason"),
    [
        (0.9, SPLIT, SimpleOutcome(True, []), None),
        (
            0.9,
            SPLIT,
            SimpleOutcome(False, ["impact ratio 0.62 for female < 0.8"]),
            "impact ratio 0.62",
        ),
        (
            0.9,
            SPLIT,
            SimpleOutcome(False, ["too few demographics known: 4 of 120 candidates report sex"]),
            "too few demographics known",
        ),
        (0.7, SPLIT, SimpleOutcome(True, []), "does not beat the active"),
        (0.6, SPLIT, SimpleOutcome(True, []), "roc_auc 0.6000 vs 0.7000"),
        (0.9, "t" * 64, SimpleOutcome(True, []), "not scored on the same test split"),
    ],
    ids=["passes", "audit-fails", "too-few-demographics", "tie", "worse", "other-split"],
)
def test_promotion_gate(
    engine: Engine,
    tmp_path: Path,
    score: float,
    split: str,
    audit: SimpleOutcome,
    reason: str | None,
) -> None:
    seen: list[int] = []

    def bias_audit(mv: ModelVersion) -> SimpleOutcome:
        seen.append(mv.version)
        return audit

    with session_scope(engine) as s:
        champion = _register(s, tmp_path, 0.7)
        registry.promote(s, champion.id, actor="ana", bias_audit=_passes)
        challenger = _register(s, tmp_path, score, split=split)
        if reason is None:
            registry.promote(s, challenger.id, actor="ana", bias_audit=bias_audit)
        else:
            with pytest.raises(PromotionRefused, match=reason):
                registry.promote(s, challenger.id, actor="ana", bias_audit=bias_audit)
        assert seen == [2]  # the audit is always consulted, all reasons reported together
    with session_scope(engine) as s:
        assert registry.active(s, "pair_scorer").version == (2 if reason is None else 1)


def test_rollback_serves_the_previous_version(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as s:
        with pytest.raises(PromotionRefused, match="nothing to roll back"):
            registry.rollback(s, "pair_scorer", actor="ana")
        for score in (0.6, 0.7, 0.8):
            mv = _register(s, tmp_path, score)
            registry.promote(s, mv.id, actor="ana", bias_audit=_passes)
        assert registry.active(s, "pair_scorer").version == 3
        assert registry.rollback(s, "pair_scorer", actor="ana").version == 2
        assert registry.rollback(s, "pair_scorer", actor="ana").version == 1
        with pytest.raises(PromotionRefused, match="no earlier"):
            registry.rollback(s, "pair_scorer", actor="ana")
        statuses = dict(s.execute(select(ModelVersion.version, ModelVersion.status)).all())
        assert statuses == {1: "active", 2: "retired", 3: "retired"}
        assert _audit_rows(s, "model.rollback") == 2


# --- end to end on a small real set (SQLite only: trains models) -----------------------------

FAST = {"epochs": 10, "hidden": 32, "lexical": "svd", "lexical_dim": 16, "patience": 4}


@pytest.fixture(scope="module")
def small_set(benchmarks_dir: Path) -> LabelledData:
    df = livecareer_sample(benchmarks_dir, per_class=15, max_chars=500)
    return LabelledData(df["text"].tolist(), df["label"].tolist(), "sample.csv")


def _train(s, data: LabelledData, models_dir: Path, progress=None, **params) -> dict:
    return train_classifier(
        s,
        data,
        encoder=HashEncoder(),
        models_dir=models_dir,
        actor="ana",
        k=3,
        params={**FAST, **params},
        baselines=False,
        progress=progress,
    )


@pytest.mark.slow
def test_train_evaluate_promote_and_roll_back(
    sqlite_engine: Engine, tmp_path: Path, small_set: LabelledData
) -> None:
    with session_scope(sqlite_engine) as s:
        weak = _train(s, small_set, tmp_path, epochs=1, lexical="none", hidden=0, lr=1e-5)
        registry.promote(
            s,
            s.scalar(select(ModelVersion.id).where(ModelVersion.version == 1)),
            actor="ana",
            bias_audit=_passes,
        )
    with session_scope(sqlite_engine) as s:
        strong = _train(s, small_set, tmp_path)
        # training scored the active model on the candidate's test split
        assert strong["active"]["version"] == 1
        assert strong["active"]["macro_f1"] == pytest.approx(weak["test"]["macro_f1"])
        assert strong["test"]["split_hash"] == weak["test"]["split_hash"]
        assert strong["test"]["macro_f1"] > weak["test"]["macro_f1"]
        v2 = registry.active(s, "classifier")
        assert v2.version == 1
        again = evaluate_classifier(
            s,
            s.scalar(select(ModelVersion).where(ModelVersion.version == 2)),
            small_set,
            encoder=HashEncoder(),
            actor="ana",
            k=3,
        )
        assert again["split_hash"] == strong["test"]["split_hash"]
        assert again["macro_f1"] == pytest.approx(strong["test"]["macro_f1"], abs=1e-6)
        challenger = s.scalar(select(ModelVersion).where(ModelVersion.version == 2))
        registry.promote(s, challenger.id, actor="ana", bias_audit=_passes)
    with session_scope(sqlite_engine) as s:
        loaded = registry.load_active(s, "classifier")
        assert loaded.version.version == 2 and not loaded.fell_back
        assert list(
            loaded.model.predict(
                small_set.texts[:3], embeddings=HashEncoder().encode(small_set.texts[:3])
            )
        )
        assert registry.rollback(s, "classifier", actor="ana").version == 1
    with session_scope(sqlite_engine) as s:
        assert registry.active(s, "classifier").version == 1


@pytest.mark.slow
def test_interrupted_training_leaves_the_active_model_serving(
    sqlite_engine: Engine, tmp_path: Path, small_set: LabelledData
) -> None:
    with session_scope(sqlite_engine) as s:
        _train(s, small_set, tmp_path)
        registry.promote(s, s.scalar(select(ModelVersion.id)), actor="ana", bias_audit=_passes)

    def interrupt(stage: str, done: int, total: int) -> None:
        if stage.endswith("head") and done == 4:  # mid-epoch of the first fold's head
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), session_scope(sqlite_engine) as s:
        _train(s, small_set, tmp_path, progress=interrupt, epochs=30)
    with session_scope(sqlite_engine) as s:
        assert s.scalar(select(func.count()).select_from(ModelVersion)) == 1
        loaded = registry.load_active(s, "classifier")
        assert loaded.version.version == 1 and not loaded.fell_back
    assert sorted(p.name for p in (tmp_path / "classifier").iterdir()) == ["v1"]


@pytest.mark.slow
def test_corrupted_artefact_is_reported_and_the_previous_model_serves(
    sqlite_engine: Engine, tmp_path: Path, small_set: LabelledData
) -> None:
    with session_scope(sqlite_engine) as s:
        _train(s, small_set, tmp_path, epochs=1, lexical="none", hidden=0, lr=1e-5)
        registry.promote(s, s.scalar(select(ModelVersion.id)), actor="ana", bias_audit=_passes)
    with session_scope(sqlite_engine) as s:
        _train(s, small_set, tmp_path)
        v2 = s.scalar(select(ModelVersion).where(ModelVersion.version == 2))
        registry.promote(s, v2.id, actor="ana", bias_audit=_passes)
        path = Path(v2.artefact_path) / "head.pt"
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")  # flipped bytes, same size
    with session_scope(sqlite_engine) as s:
        loaded = registry.load_active(s, "classifier", actor="ana")
        assert loaded.version.version == 1 and loaded.fell_back
        assert isinstance(loaded.problems[0], ArtefactCorrupted)
        assert "checksum mismatch" in str(loaded.problems[0])
        assert _audit_rows(s, "model.artefact_corrupted") == 1
        assert _audit_rows(s, "model.fallback") == 1
        v1 = s.scalar(select(ModelVersion).where(ModelVersion.version == 1))
        (Path(v1.artefact_path) / "config.json").write_text("{}")
    with (
        session_scope(sqlite_engine) as s,
        pytest.raises(ArtefactCorrupted, match="no usable classifier"),
    ):
        registry.load_active(s, "classifier")
