"""``talentmap train|evaluate|models``: the JSON contract, bad files, access control."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from data.store.engine import session_scope
from data.store.users import add_user
from tests.ml.training_data import livecareer_sample


@pytest.fixture(scope="module")
def labelled_csv(benchmarks_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 real resumes of 4 families, under non-default column names."""
    df = livecareer_sample(benchmarks_dir, per_class=10, max_chars=400)
    path = tmp_path_factory.mktemp("csv") / "labelled.csv"
    df.rename(columns={"text": "resume", "label": "family"}).to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_train_evaluate_promote_through_the_cli(
    sqlite_cli, labelled_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = [
        "train",
        "classifier",
        "--data",
        labelled_csv,
        "--text-column",
        "resume",
        "--label-column",
        "family",
        "--folds",
        "2",
        "--epochs",
        "5",
    ]
    res = sqlite_cli(*args, "--format", "json")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    for key in ("macro_f1", "accuracy", "top3_accuracy"):
        assert 0 <= report[key] <= 1
    assert report["top3_accuracy"] >= report["accuracy"]
    assert set(report["baselines"]) == {"embedding_logreg", "tfidf_linear"}
    # model selection: the three candidates on the same folds, the best mean macro-F1 wins
    cands = report["selection"]["candidates"]
    assert set(cands) == {"stacked_head", "torch_head", "tfidf_linear"}
    winner = max(cands, key=lambda n: cands[n]["macro_f1"])
    assert report["selection"]["winner"] == report["model"] == winner
    assert report["macro_f1"] == pytest.approx(cands[winner]["macro_f1"])
    assert cands["tfidf_linear"]["macro_f1"] == pytest.approx(
        report["baselines"]["tfidf_linear"]["macro_f1"]
    )
    assert all(0 <= b["macro_f1"] <= 1 for b in report["baselines"].values())
    assert (report["version"], report["status"], report["folds"]) == (1, "candidate", 2)
    assert report["rows"] == 40 and report["classes"] == 4
    assert report["test"]["split_hash"] and report["active"] is None

    listed = json.loads(sqlite_cli("models", "list", "--format", "json").stdout)
    assert [(m["kind"], m["version"], m["status"]) for m in listed] == [
        ("classifier", 1, "candidate")
    ]
    shown = json.loads(sqlite_cli("models", "show", "1").stdout)
    assert shown["checksum"] and shown["lib_versions"]["torch"]
    assert shown["metrics"]["baselines"]["tfidf_linear"]["macro_f1"]["mean"] == pytest.approx(
        report["baselines"]["tfidf_linear"]["macro_f1"]
    )

    ev = sqlite_cli(
        "evaluate",
        "--version",
        "1",
        "--data",
        labelled_csv,
        "--text-column",
        "resume",
        "--label-column",
        "family",
        "--folds",
        "2",
        "--format",
        "json",
    )
    assert ev.exit_code == 0, ev.output
    assert json.loads(ev.stdout)["split_hash"] == report["test"]["split_hash"]

    # the real audit finds nothing to audit (no match run, no demographics): refused
    refused = sqlite_cli("models", "promote", "1")
    assert refused.exit_code == 6, refused.output
    assert "promotion refused" in refused.output

    from types import SimpleNamespace

    import analytics.fairness as fairness

    monkeypatch.setattr(
        fairness,
        "audit_model",
        lambda session, mv, **kw: SimpleNamespace(
            passed=True, reasons=[], audit_id=None, result=SimpleNamespace(warnings=[])
        ),
    )
    ok = sqlite_cli("models", "promote", "1")
    assert ok.exit_code == 0, ok.output
    stored = json.loads(sqlite_cli("evaluate", "--format", "json").stdout)  # the active one
    assert stored["version"] == 1 and report["test"]["split_hash"] in stored["evaluations"]
    table = sqlite_cli(*args)  # table format; scores the active v1 on the same split
    assert table.exit_code == 0, table.output
    assert "torch head" in table.output and "active v1" in table.output
    back = sqlite_cli("models", "rollback", "classifier")
    assert back.exit_code == 6 and "no earlier classifier" in back.output


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (
            "resume,label\nChef at a bistro,CHEF\n",
            ["--text-column", "text"],
            "no column named 'text'; the columns are resume, label",
        ),
        ("text,label\nChef at a bistro,CHEF\nSous chef,CHEF\n", [], "only one class ('CHEF')"),
        (
            "text,label\nChef at a bistro,CHEF\n  ,ACCOUNTANT\nLedger,ACCOUNTANT\n",
            [],
            "row 3, field 'text': text is empty",
        ),
        (b"%PDF-1.7\n\x00\x01binary", [], "this is not a CSV file"),
        ("text,label\n", [], "header but no rows"),
        (
            "text,label\nChef,CHEF\nCook,CHEF\nLedger,ACCOUNTANT\n",
            [],
            "fewer than 2 rows cannot be cross-validated: 'ACCOUNTANT' (1)",
        ),
    ],
    ids=["missing-column", "one-class", "empty-text", "not-csv", "no-rows", "rare-class"],
)
def test_bad_files_get_a_clear_message(cli, tmp_path: Path, content, extra, message) -> None:
    path = tmp_path / "bad.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        _write(path, content)
    res = cli("train", "classifier", "--data", path, *extra)
    assert res.exit_code == 2, res.output
    assert "bad.csv" in res.output and message in res.output
    assert "Traceback" not in res.output


def test_missing_file_and_gzip_csv(cli, tmp_path: Path) -> None:
    res = cli("train", "classifier", "--data", tmp_path / "nope.csv")
    assert res.exit_code == 2 and "nope.csv: file not found" in res.output
    gz = tmp_path / "one.csv.gz"
    with gzip.open(gz, "wt") as fh:
        pd.DataFrame({"text": ["a", "b"], "label": ["x", "x"]}).to_csv(fh, index=False)
    res = cli("train", "classifier", "--data", gz)
    assert res.exit_code == 2 and "only one class" in res.output


@pytest.mark.parametrize("role", ["viewer", "recruiter"])
def test_only_admins_train_promote_or_roll_back(cli, tmp_path: Path, role: str) -> None:
    with session_scope(cli.engine) as s:
        add_user(s, "pat", role)
    csv = _write(tmp_path / "ok.csv", "text,label\nChef,CHEF\nCook,CHEF\nLedger,ACC\nTax,ACC\n")
    for args in (
        ["train", "classifier", "--data", csv],
        ["train", "pair-scorer"],
        ["models", "promote", "1"],
        ["models", "rollback", "classifier"],
        ["evaluate", "--version", "1", "--data", csv],
    ):
        res = cli(*args, user="pat")
        assert res.exit_code == 4, (args, res.output)
        assert f"a {role} may not" in res.output
    listed = cli("models", "list", user="pat")
    assert listed.exit_code == 0 and "No models yet" in listed.output


def test_every_training_command_has_help(cli) -> None:
    for args in (
        ["train", "classifier"],
        ["train", "pair-scorer"],
        ["evaluate"],
        ["models", "list"],
        ["models", "show"],
        ["models", "promote"],
        ["models", "rollback"],
    ):
        res = cli(*args, "--help")
        assert res.exit_code == 0
        assert len(res.output.split("Usage:")[1]) > 80, args


def test_pair_scorer_without_feedback_is_explained(cli) -> None:
    res = cli("train", "pair-scorer")
    assert res.exit_code == 2
    assert "no recruiter feedback" in res.output
