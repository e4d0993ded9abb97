"""The command line honours every setting from .env as from the environment (both databases)."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from cli import store as store_cli
from data.store import users
from data.store.engine import session_scope
from data.store.models import AuditLog, Resume
from tests.data.resume_files import EN_RESUME


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def workdir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_dotenv_user_is_who_the_cli_acts_as(cli, workdir: Path) -> None:
    """TALENTMAP_USER and TALENTMAP_TOKEN are read from .env as from the environment."""
    assert cli("users", "add", "admin", "--role", "admin", "--password", "pw").exit_code == 0
    assert cli("users", "add", "vera", "--role", "viewer", "--password", "pw").exit_code == 0
    with session_scope(cli.engine) as s:
        vera_token = users.issue_token(s, "vera")
        admin_token = users.issue_token(s, "admin")
    (workdir / ".env").write_text(
        f"TALENTMAP_USER=vera\nTALENTMAP_TOKEN={vera_token}\n", encoding="utf-8"
    )
    from typer.testing import CliRunner

    from cli.main import app

    def bare(*args: str):  # no TALENTMAP_USER/TOKEN in the environment: .env decides
        return CliRunner().invoke(app, list(args), catch_exceptions=False)

    refused = bare("users", "add", "mallory", "--role", "admin")
    assert refused.exit_code == 4 and "a viewer may not add users" in refused.stderr
    (workdir / ".env").write_text(
        f"TALENTMAP_USER=admin\nTALENTMAP_TOKEN={admin_token}\n", encoding="utf-8"
    )
    assert bare("users", "add", "rita", "--role", "recruiter").exit_code == 0
    with session_scope(cli.engine) as s:
        actors = s.scalars(select(AuditLog.actor).where(AuditLog.action == "users.add")).all()
    assert actors[-1] == "admin"


def test_dotenv_password_is_used_by_users_add(cli, workdir: Path) -> None:
    (workdir / ".env").write_text("TALENTMAP_PASSWORD=from-dotenv\n", encoding="utf-8")
    assert cli("users", "add", "ann", "--role", "viewer").exit_code == 0
    with session_scope(cli.engine) as s:
        ann = users.get_user(s, "ann")
        assert users.verify_password(ann, "from-dotenv")
        assert not users.verify_password(ann, "other")


def test_dotenv_upload_limit_applies_to_resume_import(cli, workdir: Path) -> None:
    big = workdir / "big.txt"  # 1.5 MB: under the default limit, over the one in .env
    big.write_bytes(b"Python engineer\n" * (1536 * 1024 // 16))
    small = workdir / "cv.txt"
    small.write_text(EN_RESUME, encoding="utf-8")
    (workdir / ".env").write_text("TALENTMAP_MAX_UPLOAD_MB=1\n", encoding="utf-8")
    result = cli("resumes", "import", big, small)
    assert result.exit_code == 2
    assert "failed: big.txt: 1.6 MB, more than the limit of 1.0 MB" in result.output
    with session_scope(cli.engine) as s:
        assert len(s.scalars(select(Resume.id)).all()) == 1  # the small one


def test_serve_hands_dotenv_and_the_upload_limit_to_streamlit(
    cli, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / ".env").write_text(
        "TALENTMAP_MAX_UPLOAD_MB=7\nTALENTMAP_ENCODER=muse\n", encoding="utf-8"
    )
    seen: dict[str, object] = {}

    def fake_execv(exe: str, argv: list[str]) -> None:
        import os

        seen["argv"] = argv
        seen["encoder"] = os.environ.get("TALENTMAP_ENCODER")
        seen["data_dir"] = os.environ.get("TALENTMAP_DATA_DIR")

    monkeypatch.setattr(store_cli.os, "execv", fake_execv)
    monkeypatch.setattr(store_cli.os, "chdir", lambda _p: None)
    assert cli("serve", "--port", "8765").exit_code == 0
    argv = seen["argv"]
    assert isinstance(argv, list)
    assert argv[argv.index("--server.maxUploadSize") + 1] == "7"
    assert seen["encoder"] == "muse"
    assert seen["data_dir"] == str(Path(cli.data_dir).resolve())


@pytest.mark.parametrize(
    ("command", "header"),
    [
        (("roles", "import"), "key,title_en,required_skills\n"),
        (("import", "candidates"), "external_id,name\n"),
        (("import", "events"), "external_id,role,to_stage,at\n"),
        (("feedback", "import"), "resume,role,decision,reviewer\n"),
    ],
    ids=["roles", "candidates", "events", "feedback"],
)
def test_dotenv_upload_limit_applies_to_every_csv_import(
    cli, workdir: Path, command: tuple[str, ...], header: str
) -> None:
    """The CSV importers used to read up to the built-in 20 MB whatever the setting said."""
    big = workdir / "big.csv"  # 1.5 MB: under the default limit, over the one in .env
    big.write_bytes(header.encode() + b"x" * (1536 * 1024))
    (workdir / ".env").write_text("TALENTMAP_MAX_UPLOAD_MB=1\n", encoding="utf-8")
    result = cli(*command, big)
    assert result.exit_code == 2, result.output
    assert "big.csv: 1.6 MB, more than the limit of 1.0 MB" in result.output
