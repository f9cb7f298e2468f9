"""Discord as the command line sees it: settings, the gateway service, posting, ids."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from adapters.discord.client import DiscordConfig, DiscordService, check_token, posting_only
from adapters.discord.command_line import commands
from adapters.discord.replies import PLATFORM as NAME
from adapters.discord.settings import DiscordSettings
from adapters.platform import IdRules, NotConfigured, Platform, Serving
from bot.core import MemoBot
from bot.outbound import Outbound


class DiscordSetup:
    """Discord with its settings read: the bot token, and the shard count if fixed."""

    def __init__(self, settings: DiscordSettings) -> None:
        self.settings = settings

    @classmethod
    def read(cls) -> DiscordSetup:
        return cls(DiscordSettings())

    @property
    def configured(self) -> bool:
        return self.settings.token is not None

    def problems(self) -> list[str]:
        if self.settings.shard_count is not None and not self.configured:
            return ["Discord is not set up right: DISCORD_SHARD_COUNT set without DISCORD_TOKEN."]
        return []

    def serving(self, bot: MemoBot) -> Serving:
        service = DiscordService(bot, DiscordConfig(self._token(), self.settings.shard_count))
        return Serving(service.outbound, [service], checks=[partial(check_token, self._token())])

    @asynccontextmanager
    async def posting(self, bot: MemoBot) -> AsyncIterator[Outbound]:
        if not self.configured:
            raise NotConfigured("Set DISCORD_TOKEN to post on Discord.")
        async with posting_only(self._token()) as outbound:
            yield outbound

    def _token(self) -> str:
        assert self.settings.token is not None, "configured"
        return self.settings.token.get_secret_value()


PLATFORM = Platform(
    name=NAME,
    title="Discord",
    # Snowflakes: a server's (guild's) id and a channel's (or thread's) are unsigned 64-bit
    # integers, written in decimal.
    ids=IdRules(
        workspace=re.compile("[1-9][0-9]{0,19}"),
        channel=re.compile("[1-9][0-9]{0,19}"),
        workspace_example="1300000000000000001",
        channel_example="1300000000000000011",
    ),
    setup=DiscordSetup.read,
    commands=commands,
)
