"""A scripted CLI session in which every write leaves an audit row (issue 8: "the audit log has
a row for every write in a scripted session"), naming the actor and the action, and no row
names a candidate by name or e-mail (pseudonyms only).

Each step compares every table before and after: a step that changed any row must have added
audit rows, all of them by the acting user. The session must run every writing command of
``tests/cli/test_access_control.WRITES`` except those listed in ``ELSEWHERE`` (model training, audited
in its own test, and ``embed``).
"""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from data.store import users
from data.store.engine import session_scope
from data.store.models import AuditLog, Candidate, CandidateContact
from tests.cli.test_access_control import WRITES, counts


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's users are argon2-hashed; cheap parameters keep these tests fast."""
    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


# model writes: audited in test_model_training_and_promotion_are_audited below (SQLite, slow)
# and, for promote/rollback, in tests/ml/test_registry.py
ELSEWHERE = {
    # `embed` writes only the embedding cache (derived vectors, erased with the person), not an
    # audited change of people's data; tests/ml cover its idempotence
    "embed",
    "train classifier",
    "train pair-scorer",
    "evaluate",
    "models promote",
    "models rollback",
}
# changes the schema, not rows (an up-to-date store is left as it is)
SCHEMA_ONLY = {"init"}

RESUME_TXT = """Ada Quillfeather
ada.quillfeather@example.org | +44 20 7946 0958
LLM application engineer: Python, PyTorch, RAG, large language models, Docker, Kubernetes.
Built retrieval-augmented assistants and evaluation pipelines for five years.
"""

STRATEGY_ZH = """# 2026 年人才战略

## 招聘流程

```mermaid
graph LR
  A[需求分析] --> B[人才寻访]
  B --> C[简历筛选]
  C --> D[面试评估]
  D --> E[入职]
```

## 岗位

- 大模型应用工程师：负责检索增强应用开发，要求 Python、PyTorch 与自然语言处理。
"""


class Session:
    """Runs CLI steps and checks the audit log after each."""

    def __init__(self, cli) -> None:
        self.cli = cli
        self.ran: set[str] = set()

    def audit_rows(self) -> list[AuditLog]:
        with session_scope(self.cli.engine) as s:
            rows = list(s.scalars(select(AuditLog).order_by(AuditLog.id)))
            s.expunge_all()
        return rows

    def step(
        self, command: str, *args: str, user: str | None = None, action: str
    ) -> list[AuditLog]:
        """Run ``talentmap COMMAND ARGS`` as ``user``; return the audit rows it added, after
        checking there is at least one, each naming the actor, one of them ``action``."""
        before = counts(self.cli.engine)
        last = max((r.id for r in self.audit_rows()), default=0)
        res = self.cli(*command.split(), *args, user=user)
        assert res.exit_code == 0, f"talentmap {command}: {res.output}"
        assert "Traceback" not in res.output
        after = counts(self.cli.engine)
        new = [r for r in self.audit_rows() if r.id > last]
        changed = sorted(t for t in after if t != "audit_log" and after[t] != before[t])
        assert new, f"talentmap {command} wrote no audit row (tables changed: {changed})"
        assert after["audit_log"] == before["audit_log"] + len(new), "audit rows were removed"
        assert {r.actor for r in new} == {user or "admin"}, [(r.actor, r.action) for r in new]
        assert action in {r.action for r in new}, [r.action for r in new]
        assert all(r.at is not None for r in new)
        self.ran.add(command)
        return new


def _contacts(cli) -> list[str]:
    """Every candidate name and e-mail in the store."""
    with session_scope(cli.engine) as s:
        rows = s.execute(select(CandidateContact.name, CandidateContact.email)).all()
    return sorted({v for row in rows for v in row if v and len(v) >= 4})


def _audit_text(row: AuditLog) -> str:
    return " ".join(
        str(v)
        for v in (
            row.actor,
            row.action,
            row.target_type,
            row.target,
            row.model_version,
            json.dumps(row.detail, ensure_ascii=False),
        )
    )


