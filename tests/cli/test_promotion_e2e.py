"""Promotion end to end through the REAL bias audit: train → evaluate → promote → retrain →
promote → roll back, on a small demo store; and a refusal when demographics are too sparse.

The classifier is trained on the demo store's own resumes (exported to CSV with the family of
the role each candidate applied to) and audited on the scores it gives those applicants
(``ml.training.audit_scores``): no stub stands in for the audit.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from data.store.engine import session_scope
from data.store.models import (
    Application,
    AuditLog,
    BiasAudit,
    Candidate,
    CandidateDemographics,
    ModelVersion,
    Resume,
    Role,
)

pytestmark = pytest.mark.slow

SEED = 3
AS_OF = "2026-11-25"  # same seed, date and size = the same demo world
GROUPS_SALT = 110
"""The demo's self-reported demographics have many groups of 3 to 8 people (seed 3: six
Hispanic or Latino applicants, seven Black), where chance alone puts an impact ratio under
0.8 for a model that never sees them (seed 3, as the demo leaves them: 6-7 flags per version).
The test therefore gives the applicants four balanced groups (sex × ethnicity, assigned at
random within each applied family, independently of the resumes); with this salt, the real
audit of both versions passes (lowest impact ratios 0.87 and 0.92). Training is seeded, so
the scores, and the outcome, are reproducible."""
V1_MERGED = {"product": "other", "people": "other", "design": "other"}
"""v1 is trained on coarser labels, so the retrained v2 beats it on the same test split."""


def _export(engine, path: Path, relabel: dict[str, str] | None = None) -> Path:
    """Every stored resume of an applicant, with the family of the role first applied to."""
    with session_scope(engine) as s:
        first = (
            select(Application.candidate_id, func.min(Application.id).label("a"))
            .group_by(Application.candidate_id)
            .subquery()
        )
        rows = s.execute(
            select(Resume.text, Role.family)
            .join(first, first.c.candidate_id == Resume.candidate_id)
            .join(Application, Application.id == first.c.a)
            .join(Role, Role.id == Application.role_id)
            .order_by(Resume.id)
        ).all()
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        w.writerows((text, (relabel or {}).get(fam, fam)) for text, fam in rows)
    return path


def _actions(engine, action: str) -> list[AuditLog]:
    with session_scope(engine) as s:
        rows = s.scalars(
            select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
        ).all()
        s.expunge_all()
        return list(rows)


def _active(engine) -> list[int]:
    with session_scope(engine) as s:
        return list(
            s.scalars(
                select(ModelVersion.version).where(
                    ModelVersion.kind == "classifier", ModelVersion.status == "active"
                )
            )
        )


@pytest.fixture
def demo_cli(sqlite_cli):
    res = sqlite_cli("demo", "--candidates", "150", "--seed", str(SEED), "--as-of", AS_OF)
    assert res.exit_code == 0, res.output
    return sqlite_cli


def _balanced_groups(engine, salt: int) -> None:
    """Replace every applicant's demographics with one of four equal sex × ethnicity groups,
    drawn at random within each applied role family (see ``GROUPS_SALT``)."""
    with session_scope(engine) as s:
        family = dict(
            s.execute(
                select(Application.candidate_id, Role.family)
                .join(Role, Role.id == Application.role_id)
                .order_by(Application.id.desc())
            ).all()
        )
        ids = sorted(s.scalars(select(Candidate.id)))
        random.Random(salt).shuffle(ids)
        ids.sort(key=lambda c: family.get(c, ""))
        s.execute(delete(CandidateDemographics))
        s.add_all(
            CandidateDemographics(
                candidate_id=c,
                sex=("Female", "Male")[i % 2],
                ethnicity=("Asian", "White")[(i // 2) % 2],
            )
            for i, c in enumerate(ids)
        )


def _train(cli, csv_path: Path) -> dict:
    res = cli(
        "train",
        "classifier",
        "--data",
        csv_path,
        "--folds",
        "3",
        "--epochs",
        "5",
        "--format",
        "json",
    )
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_train_evaluate_promote_retrain_promote_rollback(demo_cli, tmp_path: Path) -> None:
    eng = demo_cli.engine
    _balanced_groups(eng, GROUPS_SALT)
    clean = _export(eng, tmp_path / "resumes.csv")
    coarse = _export(eng, tmp_path / "coarse.csv", V1_MERGED)

    v1 = _train(demo_cli, coarse)
    assert (v1["version"], v1["status"]) == (1, "candidate")
    ev = demo_cli("evaluate", "--version", "1", "--data", clean, "--folds", "3", "--format", "json")
    assert ev.exit_code == 0, ev.output
    split = json.loads(ev.stdout)["split_hash"]

    ok = demo_cli("models", "promote", "1")
    assert ok.exit_code == 0, ok.output
    assert "classifier v1 is now active" in ok.stdout
    # v1 does not know three of the applied families: the audit says how it scored them
    assert "does not know" in ok.output and "highest class probability" in ok.output
    with session_scope(eng) as s:
        audits = s.scalars(select(BiasAudit).order_by(BiasAudit.id)).all()
        assert [(a.passed, a.kind) for a in audits] == [(True, "scoring")]
        assert audits[0].result["n"] == 150  # every applicant's resume was scored
        assert audits[0].model_version_id == s.scalar(
            select(ModelVersion.id).where(ModelVersion.version == 1)
        )
    assert _active(eng) == [1]

    v2 = _train(demo_cli, clean)
    assert v2["version"] == 2 and v2["test"]["split_hash"] == split
    assert v2["active"]["version"] == 1
    assert v2["test"]["macro_f1"] > v2["active"]["macro_f1"]
    ok2 = demo_cli("models", "promote", "2")
    assert ok2.exit_code == 0, ok2.output
    assert _active(eng) == [2]

    back = demo_cli("models", "rollback", "classifier")
    assert back.exit_code == 0, back.output
    assert "classifier v1 is active again" in back.stdout
    assert _active(eng) == [1]

    promoted = _actions(eng, "model.promote")
    assert [(r.target, r.actor) for r in promoted] == [
        ("classifier v1", "admin"),
        ("classifier v2", "admin"),
    ]
    assert promoted[1].detail["replaces"] == "classifier v1"
    rolled = _actions(eng, "model.rollback")
    assert [(r.target, r.detail["retired"]) for r in rolled] == [("classifier v1", "classifier v2")]
    assert len(_actions(eng, "audit.run")) == 2  # one stored audit per promotion
    assert not _actions(eng, "model.promote_refused")


def test_promotion_refused_when_demographics_are_mostly_unknown(demo_cli, tmp_path: Path) -> None:
    eng = demo_cli.engine
    clean = _export(eng, tmp_path / "resumes.csv")
    with session_scope(eng) as s:
        ids = sorted(s.scalars(select(CandidateDemographics.candidate_id)))
        keep = set(ids[::5])  # one in five keeps its self-reported demographics
        s.execute(
            delete(CandidateDemographics).where(CandidateDemographics.candidate_id.not_in(keep))
        )
    _train(demo_cli, clean)
    refused = demo_cli("models", "promote", "1")
    assert refused.exit_code == 6, refused.output
    assert "promotion refused" in refused.output
    assert "sex is known for only" in refused.output.lower()
    assert "collect self-reported demographics" in refused.output
    assert _active(eng) == []
    (row,) = _actions(eng, "model.promote_refused")
    assert row.target == "classifier v1"
    assert any("known for only" in r.lower() for r in row.detail["reasons"])
    with session_scope(eng) as s:
        assert s.scalars(select(BiasAudit.passed)).all() == [False]


def test_rollback_with_nothing_active_says_so(sqlite_cli) -> None:
    res = sqlite_cli("models", "rollback", "classifier")
    assert res.exit_code == 6, res.output
    assert "rollback refused: no classifier model is active" in res.output
    assert "promotion refused" not in res.output
