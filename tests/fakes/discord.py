"""A loopback Discord for tests: the REST API under ``/api/v10`` and a gateway WebSocket.

The real discord.py client is pointed at it (the ``fake_discord`` fixture patches ``Route.BASE``
and the default gateway URL), so adapter tests run the library's own HTTP, rate-limit, gateway and
interaction code without a network or a bot account. Every REST request is recorded; tests inject
gateway events (interactions above all) with builders typed by discord.py's own payload TypedDicts.
Like FakeSlack, the server runs on its own thread and event loop, so a test can block on it while
the bot runs on the test's loop.

Events go to the newest live gateway connection, except that an event of a guild goes, as on
Discord, to the shard that guild belongs to (``(guild_id >> 22) % shard_count``), when one
IDENTIFYed for it: so clients in several processes, each with its own ``shard_ids``, each get
their guilds' events. ``drop_gateway`` acts on the connection that went live last.

Channel messages follow Discord's documentation: a message sent with a ``nonce`` and
``enforce_nonce`` by an author who sent that nonce within the last few minutes
(``NONCE_WINDOW`` on the fake's clock, see ``let_time_pass``) creates nothing and returns the
first message (or 404 Unknown Message if it was deleted meanwhile); ``GET
/channels/{id}/messages`` pages a channel's history with ``before``/``after``/``around``/
``limit``, newest first, without nonces (Discord keeps them only for the create answer and the
gateway event), and returns no messages without Read Message History. ``set_time`` sets the
wall-clock time of new messages (their ids and timestamps), which ``let_time_pass`` moves on.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import itertools
import json
import math
import re
import time
import uuid
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import quote

import pytest
import yarl
from aiohttp import BodyPartReader, WSMsgType, web

from tests.fakes import discord_shapes as shapes
from tests.fakes.discord_shapes import Channel, Membership, Person
from tests.fakes.loopback import LoopbackServer

with warnings.catch_warnings():
    # discord.py 2.7 imports audioop (for voice), deprecated since Python 3.11: with pytest's
    # filterwarnings=error that import fails. Test modules import this one before discord.
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

if TYPE_CHECKING:
    # As in discord.py itself: imported at run time, discord.types.channel hits an import cycle.
    from discord.types.interactions import (
        ApplicationCommandInteraction,
        ApplicationCommandInteractionDataOption,
        ModalSubmitActionRowInteractionData,
        ModalSubmitComponentInteractionData,
        ModalSubmitInteraction,
    )
    from discord.types.interactions import _BaseInteraction as BaseInteractionPayload
    from discord.types.message import Message as MessagePayload
    from discord.types.user import User as UserPayload

JsonDict = dict[str, Any]
T = TypeVar("T")

API_PREFIX = "/api/v10"
DISCORD_EPOCH_MS = 1420070400000
FIRST_SNOWFLAKE = (1727222400000 - DISCORD_EPOCH_MS) << 22
APP_PERMISSIONS = shapes.APP_PERMISSIONS
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
MESSAGE_LOADING = 1 << 7
MESSAGE_EPHEMERAL = 1 << 6
# Gateway close codes after which Discord forgets the session: the next RESUME is refused (op 9).
SESSION_ENDING_CLOSE_CODES = frozenset({4007, 4009})
UNKNOWN_ROUTE = "<unknown>"
#: Discord's deadlines: the first answer to an interaction within 3 s, then its token
#: (follow-ups, edits) for 15 minutes.
CALLBACK_DEADLINE_SECONDS = 3.0
TOKEN_LIFETIME_SECONDS = 15 * 60.0
#: How long Discord remembers an author's nonce for ``enforce_nonce`` ("a few minutes").
NONCE_WINDOW = timedelta(minutes=2)
NONCE_MAX_LENGTH = 25
HISTORY_DEFAULT_LIMIT = 50
HISTORY_MAX_LIMIT = 100


@dataclass(frozen=True)
class Call:
    """One REST request the fake received.

    ``route`` is the template it matched ("POST /channels/{channel_id}/messages", or
    UNKNOWN_ROUTE), ``path`` the concrete path below ``/api/v10``. ``json`` is the JSON body, also
    for multipart requests (their ``payload_json`` part), whose files are in ``files``. ``headers``
    has lower-case names.
    """

    method: str
    path: str
    route: str
    json: Any
    headers: dict[str, str]
    query: dict[str, str] = field(default_factory=dict)
    files: tuple[tuple[str, bytes], ...] = ()

    @property
    def token(self) -> str | None:
        """The bot token of an ``Authorization: Bot <token>`` header (webhooks send none)."""
        scheme, _, value = self.headers.get("authorization", "").partition(" ")
        return value if scheme == "Bot" else None


@dataclass(frozen=True)
class _Guild:
    id: int
    name: str
    channel_ids: tuple[int, ...]


@dataclass
class _Session:
    """A gateway session: its dispatches are kept so a RESUME can replay what the client missed."""

    id: str
    #: The bot token it identified with.
    token: str | None = None
    #: ``[shard_id, shard_count]`` from its IDENTIFY, if it sent one.
    shard: tuple[int, int] | None = None
    sequence: int = 0
    events: list[JsonDict] = field(default_factory=list)


@dataclass
class _Interaction:
    """An interaction sent to the client, and what its token has produced so far."""

    id: int
    token: str
    type: int
    channel_id: int
    callback: JsonDict | None = None
    original_id: int | None = None
    loading: bool = False
    followup_ids: set[int] = field(default_factory=set)
    #: time.perf_counter() when INTERACTION_CREATE went out, and when its callback came in.
    sent_at: float | None = None
    answered_at: float | None = None
    #: On the fake's clock (see ``let_time_pass``): when the person used the command.
    created: float = 0.0


class _DiscordError(Exception):
    """Raised by a route handler for Discord's JSON error body ``{"message", "code"}``."""

    def __init__(self, status: int, message: str, code: int) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


_Handler = Callable[[Call, dict[str, str]], Awaitable[web.Response]]


