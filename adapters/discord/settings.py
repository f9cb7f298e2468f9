"""Discord's settings, from the environment and ``.env`` (README "Discord", ``.env.example``)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from adapters.platform import PlatformSettings


class DiscordSettings(PlatformSettings):
    #: The bot token from the Developer Portal; unset: no Discord.
    token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    #: How many gateway shards; unset: as many as Discord recommends.
    shard_count: int | None = Field(default=None, ge=1, validation_alias="DISCORD_SHARD_COUNT")
