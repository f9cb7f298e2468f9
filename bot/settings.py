"""The core's settings, from the environment and ``.env`` (pydantic-settings).

Every setting is listed, with a comment, in ``.env.example``. Each chat platform
reads its own settings in its package under ``adapters/``.
"""

from __future__ import annotations

import zoneinfo
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from bot.notefiles.decode import DEFAULT_MAX_BYTES
from bot.summary.llm import DEFAULT_TIMEOUT_SECONDS, LlmConfig
from storage.database_settings import DatabaseSettings


class Settings(DatabaseSettings):
    """The core's settings (``MEMO_*``); each chat platform reads its own in its package."""

    default_time_zone: str = "UTC"
    #: What the bot speaks where neither the channel (`/memo language`) nor the person's
    #: locale says: ``en`` or ``ko``.
    default_language: Literal["en", "ko"] = "en"
    log_level: str | None = None
    #: ``text`` for a person at a terminal, ``json`` (an object a line) for a log collector.
    log_format: Literal["text", "json"] = "text"
    worker_threads: int = Field(default=8, ge=1, le=64)
    #: A daily digest that could not go out on time (the bot was down) is posted
    #: late if it is at most this many hours overdue, else dropped.
    digest_grace_hours: float = Field(default=6.0, ge=0, le=23)
    #: Post a digest on days the channel had no memos or attendance too.
    digest_post_empty_days: bool = False
    #: The largest note file `/memo import` and `memo-bot import` read, in bytes.
    import_max_bytes: int = Field(default=DEFAULT_MAX_BYTES, ge=1)

    #: An OpenAI-compatible endpoint for `/memo summary` (README "Summaries"); unset: local only.
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str | None = None
    llm_timeout_seconds: float = Field(default=DEFAULT_TIMEOUT_SECONDS, gt=0, le=120)

    @field_validator("llm_base_url", "llm_api_key", "llm_model", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """``MEMO_LLM_BASE_URL=`` in a .env file means "not set", not an empty URL."""
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _llm_complete(self) -> Settings:
        if self.llm_base_url is not None:
            if self.llm_model is None:
                raise ValueError("MEMO_LLM_BASE_URL needs MEMO_LLM_MODEL too")
            self.llm_config()  # checks the URL's scheme
        return self

    def llm_config(self) -> LlmConfig | None:
        """The model endpoint for summaries, when one is configured."""
        if self.llm_base_url is None or self.llm_model is None:
            return None
        key = self.llm_api_key.get_secret_value() if self.llm_api_key else None
        return LlmConfig(self.llm_base_url, self.llm_model, key, self.llm_timeout_seconds)

    @field_validator("default_time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name") from error
        return value