def _json(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    """A JSON answer typed exactly ``application/json``: discord.py's ``json_or_text`` compares the
    whole header, so aiohttp's ``json_response`` (which appends ``; charset=utf-8``) reads as text.
    """
    return web.Response(
        body=json.dumps(body).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


def _option_values(options: list[Any], kind: int) -> list[str]:
    """The ids that options of a kind (6 user, 11 attachment) name, in subcommands too."""
    found = []
    for option in options:
        if option["type"] == kind:
            found.append(str(option["value"]))
        found.extend(_option_values(option.get("options", []), kind))
    return found


def _template_pattern(template: str) -> re.Pattern[str]:
    path = template.partition(" ")[2]
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$")


def _now() -> str:
    return datetime.now(UTC).isoformat()


class _Snowflakes:
    """Increasing ids whose timestamp part follows the fake's clock once ``set_time`` moved it."""

    def __init__(self, first: int) -> None:
        self._last = first - 1

    def __next__(self) -> int:
        self._last += 1
        return self._last

    def jump_to(self, moment: datetime) -> None:
        milliseconds = int(moment.timestamp() * 1000) - DISCORD_EPOCH_MS
        self._last = max(self._last, (milliseconds << 22) - 1)


async def _body(request: web.Request) -> tuple[Any, tuple[tuple[str, bytes], ...]]:
    """The JSON body and the uploaded files: discord.py sends ``payload_json`` plus
    ``files[n]`` parts as multipart/form-data as soon as a message has attachments."""
    if request.content_type == "application/json":
        text = await request.text()
        return (json.loads(text) if text else None), ()
    if request.content_type != "multipart/form-data":
        return None, ()
    payload: Any = None
    files: list[tuple[str, bytes]] = []
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "payload_json":
            payload = json.loads(await part.text())
        else:
            files.append((part.filename or part.name or "", bytes(await part.read())))
    return payload, tuple(files)


class FakeDiscord(LoopbackServer[Call]):
    """The fake (see the module docstring): ``with FakeDiscord() as fake`` or the fixture."""

    label = "fake Discord"

    def __init__(
        self,
        *,
        shards: int = 1,
        heartbeat_interval: int = 41250,
        callback_deadline: float = CALLBACK_DEADLINE_SECONDS,
        token_lifetime: float = TOKEN_LIFETIME_SECONDS,
    ) -> None:
        """``shards`` is what ``GET /gateway/bot`` recommends (AutoShardedClient obeys it);
        ``heartbeat_interval`` (ms) is in HELLO. The default, Discord's, keeps tests quiet.

        ``callback_deadline`` and ``token_lifetime`` are Discord's interaction deadlines, in
        seconds on the fake's own clock: it only moves by ``let_time_pass`` (and an
        interaction's ``late_by``), so a slow test machine never makes a callback late.
        """
        super().__init__()
        self._shards = shards
        self._heartbeat_interval = heartbeat_interval
        self.callback_deadline = callback_deadline
        self.token_lifetime = token_lifetime
        self._elapsed = 0.0
        self._people: dict[int, Person] = {}
        self._memberships: dict[tuple[int, int], Membership] = {}
        self._channels: dict[int, Channel] = {}
        self._revoked_tokens: set[str] = set()
        # Whether new gateway connections are refused (HTTP 503 instead of the upgrade).
        self._gateway_refused = False
        self._snowflakes = _Snowflakes(FIRST_SNOWFLAKE + 1)
        # The wall-clock time at elapsed 0 (None: new messages get the real time), and the
        # nonces the bot sent: (author, nonce) -> (message id, elapsed when sent).
        self._epoch: datetime | None = None
        self._nonces: dict[tuple[int, str], tuple[int, float]] = {}
        self.application_id: int = next(self._snowflakes)
        # Distinct from the application id (unlike most real bots) so a mix-up fails the tests.
        self.bot_user_id: int = next(self._snowflakes)
        self.owner_user_id: int = next(self._snowflakes)
        self._rate_limits: dict[str, deque[float]] = {}
        # Routes whose next request waits for ``release``; the events live on the server loop.
        self._holds: dict[str, int] = {}
        self._releases: dict[str, asyncio.Event] = {}
        self._guilds: dict[int, _Guild] = {}
        self._global_commands: list[JsonDict] = []
        self._guild_commands: dict[int, list[JsonDict]] = {}
        self._command_ids: dict[tuple[int | None, str, int], int] = {}
        self._interactions: dict[int, _Interaction] = {}
        self._messages: dict[int, JsonDict] = {}
        self._gateway_messages: list[JsonDict] = []
        self._sessions: dict[str, _Session] = {}
        # Files people attached to interactions (attachment options), served at their url.
        self._attachments: dict[str, tuple[JsonDict, bytes]] = {}
        self.attachment_downloads: list[str] = []
        # Attachments whose download breaks off: bytes of the body sent first, by id.
        self._cut_attachments: dict[str, int] = {}
        # The newest session, and its connection while it is live (READY or RESUMED sent).
        self._session: _Session | None = None
        self._socket: web.WebSocketResponse | None = None
        # The newest session of each shard, and the connections that are live, by session id.
        self._shard_sessions: dict[tuple[int, int], _Session] = {}
        self._live_sockets: dict[str, web.WebSocketResponse] = {}
        hook = "/webhooks/{application_id}/{token}"
        commands = "/applications/{application_id}"
        self._routes: list[tuple[str, re.Pattern[str], _Handler]] = [
            (template, _template_pattern(template), handler)
            for template, handler in (
                ("GET /users/@me", self._get_me),
                ("GET /oauth2/applications/@me", self._get_application),
                ("GET /gateway", self._get_gateway),
                ("GET /gateway/bot", self._get_gateway_bot),
                ("POST /interactions/{interaction_id}/{token}/callback", self._callback),
                (f"POST {hook}", self._followup),
                # @original before {message_id}: the first matching template wins.
                (f"GET {hook}/messages/@original", self._get_original),
                (f"PATCH {hook}/messages/@original", self._edit_original),
                (f"DELETE {hook}/messages/@original", self._delete_original),
                (f"GET {hook}/messages/{{message_id}}", self._get_followup),
                (f"PATCH {hook}/messages/{{message_id}}", self._edit_followup),
                (f"DELETE {hook}/messages/{{message_id}}", self._delete_followup),
                ("GET /channels/{channel_id}", self._get_channel),
                ("GET /channels/{channel_id}/messages", self._get_messages),
                ("POST /channels/{channel_id}/messages", self._create_message),
                ("PATCH /channels/{channel_id}/messages/{message_id}", self._edit_message),
                ("DELETE /channels/{channel_id}/messages/{message_id}", self._delete_message),
                (
                    "POST /channels/{channel_id}/messages/{message_id}/threads",
                    self._start_thread,
                ),
                (f"GET {commands}/commands", self._get_commands),
                (f"PUT {commands}/commands", self._put_commands),
                (f"GET {commands}/guilds/{{guild_id}}/commands", self._get_commands),
                (f"PUT {commands}/guilds/{{guild_id}}/commands", self._put_commands),
            )
        ]

    def _add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", API_PREFIX + "/{path:.*}", self._api)
        app.router.add_get("/attachments/{attachment_id}/{filename}", self._attachment)
        app.router.add_get("/", self._gateway)

    # Configuration

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` must be."""
        return f"http://127.0.0.1:{self._port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """The gateway URL, as ``/gateway`` and READY's ``resume_gateway_url`` give it."""
        return f"ws://127.0.0.1:{self._port}"

    def add_guild(self, guild_id: int, name: str, channel_ids: list[int]) -> None:
        """A guild the bot is in, with these text channels; READY and GUILD_CREATE carry it."""
        with self._condition:
            self._guilds[guild_id] = _Guild(guild_id, name, tuple(channel_ids))
            for position, channel_id in enumerate(channel_ids):
                self._channels[channel_id] = Channel(
                    channel_id, shapes.GUILD_TEXT, guild_id, position=position
                )

    def add_channel(
        self,
        guild_id: int,
        channel_id: int,
        *,
        type: int,
        name: str | None = None,
        parent_id: int | None = None,
        owner_id: int | None = None,
    ) -> None:
        """Another channel of a guild: a voice channel (2), a thread (10, 11, 12, with its
        ``parent_id``), or a type discord.py does not know yet (99, say). GUILD_CREATE lists
        it (threads among the active ones); added while a client is connected, it gets
        CHANNEL_CREATE or THREAD_CREATE, as Discord sends with the guilds intent."""
        channel = Channel(
            channel_id,
            type,
            guild_id,
            name=name,
            parent_id=parent_id,
            owner_id=owner_id if owner_id is not None else self.owner_user_id,
        )
        if channel.is_thread and parent_id is None:
            raise ValueError("fake Discord: a thread needs its parent_id")
        created = self._keep_channel(channel)
        if created is not None:
            self.dispatch(*created)

    def _keep_channel(self, channel: Channel) -> tuple[str, JsonDict] | None:
        """Add ``channel`` to its guild; the event to dispatch if a client is connected."""
        assert channel.guild_id is not None
        with self._condition:
            guild = self._guilds[channel.guild_id]
            channel.position = len(guild.channel_ids)
            self._guilds[guild.id] = _Guild(guild.id, guild.name, (*guild.channel_ids, channel.id))
            self._channels[channel.id] = channel
            live = self._socket is not None
        if not live:
            return None
        event = "THREAD_CREATE" if channel.is_thread else "CHANNEL_CREATE"
        payload = self._channel_payload(channel)
        if channel.is_thread:
            payload["newly_created"] = True
        return event, payload

    def delete_channel(self, channel_id: int) -> None:
        """Someone deleted the channel or thread: its API answers 404 Unknown Channel (no
        gateway event is sent, so a client may still have it cached)."""
        with self._condition:
            channel = self._channels.pop(channel_id)
            if channel.guild_id is not None:
                guild = self._guilds[channel.guild_id]
                kept = tuple(each for each in guild.channel_ids if each != channel_id)
                self._guilds[guild.id] = _Guild(guild.id, guild.name, kept)

    def open_dm(self, user_id: int, other_user_id: int | None = None) -> int:
        """A DM channel: with the bot (interactions there have context 1, BOT_DM), or between
        ``user_id`` and another person, where a user-installed app is used (context 2)."""
        channel_id = next(self._snowflakes)
        recipients = (user_id,) if other_user_id is None else (user_id, other_user_id)
        with self._condition:
            self._channels[channel_id] = Channel(channel_id, shapes.DM, None, recipients=recipients)
        return channel_id

    def open_group_dm(self, owner_id: int, others: list[int], name: str | None = None) -> int:
        """A group DM (channel type 3); interactions there have context 2 (PRIVATE_CHANNEL)."""
        channel_id = next(self._snowflakes)
        with self._condition:
            self._channels[channel_id] = Channel(
                channel_id,
                shapes.GROUP_DM,
                None,
                name=name,
                owner_id=owner_id,
                recipients=(owner_id, *others),
            )
        return channel_id

    def set_user(
        self,
        user_id: int,
        *,
        username: str | None = None,
        global_name: str | object | None = ...,
    ) -> None:
        """How a person appears in payloads. ``global_name`` None: no display name set (null);
        ``ABSENT``: the field left out. By default a person is ``user<id>``, "User <id>"."""
        person = self._person(user_id)
        if username is not None:
            person.username = username
        if global_name is not ...:
            person.global_name = global_name  # type: ignore[assignment]
        with self._condition:
            self._people[user_id] = person

    def set_member(
        self,
        guild_id: int,
        user_id: int,
        *,
        nick: str | None = None,
        roles: list[int] | None = None,
    ) -> None:
        """A person's server nickname and roles (role ids: Discord sends ids, known or not)."""
        with self._condition:
            self._memberships[(guild_id, user_id)] = Membership(nick, tuple(roles or ()))

    def deny_bot(self, channel_id: int, permissions: int) -> None:
        """Deny the bot permissions in a channel (an overwrite on its member), e.g.
        ``SEND_MESSAGES``: sending there then gets 403 50013 Missing Permissions; without
        ``VIEW_CHANNEL``, the channel answers 403 50001 Missing Access. Interactions from the
        channel carry the reduced ``app_permissions``; a connected client gets CHANNEL_UPDATE."""
        with self._condition:
            channel = self._channels[channel_id]
            channel.denied |= permissions
            live = self._socket is not None
        if live and channel.guild_id is not None:
            self.dispatch("CHANNEL_UPDATE", self._channel_payload(channel))

    def revoke_token(self, token: str) -> None:
        """As when the bot's token is reset in the developer portal: REST calls with it get
        401, an IDENTIFY or RESUME with it gets the gateway closed with 4004 (authentication
        failed), and a live connection that identified with it is closed with 4004."""
        with self._condition:
            self._revoked_tokens.add(token)
            socket, identified = self._socket, self._identified_with
        if socket is not None and identified == token:
            self.drop_gateway(4004)

    def refuse_gateway(self) -> None:
        """The gateway goes away for good: the live connection is dropped and new ones are
        refused (HTTP 503 instead of the WebSocket upgrade) until ``accept_gateway``."""
        with self._condition:
            self._gateway_refused = True
            live = self._socket is not None
        if live:
            self.drop_gateway()

    def accept_gateway(self) -> None:
        with self._condition:
            self._gateway_refused = False

    def let_time_pass(self, seconds: float) -> None:
        """Move the fake's clock on: interactions sent before it age by ``seconds`` (their
        3-second callback deadline and 15-minute token lifetime count on this clock)."""
        with self._condition:
            self._elapsed += seconds
            if self._epoch is not None:
                self._snowflakes.jump_to(self._epoch + timedelta(seconds=self._elapsed))

    def add_attachment(self, filename: str, content: bytes, *, cut_after: int | None = None) -> str:
        """A file as someone attaches it to a command; its id, for an attachment option (type 11).

        Like Discord's CDN, the fake serves it at the attachment's ``url``, which is
        where discord.py's ``Attachment.read()`` downloads it from. With ``cut_after``
        the connection drops after that many bytes of the body.
        """
        attachment_id = str(next(self._snowflakes))
        quoted = quote(filename, safe="")  # as Discord's CDN URLs encode any name
        url = f"http://127.0.0.1:{self._port}/attachments/{attachment_id}/{quoted}"
        payload: JsonDict = {
            "id": attachment_id,
            "filename": filename,
            "size": len(content),
            "url": url,
            "proxy_url": url,
            "content_type": "text/plain; charset=utf-8",
        }
        with self._condition:
            self._attachments[attachment_id] = (payload, content)
            if cut_after is not None:
                self._cut_attachments[attachment_id] = cut_after
        return attachment_id

    async def _attachment(self, request: web.Request) -> web.StreamResponse:
        attachment_id = request.match_info["attachment_id"]
        with self._condition:
            found = self._attachments.get(attachment_id)
            self.attachment_downloads.append(attachment_id)
            cut_after = self._cut_attachments.get(attachment_id)
        if found is None:
            return web.Response(status=404)
        if cut_after is None:
            return web.Response(body=found[1], content_type="application/octet-stream")
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        response.content_length = len(found[1])
        await response.prepare(request)
        await response.write(found[1][:cut_after])
        assert request.transport is not None
        request.transport.close()  # the download breaks off before the body is complete
        return response

    def set_time(self, moment: datetime) -> None:
        """The wall-clock time now: new messages' ids and timestamps follow it from here, as
        ``let_time_pass`` moves it on (so a test on a fake clock finds them where it looks)."""
        with self._condition:
            self._epoch = moment - timedelta(seconds=self._elapsed)
            self._snowflakes.jump_to(moment)

    def _clock(self) -> datetime:
        with self._condition:
            if self._epoch is None:
                return datetime.now(UTC)
            return self._epoch + timedelta(seconds=self._elapsed)

    def messages(self, channel_id: int) -> list[JsonDict]:
        """The messages everyone sees in ``channel_id``, oldest first (ephemeral ones left out)."""
        with self._condition:
            found = [
                copy.deepcopy(message)
                for message in self._messages.values()
                if int(message["channel_id"]) == channel_id
                and not message["flags"] & MESSAGE_EPHEMERAL
            ]
        return sorted(found, key=lambda message: int(message["id"]))

    def delete_message(self, message_id: int) -> None:
        """Someone (a moderator) deletes a message."""
        with self._condition:
            del self._messages[message_id]

    def rate_limit_next(self, route: str, retry_after: float = 0.05) -> None:
        """Answer the next request matching ``route`` (a template such as
        "POST /channels/{channel_id}/messages") with HTTP 429, as Discord does."""
        self._check_route(route)
        with self._condition:
            self._rate_limits.setdefault(route, deque()).append(retry_after)

    def hold_next(self, route: str) -> None:
        """Keep the next request to ``route`` waiting (recorded, unanswered) until ``release``:
        a test can then let time pass (``let_time_pass``) before Discord answers it."""
        self._check_route(route)
        with self._condition:
            self._holds[route] = self._holds.get(route, 0) + 1

    def release(self, route: str) -> None:
        """Answer the request ``hold_next`` kept waiting on ``route``."""

        def release() -> None:
            self._releases.setdefault(route, asyncio.Event()).set()

        self._loop.call_soon_threadsafe(release)

    def _check_route(self, route: str) -> None:
        if route not in (template for template, _, _ in self._routes):
            raise ValueError(f"fake Discord: no route {route!r}")

    # Recorded requests and state

    @staticmethod
    def _call_name(call: Call) -> str:
        """``calls_to`` and ``wait_for`` take route templates ("GET /users/@me")."""
        return call.route

    @property
    def global_commands(self) -> list[JsonDict]:
        """The global commands as last synced (``PUT``), with the ids the fake gave them."""
        with self._condition:
            return copy.deepcopy(self._global_commands)

    def guild_commands(self, guild_id: int) -> list[JsonDict]:
        with self._condition:
            return copy.deepcopy(self._guild_commands.get(guild_id, []))

    # Gateway

    @property
    def gateway_messages(self) -> list[JsonDict]:
        """Every gateway message the client sent, in order: heartbeats, IDENTIFY, RESUME, ..."""
        with self._condition:
            return list(self._gateway_messages)

    @property
    def identify_count(self) -> int:
        return sum(message.get("op") == 2 for message in self.gateway_messages)

    @property
    def resume_count(self) -> int:
        return sum(message.get("op") == 6 for message in self.gateway_messages)

    @property
    def identified_shards(self) -> list[list[int]]:
        """The ``shard`` of every IDENTIFY, in order (``[]`` for one without)."""
        return [
            message["d"].get("shard") or []
            for message in self.gateway_messages
            if message.get("op") == 2
        ]

    def wait_for_shards(self, count: int, timeout: float = 10.0) -> None:
        """Block until ``count`` shards have a live connection (READY or RESUMED sent)."""
        self._wait(
            lambda: (
                sum(session.id in self._live_sockets for session in self._shard_sessions.values())
                >= count
            ),
            timeout,
            lambda: f"{count} live shards",
        )

    def wait_for_ready(self, timeout: float = 10.0) -> None:
        """Block until a connection is live: it got READY and its GUILD_CREATEs, or RESUMED and
        the replay. The client may not have handled them yet; later dispatches queue behind."""
        self._wait(lambda: self._socket is not None, timeout, lambda: "a READY or RESUMED client")

    async def async_wait_for_ready(self, timeout: float = 10.0) -> None:
        await asyncio.to_thread(self.wait_for_ready, timeout)

    def dispatch(self, event: str, data: Mapping[str, Any]) -> None:
        """Send a dispatch (op 0) with the session's next sequence number. Without a live
        connection it is only kept in the session, so the client gets it when it RESUMEs."""
        self._run(self._dispatch_live(event, dict(data)))

    def drop_gateway(self, code: int = 4000) -> None:
        """Close the connection from the server side with ``code``, as Discord does on restarts.

        discord.py RESUMEs after any code but 4004 and 4010-4014, which end ``Client.start`` with
        ConnectionClosed (4014: PrivilegedIntentsRequired); a 1000 from the server resumes too.
        After 4007 and 4009 the fake, like Discord, forgets the session, so the RESUME gets op 9
        and the client IDENTIFYs again, after ``before_identify_hook`` (5 s by default). The close
        is only scheduled: the client's loop must run to finish the handshake. The connection
        stops being live at once, so ``wait_for_ready`` then waits for the new one.
        """
        with self._condition:
            socket, self._socket = self._socket, None
            session = self._session
            if session is not None:
                self._live_sockets.pop(session.id, None)
            if socket is None or session is None:
                raise AssertionError("fake Discord: no client is connected")
            if code in SESSION_ENDING_CLOSE_CODES:
                del self._sessions[session.id]
                self._session = None
        asyncio.run_coroutine_threadsafe(socket.close(code=code), self._loop)

    @property
    def _identified_with(self) -> str | None:
        return self._session.token if self._session is not None else None

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        # The query string (v=10&encoding=json&compress=zlib-stream) is accepted and ignored:
        # text frames are never compressed, and discord.py only inflates binary ones.
        with self._condition:
            refused = self._gateway_refused
        if refused:
            return web.Response(status=503, text="gateway unavailable")
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._open_sockets.add(socket)
        try:
            await self._send(
                socket, {"op": 10, "d": {"heartbeat_interval": self._heartbeat_interval}}
            )
            async for message in socket:
                if message.type is WSMsgType.TEXT:
                    await self._gateway_message(socket, json.loads(message.data))
        finally:
            self._open_sockets.discard(socket)
            with self._condition:
                if self._socket is socket:
                    self._socket = None
                for session_id, live in list(self._live_sockets.items()):
                    if live is socket:
                        del self._live_sockets[session_id]
        return socket

    async def _gateway_message(self, socket: web.WebSocketResponse, message: JsonDict) -> None:
        with self._condition:
            self._gateway_messages.append(message)
            self._condition.notify_all()
        op, data = message.get("op"), message.get("d") or {}
        if op == 1:
            await self._send(socket, {"op": 11})
        elif op == 2:
            await self._identify(socket, data)
        elif op == 6:
            await self._resume(socket, data)

    async def _identify(self, socket: web.WebSocketResponse, data: JsonDict) -> None:
        if await self._refused(socket, data):
            return
        shard: list[int] | None = data.get("shard")
        session = _Session(
            uuid.uuid4().hex,
            token=data.get("token"),
            shard=(shard[0], shard[1]) if shard is not None else None,
        )
        with self._condition:
            self._sessions[session.id] = session
            if session.shard is not None:
                self._shard_sessions[session.shard] = session
            guilds = [
                guild
                for guild in self._guilds.values()
                if shard is None or (guild.id >> 22) % shard[1] == shard[0]
            ]
        ready: JsonDict = {
            "v": 10,
            "user": self._bot_user(),
            "guilds": [{"id": str(guild.id), "unavailable": True} for guild in guilds],
            "session_id": session.id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
        }
        if shard is not None:
            ready["shard"] = shard
        await self._emit(session, "READY", ready, socket)
        # GUILD_CREATE belongs to the GUILDS intent: without it Discord sends none.
        if data.get("intents", 1) & 1:
            for guild in guilds:
                await self._emit(session, "GUILD_CREATE", self._guild_create(guild), socket)
        self._go_live(session, socket)

    async def _refused(self, socket: web.WebSocketResponse, data: JsonDict) -> bool:
        """A revoked token: Discord closes the connection with 4004 Authentication failed."""
        with self._condition:
            revoked = data.get("token") in self._revoked_tokens
        if revoked:
            await socket.close(code=4004, message=b"Authentication failed.")
        return revoked

    async def _resume(self, socket: web.WebSocketResponse, data: JsonDict) -> None:
        if await self._refused(socket, data):
            return
        with self._condition:
            session = self._sessions.get(data.get("session_id", ""))
        if session is None:
            await self._send(socket, {"op": 9, "d": False})
            return
        # An index, not an iterator: dispatches made during the replay are replayed too.
        index = sum(event["s"] <= (data.get("seq") or 0) for event in session.events)
        while index < len(session.events):
            await self._send(socket, session.events[index])
            index += 1
        await self._emit(session, "RESUMED", {}, socket)
        self._go_live(session, socket)

    def _go_live(self, session: _Session, socket: web.WebSocketResponse) -> None:
        with self._condition:
            self._session, self._socket = session, socket
            self._live_sockets[session.id] = socket
            self._condition.notify_all()

    async def _dispatch_live(self, event: str, data: JsonDict) -> None:
        with self._condition:
            session, socket = self._session, self._socket
            owner = self._shard_of(data.get("guild_id"))
            if owner is not None:
                session, socket = owner, self._live_sockets.get(owner.id)
        if session is None:
            raise AssertionError("fake Discord: no session (no IDENTIFY yet, or it ended)")
        await self._emit(session, event, data, socket)

    def _shard_of(self, guild_id: object) -> _Session | None:
        """The newest session of the shard ``guild_id`` belongs to, if one IDENTIFYed for it."""
        if guild_id is None:
            return None
        for (shard_id, count), session in self._shard_sessions.items():
            if (int(str(guild_id)) >> 22) % count == shard_id and session.id in self._sessions:
                return session
        return None

    async def _emit(
        self,
        session: _Session,
        event: str,
        data: JsonDict,
        socket: web.WebSocketResponse | None,
    ) -> None:
        session.sequence += 1
        message = {"op": 0, "t": event, "s": session.sequence, "d": data}
        session.events.append(message)
        if socket is not None:
            await self._send(socket, message)

    @staticmethod
    async def _send(socket: web.WebSocketResponse, message: JsonDict) -> None:
        await socket.send_str(json.dumps({"s": None, "t": None, **message}))

    # Interactions

    def slash_command(
        self,
        *,
        guild_id: int | None,
        channel_id: int,
        user_id: int,
        name: str,
        options: list[ApplicationCommandInteractionDataOption],
        permissions: int = 0,
        locale: str = "en-US",
        interaction_id: int | None = None,
        channel_object: bool = True,
    ) -> ApplicationCommandInteraction:
        """An INTERACTION_CREATE payload for ``/name``, used by ``user_id`` in ``channel_id``.

        ``options`` are Discord's option objects: ``{"name", "type", "value"}`` (type 3 string,
        4 integer, 5 boolean, 6 user: its value the user's id, resolved as Discord does). A
        subcommand is an option ``{"name": "add", "type": 1, "options": [...]}`` holding its own
        options, inside a group option of type 2 if nested twice: ``/memo add session:x`` is
        ``name="memo"``, ``options=[{"name": "add", "type": 1, "options": [{"name": "session",
        "type": 3, "value": "x"}]}]``.
        ``permissions`` are the member's computed permissions in the channel.

        Where it comes from follows the channel (see ``_context``): a guild channel with
        ``guild_id``, or with ``guild_id=None`` a DM (``open_dm``) or group DM
        (``open_group_dm``). ``channel_object=False`` leaves out the ``channel`` object, which
        Discord documents as optional (``channel_id`` stays).
        """
        command_id, command_guild_id = self._command(guild_id, name, 1)
        payload: ApplicationCommandInteraction = {
            **self._context(
                guild_id, channel_id, user_id, permissions, locale, interaction_id, channel_object
            ),
            "type": 2,
            "data": {"id": str(command_id), "name": name, "type": 1, "options": options},
        }
        if command_guild_id is not None:
            payload["data"]["guild_id"] = str(command_guild_id)
        users = _option_values(options, 6)
        resolved: JsonDict = {}
        if users:
            # Discord sends the users that user options name along with the interaction.
            resolved["users"] = {user: self._user(int(user)) for user in users}
        attachments = _option_values(options, 11)
        if attachments:
            with self._condition:
                resolved["attachments"] = {a: self._attachments[a][0] for a in attachments}
        if resolved:
            payload["data"]["resolved"] = resolved  # type: ignore[typeddict-item]
        return payload

    def autocomplete(
        self,
        *,
        guild_id: int | None,
        channel_id: int,
        user_id: int,
        name: str,
        options: list[ApplicationCommandInteractionDataOption],
        focused: str,
        permissions: int = 0,
        locale: str = "en-US",
        interaction_id: int | None = None,
        channel_object: bool = True,
    ) -> ApplicationCommandInteraction:
        """Like ``slash_command``, for the user typing in the option named ``focused``: the
        innermost option with that name (below any subcommand) is marked focused."""
        options = copy.deepcopy(options)
        level = options
        while level and level[0]["type"] in (1, 2):
            level = level[0]["options"]
        target = next((option for option in level if option["name"] == focused), None)
        if target is None or target["type"] in (1, 2):
            raise ValueError(f"fake Discord: no value option {focused!r} in {options}")
        target["focused"] = True  # type: ignore[typeddict-unknown-key]
        payload = self.slash_command(
            guild_id=guild_id,
            channel_id=channel_id,
            user_id=user_id,
            name=name,
            options=options,
            permissions=permissions,
            locale=locale,
            interaction_id=interaction_id,
            channel_object=channel_object,
        )
        payload["type"] = 4
        return payload

    def message_context_menu(
        self,
        *,
        guild_id: int | None,
        channel_id: int,
        user_id: int,
        name: str,
        target_message: MessagePayload,
        permissions: int = 0,
        locale: str = "en-US",
        interaction_id: int | None = None,
        channel_object: bool = True,
    ) -> ApplicationCommandInteraction:
        """The "Apps > ``name``" menu used on ``target_message`` (see ``message``)."""
        command_id, command_guild_id = self._command(guild_id, name, 3)
        payload: ApplicationCommandInteraction = {
            **self._context(
                guild_id, channel_id, user_id, permissions, locale, interaction_id, channel_object
            ),
            "type": 2,
            "data": {
                "id": str(command_id),
                "name": name,
                "type": 3,
                "target_id": target_message["id"],
                "resolved": {"messages": {str(target_message["id"]): target_message}},
            },
        }
        if command_guild_id is not None:
            payload["data"]["guild_id"] = str(command_guild_id)
        return payload

    def modal_submit(
        self,
        *,
        guild_id: int | None,
        channel_id: int,
        user_id: int,
        custom_id: str,
        components: Sequence[ModalSubmitComponentInteractionData],
        permissions: int = 0,
        locale: str = "en-US",
        interaction_id: int | None = None,
        channel_object: bool = True,
    ) -> ModalSubmitInteraction:
        """The submission of the modal ``custom_id`` (the ``custom_id`` of the type 9 callback's
        data); ``components`` as ``modal_answers`` (or ``text_inputs``) builds them."""
        return {
            **self._context(
                guild_id, channel_id, user_id, permissions, locale, interaction_id, channel_object
            ),
            "type": 5,
            "data": {"custom_id": custom_id, "components": list(components)},
        }

    def select_menu(
        self,
        *,
        guild_id: int | None,
        channel_id: int,
        user_id: int,
        message_components: Sequence[Mapping[str, Any]],
        custom_id: str,
        values: Sequence[str],
        permissions: int = 0,
        locale: str = "en-US",
        interaction_id: int | None = None,
    ) -> JsonDict:
        """A pick in a string select (component type 3) of a message the bot sent: Discord
        sends the message too (ephemeral, flag 64, with its ``message_components``), the
        select's ``custom_id`` and the picked ``values``."""
        message = {
            **self.message(channel_id, self.bot_user_id, ""),
            "author": self._bot_user(),
            "components": [dict(component) for component in message_components],
            "flags": 64,
        }
        return {
            **self._context(
                guild_id, channel_id, user_id, permissions, locale, interaction_id, True
            ),
            "type": 3,
            "message": message,
            "data": {"custom_id": custom_id, "component_type": 3, "values": list(values)},
        }

    @staticmethod
    def modal_answers(
        modal: Mapping[str, Any], values: Mapping[str, str]
    ) -> list[ModalSubmitComponentInteractionData]:
        """The components Discord sends when someone submits ``modal`` (the ``data`` of the
        type 9 callback) after typing ``values`` (by ``custom_id``): the modal's own layout,
        every component with its ``id``, see ``discord_shapes.modal_submission``."""
        return cast(
            "list[ModalSubmitComponentInteractionData]", shapes.modal_submission(modal, values)
        )

    @staticmethod
    def text_inputs(values: Mapping[str, str]) -> list[ModalSubmitActionRowInteractionData]:
        """Modal submit components for text inputs, by ``custom_id``: one action row each, the
        layout discord.py gives a Modal's TextInputs, numbered as Discord numbers them."""
        ids = itertools.count(1)
        return [
            {
                "type": 1,
                "id": next(ids),
                "components": [
                    {"type": 4, "id": next(ids), "custom_id": custom_id, "value": value}
                ],
            }
            for custom_id, value in values.items()
        ]  # type: ignore[typeddict-unknown-key]

    def message(self, channel_id: int, author_id: int, content: str) -> MessagePayload:
        """A message someone sent earlier, e.g. the target of a context menu."""
        return {
            "id": str(next(self._snowflakes)),
            "channel_id": str(channel_id),
            "type": 0,
            "author": self._user(author_id),
            "content": content,
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "flags": 0,
        }

    def send_interaction(self, payload: Mapping[str, Any], *, late_by: float = 0.0) -> int:
        """Dispatch INTERACTION_CREATE with ``payload`` (from a builder); return its id. Only
        interactions sent this way may be answered: others get 404 Unknown interaction.

        ``late_by`` (seconds) is how long the gateway took to deliver it: Discord's clock
        started when the person used the command, so at 3 s or more any callback is late.

        Sending the same payload again delivers the same interaction again, as Discord does
        to every process connected on its shard: still one interaction, whose first callback
        is the only one accepted (40060 "already acknowledged" for the rest).
        """
        interaction_id = int(payload["id"])
        with self._condition:
            if interaction_id not in self._interactions:
                interaction = _Interaction(
                    interaction_id, payload["token"], payload["type"], int(payload["channel_id"])
                )
                interaction.created = self._elapsed - late_by
                interaction.sent_at = time.perf_counter()
                self._interactions[interaction_id] = interaction
        self.dispatch("INTERACTION_CREATE", payload)
        return interaction_id

    def answer_seconds(self, interaction_id: int) -> float | None:
        """From INTERACTION_CREATE sent to callback received (None while unanswered): what a
        Discord user waits for. For benchmarks; tests assert behaviour, not time."""
        with self._condition:
            interaction = self._interactions[interaction_id]
            if interaction.sent_at is None or interaction.answered_at is None:
                return None
            return interaction.answered_at - interaction.sent_at

    def wait_for_callback(self, interaction_id: int, timeout: float = 10.0) -> JsonDict:
        """Block until the client answered the interaction; return the callback body
        (``{"type": 4, "data": {...}}``). It is recorded before the client gets the reply."""

        def callback() -> JsonDict | None:
            interaction = self._interactions.get(interaction_id)
            return None if interaction is None else interaction.callback

        found = self._wait_for_value(
            callback,
            timeout,
            lambda: f"the callback of interaction {interaction_id}; calls so far: {self._calls}",
        )
        return copy.deepcopy(found)

    async def async_wait_for_callback(self, interaction_id: int, timeout: float = 10.0) -> JsonDict:
        return await asyncio.to_thread(self.wait_for_callback, interaction_id, timeout)

    def _context(
        self,
        guild_id: int | None,
        channel_id: int,
        user_id: int,
        permissions: int,
        locale: str,
        interaction_id: int | None,
        channel_object: bool,
    ) -> BaseInteractionPayload:
        """The fields every interaction has, as Discord sends them for where it was used.

        In a guild (context 0): ``guild_id``, ``guild``, ``member`` (with the person's
        nickname, roles and permissions). In a DM with the bot (context 1) or another DM or
        group DM (context 2): ``user`` and no ``member``. ``app_permissions`` are the bot's
        in the channel, ``authorizing_integration_owners`` who installed the app there.
        """
        channel = self._channel_for(guild_id, channel_id)
        context = shapes.context_type(channel)
        user = self._user(user_id)
        payload: JsonDict = {
            "id": str(interaction_id or next(self._snowflakes)),
            "application_id": str(self.application_id),
            "token": f"fake-interaction-{uuid.uuid4().hex}",
            "version": 1,
            "channel_id": str(channel_id),
            "locale": locale,
            "entitlements": [],
            "context": context,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if channel_object:
            # The user's permissions are added to a guild channel, as Discord does.
            shown = self._channel_payload(channel)
            if guild_id is not None:
                shown["permissions"] = str(permissions)
            payload["channel"] = shown
        if context == shapes.GUILD_CONTEXT:
            assert guild_id is not None
            with self._condition:
                membership = self._memberships.get((guild_id, user_id), Membership())
            payload.update(
                guild_id=str(guild_id),
                guild={"id": str(guild_id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                member=shapes.member_payload(dict(user), membership, permissions),
                app_permissions=str(APP_PERMISSIONS & ~channel.denied),
                authorizing_integration_owners={"0": str(guild_id)},
            )
        elif context == shapes.BOT_DM_CONTEXT:
            payload.update(
                user=user,
                app_permissions=str(shapes.BOT_DM_APP_PERMISSIONS),
                authorizing_integration_owners={"0": "0"},
            )
        else:
            # Only an app its user installed can be used there: the owner is that user.
            payload.update(
                user=user,
                app_permissions=str(shapes.PRIVATE_CHANNEL_APP_PERMISSIONS),
                authorizing_integration_owners={"1": str(user_id)},
            )
        return cast("BaseInteractionPayload", payload)

    def _channel_for(self, guild_id: int | None, channel_id: int) -> Channel:
        """The channel as registered; an unregistered one is a text channel of the guild (or,
        without a guild, a DM with the bot)."""
        with self._condition:
            channel = self._channels.get(channel_id)
        if channel is not None:
            if channel.guild_id != guild_id:
                raise ValueError(f"fake Discord: channel {channel_id} is not in guild {guild_id}")
            return channel
        if guild_id is None:
            return Channel(channel_id, shapes.DM, None)
        return Channel(channel_id, shapes.GUILD_TEXT, guild_id)

    def _command(
        self, guild_id: int | None, name: str, command_type: int
    ) -> tuple[int, int | None]:
        """The id of the command as synced (guild commands first) and the guild it was synced to.
        A command never synced gets a fresh id: discord.py finds commands by name, not id."""
        with self._condition:
            for scope in (guild_id, None) if guild_id is not None else (None,):
                command_id = self._command_ids.get((scope, name, command_type))
                if command_id is not None:
                    return command_id, scope
        return next(self._snowflakes), None

    # Payloads

    def _person(self, user_id: int) -> Person:
        with self._condition:
            person = self._people.get(user_id)
        if person is None:
            return Person(user_id, f"user{user_id}", f"User {user_id}")
        return Person(person.id, person.username, person.global_name)

    def _user(self, user_id: int) -> UserPayload:
        return cast("UserPayload", shapes.user_payload(self._person(user_id)))

    def _bot_user(self) -> UserPayload:
        return {
            "id": str(self.bot_user_id),
            "username": "memo-bot",
            "global_name": None,
            "discriminator": "0",
            "avatar": None,
            "bot": True,
            "verified": True,
            "mfa_enabled": False,
            "flags": 0,
            "email": None,
        }

    def _channel_payload(self, channel: Channel) -> JsonDict:
        recipients = [
            self._user(user_id) for user_id in channel.recipients if user_id != self.bot_user_id
        ]
        return shapes.channel_payload(channel, self.bot_user_id, recipients)

    def _guild_channels(self, guild: _Guild) -> list[Channel]:
        with self._condition:
            return [self._channels[channel_id] for channel_id in guild.channel_ids]

    def _guild_create(self, guild: _Guild) -> JsonDict:
        everyone = {
            "id": str(guild.id),
            "name": "@everyone",
            "color": 0,
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": 0,
            "permissions": str(APP_PERMISSIONS),
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        bot_member = {
            "user": self._bot_user(),
            "roles": [],
            "joined_at": _now(),
            "deaf": False,
            "mute": False,
            "flags": 0,
        }
        channels = self._guild_channels(guild)
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "owner_id": str(self.owner_user_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "features": [],
            "roles": [everyone],
            "emojis": [],
            "stickers": [],
            "joined_at": _now(),
            "large": False,
            "unavailable": False,
            "member_count": 2,
            "members": [bot_member],
            "channels": [self._channel_payload(c) for c in channels if not c.is_thread],
            # The active threads (the bot sees every one here).
            "threads": [self._channel_payload(c) for c in channels if c.is_thread],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def _new_message(
        self,
        channel_id: int,
        payload: JsonDict,
        files: tuple[tuple[str, bytes], ...],
        *,
        interaction: bool,
        flags: int,
    ) -> JsonDict:
        message_id = next(self._snowflakes)
        message: JsonDict = {
            "id": str(message_id),
            # 20 (CHAT_INPUT_COMMAND) is the type of interaction responses and followups.
            "type": 20 if interaction else 0,
            "channel_id": str(channel_id),
            "author": self._bot_user(),
            "content": "",
            "embeds": [],
            "components": [],
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": bool(payload.get("tts")),
            "timestamp": self._clock().isoformat(),
            "edited_timestamp": None,
            "flags": flags,
        }
        if interaction:
            message["webhook_id"] = message["application_id"] = str(self.application_id)
        self._fill(message, payload, files)
        with self._condition:
            self._messages[message_id] = message
        return message

    def _fill(
        self, message: JsonDict, payload: JsonDict, files: tuple[tuple[str, bytes], ...]
    ) -> None:
        """Copy what a create or edit request sets into ``message``; files become attachments."""
        for key in ("content", "embeds", "components"):
            if key in payload:
                message[key] = payload[key] if payload[key] is not None else ""
        if files:
            message["attachments"] = [
                {
                    "id": str(next(self._snowflakes)),
                    "filename": filename,
                    "size": len(content),
                    "url": f"http://127.0.0.1:{self._port}/attachments/{filename}",
                    "proxy_url": f"http://127.0.0.1:{self._port}/attachments/{filename}",
                }
                for filename, content in files
            ]

    def _edit(self, message: JsonDict, call: Call) -> None:
        self._fill(message, call.json if isinstance(call.json, dict) else {}, call.files)
        message["edited_timestamp"] = _now()

    # REST

    async def _api(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        route, handler, params = UNKNOWN_ROUTE, None, {}
        for template, pattern, candidate in self._routes:
            match = pattern.match(path)
            if match and template.startswith(request.method + " "):
                route, handler, params = template, candidate, match.groupdict()
                break
        body, files = await _body(request)
        headers = {name.lower(): value for name, value in request.headers.items()}
        call = Call(request.method, path, route, body, headers, dict(request.query), files)
        with self._condition:
            self._calls.append(call)
            self._condition.notify_all()
            limits = self._rate_limits.get(route)
            retry_after = limits.popleft() if limits else None
            held = self._holds.get(route, 0) > 0
            if held:
                self._holds[route] -= 1
        if held:
            await self._releases.setdefault(route, asyncio.Event()).wait()
            del self._releases[route]
        with self._condition:
            revoked = call.token is not None and call.token in self._revoked_tokens
        if retry_after is not None:
            return self._rate_limited(route, retry_after)
        if revoked:
            return _json({"message": "401: Unauthorized", "code": 0}, 401)
        if handler is None:
            return _json({"message": "404: Not Found", "code": 0}, 404)
        try:
            answer = await handler(call, params)
        except _DiscordError as error:
            return _json({"message": error.message, "code": error.code}, error.status)
        await self._maybe_late(route, request)
        return answer

    @staticmethod
    def _rate_limited(route: str, retry_after: float) -> web.Response:
        """Discord's 429. ``Via`` matters: discord.py takes a 429 without it for a Cloudflare ban
        and raises instead of retrying."""
        headers = {
            "Retry-After": str(math.ceil(retry_after)),
            "Via": "1.1 google",
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
            "X-RateLimit-Bucket": hashlib.sha256(route.encode()).hexdigest()[:32],
            "X-RateLimit-Scope": "user",
        }
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": False,
        }
        return _json(body, 429, headers)

    async def _get_me(self, call: Call, params: dict[str, str]) -> web.Response:
        return _json(self._bot_user())

    async def _get_application(self, call: Call, params: dict[str, str]) -> web.Response:
        owner = self._user(self.owner_user_id)
        with self._condition:
            guild_count = len(self._guilds)
        return _json(
            {
                "id": str(self.application_id),
                "name": "Memo Bot",
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "bot": self._bot_user(),
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": hashlib.sha256(str(self.application_id).encode()).hexdigest(),
                "flags": 0,
                "owner": owner,
                "team": None,
                "rpc_origins": [],
                "redirect_uris": [],
                # Not null would mean "interactions go to a URL, not the gateway": keep it null.
                "interactions_endpoint_url": None,
                "tags": [],
                "approximate_guild_count": guild_count,
                "integration_types_config": {"0": {}},
            }
        )

    async def _get_gateway(self, call: Call, params: dict[str, str]) -> web.Response:
        return _json({"url": self.gateway_url})

    async def _get_gateway_bot(self, call: Call, params: dict[str, str]) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 86_400_000, "max_concurrency": 1}
        return _json(
            {"url": self.gateway_url, "shards": self._shards, "session_start_limit": limit}
        )

    async def _callback(self, call: Call, params: dict[str, str]) -> web.Response:
        """Answer an interaction. discord.py 2.7 always asks ``?with_response=1`` and reads the
        interaction callback response (``interaction`` and, for message types, ``resource``).

        Past the callback deadline (3 s on the fake's clock) Discord has forgotten the
        interaction: 404 Unknown interaction, and its token is no use any more.
        """
        body = call.json if isinstance(call.json, dict) else {}
        response_type = body.get("type")
        data = body.get("data") or {}
        with self._condition:
            interaction = self._interactions.get(int(params["interaction_id"]))
            if interaction is None:
                raise _DiscordError(404, "Unknown interaction", 10062)
            if interaction.token != params["token"]:
                raise _DiscordError(401, "Invalid Webhook Token", 50027)
            if interaction.callback is not None:
                raise _DiscordError(400, "Interaction has already been acknowledged.", 40060)
            if self._elapsed - interaction.created >= self.callback_deadline:
                raise _DiscordError(404, "Unknown interaction", 10062)
            interaction.callback = body
            interaction.answered_at = time.perf_counter()
            self._condition.notify_all()
        message: JsonDict | None = None
        ephemeral = data.get("flags", 0) & MESSAGE_EPHEMERAL
        if response_type in (4, 5):
            loading = response_type == 5
            flags = data.get("flags", 0) | (MESSAGE_LOADING if loading else 0)
            payload = {} if loading else data
            message = self._new_message(
                interaction.channel_id, payload, call.files, interaction=True, flags=flags
            )
            with self._condition:
                interaction.original_id, interaction.loading = int(message["id"]), loading
        if call.query.get("with_response") not in ("1", "true"):
            return web.Response(status=204)
        callback: JsonDict = {"id": str(interaction.id), "type": interaction.type}
        result: JsonDict = {"interaction": callback}
        if message is not None:
            callback["response_message_id"] = message["id"]
            callback["response_message_loading"] = interaction.loading
            callback["response_message_ephemeral"] = bool(ephemeral)
            result["resource"] = {"type": response_type, "message": message}
        return _json(result)

    def _interaction_for(self, params: dict[str, str]) -> _Interaction:
        """The interaction of a webhook route's token; it must have been answered already.

        After 15 minutes (on the fake's clock) every use of the token gets 401 50027 Invalid
        Webhook Token; before, a token whose interaction was never answered is 404 Unknown
        Webhook (as Discord answers, see discord/discord-api-docs#6851).
        """
        with self._condition:
            found = next(
                (i for i in self._interactions.values() if i.token == params["token"]), None
            )
            expired = found is not None and (self._elapsed - found.created >= self.token_lifetime)
        if expired:
            raise _DiscordError(401, "Invalid Webhook Token", 50027)
        if (
            found is None
            or found.callback is None
            or int(params["application_id"]) != self.application_id
        ):
            raise _DiscordError(404, "Unknown Webhook", 10015)
        return found

    def _message(self, message_id: int | None) -> JsonDict:
        with self._condition:
            message = self._messages.get(message_id) if message_id is not None else None
        if message is None:
            raise _DiscordError(404, "Unknown Message", 10008)
        return message

    async def _followup(self, call: Call, params: dict[str, str]) -> web.Response:
        """A followup. The first one after a deferral (type 5) resolves the loading message
        instead, keeping its ephemerality, as Discord does for backwards compatibility."""
        interaction = self._interaction_for(params)
        payload = call.json if isinstance(call.json, dict) else {}
        if interaction.loading:
            message = self._message(interaction.original_id)
            self._fill(message, payload, call.files)
            message["flags"] &= ~MESSAGE_LOADING
            interaction.loading = False
        else:
            flags = payload.get("flags", 0)
            message = self._new_message(
                interaction.channel_id, payload, call.files, interaction=True, flags=flags
            )
            with self._condition:
                interaction.followup_ids.add(int(message["id"]))
        if call.query.get("wait") not in ("1", "true"):
            return web.Response(status=204)
        return _json(message)

    async def _get_original(self, call: Call, params: dict[str, str]) -> web.Response:
        return _json(self._message(self._interaction_for(params).original_id))

    async def _edit_original(self, call: Call, params: dict[str, str]) -> web.Response:
        interaction = self._interaction_for(params)
        message = self._message(interaction.original_id)
        self._edit(message, call)
        message["flags"] &= ~MESSAGE_LOADING
        interaction.loading = False
        return _json(message)

    async def _delete_original(self, call: Call, params: dict[str, str]) -> web.Response:
        interaction = self._interaction_for(params)
        message = self._message(interaction.original_id)
        with self._condition:
            del self._messages[int(message["id"])]
            interaction.original_id, interaction.loading = None, False
        return web.Response(status=204)

    def _followup_message(self, params: dict[str, str]) -> JsonDict:
        interaction = self._interaction_for(params)
        message_id = int(params["message_id"])
        if message_id not in interaction.followup_ids | {interaction.original_id}:
            raise _DiscordError(404, "Unknown Message", 10008)
        return self._message(message_id)

    async def _get_followup(self, call: Call, params: dict[str, str]) -> web.Response:
        return _json(self._followup_message(params))

    async def _edit_followup(self, call: Call, params: dict[str, str]) -> web.Response:
        message = self._followup_message(params)
        self._edit(message, call)
        return _json(message)

    async def _delete_followup(self, call: Call, params: dict[str, str]) -> web.Response:
        message = self._followup_message(params)
        with self._condition:
            del self._messages[int(message["id"])]
        return web.Response(status=204)

    def _visible_channel(self, channel_id: int) -> Channel:
        """A channel the bot can see: a guild's (unless denied VIEW_CHANNEL: 403 50001 Missing
        Access) or its own DM. Anything else is 404 Unknown Channel, also other people's DMs."""
        with self._condition:
            channel = self._channels.get(channel_id)
        if channel is None or (channel.guild_id is None and len(channel.recipients) != 1):
            raise _DiscordError(404, "Unknown Channel", 10003)
        if channel.denied & shapes.VIEW_CHANNEL:
            raise _DiscordError(403, "Missing Access", 50001)
        return channel

    async def _get_channel(self, call: Call, params: dict[str, str]) -> web.Response:
        return _json(self._channel_payload(self._visible_channel(int(params["channel_id"]))))

    async def _create_message(self, call: Call, params: dict[str, str]) -> web.Response:
        """Send a message: the bot needs SEND_MESSAGES there (SEND_MESSAGES_IN_THREADS in a
        thread, where the parent channel's overwrites apply), else 403 50013 Missing
        Permissions."""
        channel_id = int(params["channel_id"])
        channel = self._visible_channel(channel_id)
        needed = shapes.SEND_MESSAGES_IN_THREADS if channel.is_thread else shapes.SEND_MESSAGES
        if self._denied(channel) & needed:
            raise _DiscordError(403, "Missing Permissions", 50013)
        payload = call.json if isinstance(call.json, dict) else {}
        nonce = payload.get("nonce")
        if nonce is not None and len(str(nonce)) > NONCE_MAX_LENGTH:
            raise _DiscordError(400, "Invalid Form Body", 50035)
        author = self.bot_user_id
        if nonce is not None and payload.get("enforce_nonce"):
            with self._condition:
                earlier = self._nonces.get((author, str(nonce)))
                age = self._elapsed - earlier[1] if earlier is not None else None
                if earlier is not None and age is not None and age < NONCE_WINDOW.total_seconds():
                    message = self._messages.get(earlier[0])
                    if message is None:  # sent, then deleted: Discord does not send it again
                        raise _DiscordError(404, "Unknown Message", 10008)
                    return _json(copy.deepcopy(message))
        flags = payload.get("flags", 0)
        message = self._new_message(channel_id, payload, call.files, interaction=False, flags=flags)
        if nonce is not None:
            with self._condition:
                self._nonces[(author, str(nonce))] = (int(message["id"]), self._elapsed)
            message = {**message, "nonce": str(nonce)}  # only in this answer, never stored
        return _json(message)

    def _denied(self, channel: Channel) -> int:
        """The bot's denied permissions in ``channel``: a thread's are its parent's."""
        with self._condition:
            parent = self._channels.get(channel.parent_id) if channel.parent_id else None
        return channel.denied | (parent.denied if parent is not None else 0)

    async def _start_thread(self, call: Call, params: dict[str, str]) -> web.Response:
        """A public thread from a message of a text channel; it takes the message's id.
        Needs CREATE_PUBLIC_THREADS (else 403 50013); a message that has one: 400 160004."""
        channel = self._visible_channel(int(params["channel_id"]))
        if channel.denied & shapes.CREATE_PUBLIC_THREADS:
            raise _DiscordError(403, "Missing Permissions", 50013)
        message_id = int(params["message_id"])
        with self._condition:
            message = self._messages.get(message_id)
            exists = message_id in self._channels
        if message is None or int(message["channel_id"]) != channel.id:
            raise _DiscordError(404, "Unknown Message", 10008)
        if exists:
            raise _DiscordError(400, "A thread has already been created for this message", 160004)
        if channel.guild_id is None:
            raise _DiscordError(400, "Cannot execute action on a DM channel", 50003)
        if channel.type not in (shapes.GUILD_TEXT, shapes.GUILD_ANNOUNCEMENT):
            raise _DiscordError(400, "Cannot execute action on this channel type", 50024)
        name = str(call.json.get("name") or "") if isinstance(call.json, dict) else ""
        thread = Channel(
            message_id,
            shapes.PUBLIC_THREAD,
            channel.guild_id,
            name=name,
            parent_id=channel.id,
            owner_id=self.bot_user_id,
        )
        created = self._keep_channel(thread)
        if created is not None:  # in the fake's own loop: dispatch without waiting on it
            await self._dispatch_live(*created)
        return _json(self._channel_payload(thread))

    def _channel_message(self, params: dict[str, str]) -> JsonDict:
        """A message of a channel the bot can see: 404 10008 Unknown Message if it is not
        there (deleted, or of another channel); 403 50005 if another author wrote it."""
        channel = self._visible_channel(int(params["channel_id"]))
        with self._condition:
            message = self._messages.get(int(params["message_id"]))
        if message is None or int(message["channel_id"]) != channel.id:
            raise _DiscordError(404, "Unknown Message", 10008)
        if int(message["author"]["id"]) != self.bot_user_id:
            raise _DiscordError(403, "Cannot edit a message authored by another user", 50005)
        return message

    async def _edit_message(self, call: Call, params: dict[str, str]) -> web.Response:
        """Edit the bot's own message (``edited_timestamp`` set, as Discord does)."""
        message = self._channel_message(params)
        self._edit(message, call)
        return _json(message)

    async def _delete_message(self, call: Call, params: dict[str, str]) -> web.Response:
        message = self._channel_message(params)
        with self._condition:
            self._messages.pop(int(message["id"]), None)
        return web.Response(status=204)

    async def _get_messages(self, call: Call, params: dict[str, str]) -> web.Response:
        """A page of the channel's messages, newest first: the ``limit`` just before ``before``,
        just after ``after``, around ``around``, or the latest. Without Read Message History
        the bot gets none, as Discord documents (no error)."""
        channel = self._visible_channel(int(params["channel_id"]))
        try:
            limit = int(call.query.get("limit", HISTORY_DEFAULT_LIMIT))
            before, after, around = (
                int(call.query[name]) if name in call.query else None
                for name in ("before", "after", "around")
            )
        except ValueError:
            raise _DiscordError(400, "Invalid Form Body", 50035) from None
        if not 1 <= limit <= HISTORY_MAX_LIMIT:
            raise _DiscordError(400, "Invalid Form Body", 50035)
        if channel.denied & shapes.READ_MESSAGE_HISTORY:
            return _json([])
        ordered = self.messages(channel.id)  # oldest first
        if after is not None:
            page = [m for m in ordered if int(m["id"]) > after][:limit]
        elif around is not None:
            older = [m for m in ordered if int(m["id"]) < around][-(limit // 2) :][: limit // 2]
            page = older + [m for m in ordered if int(m["id"]) >= around][: limit - len(older)]
        else:
            page = [m for m in ordered if before is None or int(m["id"]) < before][-limit:]
        return _json(list(reversed(page)))

    def _command_scope(self, params: dict[str, str]) -> int | None:
        """The guild of a command route (None: global); Discord says Missing Access to a wrong
        application id or a guild the bot is not in."""
        guild_id = int(params["guild_id"]) if "guild_id" in params else None
        with self._condition:
            unknown_guild = guild_id is not None and guild_id not in self._guilds
        if int(params["application_id"]) != self.application_id or unknown_guild:
            raise _DiscordError(403, "Missing Access", 50001)
        return guild_id

    async def _get_commands(self, call: Call, params: dict[str, str]) -> web.Response:
        guild_id = self._command_scope(params)
        if guild_id is None:
            return _json(self.global_commands)
        return _json(self.guild_commands(guild_id))

    async def _put_commands(self, call: Call, params: dict[str, str]) -> web.Response:
        """A bulk overwrite: the list replaces the scope's commands. A command keeps its id while
        its name and type stay, so ids in earlier interactions still match."""
        guild_id = self._command_scope(params)
        commands: list[JsonDict] = []
        with self._condition:
            for command in call.json or []:
                key = (guild_id, command["name"], command.get("type", 1))
                command_id = self._command_ids.setdefault(key, next(self._snowflakes))
                echoed = {
                    "type": 1,
                    "description": "",
                    "options": [],
                    "default_member_permissions": None,
                    "nsfw": False,
                    **command,
                    "id": str(command_id),
                    "application_id": str(self.application_id),
                    "version": str(next(self._snowflakes)),
                }
                if guild_id is not None:
                    echoed["guild_id"] = str(guild_id)
                commands.append(echoed)
            stale = {k for k in self._command_ids if k[0] == guild_id} - {
                (guild_id, c["name"], c["type"]) for c in commands
            }
            for key in stale:
                del self._command_ids[key]
            if guild_id is None:
                self._global_commands = commands
            else:
                self._guild_commands[guild_id] = commands
        return _json(copy.deepcopy(commands))


@pytest.fixture
def fake_discord(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDiscord]:
    """A started FakeDiscord that discord.py talks to, stopped after the test.

    Proxy variables are left alone: discord.py's aiohttp session is made without ``trust_env``,
    so HTTP(S)_PROXY never applies to it.
    """
    with FakeDiscord() as fake:
        monkeypatch.setattr(Route, "BASE", fake.api_base)
        monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url + "/"))
        yield fake
