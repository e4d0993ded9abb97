"""Access control across the whole CLI (issue 8: "a viewer cannot reach a writing command").

Every registered command is found by walking the Typer app, so a command added later must be
classified here: ``WRITES`` (with the permission it needs and plausible arguments), ``READS``,
or ``SETUP`` (``serve``: the dashboard asks for its own login). A refused command exits 4
with a one-line ``Error:`` message, changes no row of any table and leaves no file behind.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from argon2 import PasswordHasher
from sqlalchemy import Engine, func, select

from cli.main import app
from data.store import users
from data.store.engine import session_scope
from data.store.models import Base
from data.store.users import PERMISSIONS, can

Args = Callable[[Path], list[str]]


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's users are argon2-hashed; cheap parameters keep these tests fast."""
    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


def walk(group: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The path of every leaf command of ``group`` (groups have a ``commands`` dict)."""
    commands = getattr(group, "commands", None)
    if not isinstance(commands, dict):
        return [path]
    return [leaf for name, sub in sorted(commands.items()) for leaf in walk(sub, (*path, name))]


ALL_COMMANDS = {" ".join(p) for p in walk(typer.main.get_command(app))}


def _file(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def _candidates_csv(tmp: Path) -> Path:
    return _file(
        tmp,
        "people.csv",
        "external_id,name,email,country,source_channel,role\n"
        "X-1,Ann Access,ann.access@example.com,DE,referral,data_scientist\n",
    )


def _events_csv(tmp: Path) -> Path:
    return _file(
        tmp,
        "events.csv",
        "external_id,role,to_stage,at,outcome\nX-1,data_scientist,screening,2025-03-01,pass\n",
    )


def _labelled_csv(tmp: Path) -> Path:
    rows = "".join(
        f"python pytorch model {i},engineer\nsql dashboards {i},analyst\n" for i in range(4)
    )
    return _file(tmp, "labelled.csv", "text,label\n" + rows)


# command -> (permission it needs, plausible arguments after the command's own words)
WRITES: dict[str, tuple[str, Args]] = {
    "demo": ("write", lambda t: ["--candidates", "10", "--seed", "3", "--replace"]),
    "users add": ("admin", lambda t: ["mallory", "--role", "admin"]),
    "users token": ("admin", lambda t: ["rita"]),
    "users disable": ("admin", lambda t: ["rita"]),
    "users enable": ("admin", lambda t: ["rita"]),
    "import candidates": ("write", lambda t: [str(_candidates_csv(t))]),
    "import events": ("write", lambda t: [str(_events_csv(t))]),
    "roles import": ("write", lambda t: ["docs/examples/roles.csv"]),
    "resumes import": (
        "write",
        lambda t: [
            str(
                _file(
                    t, "cv.txt", "Ann Access\nData scientist. Python, SQL, PyTorch, statistics.\n"
                )
            )
        ],
    ),
    "docs import": (
        "write",
        lambda t: [
            str(_file(t, "plan.md", "# 人才战略\n\n招聘数据科学家，要求 Python 与机器学习。\n")),
            "--no-embed",
        ],
    ),
    "match": ("write", lambda t: ["--weights-only", "--top", "3"]),
    "feedback import": (
        "decide",
        lambda t: [
            str(
                _file(
                    t,
                    "fb.csv",
                    "resume,role,decision,reviewer\ncv.txt,data_scientist,advance,Rita\n",
                )
            )
        ],
    ),
    "audit": ("write", lambda t: ["--stage", "screening"]),
    "train classifier": ("models", lambda t: ["--data", str(_labelled_csv(t)), "--folds", "2"]),
    "train pair-scorer": ("models", lambda t: []),
    "evaluate": ("models", lambda t: ["--version", "1", "--data", str(_labelled_csv(t))]),
    "models promote": ("models", lambda t: ["1"]),
    "models rollback": ("models", lambda t: ["classifier"]),
    "skills sync": ("write", lambda t: []),
    "erase": ("admin", lambda t: ["--candidate", "P000001"]),
    "retention": ("admin", lambda t: ["--days", "0"]),
    "embed": ("write", lambda t: []),
    "plan import": ("write", lambda t: [str(_file(t, "plan.csv", "role,location\n"))]),
    "pay import-bands": ("write", lambda t: [str(_file(t, "bands.csv", "role,level\n"))]),
    "pay import-survey": ("write", lambda t: [str(_file(t, "survey.csv", "role,level\n"))]),
    "pay import-fx": ("write", lambda t: [str(_file(t, "fx.csv", "currency,per_usd\n"))]),
    "pay set-soc": ("write", lambda t: ["data_scientist", "15-2051"]),
    "mobility import": ("write", lambda t: [str(_file(t, "mob.csv", "country\n"))]),
    "mobility import-channels": ("write", lambda t: [str(_file(t, "ch.csv", "channel\n"))]),
}

# read-only commands, with plausible arguments ("report" leaves an audit row of the export)
READS: dict[str, Args] = {
    # on a store at the newest schema there is nothing to do, so anyone may (`make run` does);
    # upgrading an older one is an admin's job (tests/cli/test_cli_identity.py)
    "init": lambda t: [],
    "users list": lambda t: [],
    "roles list": lambda t: [],
    "roles from-posting": lambda t: ["docs/examples/posting_zh.md"],
    "resumes list": lambda t: [],
    "docs list": lambda t: [],
    "docs show": lambda t: ["1"],
    "models list": lambda t: [],
    "models show": lambda t: ["1"],
    "skills list": lambda t: [],
    "skills find": lambda t: ["Python 与 PyTorch，熟悉 Kubernetes"],
    "titles normalise": lambda t: ["数据科学家"],
    "plan list": lambda t: [],
    "forecast": lambda t: [],
    "pay benchmark": lambda t: [],
    "mobility costs": lambda t: [],
    "retention-curves": lambda t: [],
    "report": lambda t: [
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--format",
        "csv",
        "--out",
        str(t / "report.zip"),
    ],
}

# hands over to the dashboard, which asks for its own login
SETUP = {"serve"}


def test_every_command_is_classified() -> None:
    unclassified = ALL_COMMANDS - set(WRITES) - set(READS) - SETUP
    assert not unclassified, (
        f"new command(s) {sorted(unclassified)}: add each to WRITES (with the permission it "
        "needs) or READS in tests/cli/test_access_control.py"
    )
    stale = (set(WRITES) | set(READS) | SETUP) - ALL_COMMANDS
    assert not stale, f"classified but no longer registered: {sorted(stale)}"
    assert not set(WRITES) & set(READS)


def test_the_tables_use_real_permissions() -> None:
    assert {perm for perm, _ in WRITES.values()} <= set().union(*PERMISSIONS.values())


def counts(engine: Engine) -> dict[str, int]:
    """Rows in every table of the store."""
    with session_scope(engine) as s:
        return {
            t.name: s.scalar(select(func.count()).select_from(t)) or 0
            for t in Base.metadata.sorted_tables
        }


def files(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def store(cli, tmp_path):
    """A small demo store with a viewer (vera) and a recruiter (rita)."""
    res = cli("demo", "--candidates", "12", "--seed", "5")
    assert res.exit_code == 0, res.output
    for name, role in (("vera", "viewer"), ("rita", "recruiter")):
        res = cli("users", "add", name, "--role", role)
        assert res.exit_code == 0, res.output
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    return cli, inputs


def _refused(cli, inputs: Path, command: str, args: list[str], user: str) -> list[str]:
    """Problems seen when ``user`` runs ``command`` and should be refused (empty: fine)."""
    before_rows, before_files = counts(cli.engine), files(cli.data_dir)
    res = cli(*command.split(), *args, user=user)
    problems = []
    lines = res.stderr.strip().splitlines()
    if res.exit_code != 4:
        problems.append(f"exit {res.exit_code}, expected 4: {res.output.strip()[:300]}")
    if len(lines) != 1 or not lines[0].startswith("Error: ") or "may not" not in lines[0]:
        problems.append(f"not a one-line refusal on stderr: {res.stderr!r}")
    if "Traceback" in res.output:
        problems.append("traceback in the output")
    if counts(cli.engine) != before_rows:
        after = counts(cli.engine)
        problems.append(
            "rows changed: "
            + ", ".join(
                f"{t} {before_rows[t]}→{after[t]}" for t in after if after[t] != before_rows[t]
            )
        )
    if files(cli.data_dir) != before_files:
        problems.append("files in the data directory changed")
    return [f"{user}: talentmap {command}: {p}" for p in problems]


def test_a_viewer_is_refused_every_writing_command(store) -> None:
    cli, inputs = store
    problems: list[str] = []
    for command, (_perm, args) in WRITES.items():
        problems += _refused(cli, inputs, command, args(inputs), "vera")
    assert not problems, "\n".join(problems)


def test_a_recruiter_is_refused_user_and_model_management(store) -> None:
    cli, inputs = store
    denied = [c for c, (perm, _) in WRITES.items() if not can("recruiter", perm)]
    assert {
        "users add",
        "models promote",
        "models rollback",
        "train classifier",
        "erase",
        "retention",
    } <= set(denied)
    problems: list[str] = []
    for command in denied:
        problems += _refused(cli, inputs, command, WRITES[command][1](inputs), "rita")
    assert not problems, "\n".join(problems)


def test_a_recruiter_may_import_and_give_feedback(store) -> None:
    cli, inputs = store
    for command in (
        "roles import",
        "import candidates",
        "import events",
        "resumes import",
        "docs import",
        "feedback import",
    ):
        perm = WRITES[command][0]
        assert can("recruiter", perm)
        res = cli(*command.split(), *WRITES[command][1](inputs), user="rita")
        assert res.exit_code == 0, f"talentmap {command}: {res.output}"


def test_a_viewer_can_read_everything_but_contact_details(store) -> None:
    cli, inputs = store
    for command in (
        "users list",
        "roles list",
        "resumes list",
        "docs list",
        "models list",
        "skills list",
        "skills find",
    ):
        res = cli(*command.split(), *READS[command](inputs), user="vera")
        assert res.exit_code == 0, f"talentmap {command}: {res.output}"
    res = cli("roles", "list", "--format", "json", user="vera")
    assert json.loads(res.stdout), "the demo's roles are visible to a viewer"
    res = cli("evaluate", user="vera")  # without --data it only shows stored scores
    assert res.exit_code == 3 and "no classifier model is active" in res.stderr, res.output
    res = cli(*["report"], *READS["report"](inputs), user="vera")
    assert res.exit_code == 0, res.output
    problems = _refused(
        cli,
        inputs,
        "report",
        [*READS["report"](inputs)[:-1], str(inputs / "contacts.zip"), "--show-contacts"],
        "vera",
    )
    assert not problems, "\n".join(problems)
    assert not (inputs / "contacts.zip").exists()


def test_an_unknown_user_is_refused_without_learning_whether_they_exist(store) -> None:
    """Once users exist, an unknown name is refused like a wrong token (exit 4, one line that
    says how to get a token) and nothing is written; ``init`` on a current store does nothing."""
    cli, inputs = store
    expected = [
        "Error: TALENTMAP_USER='nobody' with this TALENTMAP_TOKEN is not a valid sign-in: ask "
        "an admin to run `talentmap users token nobody` and set TALENTMAP_TOKEN to what it prints"
    ]
    problems: list[str] = []
    for command in sorted((set(WRITES) | set(READS)) - {"init"}):
        args = WRITES[command][1](inputs) if command in WRITES else READS[command](inputs)
        before = counts(cli.engine)
        res = cli(*command.split(), *args, user="nobody")
        if res.exit_code != 4 or res.stderr.strip().splitlines() != expected:
            problems.append(
                f"talentmap {command}: exit {res.exit_code}: {res.output.strip()[:200]}"
            )
        if counts(cli.engine) != before:
            problems.append(f"talentmap {command}: rows changed for an unknown user")
    assert not problems, "\n".join(problems)
