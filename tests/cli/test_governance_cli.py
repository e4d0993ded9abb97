"""A scripted governance session on both databases: report, audit, erase, retention; roles
enforced; one audit-log row per write; clear messages for bad input."""

from __future__ import annotations

import json
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from data.store.engine import session_scope
from data.store.models import AuditLog, BiasAudit, Candidate, CandidateContact
from data.store.users import add_user
from tests.analytics.seed import seed_governance

COMMANDS = ["report", "audit", "erase", "retention"]


def _users(cli) -> None:
    with session_scope(cli.engine) as s:
        add_user(s, "admin", "admin")  # once users exist, the CLI has no local admin
        add_user(s, "vera", "viewer")
        add_user(s, "rita", "recruiter")


@pytest.fixture
def governed(cli):
    """The CLI on the seeded governance store, with a viewer (vera) and a recruiter (rita)."""
    seeded = seed_governance(cli.engine)
    _users(cli)
    return cli, seeded


@pytest.fixture
def small(cli):
    """The CLI on a small seeded store (40 candidates) with the same users."""
    seed_governance(cli.engine, n=40)
    _users(cli)
    return cli


def _actions(engine) -> list[tuple[str, str]]:
    with session_scope(engine) as s:
        return [(r.actor, r.action) for r in s.scalars(select(AuditLog).order_by(AuditLog.id))]


def test_the_audit_table_and_findings_in_chinese(governed) -> None:
    cli, seeded = governed
    res = cli("audit", "--run", seeded.run_id, "--lang", "zh", user="rita")
    assert res.exit_code == 0, res.output
    assert "匹配批次" in res.stdout and "得分率" in res.stdout and "性别" in res.stdout
    assert "female" not in res.stdout and "scoring" not in res.stdout


def test_scripted_session_writes_one_audit_row_per_write(governed, tmp_path) -> None:
    cli, seeded = governed
    out = tmp_path / "out"

    res = cli("audit", "--stage", "screening", "--format", "json", user="rita")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["kind"] == "selection" and data["passed"] is False
    female = next(r for r in data["rows"] if r["dimension"] == "sex" and r["group"] == "female")
    decided = [p for p in seeded.people if p.screening and p.sex == "female"]
    assert female["n"] == len(decided) and female["flagged"]

    res = cli("audit", "--run", seeded.run_id)
    assert res.exit_code == 0, res.output
    assert "scoring rate of match run" in res.stdout and "Median score" in res.stdout

    res = cli(
        "report",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--format",
        "xlsx",
        "--out",
        out / "r.xlsx",
        user="vera",
    )
    assert res.exit_code == 0, res.output
    wb = load_workbook(out / "r.xlsx")
    assert wb["Funnel"]["B2"].value == len(seeded.in_range())
    assert "Name" not in [c.value for c in wb["Shortlists"][1]]  # masked for a viewer

    res = cli(
        "report",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--role",
        "ml_engineer",
        "--format",
        "csv",
        "--out",
        out / "r.zip",
        "--show-contacts",
        "--lang",
        "zh",
        user="rita",
    )
    assert res.exit_code == 0, res.output
    with zipfile.ZipFile(out / "r.zip") as zf:
        # a Chinese report names its files in Chinese
        name = next(n for n in zf.namelist() if n.endswith("_候选人短名单.csv"))
        shortlist = zf.read(name).decode("utf-8-sig")
    assert "person" in shortlist and "@example.com" in shortlist and "机器学习工程师" in shortlist

    victim = seeded.people[20]
    res = cli("erase", "--candidate", victim.pseudonym)
    assert res.exit_code == 0, res.output
    assert f"erased {victim.pseudonym}" in res.stdout

    res = cli("retention", "--days", "200", "--as-of", "2025-12-31")
    assert res.exit_code == 0, res.output
    assert "anonymised" in res.stdout

    assert _actions(cli.engine) == [
        ("rita", "audit.run"),
        ("admin", "audit.run"),
        ("vera", "report.export"),
        ("rita", "report.export"),
        ("admin", "candidate.erase"),
        ("admin", "candidates.anonymise"),
    ]
    with session_scope(cli.engine) as s:
        assert len(s.scalars(select(BiasAudit)).all()) == 2
        assert s.get(Candidate, victim.id) is None
        erase_row = s.scalars(select(AuditLog).where(AuditLog.action == "candidate.erase")).one()
        assert erase_row.target == victim.pseudonym
        assert victim.email not in json.dumps(erase_row.detail)
        anonymised = s.scalars(select(Candidate).where(Candidate.anonymised_at.is_not(None))).all()
        assert anonymised and all(s.get(CandidateContact, c.id) is None for c in anonymised)


