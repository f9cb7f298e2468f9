"""The discord.py client: its command tree, running it as a service, and posting to channels."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import discord
from discord import app_commands

from adapters.discord.commands import MemoCommands
from adapters.discord.messages import split
from adapters.discord.replies import NO_MENTIONS, Replier
from bot.core import MemoBot
from bot.outbound import ChannelGone
from bot.reply import Reply

logger = logging.getLogger(__name__)

#: What the bot needs in a channel: see it, answer in it (and its threads), link and quote.
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    read_message_history=True,
)
SCOPES = ("bot", "applications.commands")


@dataclass(frozen=True, slots=True)
class DiscordConfig:
    token: str
    #: None: as many shards as Discord recommends.
    shard_count: int | None = None
    #: Seconds the client waits for servers to arrive after connecting before it is ready.
    guild_ready_timeout: float = 2.0


class MemoClient(discord.AutoShardedClient):
    """Sharded from the start, so a bot that grows past 2,500 servers needs no code change.

    It only needs the ``guilds`` intent (channel permissions); slash commands
    and components arrive whatever the intents.
    """

    def __init__(
        self, bot: MemoBot, *, shard_count: int | None = None, guild_ready_timeout: float = 2.0
    ) -> None:
        super().__init__(
            intents=discord.Intents(guilds=True),
            allowed_mentions=NO_MENTIONS,
            shard_count=shard_count,
            guild_ready_timeout=guild_ready_timeout,
        )
        self.tree: app_commands.CommandTree[MemoClient] = app_commands.CommandTree(self)
        self.replier = Replier(bot)
        MemoCommands(self.replier).register(self.tree)


class DiscordService:
    """The gateway connection as a service: started with the other adapters, stopped on exit.

    Commands are not synced here: `memo-bot discord sync` does that once, since
    Discord rate-limits command registration and a restart changes nothing.
    """

    def __init__(self, bot: MemoBot, config: DiscordConfig) -> None:
        self.client = MemoClient(
            bot, shard_count=config.shard_count, guild_ready_timeout=config.guild_ready_timeout
        )
        self._token = config.token
        self._running: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Log in and connect; returns when the bot is ready, raises if it cannot log in."""
        await self.client.login(self._token)  # raises LoginFailure for a bad token
        self._running = asyncio.create_task(self.client.connect())
        ready = asyncio.create_task(self.client.wait_until_ready())
        await asyncio.wait({self._running, ready}, return_when=asyncio.FIRST_COMPLETED)
        if self._running.done():
            ready.cancel()
            self._running.result()  # raises LoginFailure and the like
            raise RuntimeError("the Discord client stopped before it was ready")
        logger.info("Discord connected with %s shard(s)", self.client.shard_count)

    async def stopped(self) -> None:
        """Ends if discord.py gives up (a revoked token, an intent Discord refuses)."""
        assert self._running is not None, "started first"
        await asyncio.shield(self._running)

    async def stop(self) -> None:
        await self.client.close()
        if self._running is not None:
            await asyncio.gather(self._running, return_exceptions=True)
            self._running = None


class DiscordOutbound:
    """Posts to a channel (``channel.send``); discord.py waits out rate limits itself."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def post(self, workspace_id: str, channel_id: str, reply: Reply) -> str:
        try:
            channel = self.client.get_channel(int(channel_id)) or await self.client.fetch_channel(
                int(channel_id)
            )
        except (discord.NotFound, discord.Forbidden) as error:
            raise ChannelGone(str(error)) from error
        if not isinstance(channel, discord.abc.Messageable):
            raise ValueError(f"channel {channel_id} cannot receive messages")
        first: discord.Message | None = None
        try:
            for piece in split(reply.markdown):
                message = await channel.send(piece, allowed_mentions=NO_MENTIONS)
                first = first or message
        except (discord.NotFound, discord.Forbidden) as error:
            raise ChannelGone(str(error)) from error
        assert first is not None
        return str(first.id)


@contextlib.asynccontextmanager
async def posting_only(token: str) -> AsyncIterator[DiscordOutbound]:
    """A ``DiscordOutbound`` for one-off posts (``memo-bot digest``): logged in, no gateway."""
    client = discord.Client(intents=discord.Intents.none())
    try:
        await client.login(token)
        yield DiscordOutbound(client)
    finally:
        await client.close()


class SyncRefused(Exception):
    """Discord would not register the commands in a server: the bot is not in it yet."""

    def __init__(self, invite: str) -> None:
        super().__init__(invite)
        self.invite = invite


async def sync_commands(token: str, guild_id: int | None) -> str:
    """Register the commands (in one server, or everywhere) and return the invite URL.

    A guild sync shows up at once, which suits development; a global one can
    take a while to reach every server. Raises ``discord.LoginFailure`` for a
    bad token and ``SyncRefused`` when the bot is not in the server. Only the
    commands' descriptions are sent, so no database is opened.
    """
    client = discord.Client(intents=discord.Intents.none())
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    MemoCommands(None).register(tree)
    try:
        await client.login(token)
        invite = invite_url(client.application_id)
        if guild_id is None:
            await tree.sync()
        else:
            guild = discord.Object(id=guild_id)
            tree.copy_global_to(guild=guild)
            try:
                await tree.sync(guild=guild)
            except discord.Forbidden:
                raise SyncRefused(invite) from None
        return invite
    finally:
        await client.close()


def invite_url(application_id: int | None) -> str:
    assert application_id is not None, "known once logged in"
    return discord.utils.oauth_url(application_id, permissions=PERMISSIONS, scopes=SCOPES)
