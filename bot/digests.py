"""Posting the daily digests: exactly once per channel and local day, across restarts and replicas.

The guarantee rests on the database, not on the scheduler: before posting, a
process claims (channel, local day) in ``digest_posts``, whose unique key lets
one claim win even with several bot processes on one PostgreSQL; after posting
it records the message id. So, in normal operation, a day's digest is posted
once, and never twice.

The crash window: a process that dies after claiming but before posting
leaves a claim that another process (or the same one, restarted) takes over
once its lease (``DigestPolicy.lease``) has run out, as long as the day is
still within the grace period. A process that dies after Slack or Discord
accepted the post but before the message id was recorded leaves the same
kind of claim, and that one is then posted a second time: the one case of a
duplicate, bounded by the lease.

Leases compare each process's own clock with the one that claimed, so bot
processes on several machines need clocks that agree to well within the lease
(NTP does), and the lease must outlast the longest posting attempt (the
retries below take under a minute, plus the platform clients' own timeouts).

Digests due while no process was running are posted when one starts, if they
are less than ``grace`` late (6 hours by default); older ones are dropped.
A channel the bot can no longer post in has its digest turned off, with the
reason shown in `/memo digest`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from bot import digest, schedule
from bot.core import MemoBot
from bot.grammar import PreviewDigest
from bot.invocation import Invocation
from bot.outbound import ChannelGone, Outbound
from bot.reply import DigestShown, Reply
from storage import conferences, digests
from storage.digests import Claim, DigestTarget, ScheduledDigest

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Who the digest is "from" when the core builds it (read-only: nothing is stored for it).
DIGEST_USER = "memo-bot-digest"


@dataclass(frozen=True, slots=True)
class DigestPolicy:
    #: A digest this late is no longer posted (a bot that was down all evening stays quiet).
    grace: timedelta = timedelta(hours=6)
    #: How long a claim stays with the process that made it before another may take over.
    lease: timedelta = timedelta(minutes=5)
    #: Post days without memos or attendance too (as "nothing happened").
    post_empty_days: bool = False
    #: Seconds to wait between attempts when a platform fails; then the next sweep tries again.
    retry_delays: tuple[float, ...] = (1.0, 5.0, 20.0)
    #: After the retries, how long until any process may try the day again.
    retry_after: timedelta = timedelta(minutes=1)


class Posted(Enum):
    """What became of one channel-day when ``DigestRunner.post`` tried it."""

    POSTED = "posted"
    ALREADY_DONE = "already posted (or settled) for that day"
    HELD = "another bot process is posting it right now"
    NOTHING = "nothing happened that day"
    CHANNEL_GONE = "the bot cannot post in that channel; its digest is now off"
    FAILED = "the platform failed; it is tried again later"
    NOT_BUILT = "the digest could not be built; it is tried again later"


class DigestRunner:
    """Finds due digests and posts them through the adapter of their platform."""

    def __init__(
        self,
        bot: MemoBot,
        outbounds: Mapping[str, Outbound],
        policy: DigestPolicy = DigestPolicy(),
        *,
        holder: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.outbounds = outbounds
        self.policy = policy
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}"
        self.clock = clock
        self.sleep = sleep

    async def scheduled(self) -> list[ScheduledDigest]:
        """Enabled digests on the platforms this process can post to."""
        found = await asyncio.to_thread(self._read, digests.enabled_digests)
        return [item for item in found if item.target.platform in self.outbounds]

    async def run_due(self, channel_ids: Collection[int] | None = None) -> int:
        """Post every digest that is due now (and not older than the grace); returns how many."""
        now = self.clock()
        # Every local day anywhere that could still be within the grace period.
        since = (now - self.policy.grace - timedelta(days=1)).date()
        settled = await asyncio.to_thread(self._read, lambda tx: digests.settled_days(tx, since))
        posted = 0
        for item in await self.scheduled():
            setting = item.setting
            if channel_ids is not None and setting.channel_id not in channel_ids:
                continue
            conference_days = (
                await asyncio.to_thread(self._conference_days, setting.channel_id)
                if setting.days == "conference"  # the only setting that depends on them
                else None
            )
            for day in schedule.due_days(
                now,
                setting.post_at,
                ZoneInfo(setting.time_zone),
                setting.days,
                conference_days,
                self.policy.grace,
            ):
                if (setting.channel_id, day) not in settled:
                    posted += await self.post(item.target, day) is Posted.POSTED
        return posted

    async def post(self, target: DigestTarget, day: date) -> Posted:
        """Claim, build and post one channel's digest of ``day``."""
        channel_id = target.channel_id
        now = self.clock()
        claim = await asyncio.to_thread(
            self._write,
            lambda tx: digests.claim(tx, channel_id, day, self.holder, now, self.policy.lease),
        )
        if claim is not Claim.CLAIMED:
            return Posted.HELD if claim is Claim.HELD else Posted.ALREADY_DONE
        reply = await self.bot.execute_async(self.invocation(target, now), PreviewDigest(day))
        if not isinstance(reply.data, DigestShown):  # the core failed (and logged why)
            await self._try_again_later(target, day, "could not build the digest")
            return Posted.NOT_BUILT
        if not reply.data.sessions and not self.policy.post_empty_days:
            await self._settle(channel_id, day, None, Posted.NOTHING.value)
            return Posted.NOTHING
        try:
            message_id = await self._post_with_retries(target, reply)
        except ChannelGone as gone:
            reason = f"the bot cannot post in this channel any more: {gone}"
            logger.warning("digest turned off: channel=%s %s", target.channel_external_id, gone)
            await asyncio.to_thread(
                self._write, lambda tx: digests.disable(tx, channel_id, reason, self.clock())
            )
            await self._settle(channel_id, day, None, reason)
            return Posted.CHANNEL_GONE
        except Exception as error:
            await self._try_again_later(target, day, str(error))
            return Posted.FAILED
        await self._settle(channel_id, day, message_id, None)
        logger.info("digest posted: channel=%s day=%s", target.channel_external_id, day)
        return Posted.POSTED

    async def _try_again_later(self, target: DigestTarget, day: date, problem: str) -> None:
        """Keep the claim, but let any process try the day again after ``retry_after``."""
        logger.warning(
            "digest not posted: channel=%s day=%s: %s; trying again later",
            target.channel_external_id,
            day,
            problem,
        )
        retry_at = self.clock() + self.policy.retry_after
        await asyncio.to_thread(
            self._write,
            lambda tx: digests.mark_failed(tx, target.channel_id, day, problem[:500], retry_at),
        )

    async def _post_with_retries(self, target: DigestTarget, reply: Reply) -> str:
        outbound = self.outbounds[target.platform]
        for delay in (*self.policy.retry_delays, None):
            try:
                return await outbound.post(
                    target.workspace_external_id, target.channel_external_id, reply
                )
            except ChannelGone:
                raise
            except Exception as error:
                if delay is None:
                    raise
                logger.info("posting a digest failed (%s); again in %.0f s", error, delay)
                await self.sleep(delay)
        raise AssertionError("unreachable")

    async def _settle(
        self, channel_id: int, day: date, message_id: str | None, note: str | None
    ) -> None:
        await asyncio.to_thread(
            self._write,
            lambda tx: digests.mark_posted(tx, channel_id, day, message_id, self.clock(), note),
        )

    def _conference_days(self, channel_id: int) -> tuple[date, date] | None:
        return digest.dates_of(
            self._read(lambda tx: conferences.current_conference(tx, channel_id))
        )

    async def today(self, target: DigestTarget) -> date:
        """Today in the time zone of the channel's digest (its conference's, else the default)."""
        reply = await self.bot.execute_async(self.invocation(target, self.clock()), PreviewDigest())
        assert isinstance(reply.data, DigestShown), reply.markdown
        return reply.data.day

    @staticmethod
    def invocation(target: DigestTarget, now: datetime) -> Invocation:
        """The digest as the core sees it: a read by the bot itself in the target channel."""
        return Invocation(
            platform=target.platform,
            workspace_id=target.workspace_external_id,
            channel_id=target.channel_external_id,
            user_id=DIGEST_USER,
            display_name="memo-bot",
            text="",
            received_at=now,
        )

    def _read(self, query: Callable[[Connection], T]) -> T:
        with self.bot.database.reading() as tx:
            return query(tx)

    def _write(self, change: Callable[[Connection], T]) -> T:
        return self.bot.database.write(change)
