"""Settings from the environment and ``.env`` (pydantic-settings).

Every setting is listed, with a comment, in ``.env.example``.
"""

from __future__ import annotations

import zoneinfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MEMO_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite:///memo-bot.db"
    default_time_zone: str = "UTC"
    log_level: str | None = None
    worker_threads: int = Field(default=8, ge=1, le=64)
    #: Where the HTTP server for Slack events and installs listens.
    http_host: str = "0.0.0.0"  # noqa: S104 - Slack must be able to reach it
    http_port: int = Field(default=3000, ge=0, le=65535)
    #: A daily digest that could not go out on time (the bot was down) is posted
    #: late if it is at most this many hours overdue, else dropped.
    digest_grace_hours: float = Field(default=6.0, ge=0, le=23)
    #: Post a digest on days the channel had no memos or attendance too.
    digest_post_empty_days: bool = False

    # Slack (see README "Slack"): names as Slack's own docs and tools use them.
    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias="SLACK_SIGNING_SECRET"
    )
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_client_id: str | None = Field(default=None, validation_alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(
        default=None, validation_alias="SLACK_CLIENT_SECRET"
    )
    slack_redirect_uri: str | None = Field(default=None, validation_alias="SLACK_REDIRECT_URI")
    slack_api_base_url: str = Field(
        default="https://slack.com/api/", validation_alias="SLACK_API_BASE_URL"
    )

    # Discord (see README "Discord").
    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    discord_shard_count: int | None = Field(
        default=None, ge=1, validation_alias="DISCORD_SHARD_COUNT"
    )

    @field_validator(
        "discord_token",
        "discord_shard_count",
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "slack_client_id",
        "slack_client_secret",
        "slack_redirect_uri",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """``SLACK_BOT_TOKEN=`` in a .env file means "not set", not an empty token."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("default_time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name") from error
        return value
