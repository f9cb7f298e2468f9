"""What memo-bot counts, for Prometheus at ``/metrics`` (the official ``prometheus_client``).

The counters live in the client's default registry, one set a process, so each process
behind a load balancer is scraped on its own and Prometheus adds them up. The core
reports each answered command (``MemoBot.observe``), with the database error that failed
it if one did; the digest runner each post through ``CountedOutbound``, and the platforms
each API call refused (``platform_api_error``). The outbox's depth is read from the
database when ``/metrics`` is scraped: it is the same for every process, and growing means
announcements are not getting out (a platform down, a channel refusing the bot).
"""

from __future__ import annotations

import asyncio
import logging

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from sqlalchemy.exc import DBAPIError

from bot.core import CommandDone, MemoBot
from bot.outbound import Delivered, Delivery, Outbound, StartedThread
from bot.replies.values import Reply
from storage import outbox as outbox_store
from storage.database import Database

logger = logging.getLogger(__name__)

#: The name of ``/memo add`` in ``CommandDone.command``.
_ADD_MEMO = "AddMemo"

COMMANDS = Counter(
    "memo_commands",
    "Commands answered, by command, platform and outcome (ok, replayed or the refusal's code).",
    ["command", "platform", "outcome"],
)
COMMAND_SECONDS = Histogram(
    "memo_command_duration_seconds",
    "Time from the core receiving a command to its answer, committed.",
    ["command", "platform"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
MEMOS_STORED = Counter(
    "memo_memos_stored", "Memos stored by /memo add (imports not counted).", ["platform"]
)
DIGEST_POSTS = Counter(
    "memo_digest_posts",
    "Attempts to post a digest, by platform and outcome (posted or failed).",
    ["platform", "outcome"],
)
DATABASE_ERRORS = Counter(
    "memo_database_errors",
    "Commands that failed on an error of the database, by the driver's type of error.",
    ["error"],
)
PLATFORM_API_ERRORS = Counter(
    "memo_platform_api_errors",
    "Calls to a chat platform's API that failed, by the platform's error code.",
    ["platform", "code"],
)

OUTBOX_DEPTH = Gauge(
    "memo_outbox_depth",
    "Announcements owed to channels and not delivered yet, by every process (read at scrape).",
)
#: A scrape does not wait longer than this for the depth (a database out of reach).
OUTBOX_DEPTH_TIMEOUT_S = 2.0

_databases: list[Database] = []


def instrument(bot: MemoBot) -> None:
    """Count ``bot``'s commands, and those a database error failed; report its outbox's depth."""
    bot.observe(command_done)
    _databases[:] = [bot.database]


async def refresh_outbox_depth() -> None:
    """Read the outbox's depth for the scrape under way; on failure the gauge says NaN
    (unknown) rather than a stale figure, and ``/readyz`` tells why."""
    if not _databases:
        return
    database = _databases[0]
    try:
        depth = await asyncio.wait_for(
            asyncio.to_thread(lambda: _read_depth(database)), OUTBOX_DEPTH_TIMEOUT_S
        )
    except Exception as error:
        logger.debug("outbox depth unknown: %s", error)
        OUTBOX_DEPTH.set(float("nan"))
    else:
        OUTBOX_DEPTH.set(depth)


def _read_depth(database: Database) -> int:
    with database.reading() as tx:
        return outbox_store.depth(tx)


def command_done(done: CommandDone) -> None:
    COMMANDS.labels(done.command, done.platform, done.outcome).inc()
    COMMAND_SECONDS.labels(done.command, done.platform).observe(done.seconds)
    if done.command == _ADD_MEMO and done.outcome == "ok":
        MEMOS_STORED.labels(done.platform).inc()
    if isinstance(done.failure, DBAPIError):
        DATABASE_ERRORS.labels(type(done.failure.orig).__name__).inc()


def platform_api_error(platform: str, code: str) -> None:
    """A platform's API refused a call (``invalid_auth``, ``50013``) or could not be reached."""
    PLATFORM_API_ERRORS.labels(platform, code).inc()


class CountedOutbound:
    """A platform's outbound, counting each digest post that went out or failed."""

    def __init__(self, platform: str, outbound: Outbound) -> None:
        self._platform = platform
        self._outbound = outbound

    async def post(
        self,
        workspace_id: str,
        channel_id: str,
        reply: Reply,
        delivery: Delivery,
        thread_id: str | None = None,
    ) -> Delivered:
        if delivery.what != "digest":  # a memo's announcement: not a digest to count
            return await self._outbound.post(workspace_id, channel_id, reply, delivery, thread_id)
        try:
            delivered = await self._outbound.post(workspace_id, channel_id, reply, delivery)
        except Exception:
            DIGEST_POSTS.labels(self._platform, "failed").inc()
            raise
        DIGEST_POSTS.labels(self._platform, "posted").inc()
        return delivered

    async def edit(self, workspace_id: str, channel_id: str, message_id: str, reply: Reply) -> None:
        await self._outbound.edit(workspace_id, channel_id, message_id, reply)

    async def remove(self, workspace_id: str, channel_id: str, message_id: str) -> None:
        await self._outbound.remove(workspace_id, channel_id, message_id)

    async def start_thread(
        self, workspace_id: str, channel_id: str, message_id: str, name: str
    ) -> StartedThread:
        return await self._outbound.start_thread(workspace_id, channel_id, message_id, name)


def exposition() -> tuple[bytes, str]:
    """Every metric of this process in Prometheus' text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
