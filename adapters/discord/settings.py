"""Discord's settings, from the environment and ``.env`` (README "Discord", ``.env.example``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import NoDecode

from adapters.platform import PlatformSettings


class DiscordSettings(PlatformSettings):
    #: The bot token from the Developer Portal; unset: no Discord.
    token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    #: How many gateway shards; unset: as many as Discord recommends.
    shard_count: int | None = Field(default=None, ge=1, validation_alias="DISCORD_SHARD_COUNT")
    #: The shards this process connects (``0,1``), so several processes split them; unset:
    #: every shard. Needs ``DISCORD_SHARD_COUNT``, the same in every process.
    shard_ids: Annotated[list[int] | None, NoDecode] = Field(
        default=None, validation_alias="DISCORD_SHARD_IDS"
    )

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str) and value.strip():  # a blank one is unset, as for every setting
            return [part.strip() for part in value.split(",")]
        return value

    @model_validator(mode="after")
    def _shards_agree(self) -> DiscordSettings:
        problem = self._shard_problem()
        if problem is not None:  # a custom error: the line is the sentence alone
            raise PydanticCustomError("discord_shards", problem)
        return self

    def _shard_problem(self) -> str | None:
        ids, count = self.shard_ids, self.shard_count
        if ids is None:
            return None
        if count is None:
            return "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (the same in every process)"
        if not ids:
            return "DISCORD_SHARD_IDS is empty"
        outside = [shard for shard in ids if not 0 <= shard < count]
        if outside:
            listed = ", ".join(str(shard) for shard in outside)
            return (
                f"DISCORD_SHARD_IDS names shard {listed}, outside 0 to {count - 1} "
                f"(DISCORD_SHARD_COUNT={count})"
            )
        if len(set(ids)) != len(ids):
            return "DISCORD_SHARD_IDS names a shard twice"
        return None
