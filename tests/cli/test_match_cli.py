"""`talentmap match` (table, csv, the JSON contract) and `talentmap feedback import`."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

import ml.encoders
from data.store.engine import session_scope
from data.store.models import AuditLog, Feedback, MatchRun
from tests.ml.conftest import CountingEncoder, seed_matching_store

CONTRACT = {
    "role",
    "resume",
    "rank",
    "score",
    "matched_skills",
    "missing_skills",
    "evidence",
    "run_id",
}


@pytest.fixture
def store_cli(cli, monkeypatch):
    """The CLI over a store with two roles and five resumes, matching with a fake encoder."""
    enc = CountingEncoder()
    monkeypatch.setattr(ml.encoders, "get_encoder", lambda name="minilm", **_kw: enc)
    with session_scope(cli.engine) as s:
        seed_matching_store(s)
    cli.encoder = enc
    return cli


def test_match_json_is_the_documented_contract(store_cli):
    res = store_cli("match", "--format", "json", "--top", "2")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert len(rows) == 4 and all(set(r) >= CONTRACT for r in rows)
    by_role = {}
    for r in rows:
        by_role.setdefault(r["role"], []).append(r)
    assert {r["resume"] for r in by_role["ml_engineer"]} == {"ml_en.txt", "ml_zh.txt"}
    assert [r["rank"] for r in by_role["data_analyst"]] == [1, 2]
    first = by_role["ml_engineer"][0]
    assert 0 <= first["score"] <= 100 and "pytorch" in first["matched_skills"]
    assert set(first["evidence"]) == set(first["matched_skills"])
    with session_scope(store_cli.engine) as s:
        assert s.get(MatchRun, first["run_id"]) is not None


def test_match_table_and_csv_for_one_role(store_cli):
    res = store_cli("match", "--role", "data_analyst", "--top", "3")
    assert res.exit_code == 0, res.output
    assert "analyst_en.txt" in res.stdout and "ml_engineer" not in res.stdout
    res = store_cli("match", "--role", "data_analyst", "--top", "3", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [r["rank"] for r in rows] == ["1", "2", "3"]
    assert {r["role"] for r in rows} == {"data_analyst"} and rows[0]["run_id"]


def test_second_match_encodes_nothing(store_cli):
    assert store_cli("match", "--format", "json").exit_code == 0
    store_cli.encoder.encoded.clear()
    res = store_cli("match", "--format", "json")
    assert res.exit_code == 0 and store_cli.encoder.encoded == []


def test_match_errors_are_one_line_with_exit_codes(store_cli):
    res = store_cli("match", "--role", "astronaut")
    assert res.exit_code == 3 and "astronaut" in res.output and "Traceback" not in res.output
    assert store_cli("users", "add", "vic", "--role", "viewer").exit_code == 0
    res = store_cli("match", user="vic")
    assert res.exit_code == 4
    with session_scope(store_cli.engine) as s:
        assert s.scalar(select(func.count()).select_from(MatchRun)) == 0


def _write(tmp_path, rows, header="resume,role,decision,reviewer,note"):
    path = tmp_path / "feedback.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_feedback_import_saves_every_row_with_audit(store_cli, tmp_path):
    assert store_cli("match", "--format", "json").exit_code == 0
    path = _write(
        tmp_path,
        [
            "ml_en.txt,ml_engineer,advance,Li Wei,strong PyTorch",
            f"{'0' * 64},data_analyst,Reject,Anna,",
        ],
    )
    res = store_cli("feedback", "import", path)
    assert res.exit_code == 0, res.output
    assert "2 decision(s)" in res.stdout
    with session_scope(store_cli.engine) as s:
        fbs = s.scalars(select(Feedback).order_by(Feedback.id)).all()
        assert [(f.decision, f.reviewer) for f in fbs] == [
            ("advance", "Li Wei"),
            ("reject", "Anna"),
        ]
        assert fbs[0].note == "strong PyTorch" and fbs[1].note is None
        assert fbs[0].match_score_id is not None
        actions = s.scalars(select(AuditLog.action).where(AuditLog.action.like("feedback.%")))
        assert sorted(actions) == ["feedback.import", "feedback.record", "feedback.record"]


def test_bad_feedback_rows_are_named_and_nothing_is_saved(store_cli, tmp_path):
    path = _write(
        tmp_path,
        [
            "ml_en.txt,ml_engineer,advance,Li Wei,",
            "ml_en.txt,ml_engineer,advance,,no reviewer",
            "ml_en.txt,ml_engineer,maybe,Li Wei,",
            "ml_en.txt,astronaut,reject,Li Wei,",
            "nobody.pdf,ml_engineer,reject,Li Wei,",
        ],
    )
    res = store_cli("feedback", "import", path)
    assert res.exit_code == 2
    for row, fld in ((3, "reviewer"), (4, "decision"), (5, "role"), (6, "resume")):
        assert f"row {row}, field '{fld}'" in res.output
    assert "row 2" not in res.output
    with session_scope(store_cli.engine) as s:
        assert s.scalar(select(func.count()).select_from(Feedback)) == 0


def test_feedback_file_without_reviewer_column_is_refused(store_cli, tmp_path):
    path = _write(tmp_path, ["ml_en.txt,ml_engineer,advance"], header="resume,role,decision")
    res = store_cli("feedback", "import", path)
    assert res.exit_code == 2 and "reviewer" in res.output


@pytest.mark.slow  # loads and runs the real encoder end to end (24 s): make test runs it
def test_match_cli_with_minilm(sqlite_cli):
    with session_scope(sqlite_cli.engine) as s:
        seed_matching_store(s)
    res = sqlite_cli("match", "--role", "ml_engineer", "--format", "json", "--encoder", "minilm")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    names = [r["resume"] for r in rows]
    assert set(names[:2]) == {"ml_en.txt", "ml_zh.txt"} and rows[0]["features"]["skill_evidence"]


def test_embed_then_a_shallow_match_uses_the_stored_vectors(store_cli):
    res = store_cli("embed")
    assert res.exit_code == 0, res.output
    assert "5 resumes embedded" in res.stdout
    store_cli.encoder.encoded.clear()
    res = store_cli("match", "--role", "ml_engineer", "--top", "1", "--depth", "1")
    assert res.exit_code == 0, res.output
    assert "ml_" in res.stdout and "stage one kept" in res.stderr
    # role and skill texts are new; no resume passage is encoded again
    assert not any("Kubernetes clusters" in t for t in store_cli.encoder.encoded)
    with session_scope(store_cli.engine) as s:
        run = s.scalars(select(MatchRun).order_by(MatchRun.id.desc())).first()
        assert run.params["stage_one"]["depth"] == 1
        assert run.params["stage_one"]["vector_candidates_from"] == 5
        assert run.params["score_source"] == "default_scorer"
