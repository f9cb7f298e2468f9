"""The discord.py client: its command tree, running it as a service, and posting to channels."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import aiohttp
import discord
from discord import app_commands

from adapters.discord.commands import MemoCommands
from adapters.discord.events import InteractionChannels, drop_unreadable_events
from adapters.discord.gateway_watch import STALL_AFTER_SECONDS, GatewayWatch
from adapters.discord.messages import split
from adapters.discord.replies import NO_MENTIONS, Replier
from adapters.discord.replies import PLATFORM as NAME
from adapters.discord.talk_select import picked
from adapters.discord.translator import CatalogTranslator
from adapters.operations.metrics import platform_api_error
from adapters.platform import SettingsRefused
from bot.core import MemoBot
from bot.outbound import (
    ChannelGone,
    Delivered,
    Delivery,
    StartedThread,
    ThreadGone,
    ThreadRefused,
    lacking,
)
from bot.replies.values import Reply
from bot.serving import ServiceRefused

logger = logging.getLogger(__name__)

#: What the bot needs in a channel: see it, answer in it (and its threads), start a thread
#: for each session's memos, link and quote.
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    embed_links=True,
    read_message_history=True,
)
SCOPES = ("bot", "applications.commands")
#: Discord's error code for a nonce whose message was deleted: the part was posted.
UNKNOWN_MESSAGE = 10008
#: Discord's codes for a thread that takes no posts: deleted (Unknown Channel), archived.
_THREAD_GONE_CODES = frozenset({10003, 50083})
#: Discord's code for a permission the bot lacks in the channel.
_MISSING_PERMISSIONS = 50013
#: "A thread has already been created for this message": it has the message's id.
_THREAD_EXISTS = 160004
#: Between a thread's id and a message's in the message ids of posts made in threads
#: (editing or deleting a message needs the channel it is in: the thread).
_IN_THREAD = "/"
#: How many of a channel's messages since an attempt began are looked through for its parts.
_HISTORY_LIMIT = 500


@dataclass(frozen=True, slots=True)
class DiscordConfig:
    token: str
    #: None: as many shards as Discord recommends.
    shard_count: int | None = None
    #: The shards this process connects (the others are other processes'); None: all of them.
    shard_ids: tuple[int, ...] | None = None
    #: Seconds the client waits for servers to arrive after connecting before it is ready.
    guild_ready_timeout: float = 2.0
    #: Seconds without a gateway connection (and no progress towards one) after which the
    #: service gives up on discord.py's own reconnects and starts afresh.
    stall_after: float = STALL_AFTER_SECONDS


#: Gateway close codes after which connecting again cannot help: authentication failed,
#: an API version or intents Discord refuses (4014: privileged intents not enabled).
REFUSING_CLOSE_CODES = frozenset({4004, 4012, 4013, 4014})
#: Invalid shard, sharding required: a fresh start asks Discord for the shard count again,
#: unless DISCORD_SHARD_COUNT fixed it.
SHARDING_CLOSE_CODES = frozenset({4010, 4011})


class MemoClient(discord.AutoShardedClient):
    """Sharded from the start, so a bot that grows past 2,500 servers needs no code change;
    with ``shard_ids`` it connects only those, and other processes connect the rest.

    It only needs the ``guilds`` intent (channel permissions); slash commands
    and components arrive whatever the intents. An event discord.py cannot read is
    dropped and logged (see ``adapters.discord.events``) instead of closing the client.
    """

    def __init__(
        self,
        bot: MemoBot,
        *,
        shard_count: int | None = None,
        shard_ids: tuple[int, ...] | None = None,
        guild_ready_timeout: float = 2.0,
        stall_after: float = STALL_AFTER_SECONDS,
    ) -> None:
        super().__init__(
            intents=discord.Intents(guilds=True),
            allowed_mentions=NO_MENTIONS,
            shard_count=shard_count,
            # None is discord.py's own default (every shard), though its typing omits it.
            shard_ids=list(shard_ids) if shard_ids is not None else None,  # type: ignore[arg-type]
            guild_ready_timeout=guild_ready_timeout,
        )
        self.gateway_watch = GatewayWatch(stall_after)
        channels = InteractionChannels()
        drop_unreadable_events(
            self._connection.parsers, before={"INTERACTION_CREATE": channels.record}
        )
        self.tree: app_commands.CommandTree[MemoClient] = app_commands.CommandTree(self)
        self.replier = Replier(bot, channels=channels)
        MemoCommands(self.replier).register(self.tree)

    async def on_shard_connect(self, shard_id: int) -> None:
        self.gateway_watch.connected(shard_id)

    async def on_shard_resumed(self, shard_id: int) -> None:
        self.gateway_watch.connected(shard_id)

    async def on_shard_disconnect(self, shard_id: int) -> None:
        self.gateway_watch.disconnected(shard_id)

    async def on_ready(self) -> None:
        self.gateway_watch.ready()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A talk picked in the select of "which running talk?" (other interactions are the
        command tree's)."""
        if interaction.type is not discord.InteractionType.component:
            return
        pick = picked(interaction)
        if pick is not None:
            await self.replier.pick(interaction, pick)


