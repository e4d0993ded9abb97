"""Bad input to any command gives a clear ``Error: ...`` line on stderr and a non-zero exit,
never a traceback (issue 3, item 5). The ``cli`` fixture invokes with
``catch_exceptions=False``, so an unhandled exception fails the test by itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from data.store.engine import session_scope
from data.store.models import Base
from tests.cli.test_access_control import ALL_COMMANDS, READS, SETUP, WRITES, counts

# commands that load an encoder before touching the store: run as a named user so that the
# store is checked first (the local admin is only looked up once a store exists)
LOADS_A_MODEL_FIRST = {"match", "embed", "train classifier", "train pair-scorer"}
# read the packaged taxonomy, not the store: they work before `init`
NO_STORE = {
    "skills list",
    "skills find",
    "titles normalise",
    "roles from-posting",
}  # reads files only (unless --save)


def error_line(res) -> str:
    """The one ``Error:`` line of a failed command (progress bars may leave blank lines)."""
    assert res.exit_code not in (0, None), res.output
    assert "Traceback" not in res.output
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {lines}"
    assert lines[0].startswith("Error: "), lines[0]
    return lines[0]


def _write(tmp: Path, name: str, data: str | bytes) -> str:
    path = tmp / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return str(path)


def test_every_command_on_an_uninitialised_store_says_run_init(cli) -> None:
    Base.metadata.drop_all(cli.engine)
    with session_scope(cli.engine) as s:
        s.execute(text("DROP TABLE alembic_version"))
    assert inspect(cli.engine).get_table_names() == []
    inputs = cli.data_dir.parent / "inputs"
    inputs.mkdir()
    problems = []
    for command in sorted(ALL_COMMANDS - SETUP - NO_STORE - {"init"}):
        args = WRITES[command][1](inputs) if command in WRITES else READS[command](inputs)
        user = "admin" if command in LOADS_A_MODEL_FIRST else None
        res = cli(*command.split(), *args, user=user)
        lines = [line for line in res.stderr.splitlines() if line.strip()]
        if (
            res.exit_code != 7
            or len(lines) != 1
            or not lines[0].endswith("has no TalentMap schema: run `talentmap init` first")
        ):
            problems.append(f"talentmap {command}: exit {res.exit_code}: {res.output[-300:]!r}")
    assert not problems, "\n".join(problems)
    assert inspect(cli.engine).get_table_names() == [], "a command created tables itself"
    res = cli("skills", "find", "PyTorch")
    assert res.exit_code == 0 and "pytorch" in res.stdout.lower(), res.output
    assert cli("init").exit_code == 0
    res = cli("users", "list")
    assert res.exit_code == 0, res.output


MISSING_FILE = [
    ("import candidates",),
    ("import events",),
    ("roles import",),
    ("resumes import",),
    ("feedback import",),
    ("train classifier", "--data"),
    ("evaluate", "--data"),
]


@pytest.mark.parametrize("command", MISSING_FILE, ids=lambda c: c[0])
def test_a_missing_file_is_named(cli, tmp_path, command: tuple[str, ...]) -> None:
    missing = tmp_path / "no-such-file.csv"
    res = cli(*command[0].split(), *command[1:], missing)
    assert res.exit_code == 2
    assert "no-such-file.csv" in error_line(res)


def test_a_missing_strategy_document_is_a_failed_file(cli, tmp_path) -> None:
    """``docs import`` reports per file (the others still import) and exits 2."""
    good = _write(tmp_path, "plan.md", "# 计划\n\n招聘数据科学家。\n")
    res = cli("docs", "import", tmp_path / "gone.md", good, "--no-embed")
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "failed:" in res.stdout and "gone.md" in res.stdout and "1 imported" in res.stdout


BAD_OPTION_VALUES = [
    ("report", "--from", "2025-01-01", "--to", "2025-12-31", "--format", "docx"),
    ("match", "--format", "xml"),
    ("match", "--top", "0"),
    ("roles", "list", "--format", "yaml"),
    ("resumes", "list", "--format", "html"),
    ("docs", "list", "--format", "csv"),
    ("models", "list", "--kind", "forest"),
    ("models", "rollback", "forest"),
    ("audit", "--format", "pdf"),
    ("train", "pair-scorer", "--format", "xlsx"),
    ("retention", "--days", "-1"),
    ("demo", "--candidates", "many"),
]


@pytest.mark.parametrize("args", BAD_OPTION_VALUES, ids=lambda a: " ".join(a[:2]))
def test_a_bad_option_value_is_a_usage_error(cli, args: tuple[str, ...]) -> None:
    """Click checks choices and numbers before the command runs: exit 2, the value named."""
    before = counts(cli.engine)
    res = cli(*args)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert "Invalid value" in res.stderr and "Usage: talentmap" in res.stderr
    assert counts(cli.engine) == before


@pytest.fixture
def with_roles(cli):
    res = cli("roles", "import", "docs/examples/roles.csv")
    assert res.exit_code == 0, res.output
    return cli


@pytest.mark.parametrize(
    "args",
    [
        ("report", "--from", "2025-01-01", "--to", "2025-12-31", "--role", "astronaut"),
        ("audit", "--stage", "screening", "--role", "astronaut"),
    ],
    ids=["report", "audit"],
)
def test_an_unknown_role_key_lists_the_known_ones(with_roles, args: tuple[str, ...]) -> None:
    line = error_line(with_roles(*args))
    assert "astronaut" in line and "llm_engineer" in line


def test_an_unknown_role_in_a_csv_names_row_and_field(with_roles, tmp_path) -> None:
    cli = with_roles
    before = counts(cli.engine)
    fb = _write(
        tmp_path, "fb.csv", "resume,role,decision,reviewer\ncv.txt,astronaut,advance,Rita\n"
    )
    res = cli("feedback", "import", fb)
    assert res.exit_code == 2 and "Traceback" not in res.output
    head, *rows = res.stderr.strip().splitlines()
    assert head.startswith("Error: 1 bad row(s); nothing was imported")
    assert "fb.csv, row 2, field 'role'" in rows[0] and "astronaut" in rows[0]
    people = _write(tmp_path, "people.csv", "external_id,country,role\nX-1,DE,astronaut\n")
    res = cli("import", "candidates", people)
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "people.csv, row 2, field 'role'" in res.stderr
    assert counts(cli.engine) == before


@pytest.mark.parametrize(
    "args,code,needle",
    [
        (("report", "--from", "2025-13-01", "--to", "2025-12-31"), 2, "'2025-13-01' is not a date"),
        (("report", "--from", "2025-12-31", "--to", "2025-01-01"), 2, "swap --from and --to"),
        (("audit", "--from", "last week"), 2, "'last week' is not a date"),
        (("audit", "--stage", "lunch"), 2, "unknown stage 'lunch'"),
        (("audit", "--stage", "screening", "--run", "1"), 2, "not both"),
        (("audit", "--run", "999"), 3, "no match run 999"),
        (("demo", "--as-of", "yesterday"), 2, "'yesterday' is not a date"),
        (("demo", "--candidates", "0"), 2, "at least 1"),
        (("retention", "--days", "5", "--as-of", "soon"), 2, "'soon' is not a date"),
        (("erase", "--candidate", "P-nobody"), 3, "no candidate 'P-nobody'"),
        (("docs", "show", "999"), 3, "no document with id 999"),
        (("models", "show", "99"), 3, "no classifier version 99"),
        (("models", "promote", "99"), 3, "no classifier version 99"),
        (("evaluate",), 3, "no classifier model is active"),
        (("evaluate", "--kind", "pair_scorer", "--data", "x.csv"), 5, "--data scores classifiers"),
        (("users", "add", " ", "--role", "viewer"), 2, "user name is empty"),
        (("skills", "list", "--category", "astrology"), 2, "no skills in category 'astrology'"),
    ],
    ids=lambda v: v[0] + "-" + v[1] if isinstance(v, tuple) and len(v) > 1 else None,
)
def test_bad_values_give_one_line(cli, args: tuple[str, ...], code: int, needle: str) -> None:
    before = counts(cli.engine)
    res = cli(*args)
    assert res.exit_code == code, res.output
    assert needle in error_line(res)
    assert counts(cli.engine) == before


BAD_FILES: dict[str, str | bytes] = {
    "binary.csv": bytes(range(256)) * 4,
    "header-only.csv": "external_id,name,role,decision,reviewer,key,title_en,text,label\n",
    "wrong-columns.csv": "a,b\n1,2\n",
    "empty.csv": "",
}


@pytest.mark.parametrize(
    "command",
    [
        "import candidates",
        "import events",
        "roles import",
        "feedback import",
        "train classifier --data",
    ],
)
@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_stores_nothing_and_says_why(cli, tmp_path, command: str, name: str) -> None:
    path = _write(tmp_path, name, BAD_FILES[name])
    before = counts(cli.engine)
    res = cli(*command.split(), path)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    first = res.stderr.strip().splitlines()[0]
    assert first.startswith("Error: ") and name in res.stderr, res.stderr
    assert counts(cli.engine) == before


def test_a_folder_where_a_file_is_expected(cli, tmp_path) -> None:
    for command in ("import candidates", "import events", "feedback import", "roles import"):
        res = cli(*command.split(), tmp_path)
        assert res.exit_code == 2, f"{command}: {res.output}"
        error_line(res)
    empty = tmp_path / "empty"
    empty.mkdir()
    res = cli("resumes", "import", empty)
    assert "no resume files in this folder" in error_line(res)


def test_a_report_under_a_file_is_refused_in_one_line(cli, tmp_path) -> None:
    """Once a FileExistsError traceback: --out below a path that is a file."""
    blocker = Path(_write(tmp_path, "notes.txt", "not a folder"))
    res = cli(
        "report",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--format",
        "csv",
        "--out",
        blocker / "r.zip",
    )
    line = error_line(res)
    assert res.exit_code == 2 and f"{blocker} is a file, not a folder" in line
    res = cli("report", "--from", "2025-01-01", "--to", "2025-12-31", "--out", tmp_path)
    assert "is a folder" in error_line(res)


@pytest.mark.parametrize(
    "command,csv_text,field",
    [
        (
            "import candidates",
            "external_id,name,email\nX-1,Ann,ann@example.com\nX-2,"
            + "N" * 201
            + ",n@example.com\n",
            "name",
        ),
        ("import candidates", "external_id,country,region\nX-1,DE," + "R" * 40 + "\n", "region"),
        (
            "import events",
            "external_id,role,to_stage,at,actor\nX-1,llm_engineer,screening,"
            "2025-01-01," + "a" * 65 + "\n",
            "actor",
        ),
    ],
    ids=["long-name", "long-region", "long-actor"],
)
def test_text_the_database_would_refuse_is_a_row_error(
    with_roles, tmp_path, command: str, csv_text: str, field: str
) -> None:
    """Once a PostgreSQL DataError traceback (SQLite stored the values silently)."""
    cli = with_roles
    path = _write(tmp_path, "people.csv", "external_id,role\nX-1,llm_engineer\n")
    assert cli("import", "candidates", path).exit_code == 0
    path = _write(tmp_path, "bad.csv", csv_text)
    before = counts(cli.engine)
    res = cli(*command.split(), path)
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert f"bad.csv, row {csv_text.count(chr(10))}, field '{field}'" in res.stderr, res.stderr
    assert counts(cli.engine) == before


def test_a_nul_byte_is_refused_with_its_line(with_roles, tmp_path) -> None:
    """NUL bytes mark a binary file: refused before any row is read, naming file and line."""
    path = _write(tmp_path, "bad.csv", "external_id,name\nX-\x001,Nul\n")
    before = counts(with_roles.engine)
    res = with_roles("import", "candidates", path)
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "bad.csv, row 2, field 'external_id'" in res.stderr and "NUL" in res.stderr, res.stderr
    assert counts(with_roles.engine) == before


def test_an_over_long_user_name_is_refused(cli) -> None:
    line = error_line(cli("users", "add", "u" * 65, "--role", "viewer"))
    assert "at most 64" in line


@pytest.mark.parametrize(
    "url,needle",
    [
        ("postgresql+psycopg://tm:secret@127.0.0.1:1/talentmap", "cannot use the database"),
        ("mysql://tm@localhost/talentmap", "DATABASE_URL mysql://tm@localhost/talentmap cannot"),
        ("not a url", "DATABASE_URL (not a URL) cannot be used"),
    ],
    ids=["server-down", "no-driver", "not-a-url"],
)
def test_an_unusable_database_is_one_line(sqlite_cli, monkeypatch, url: str, needle: str) -> None:
    """Once tracebacks (OperationalError, ModuleNotFoundError, ArgumentError)."""
    monkeypatch.setenv("DATABASE_URL", url)
    for args in (("init",), ("users", "list"), ("roles", "list")):
        line = error_line(sqlite_cli(*args))
        assert needle in line and "secret" not in line


def test_a_document_at_an_over_long_path_is_a_failed_file(cli, tmp_path) -> None:
    """Once a PostgreSQL DataError that aborted the whole import (documents.path is 500 chars)."""
    deep = tmp_path / ("d" * 200) / ("e" * 200)
    deep.mkdir(parents=True)
    far = deep / ("f" * 120 + ".md")
    far.write_text("# 计划\n\n招聘数据科学家。\n", encoding="utf-8")
    near = _write(tmp_path, "plan.md", "# 计划\n\n招聘机器学习工程师。\n")
    res = cli("docs", "import", far, near, "--no-embed")
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "under 500 characters" in res.stdout and "1 imported" in res.stdout


def test_a_nul_byte_in_a_csv_names_its_line_and_stores_nothing(with_roles, tmp_path) -> None:
    """Once a PostgreSQL DataError traceback; now the one decoder refuses the binary byte."""
    cli = with_roles
    path = _write(tmp_path, "bad.csv", "external_id,name\nX-\x001,Nul\n")
    before = counts(cli.engine)
    res = cli("import", "candidates", path)
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "bad.csv, row 2, field 'external_id': contains a NUL character" in res.stderr, res.stderr
    assert counts(cli.engine) == before
