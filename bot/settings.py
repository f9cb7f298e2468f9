"""Settings from the environment and ``.env`` (pydantic-settings).

Every setting is listed, with a comment, in ``.env.example``.
"""

from __future__ import annotations

import zoneinfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MEMO_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite:///memo-bot.db"
    default_time_zone: str = "UTC"
    log_level: str | None = None
    worker_threads: int = Field(default=8, ge=1, le=64)

    @field_validator("default_time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name") from error
        return value