def _inputs(tmp: Path) -> dict[str, Path]:
    tmp.mkdir()
    (tmp / "ada.txt").write_text(RESUME_TXT, encoding="utf-8")
    d = docx.Document()
    d.add_paragraph("Bartholomew Ngata-Lindqvist")
    d.add_paragraph("bart.lindqvist@example.net")
    d.add_paragraph("Data scientist: SQL, statistics, Python, A/B testing, dashboards.")
    d.save(str(tmp / "bart.docx"))
    (tmp / "strategy.md").write_text(STRATEGY_ZH, encoding="utf-8")
    (tmp / "people.csv").write_text(
        "external_id,name,email,country,source_channel,sex,ethnicity,role,applied_at\n"
        "AUD-1,Cordelia Vantongeren,cordelia.v@example.com,NL,referral,Female,White,"
        "llm_engineer,2025-02-01\n"
        "AUD-2,Desmond Okonkwo-Hale,desmond.oh@example.com,NG,job_board,Male,"
        "Black or African American,llm_engineer,2025-02-03\n",
        encoding="utf-8",
    )
    (tmp / "events.csv").write_text(
        "external_id,role,to_stage,at,from_stage,outcome\n"
        "AUD-1,llm_engineer,screening,2025-02-10,sourcing,pass\n"
        "AUD-2,llm_engineer,screening,2025-02-11,sourcing,fail\n",
        encoding="utf-8",
    )
    (tmp / "feedback.csv").write_text(
        "resume,role,decision,reviewer,note\n"
        "ada.txt,llm_engineer,advance,Rita Recruiter,strong RAG work\n"
        "bart.docx,llm_engineer,reject,Rita Recruiter,\n",
        encoding="utf-8",
    )
    planning = {
        "plan.csv": "role,location,quarter,headcount\nllm_engineer,beijing,2026Q2,3\n",
        "bands.csv": "role,level,location,currency,minimum,midpoint,maximum\n"
        "llm_engineer,mid,beijing,CNY,400000,500000,600000\n",
        "survey.csv": "survey,role,level,location,currency,p25,p50,p75,year\n"
        "城市薪酬调研,llm_engineer,mid,beijing,CNY,420000,520000,640000,2026\n",
        "fx.csv": "currency,per_usd,as_of\nCNY,7.1,2026-06-30\n",
        "mobility.csv": "country,visa_cost,relocation_cost,currency,lead_time_days\n"
        "NL,3000,8000,USD,60\n",
        "channels.csv": "channel,cost_per_hire,currency\nreferral,2000,USD\n",
    }
    for name, text in planning.items():
        (tmp / name).write_text(text, encoding="utf-8")
    return {p.name: p for p in tmp.iterdir()}


def test_every_write_of_a_session_is_audited_by_pseudonym(cli, tmp_path) -> None:
    files = _inputs(tmp_path / "in")
    run = Session(cli)

    run.step("demo", "--candidates", "60", "--seed", "1", action="demo.build")
    run.step("users add", "rita", "--role", "recruiter", action="users.add")
    run.step("users add", "vera", "--role", "viewer", action="users.add")
    run.step("users token", "vera", action="users.token")
    run.step("users disable", "vera", action="users.disable")
    run.step("users enable", "vera", action="users.enable")
    new = run.step("roles import", "docs/examples/roles.csv", user="rita", action="roles.import")
    assert {r.target for r in new} >= {"llm_engineer", "data_analyst"}
    new = run.step(
        "resumes import",
        str(files["ada.txt"]),
        str(files["bart.docx"]),
        user="rita",
        action="resumes.import",
    )
    assert len([r for r in new if r.action == "resumes.import"]) == 2
    run.step("skills sync", user="rita", action="skills.sync")
    new = run.step(
        "docs import", str(files["strategy.md"]), "--no-embed", user="rita", action="docs.import"
    )
    run.step("feedback import", str(files["feedback.csv"]), user="rita", action="feedback.import")
    run.step("import candidates", str(files["people.csv"]), user="rita", action="import.candidates")
    run.step("import events", str(files["events.csv"]), user="rita", action="import.events")
    run.step("audit", "--stage", "screening", user="rita", action="audit.run")
    for command, name, kind in (
        ("plan import", "plan.csv", "plan"),
        ("pay import-bands", "bands.csv", "bands"),
        ("pay import-survey", "survey.csv", "survey"),
        ("pay import-fx", "fx.csv", "fx"),
        ("mobility import", "mobility.csv", "mobility"),
        ("mobility import-channels", "channels.csv", "channels"),
    ):
        new = run.step(command, str(files[name]), user="rita", action=f"planning.import_{kind}")
        assert [r.target for r in new] == [name]
    new = run.step("pay set-soc", "llm_engineer", "15-1252", user="rita", action="pay.set_soc")
    assert [(r.target, r.detail) for r in new] == [("llm_engineer", {"soc": "15-1252"})]
    new = run.step(
        "report",
        "--from",
        "2024-01-01",
        "--to",
        "2026-12-31",
        "--format",
        "csv",
        "--out",
        str(tmp_path / "report.zip"),
        user="vera",
        action="report.export",
    )
    assert (tmp_path / "report.zip").stat().st_size > 0

    contacts = _contacts(cli)
    for who in (
        "Ada Quillfeather",
        "ada.quillfeather@example.org",
        "Cordelia Vantongeren",
        "desmond.oh@example.com",
    ):
        assert who in contacts, f"{who} should be stored as a contact (test premise)"
    with session_scope(cli.engine) as s:
        victim = s.scalar(select(Candidate.pseudonym).where(Candidate.external_ref == "AUD-1"))
        victim_id = s.scalar(select(Candidate.id).where(Candidate.external_ref == "AUD-1"))
        demo_total = s.scalar(select(func.count()).select_from(Candidate))
        pseudonyms = set(s.scalars(select(Candidate.pseudonym)))
    new = run.step("erase", "--candidate", "AUD-1", action="candidate.erase")
    assert [r.target for r in new if r.action == "candidate.erase"] == [victim]
    run.step("retention", "--days", "365", action="candidates.anonymise")

    missing = set(WRITES) - ELSEWHERE - SCHEMA_ONLY - {"match"} - run.ran
    assert not missing, f"add a step for each writing command to this session: {missing}"

    rows = run.audit_rows()
    assert len(rows) >= len(run.ran) and demo_total > 60
    leaks = [(r.id, r.action, c) for r in rows for c in contacts if c in _audit_text(r)]
    assert not leaks, f"audit rows name candidates: {leaks[:5]}"
    named = {r.target for r in rows if r.target_type == "candidate" and r.target is not None}
    assert named and named <= pseudonyms, f"candidates named otherwise: {named - pseudonyms}"
    assert str(victim_id) not in named


