"""`talentmap demo` and `talentmap import` through the command line, on both databases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data.store.engine import session_scope
from data.store.models import AuditLog, Candidate, StageEvent
from data.store.users import get_user, verify_password

pytestmark = pytest.mark.usefixtures("fast_hashing")


def count(engine, model) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_demo_builds_refuses_skips_and_replaces(cli) -> None:
    first = cli("demo", "--candidates", 60, "--seed", 3, "--as-of", "2026-01-31")
    assert first.exit_code == 0, first.output
    assert "60 candidates" in first.output and "admin-demo" not in first.output
    printed = dict(re.findall(r"│ (admin|recruiter|viewer) +(\S+) +│", first.output))
    assert set(printed) == {"admin", "recruiter", "viewer"}, first.output
    with session_scope(cli.engine) as s:
        for name, password in printed.items():  # each printed password signs that user in
            assert verify_password(get_user(s, name), password)
        assert not verify_password(get_user(s, "admin"), printed["recruiter"])
    assert count(cli.engine, Candidate) == 60 and count(cli.engine, StageEvent) > 60

    refused = cli("demo", "--candidates", 10)
    assert refused.exit_code != 0
    assert "already holds 60 candidates" in refused.output and "Traceback" not in refused.output

    skipped = cli("demo", "--if-empty", "--candidates", 10)
    assert skipped.exit_code == 0 and "skipped" in skipped.output
    assert count(cli.engine, Candidate) == 60

    replaced = cli("demo", "--replace", "--candidates", 25, "--as-of", "2026-01-31")
    assert replaced.exit_code == 0, replaced.output
    assert count(cli.engine, Candidate) == 25
    assert "Dashboard sign-in" not in replaced.output  # existing users keep their passwords


def test_demo_if_empty_on_an_empty_store_builds(cli) -> None:
    r = cli("demo", "--if-empty", "--candidates", 20, "--seed", 7)
    assert r.exit_code == 0 and count(cli.engine, Candidate) == 20


def test_demo_indexes_resume_skills_for_the_dashboard(cli) -> None:
    import json

    assert cli("demo", "--candidates", 30, "--seed", 5).exit_code == 0
    (index,) = (cli.data_dir / "cache").glob("skill-supply-*.json")
    totals = json.loads(index.read_text(encoding="utf-8"))["totals"]
    assert sum(totals.values()) == 30  # every demo resume counted once


def test_demo_rejects_bad_options(cli) -> None:
    bad_date = cli("demo", "--as-of", "31/01/2026")
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output
    both = cli("demo", "--if-empty", "--replace")
    assert both.exit_code == 2 and "not both" in both.output
    assert count(cli.engine, Candidate) == 0


def test_a_viewer_may_not_build_or_import(cli, tmp_path: Path) -> None:
    assert cli("users", "add", "vera", "--role", "viewer").exit_code == 0
    r = cli("demo", "--candidates", 5, user="vera")
    assert r.exit_code == 4 and "viewer may not" in r.output
    path = tmp_path / "c.csv"
    path.write_text("external_id,country\nx1,DE\n", encoding="utf-8")
    r = cli("import", "candidates", path, user="vera")
    assert r.exit_code == 4
    assert count(cli.engine, Candidate) == 0


def test_import_commands_report_bad_rows_and_store_good_files(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "external_id,country,sex\nc1,DE,Female\nc2,XX,Male\nc3,FR,Robot\n", encoding="utf-8"
    )
    r = cli("import", "candidates", bad)
    assert r.exit_code == 2, r.output
    assert "bad.csv, row 3, field 'country'" in r.output
    assert "bad.csv, row 4, field 'sex'" in r.output
    assert "Traceback" not in r.output
    assert count(cli.engine, Candidate) == 0

    good = tmp_path / "good.csv"
    good.write_text(
        "external_id,name,country,role\nc1,Ann,DE,ml_engineer\nc2,Bo,Japan,\n", encoding="utf-8"
    )
    r = cli("import", "candidates", good)
    assert r.exit_code == 0, r.output
    assert "2 new" in r.output
    events = tmp_path / "events.csv"
    events.write_text(
        "external_id,role,to_stage,at,outcome\n"
        "c1,ml_engineer,sourcing,2025-05-01,pass\n"
        "c1,ml_engineer,简历筛选,2025-05-03T09:00,\n",
        encoding="utf-8",
    )
    r = cli("import", "events", events)
    assert r.exit_code == 0, r.output
    assert count(cli.engine, StageEvent) == 2
    again = cli("import", "events", events)
    assert again.exit_code == 0 and "0 new" in again.output
    assert count(cli.engine, StageEvent) == 2
    with session_scope(cli.engine) as s:
        actions = s.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["import.candidates", "import.events", "import.events"]


def test_import_of_a_missing_file_is_a_clear_error(cli, tmp_path: Path) -> None:
    r = cli("import", "candidates", tmp_path / "nope.csv")
    assert r.exit_code != 0 and "nope.csv" in r.output and "Traceback" not in r.output


@pytest.mark.parametrize(
    ("args", "address"), [((), "127.0.0.1"), (("--address", "0.0.0.0"), "0.0.0.0")]
)
def test_serve_listens_on_this_machine_only_unless_told(cli, monkeypatch, args, address) -> None:
    """Issue 15: `serve` listened on every interface. The Streamlit command line it hands
    over to must carry --server.address (Streamlit's own default is all interfaces)."""
    import os

    handed: list[list[str]] = []

    def fake_execv(_exe: str, cmd: list[str]) -> None:
        handed.append(cmd)

    monkeypatch.setattr(os, "execv", fake_execv)
    monkeypatch.setattr(os, "chdir", lambda _p: None)
    res = cli("serve", "--port", "8765", *args)
    assert res.exit_code == 0, res.output
    (cmd,) = handed
    assert cmd[cmd.index("--server.address") + 1] == address
    assert cmd[cmd.index("--server.port") + 1] == "8765"
