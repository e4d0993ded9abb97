"""Runtime settings, read from ``TALENTMAP_*`` variables and a ``.env`` file.

Only the front ends (``cli/``, ``dashboard/``) read settings; lower layers take explicit
parameters.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TALENTMAP_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="SQLite file, uploads, models, exports")
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "TALENTMAP_DATABASE_URL"),
        description="SQLAlchemy URL; default is a SQLite file in data_dir",
    )
    user: str = Field(default="admin", description="who the CLI acts as")
    encoder: str = Field(
        default="minilm",
        description="'minilm', 'muse', or any sentence-transformers model name or local path",
    )
    max_upload_mb: int = 20

    @cached_property
    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'talentmap.sqlite').resolve()}"

    def ensure_dirs(self) -> None:
        for sub in ("", "uploads", "models", "exports", "cache"):
            (self.data_dir / sub).mkdir(parents=True, exist_ok=True)

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"
