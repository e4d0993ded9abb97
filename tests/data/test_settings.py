"""Settings: every TALENTMAP_* setting from the environment and from .env, one upload limit,
and the paths inside the data directory derived in one place."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from data.settings import SUBDIRS, Settings
from data.text.documents import read_document
from data.text.files import MAX_UPLOAD_MB
from data.text.resume_files import Limits

ROOT = Path(__file__).resolve().parents[2]

# variable, value written, attribute, value read back
SETTINGS = [
    ("TALENTMAP_DATA_DIR", "/srv/talentmap", "data_dir", Path("/srv/talentmap")),
    ("DATABASE_URL", "postgresql://hr@db:5432/tm", "database_url", "postgresql://hr@db:5432/tm"),
    ("TALENTMAP_DATABASE_URL", "sqlite:////tmp/x.db", "database_url", "sqlite:////tmp/x.db"),
    ("TALENTMAP_USER", "alice", "user", "alice"),
    ("TALENTMAP_PASSWORD", "s3cret", "password", "s3cret"),
    ("TALENTMAP_TOKEN", "tok-123", "token", "tok-123"),
    ("TALENTMAP_ENCODER", "muse", "encoder", "muse"),
    ("TALENTMAP_MAX_UPLOAD_MB", "7", "max_upload_mb", 7),
    ("TALENTMAP_DASHBOARD_RAISE", "1", "dashboard_raise", True),
    ("TALENTMAP_DB_POOL_SIZE", "4", "db_pool_size", 4),
    ("TALENTMAP_DB_MAX_OVERFLOW", "6", "db_max_overflow", 6),
    ("TALENTMAP_DB_POOL_TIMEOUT", "12.5", "db_pool_timeout", 12.5),
    ("TALENTMAP_DB_POOL_RECYCLE", "-1", "db_pool_recycle", -1),
    ("TALENTMAP_DB_POOL_PRE_PING", "false", "db_pool_pre_ping", False),
    ("TALENTMAP_DB_STATEMENT_TIMEOUT_MS", "30000", "db_statement_timeout_ms", 30000),
]
IDS = [s[0] for s in SETTINGS]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty working directory and no TALENTMAP_* (or DATABASE_URL) in the environment."""
    for key in list(os.environ):
        if key.startswith("TALENTMAP_") or key == "DATABASE_URL":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_table_covers_every_setting() -> None:
    assert {attr for _, _, attr, _ in SETTINGS} == set(Settings.model_fields)


@pytest.mark.parametrize(("var", "raw", "attr", "value"), SETTINGS, ids=IDS)
def test_each_setting_from_the_environment(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, var: str, raw: str, attr: str, value: object
) -> None:
    monkeypatch.setenv(var, raw)
    assert getattr(Settings(), attr) == value


@pytest.mark.parametrize(("var", "raw", "attr", "value"), SETTINGS, ids=IDS)
def test_each_setting_from_dotenv(
    clean_env: Path, var: str, raw: str, attr: str, value: object
) -> None:
    (clean_env / ".env").write_text(f"# local settings\n{var}={raw}\n", encoding="utf-8")
    assert getattr(Settings(), attr) == value


def test_the_environment_wins_over_dotenv(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean_env / ".env").write_text("TALENTMAP_USER=alice\nTALENTMAP_ENCODER=muse\n")
    monkeypatch.setenv("TALENTMAP_USER", "bob")
    s = Settings()
    assert (s.user, s.encoder) == ("bob", "muse")


def test_defaults(clean_env: Path) -> None:
    s = Settings()
    assert (s.data_dir, s.database_url, s.user, s.encoder) == (Path("var"), None, None, "minilm")
    assert s.max_upload_mb == MAX_UPLOAD_MB and s.dashboard_raise is False


def test_paths_are_derived_from_the_data_directory(clean_env: Path) -> None:
    root = clean_env / "store"
    s = Settings(data_dir=root)
    assert s.database_file == root / "talentmap.sqlite"
    assert s.url == "sqlite:///" + str((root / "talentmap.sqlite").resolve())
    assert (s.models_dir, s.exports_dir, s.uploads_dir, s.cache_dir) == tuple(
        root / name for name in ("models", "exports", "uploads", "cache")
    )
    s.ensure_dirs()
    assert sorted(p.name for p in root.iterdir()) == sorted(SUBDIRS)
    assert Settings(data_dir=root, database_url="postgresql://h/db").url == "postgresql://h/db"


def test_export_environment_hands_dotenv_to_a_child_process(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_env / ".env").write_text(
        "TALENTMAP_DATA_DIR=rel/data\nTALENTMAP_USER=alice\nTALENTMAP_MAX_UPLOAD_MB=3\n"
        "TALENTMAP_DASHBOARD_RAISE=true\n"
    )
    first = Settings()
    first.export_environment()
    (clean_env / ".env").unlink()
    monkeypatch.chdir(clean_env.parent)  # Streamlit runs from the project root
    second = Settings()
    assert second.data_dir == (clean_env / "rel" / "data").resolve()
    assert (second.user, second.max_upload_mb, second.dashboard_raise) == ("alice", 3, True)


def test_a_bad_upload_limit_is_refused(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENTMAP_MAX_UPLOAD_MB", "0")
    with pytest.raises(ValidationError, match="max_upload_mb"):
        Settings()


@pytest.mark.parametrize(
    ("var", "raw"),
    [
        ("TALENTMAP_DB_POOL_SIZE", "0"),
        ("TALENTMAP_DB_MAX_OVERFLOW", "-1"),
        ("TALENTMAP_DB_POOL_TIMEOUT", "0"),
        ("TALENTMAP_DB_POOL_RECYCLE", "-2"),
        ("TALENTMAP_DB_STATEMENT_TIMEOUT_MS", "-5"),
        ("TALENTMAP_DB_POOL_SIZE", "ten"),
    ],
)
def test_a_bad_pool_setting_is_refused_by_name(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, var: str, raw: str
) -> None:
    monkeypatch.setenv(var, raw)
    with pytest.raises(ValidationError, match=var.removeprefix("TALENTMAP_").lower()):
        Settings()


def test_one_upload_limit() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert "maxUploadSize" not in config.get("server", {}), "set by talentmap serve from settings"
    assert Limits().max_bytes == MAX_UPLOAD_MB * 1024 * 1024
    assert read_document.__kwdefaults__["max_bytes"] == MAX_UPLOAD_MB * 1024 * 1024
