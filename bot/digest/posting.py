"""Posting the daily digests: at most once per channel and local day, and once while a bot runs.

The guarantee rests on the database, not on the scheduler: before posting, a
process claims (channel, local day) in ``digest_posts``, whose unique key lets
one claim win even with several bot processes on one PostgreSQL. The claim
holds for a lease (``DigestPolicy.lease``) that its process renews while it
works (``heartbeat_seconds``), so a slow post or a long rate-limit wait keeps
it, and a process holds at most ``max_in_flight`` claims at a time. A claim
passes to another process only when its holder stops renewing it (it died),
gives it up for a while after failing (``retry_after``), or hands it back
when stopped mid-post.

Before calling the platform, the process records the attempt: a random key
that marks the digest's messages there (``bot.outbound.Delivery``: Slack
message metadata, Discord nonces, one per message) and the Markdown it posts.
Any later attempt on that claim (a retry after an unknown outcome, a takeover
after a crash, a restart after a stop) posts the same words with the same key
as "resumed": the adapter first finds what landed (Slack: the channel's
history; Discord: its nonces, and the channel's history) and sends only the
rest. When the platform will not tell (a Slack channel whose history the bot
may not read) it is not posted again: at most once wins over at least once.

What is left: a message the platform stores after the adapter has looked for
it (it took the post but answered neither way for longer than the client
waits, then stored it after the retry's look); on Discord without access to
the channel's history, a repeat after Discord's nonce window ("a few
minutes", so a takeover after a crash can miss it); a process cut off from
the database for a whole lease while its post is in flight. Leases compare
each process's own clock with the one that claimed, so bot processes on
several machines need clocks that agree to well within the lease (NTP does).

Digests due while no process was running are posted when one starts, if they
are less than ``grace`` late (6 hours by default); older ones are dropped.
A channel the bot can no longer post in has its digest turned off, with the
reason shown in `/memo digest`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from bot.digest import due as schedule
from bot.digest.building import DigestNotBuilt, NothingToPost, build_day_digest, digest_today
from bot.outbound import ChannelGone, Delivered, Delivery, Outbound, Unverifiable
from bot.replies.values import Reply, Visibility
from storage import conferences as conference_store
from storage import digests as digest_store
from storage.database import Database
from storage.digests import Attempt, Claim, DigestTarget, HeldClaim, ScheduledDigest

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class DigestPolicy:
    #: A digest this late is no longer posted (a bot that was down all evening stays quiet).
    grace: timedelta = timedelta(hours=6)
    #: How long a claim stays with the process that made it, unless that process renews it.
    lease: timedelta = timedelta(minutes=5)
    #: Seconds between renewals of a claim while its digest is being posted (real time).
    heartbeat_seconds: float = 60.0
    #: How many digests one process posts at once (and so holds claims for).
    max_in_flight: int = 4
    #: Post days without memos or attendance too (as "nothing happened").
    post_empty_days: bool = False
    #: Seconds to wait between attempts when a platform fails; then the next sweep tries again.
    retry_delays: tuple[float, ...] = (1.0, 5.0, 20.0)
    #: After the retries, or when a process stops mid-post, how long until any process may
    #: try the day again (a post still on its way has landed by then, to be found).
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
    UNVERIFIABLE = (
        "an earlier attempt may have posted it and the bot cannot read the channel to check, "
        "so it was not posted again"
    )


@dataclass(frozen=True, slots=True)
class _TryLater:
    """An outcome that keeps the claim for another try after ``retry_after``."""

    outcome: Posted
    problem: str


class DigestRunner:
    """Finds due digests, builds them (``bot.digest.building``) and posts them through the
    adapter of their platform; claims and attempts are kept in ``database``."""

    def __init__(
        self,
        database: Database,
        outbounds: Mapping[str, Outbound],
        policy: DigestPolicy = DigestPolicy(),
        *,
        default_time_zone: str = "UTC",
        default_language: str = "en",
        holder: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.database = database
        #: The time zone of a channel with neither a digest setting nor a conference.
        self.default_time_zone = default_time_zone
        #: The language of an ``auto`` channel's digest whose notes are mostly not Korean.
        self.default_language = default_language
        self.outbounds = outbounds
        self.policy = policy
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}"
        self.clock = clock
        self.sleep = sleep
        # Shared by the sweep and every cron job: a claim is made only when a slot is free,
        # so a process that dies leaves few posts whose fate is unknown.
        self._slots = asyncio.Semaphore(policy.max_in_flight)

    async def scheduled(self) -> list[ScheduledDigest]:
        """Enabled digests on the platforms this process can post to."""
        found = await asyncio.to_thread(self._read, digest_store.enabled_digests)
        return [item for item in found if item.target.platform in self.outbounds]

    async def run_due(self, channel_ids: Collection[int] | None = None) -> int:
        """Post every digest that is due now (and not older than the grace); returns how many."""
        now = self.clock()
        # Every local day anywhere that could still be within the grace period.
        since = (now - self.policy.grace - timedelta(days=1)).date()
        settled = await asyncio.to_thread(
            self._read, lambda tx: digest_store.settled_days(tx, since)
        )
        due: list[tuple[DigestTarget, date]] = []
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
                    due.append((item.target, day))
        outcomes = await self._post_each(due)
        return sum(outcome is Posted.POSTED for outcome in outcomes)

    async def _post_each(self, due: list[tuple[DigestTarget, date]]) -> list[Posted]:
        """Post ``due``, a few at a time (``max_in_flight``)."""
        pending = iter(due)
        outcomes: list[Posted] = []

        async def work() -> None:
            for target, day in pending:
                outcomes.append(await self.post(target, day))

        await asyncio.gather(*(work() for _ in range(min(self.policy.max_in_flight, len(due)))))
        return outcomes

    async def post(self, target: DigestTarget, day: date) -> Posted:
        """Claim, build and post one channel's digest of ``day``."""
        async with self._slots:
            now = self.clock()
            held = await asyncio.to_thread(
                self._write,
                lambda tx: digest_store.claim(
                    tx, target.channel_id, day, self.holder, now, self.policy.lease
                ),
            )
            if not isinstance(held, HeldClaim):
                return Posted.HELD if held is Claim.HELD else Posted.ALREADY_DONE
            try:
                async with self._renewing(held):
                    outcome = await self._post_held(target, day, held)
            except asyncio.CancelledError:
                # Stopped mid-post: the attempt stays recorded, so whoever takes the claim
                # next looks for what landed before posting.
                await asyncio.shield(self._let_go(held))
                raise
        if isinstance(outcome, _TryLater):
            await self._try_again_later(target, day, outcome.problem)
            return outcome.outcome
        return outcome

    async def _post_held(
        self, target: DigestTarget, day: date, held: HeldClaim
    ) -> Posted | _TryLater:
        channel_id = target.channel_id
        built = await asyncio.to_thread(
            build_day_digest,
            self.database,
            channel_id,
            day,
            default_time_zone=self.default_time_zone,
            default_language=self.default_language,
        )
        if isinstance(built, DigestNotBuilt):
            return _TryLater(Posted.NOT_BUILT, f"could not build the digest: {built.problem}")
        attempt = held.attempt
        if attempt is None:
            if isinstance(built, NothingToPost) and not self.policy.post_empty_days:
                await self._settle(channel_id, day, None, Posted.NOTHING.value)
                return Posted.NOTHING
            attempt = Attempt(secrets.token_hex(8), self.clock(), built.markdown)
            started = await asyncio.to_thread(
                self._write,
                lambda tx: digest_store.start_attempt(tx, held.claim_id, self.holder, attempt),
            )
            if not started:  # its lease ran out meanwhile, and another process took it
                return Posted.HELD
        # A resumed attempt posts the words it began posting, whatever the day holds now.
        reply = Reply(attempt.markdown, Visibility.PUBLIC, built.digest)
        delivery = Delivery(attempt.key, attempt.started_at, resumed=held.attempt is not None)
        try:
            delivered = await self._post_with_retries(target, reply, delivery)
        except ChannelGone as gone:
            reason = f"the bot cannot post in this channel any more: {gone}"
            logger.warning("digest turned off: channel=%s %s", target.channel_external_id, gone)
            await asyncio.to_thread(
                self._write, lambda tx: digest_store.disable(tx, channel_id, reason, self.clock())
            )
            await self._settle(channel_id, day, None, reason)
            return Posted.CHANNEL_GONE
        except Unverifiable as unsure:
            logger.warning(
                "digest not posted again: channel=%s day=%s: an earlier attempt may have "
                "posted it and the bot cannot check (%s); invite the bot to the channel, or "
                "reinstall it with the history scopes",
                target.channel_external_id,
                day,
                unsure,
            )
            await self._settle(channel_id, day, None, f"{Posted.UNVERIFIABLE.value}: {unsure}")
            return Posted.UNVERIFIABLE
        except Exception as error:
            return _TryLater(Posted.FAILED, str(error) or type(error).__name__)
        await self._settle(channel_id, day, delivered.message_id, None)
        logger.info(
            "digest %s: channel=%s day=%s",
            "found posted by an earlier attempt" if delivered.found else "posted",
            target.channel_external_id,
            day,
        )
        return Posted.POSTED

    @contextlib.asynccontextmanager
    async def _renewing(self, held: HeldClaim) -> AsyncIterator[None]:
        """Renew the claim's lease while this process works on it (a post may wait on rate
        limits for longer than a lease); a claim lapses only if its process stops renewing."""
        stop = asyncio.Event()

        async def beat() -> None:
            lost = False
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.policy.heartbeat_seconds)
                    return
                try:
                    renewed = await asyncio.to_thread(
                        self._write,
                        lambda tx: digest_store.renew(
                            tx, held.claim_id, self.holder, self.clock() + self.policy.lease
                        ),
                    )
                except Exception:
                    logger.exception("could not renew a digest claim; trying again")
                    continue
                if not renewed and not lost:
                    lost = True
                    logger.warning("a digest claim lapsed while posting (id=%s)", held.claim_id)

        beating = asyncio.create_task(beat())
        try:
            yield
        finally:
            stop.set()
            await asyncio.wait({beating})  # a renewal under way lands before what follows

    async def _let_go(self, held: HeldClaim) -> None:
        """Let any process take the claim after ``retry_after`` (this one is stopping)."""
        until = self.clock() + self.policy.retry_after
        try:
            await asyncio.to_thread(
                self._write, lambda tx: digest_store.release(tx, held.claim_id, self.holder, until)
            )
        except Exception:
            logger.exception("could not hand a digest claim back; it lapses after its lease")

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
            lambda tx: digest_store.mark_failed(
                tx, target.channel_id, day, problem[:500], retry_at
            ),
        )

    async def _post_with_retries(
        self, target: DigestTarget, reply: Reply, delivery: Delivery
    ) -> Delivered:
        outbound = self.outbounds[target.platform]
        for delay in (*self.policy.retry_delays, None):
            try:
                return await outbound.post(
                    target.workspace_external_id, target.channel_external_id, reply, delivery
                )
            except (ChannelGone, Unverifiable):
                raise
            except Exception as error:
                if delay is None:
                    raise
                logger.info("posting a digest failed (%s); again in %.0f s", error, delay)
                await self.sleep(delay)
                delivery = replace(delivery, resumed=True)  # the failed try may have landed
        raise AssertionError("unreachable")

    async def _settle(
        self, channel_id: int, day: date, message_id: str | None, note: str | None
    ) -> None:
        await asyncio.to_thread(
            self._write,
            lambda tx: digest_store.mark_posted(
                tx, channel_id, day, message_id, self.clock(), note
            ),
        )

    def _conference_days(self, channel_id: int) -> tuple[date, date] | None:
        return schedule.conference_dates(
            self._read(lambda tx: conference_store.current_conference(tx, channel_id))
        )

    async def today(self, target: DigestTarget) -> date:
        """Today in the time zone of the channel's digest (its conference's, else the default)."""
        return await asyncio.to_thread(
            digest_today, self.database, target.channel_id, self.clock(), self.default_time_zone
        )

    def _read(self, query: Callable[[Connection], T]) -> T:
        with self.database.reading() as tx:
            return query(tx)

    def _write(self, change: Callable[[Connection], T]) -> T:
        return self.database.write(change)
