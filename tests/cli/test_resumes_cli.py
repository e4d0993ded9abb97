"""``talentmap resumes import|list`` and ``talentmap roles import|list``, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data.store.engine import session_scope
from data.store.models import AuditLog, Resume, Role
from tests.data.resume_files import EN_RESUME, ZH_RESUME, cfb_doc_bytes, make_docx, make_png

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    (folder / "zh").mkdir(parents=True)
    make_docx(folder / "jane.docx", EN_RESUME)
    (folder / "zh" / "zhang.md").write_text(ZH_RESUME, encoding="utf-8")
    (folder / "zh" / "copy.md").write_text(ZH_RESUME, encoding="utf-8")
    (folder / "old.docx").write_bytes(cfb_doc_bytes())
    make_png(folder / "photo.png")
    return folder


def _count(engine, model) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_import_folder_reports_each_file(cli, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    result = cli("resumes", "import", folder)
    assert result.exit_code == 2, result.output  # some failed; the good ones are stored
    out = result.output
    assert "stored 2, duplicates 1, failed 2 (of 5 files)" in out
    assert "duplicate: zhang.md (same file as resume" in out
    assert "failed: old.docx: legacy Word .doc is not supported: save it as .docx or PDF" in out
    assert "failed: photo.png: a PNG image is not a resume format" in out
    assert "Traceback" not in out
    assert _count(cli.engine, Resume) == 2

    again = cli("resumes", "import", folder / "jane.docx", folder / "zh")
    assert again.exit_code == 0, again.output
    assert "stored 0, duplicates 3, failed 0" in again.output
    assert _count(cli.engine, Resume) == 2


def test_list_resumes_table_and_json(cli, tmp_path: Path) -> None:
    cli("resumes", "import", make_docx(tmp_path / "jane.docx", EN_RESUME))
    table = cli("resumes", "list")
    assert table.exit_code == 0
    assert table.output.splitlines()[0].split() == [
        "id",
        "file",
        "language",
        "pages",
        "chars",
        "candidate",
    ]
    assert "jane.docx" in table.output and "jane.doe" not in table.output
    rows = json.loads(cli("resumes", "list", "--format", "json").output)
    assert [(r["file_name"], r["language"]) for r in rows] == [("jane.docx", "en")]
    assert set(rows[0]) == {
        "id",
        "file_name",
        "language",
        "pages",
        "chars",
        "candidate",
        "created_at",
    }


def test_import_missing_path_is_a_clear_error(cli, tmp_path: Path) -> None:
    result = cli("resumes", "import", tmp_path / "nope")
    assert result.exit_code == 2
    assert "no such file or folder" in result.output and "Traceback" not in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("resumes", "import", empty)
    assert result.exit_code == 2 and "no resume files in this folder" in result.output


def test_roles_import_and_list(cli) -> None:
    result = cli("roles", "import", EXAMPLES / "roles.csv")
    assert result.exit_code == 0, result.output
    assert "imported 3 role(s) from roles.csv" in result.output
    assert cli("roles", "import", EXAMPLES / "roles.yaml").exit_code == 0
    table = cli("roles", "list")
    assert table.exit_code == 0
    assert "llm_engineer" in table.output and "机器学习平台工程师" in table.output
    assert "mlops:1, kubernetes:0.9" in table.output
    roles = json.loads(cli("roles", "list", "--format", "json").output)
    assert len(roles) == 5
    llm = next(r for r in roles if r["key"] == "llm_engineer")
    assert llm["required"][0] == {"skill": "llm", "weight": 1.0}
    assert llm["title_zh"] == "大模型应用工程师"
    open_roles = json.loads(cli("roles", "list", "--open", "--format", "json").output)
    assert "data_analyst" not in {r["key"] for r in open_roles}


def test_roles_import_bad_file_names_the_row(cli, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("title_en,required_skills\nGood,python\nBad,Pytorchh:1\n", encoding="utf-8")
    result = cli("roles", "import", path)
    assert result.exit_code == 2
    assert (
        "bad.csv, row 3, field 'required_skills': unknown skill 'Pytorchh': check spelling"
        in result.output
    )
    assert _count(cli.engine, Role) == 0


@pytest.mark.parametrize(
    "command", [["resumes", "import"], ["roles", "import"]], ids=["resumes", "roles"]
)
def test_viewers_cannot_import(cli, tmp_path: Path, command: list[str]) -> None:
    assert cli("users", "add", "vera", "--role", "viewer").exit_code == 0
    target = (
        make_docx(tmp_path / "jane.docx", EN_RESUME)
        if command[0] == "resumes"
        else EXAMPLES / "roles.yaml"
    )
    result = cli(*command, target, user="vera")
    assert result.exit_code == 4
    assert "a viewer may not import" in result.output
    assert _count(cli.engine, Resume) == 0 and _count(cli.engine, Role) == 0
    # viewers may still read
    assert cli("resumes", "list", user="vera").exit_code == 0
    assert cli("roles", "list", user="vera").exit_code == 0


def test_recruiter_import_is_audited(cli, tmp_path: Path) -> None:
    assert cli("users", "add", "rita", "--role", "recruiter").exit_code == 0
    path = make_docx(tmp_path / "zw.docx", ZH_RESUME)
    assert cli("resumes", "import", path, user="rita").exit_code == 0
    assert cli("roles", "import", EXAMPLES / "roles.yaml", user="rita").exit_code == 0
    with session_scope(cli.engine) as s:
        actions = sorted(
            (a.actor, a.action)
            for a in s.scalars(
                select(AuditLog).where(AuditLog.action.in_(["resumes.import", "roles.import"]))
            )
        )
    assert actions == [
        ("rita", "resumes.import"),
        ("rita", "roles.import"),
        ("rita", "roles.import"),
    ]


@pytest.mark.parametrize(
    "command",
    [["resumes", "import"], ["resumes", "list"], ["roles", "import"], ["roles", "list"]],
    ids=lambda c: " ".join(c),
)
def test_every_command_has_help(sqlite_cli, command: list[str]) -> None:
    result = sqlite_cli(*command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.output and len(result.output.split("\n")) > 4


def test_large_batches_commit_in_chunks(cli, tmp_path: Path, monkeypatch) -> None:
    from cli import resumes as resumes_cli

    monkeypatch.setattr(resumes_cli, "COMMIT_EVERY", 2)
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(5):
        (folder / f"r{i}.txt").write_text(f"{EN_RESUME}\nReference number {i}", encoding="utf-8")
    (folder / "r5.txt").write_text(f"{EN_RESUME}\nReference number 0", encoding="utf-8")
    result = cli("resumes", "import", folder)
    assert result.exit_code == 0, result.output
    assert "stored 5, duplicates 1, failed 0 (of 6 files)" in result.output
    assert "duplicate: r5.txt (same file as resume" in result.output
    assert _count(cli.engine, Resume) == 5