@pytest.mark.slow
def test_a_match_and_its_feedback_are_audited(sqlite_cli, tmp_path) -> None:
    """The matcher encodes resumes (minilm), so this runs on SQLite only."""
    files = _inputs(tmp_path / "in")
    run = Session(sqlite_cli)
    run.step("roles import", "docs/examples/roles.csv", action="roles.import")
    run.step("users add", "rita", "--role", "recruiter", action="users.add")
    run.step(
        "resumes import",
        str(files["ada.txt"]),
        str(files["bart.docx"]),
        user="rita",
        action="resumes.import",
    )
    new = run.step(
        "match",
        "--role",
        "llm_engineer",
        "--top",
        "2",
        "--weights-only",
        "--encoder",
        "minilm",
        user="rita",
        action="match.run",
    )
    (match_row,) = [r for r in new if r.action == "match.run"]
    assert match_row.target_type == "match_run" and match_row.detail["resumes"] == 2
    new = run.step(
        "feedback import", str(files["feedback.csv"]), user="rita", action="feedback.import"
    )
    decisions = [r for r in new if r.action == "feedback.record"]
    assert len(decisions) == 2 and all(r.target_type == "candidate" for r in decisions)
    contacts = _contacts(sqlite_cli)
    assert not [c for r in run.audit_rows() for c in contacts if c in _audit_text(r)]


@pytest.mark.slow
def test_model_training_and_promotion_are_audited(sqlite_cli, tmp_path) -> None:
    """train / evaluate / a refused promotion through the CLI (minilm, tiny data; SQLite)."""
    rows = "".join(
        f"python pytorch deep learning model training {i},engineer\n"
        f"sql excel dashboards reporting metrics {i},analyst\n"
        for i in range(8)
    )
    data = tmp_path / "labelled.csv"
    data.write_text("text,label\n" + rows, encoding="utf-8")
    run = Session(sqlite_cli)
    args = ("--data", str(data), "--folds", "2", "--epochs", "3", "--encoder", "minilm")
    new = run.step("train classifier", *args, action="model.register")
    assert [r.target for r in new if r.action == "model.register"]
    run.step(
        "evaluate", "--version", "1", "--data", str(data), "--folds", "2", action="model.evaluate"
    )
    before = len(run.audit_rows())
    res = sqlite_cli("models", "promote", "1")
    # refused: the bias-audit gate needs a match run of the model; the refusal is kept
    assert res.exit_code == 6 and "promotion refused" in res.stderr, res.output
    new = run.audit_rows()[before:]
    assert {r.actor for r in new} == {"admin"}
    assert [r.action for r in new][-1] == "model.promote_refused"  # after its bias audit
