"""Where the database is: ``MEMO_DATABASE_URL``, from the environment or ``.env``.

Its own module, so that storage and the core load pydantic only where settings are read.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseSettings):
    """The bot's settings (``bot.settings.Settings``) start from these; the ``alembic``
    command line reads only these, so running migrations needs nothing from the core."""

    model_config = SettingsConfigDict(
        env_prefix="MEMO_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite:///memo-bot.db"