class GatewayUnreachable(Exception):
    """The gateway made no progress for ``DiscordConfig.stall_after`` seconds."""


class DiscordService:
    """The gateway connection as a service: started with the other adapters, stopped on exit.

    Each start is a fresh client (discord.py's cannot be reused once closed): a new
    login, and the gateway's address and shard count asked for again; ``outbound``
    posts through whichever client is current. A token Discord refuses, at login or by
    closing the gateway, raises ``ServiceRefused``: no restart can fix it.

    Commands are not synced here: `memo-bot discord sync` does that once, since
    Discord rate-limits command registration and a restart changes nothing.
    """

    def __init__(self, bot: MemoBot, config: DiscordConfig) -> None:
        self._bot = bot
        self._config = config
        self.client = self._new_client()
        self.outbound = DiscordOutbound(self.client)
        self._used = False
        self._running: asyncio.Task[None] | None = None

    def _new_client(self) -> MemoClient:
        return MemoClient(
            self._bot,
            shard_count=self._config.shard_count,
            shard_ids=self._config.shard_ids,
            guild_ready_timeout=self._config.guild_ready_timeout,
            stall_after=self._config.stall_after,
        )

    async def start(self) -> None:
        """Log in and connect; returns when the bot is ready. Raises ``ServiceRefused`` for a
        refused token, ``GatewayUnreachable`` when the gateway makes no progress."""
        if self._used:
            self.client = self._new_client()
            self.outbound.client = self.client
        self._used = True
        try:
            await self.client.login(self._config.token)
        except discord.LoginFailure as refused:
            raise ServiceRefused(f"Discord refused the token (DISCORD_TOKEN): {refused}") from None
        running = self._running = asyncio.create_task(self.client.connect())
        ready = asyncio.create_task(self.client.wait_until_ready())
        stalled = asyncio.create_task(self.client.gateway_watch.stalled())
        try:
            await asyncio.wait({running, ready, stalled}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ready.cancel()
            stalled.cancel()
        if running.done():
            self._raise_why_it_ended(running)
            raise RuntimeError("the Discord client stopped before it was ready")
        if stalled.done() and not stalled.cancelled():
            raise GatewayUnreachable(stalled.result())
        ids = self.client.shard_ids
        logger.info(
            "Discord connected: shard(s) %s of %s",
            ", ".join(str(shard) for shard in ids) if ids is not None else "all",
            self.client.shard_count,
        )

    def connected(self) -> bool:
        """Every shard is connected to the gateway now (for ``/readyz``): between a drop and
        discord.py's reconnect the service runs, but no command arrives."""
        return self.client.gateway_watch.all_connected

    async def stopped(self) -> None:
        """Ends if discord.py gives up (a revoked token, an intent Discord refuses, an error
        it cannot handle), or if the gateway stays out of reach for ``stall_after``."""
        running = self._running
        assert running is not None, "started first"
        stalled = asyncio.create_task(self.client.gateway_watch.stalled())
        try:
            await asyncio.wait({running, stalled}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stalled.cancel()
        if running.done():
            self._raise_why_it_ended(running)
            return
        raise GatewayUnreachable(stalled.result())

    def _raise_why_it_ended(self, running: asyncio.Task[None]) -> None:
        """Re-raise what ended ``connect``, as ``ServiceRefused`` when retrying cannot help."""
        error = running.exception()
        if error is None:
            return
        if isinstance(error, discord.PrivilegedIntentsRequired):
            raise ServiceRefused(f"Discord refused the intents the bot asks for: {error}")
        if isinstance(error, discord.ConnectionClosed) and (
            error.code in REFUSING_CLOSE_CODES
            or (self._config.shard_count is not None and error.code in SHARDING_CLOSE_CODES)
        ):
            raise ServiceRefused(f"Discord closed the gateway for good: {error}")
        raise error

    async def stop(self) -> None:
        if not self._used:
            return
        await self.client.close()
        if self._running is not None:
            # Closing does not end a connect stuck retrying a gateway that cannot be reached.
            self._running.cancel()
            await asyncio.gather(self._running, return_exceptions=True)
            self._running = None


class DiscordOutbound:
    """Posts to a channel (``channel.send``); discord.py waits out rate limits itself.

    Each message of a digest (Discord's 2,000-character parts) is sent with its own nonce
    and ``enforce_nonce``, so Discord itself drops a repeat of a part within a few minutes
    (and discord.py's own retries of a 5xx are safe). Discord keeps no nonces in a channel's
    history, so a later attempt first looks there for the bot's messages with the exact
    words of each part (the words never change between attempts) and sends only the rest.
    """

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def post(
        self,
        workspace_id: str,
        channel_id: str,
        reply: Reply,
        delivery: Delivery,
        thread_id: str | None = None,
    ) -> Delivered:
        """Posts (in the thread, if given), counting a refusal from Discord's API by its code
        for ``/metrics``. A post in a thread is known by ``<thread id>/<message id>``."""
        try:
            if thread_id is None:
                return await self._post(channel_id, reply, delivery)
            try:
                delivered = await self._post(thread_id, reply, delivery)
            except ChannelGone as gone:
                cause = gone.__cause__
                if isinstance(cause, discord.HTTPException) and cause.code in _THREAD_GONE_CODES:
                    raise ThreadGone(str(gone)) from cause
                if isinstance(cause, discord.Forbidden):  # the channel itself may take it
                    _count_refusal(cause)
                    raise ThreadRefused(
                        cannot_post_in_threads(cause), fix=lacking("Send Messages in Threads")
                    ) from cause
                raise
            except discord.HTTPException as error:
                if error.code in _THREAD_GONE_CODES:
                    raise ThreadGone(f"Discord: {error.text}") from error
                raise
            if delivered.message_id is None:
                return delivered
            return Delivered(f"{thread_id}{_IN_THREAD}{delivered.message_id}", delivered.found)
        except discord.HTTPException as error:
            _count_refusal(error)
            raise
        except ChannelGone as gone:
            if isinstance(gone.__cause__, discord.HTTPException):
                _count_refusal(gone.__cause__)
            raise

    async def _post(self, channel_id: str, reply: Reply, delivery: Delivery) -> Delivered:
        try:
            channel = self.client.get_channel(int(channel_id)) or await self.client.fetch_channel(
                int(channel_id)
            )
        except (discord.NotFound, discord.Forbidden) as error:
            raise _gone(error) from error
        if not isinstance(channel, discord.abc.Messageable):
            raise ValueError(f"channel {channel_id} cannot receive messages")
        pieces = split(reply.markdown)
        landed = await self._landed(channel, pieces, delivery) if delivery.resumed else {}
        ids: list[int | None] = []
        for part, piece in enumerate(pieces):
            if part in landed:
                ids.append(landed[part])
                continue
            try:
                message = await channel.send(
                    piece, allowed_mentions=NO_MENTIONS, nonce=delivery.marker(part)
                )
            except discord.NotFound as error:
                if error.code != UNKNOWN_MESSAGE:
                    raise _gone(error) from error
                ids.append(None)  # the part was posted before and someone deleted it since
                continue
            except discord.Forbidden as error:
                raise _gone(error) from error
            ids.append(message.id)
        first = next((message_id for message_id in ids if message_id is not None), None)
        return Delivered(
            str(first) if first is not None else None, found=len(landed) == len(pieces)
        )

    async def edit(self, workspace_id: str, channel_id: str, message_id: str, reply: Reply) -> None:
        """The message shows the reply's first 2,000-character part (where a long memo's
        announcement began)."""
        with _changing_own_message():
            await self._message(channel_id, message_id).edit(
                content=split(reply.markdown)[0], allowed_mentions=NO_MENTIONS
            )

    async def remove(self, workspace_id: str, channel_id: str, message_id: str) -> None:
        with _changing_own_message():
            await self._message(channel_id, message_id).delete()

    async def start_thread(
        self, workspace_id: str, channel_id: str, message_id: str, name: str
    ) -> StartedThread:
        """A public thread from the session's message (it takes the message's id)."""
        channel = self.client.get_partial_messageable(
            int(channel_id), guild_id=int(workspace_id), type=discord.ChannelType.text
        )
        try:
            thread = await channel.get_partial_message(int(message_id)).create_thread(name=name)
        except discord.HTTPException as error:
            _count_refusal(error)
            if error.code == _THREAD_EXISTS:  # an earlier attempt started it
                return StartedThread(message_id, _jump_url(workspace_id, message_id))
            if isinstance(error, discord.NotFound) and error.code == UNKNOWN_MESSAGE:
                raise ThreadGone("the session's message was deleted") from error
            if isinstance(error, discord.Forbidden) and error.code == _MISSING_PERMISSIONS:
                raise ChannelGone(
                    cannot_post(error), fix=lacking("Create Public Threads")
                ) from error
            if isinstance(error, discord.Forbidden | discord.NotFound) or error.status == 400:
                raise _gone(error) from error
            raise
        return StartedThread(str(thread.id), _jump_url(workspace_id, str(thread.id)))

    def _message(self, channel_id: str, message_id: str) -> discord.PartialMessage:
        if _IN_THREAD in message_id:  # posted in a session's thread
            channel_id, message_id = message_id.split(_IN_THREAD, 1)
        channel = self.client.get_partial_messageable(int(channel_id))
        return channel.get_partial_message(int(message_id))

    async def _landed(
        self, channel: discord.abc.Messageable, pieces: list[str], delivery: Delivery
    ) -> dict[int, int]:
        """The parts an earlier attempt posted: the bot's messages since it began with the
        same words, by part number. Without access to the history the nonces alone guard."""
        me = self.client.user
        assert me is not None, "logged in"
        try:
            mine = [
                message
                async for message in channel.history(
                    after=delivery.search_from, limit=_HISTORY_LIMIT, oldest_first=True
                )
                if message.author.id == me.id
            ]
        except discord.HTTPException as error:
            logger.info("cannot read the channel to find an earlier digest post: %s", error)
            return {}
        found: dict[int, int] = {}
        for part, piece in enumerate(pieces):
            match = next((m for m in mine if m.content.strip() == piece.strip()), None)
            if match is not None:
                found[part] = match.id
                mine.remove(match)
        return found


def _jump_url(guild_id: str, channel_id: str) -> str:
    return f"https://discord.com/channels/{guild_id}/{channel_id}"


@contextlib.contextmanager
def _changing_own_message() -> Iterator[None]:
    """Editing or deleting the bot's message: one someone deleted is left alone (Unknown
    Message); a channel the bot may no longer change raises ``ChannelGone``."""
    try:
        yield
    except discord.NotFound as error:
        if error.code != UNKNOWN_MESSAGE:
            raise _gone(error) from error
    except discord.Forbidden as error:
        raise _gone(error) from error


def _count_refusal(error: discord.HTTPException) -> None:
    """Discord's JSON error code (50013 Missing Permissions), else the HTTP status."""
    platform_api_error(NAME, str(error.code or error.status))


#: What Discord's refusals to post mean, for the reason a channel's digest shows once off.
_CANNOT_POST = {
    10003: "the channel was deleted",
    50001: "the bot cannot see the channel (it lacks View Channel there)",
    _MISSING_PERMISSIONS: "the bot lacks the permission to send messages there (Send Messages)",
}


#: Discord's names of the permissions whose lack a refusal's code means (the fix).
_LACKING = {50001: "View Channel", _MISSING_PERMISSIONS: "Send Messages"}


def _gone(error: discord.HTTPException) -> ChannelGone:
    """Discord's refusal to post, with the permission the bot lacks there if it says so."""
    permission = _LACKING.get(error.code)
    return ChannelGone(cannot_post(error), fix=lacking(permission) if permission else None)


def cannot_post_in_threads(error: discord.HTTPException) -> str:
    """Why posting in a thread was refused, with Discord's own code."""
    said = f"Discord error {error.code}: {error.text}" if error.code else str(error)
    return f"the bot lacks the permission Send Messages in Threads ({said})"


def cannot_post(error: discord.HTTPException) -> str:
    """Why posting failed, in words for the channel's members, with Discord's own code."""
    meaning = _CANNOT_POST.get(error.code)
    said = f"Discord error {error.code}: {error.text}" if error.code else str(error)
    return f"{meaning} ({said})" if meaning else said


@contextlib.asynccontextmanager
async def posting_only(token: str) -> AsyncIterator[DiscordOutbound]:
    """A ``DiscordOutbound`` for one-off posts (``memo-bot digest``): logged in, no gateway."""
    client = discord.Client(intents=discord.Intents.none())
    try:
        await client.login(token)
        yield DiscordOutbound(client)
    finally:
        await client.close()


async def check_token(token: str) -> None:
    """Raises ``SettingsRefused`` when Discord refuses the token (at login, before any shard
    connects); when Discord cannot be reached, logs it and lets the bot start (the service
    keeps trying, and would find a refused token then)."""
    client = discord.Client(intents=discord.Intents.none())
    try:
        await client.login(token)
    except discord.LoginFailure as refused:
        raise SettingsRefused(f"Discord refused DISCORD_TOKEN: {refused}") from None
    except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as error:
        logger.warning("could not check DISCORD_TOKEN, Discord is out of reach: %r", error)
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
    await tree.set_translator(CatalogTranslator())
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