@pytest.mark.parametrize(
    "args",
    [
        ("audit",),
        ("erase", "--candidate", "G-00001"),
        ("retention", "--days", "30"),
        ("report", "--from", "2025-01-01", "--to", "2025-12-31", "--show-contacts"),
    ],
    ids=["audit", "erase", "retention", "contacts"],
)
def test_viewer_cannot_write_or_see_contacts(cli, args) -> None:
    _users(cli)
    res = cli(*args, user="vera")
    assert res.exit_code == 4, res.output
    assert "a viewer may not" in res.stderr
    assert _actions(cli.engine) == []


def test_recruiter_may_not_erase(cli) -> None:
    _users(cli)
    res = cli("erase", "--candidate", "G-00001", user="rita")
    assert res.exit_code == 4 and "a recruiter may not erase" in res.stderr


def test_bad_input_gets_clear_messages(small, tmp_path) -> None:
    cli = small
    res = cli("report", "--from", "2025-13-01", "--to", "2025-12-31")
    assert res.exit_code == 2 and "field 'from'" in res.stderr and "YYYY-MM-DD" in res.stderr
    res = cli(
        "report",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--role",
        "pilot",
        "--out",
        tmp_path / "r.xlsx",
    )
    assert res.exit_code == 2 and "unknown role(s) pilot" in res.stderr
    assert "ml_engineer" in res.stderr and not (tmp_path / "r.xlsx").exists()
    res = cli("audit", "--stage", "screen")
    assert res.exit_code == 2 and "unknown stage 'screen'" in res.stderr
    res = cli("audit", "--run", "999")
    assert res.exit_code == 3 and "no match run 999" in res.stderr
    res = cli("erase")
    assert res.exit_code == 2 and "say who to erase" in res.stderr
    res = cli("erase", "--compact")
    assert res.exit_code == 0 and "compacted" in res.stdout
    res = cli("erase", "--candidate", "nobody")
    assert res.exit_code == 3 and "no candidate 'nobody'" in res.stderr
    assert _actions(cli.engine) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_every_governance_command_has_help(sqlite_cli, command) -> None:
    res = sqlite_cli(command, "--help")
    assert res.exit_code == 0
    assert len(res.stdout.strip().splitlines()) > 3


def test_erase_removes_passage_embeddings_and_exports(small) -> None:
    from data.store.models import Embedding, Resume
    from data.store.privacy import text_key
    from ml.encoders import chunk_text

    cli = small
    text = "\n".join(f"Line {k}: built retrieval systems with PyTorch and SQL." for k in range(80))
    with session_scope(cli.engine) as s:
        cand = s.scalars(select(Candidate).where(Candidate.pseudonym == "G-00007")).one()
        resume = s.scalars(select(Resume).where(Resume.candidate_id == cand.id)).one()
        resume.text = text
        keys = {text_key(p) for p in chunk_text(text, max_tokens=228)} | {text_key(text)}
        assert len(keys) > 2
        s.add_all(Embedding(model_id="minilm", text_hash=k, dim=1, vector=b"\0" * 4) for k in keys)
        s.add(
            Embedding(
                model_id="minilm", text_hash=text_key("someone else"), dim=1, vector=b"\0" * 4
            )
        )
    res = cli("report", "--from", "2025-01-01", "--to", "2025-12-31", "--format", "csv")
    assert res.exit_code == 0, res.output
    exports = cli.data_dir / "exports"
    assert any(exports.iterdir())
    res = cli("erase", "--candidate", "G-00007")
    assert res.exit_code == 0, res.output
    with session_scope(cli.engine) as s:
        left = set(s.scalars(select(Embedding.text_hash)))
    assert left == {text_key("someone else")}
    assert not any(exports.iterdir())


def test_audit_of_a_model_version(small) -> None:
    from data.store.models import ModelVersion

    cli = small
    with session_scope(cli.engine) as s:
        active = s.scalars(select(ModelVersion).where(ModelVersion.status == "active")).one()
        idle = ModelVersion(kind="pair_scorer", version=7, created_by="t")
        s.add(idle)
        s.flush()
        active_id, idle_id = active.id, idle.id
    res = cli("audit", "--model-version", active_id, "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["kind"] == "scoring" and "pair_scorer v2" in data["audited"]
    assert data["n"] == 2 * 50  # 40 + 10 candidates, two roles
    res = cli("audit", "--model-version", idle_id)
    assert res.exit_code == 3 and "has no match run" in res.stderr
    res = cli("audit", "--stage", "screening", "--run", "1")
    assert res.exit_code == 2 and "not both" in res.stderr
    with session_scope(cli.engine) as s:
        row = s.scalars(select(BiasAudit)).one()
        assert row.model_version_id == active_id
