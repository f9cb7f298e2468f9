"""The digest scheduler: APScheduler 3 jobs built from the digest settings in the database.

One job per channel (``digest:<channel id>``, a CronTrigger in the digest's own
time zone) posts on time; a sweep every minute posts whatever is due but was
missed (the process was down at the time, a daylight-saving switch) and
rebuilds jobs whose settings another process changed. The jobs live in
memory only: APScheduler 3's job stores must not be shared between processes,
and nothing depends on them: the claims in the database decide what is posted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.commands.declaration import Command
from bot.conferences import SetConference
from bot.digest.commands import DisableDigest, SetDigestDays, SetDigestTime
from bot.digest.posting import DigestRunner
from storage.digests import ScheduledDigest

logger = logging.getLogger(__name__)

SWEEP_JOB = "digest-sweep"
JOB_PREFIX = "digest:"
#: Commands after which this process rebuilds its jobs at once.
_CHANGES_SCHEDULE = (SetDigestTime, SetDigestDays, DisableDigest, SetConference)


class CommandFeed(Protocol):
    """Tells subscribers about each command that committed (``MemoBot`` does)."""

    def subscribe(self, subscriber: Callable[[Command], None]) -> None: ...

    def unsubscribe(self, subscriber: Callable[[Command], None]) -> None: ...


class DigestScheduler:
    """A service (see ``bot.serving``): started and stopped with the chat adapters.

    ``commands`` tells it when someone changed a digest setting here, so the jobs
    follow at once; changes made by other processes are seen by the sweep.
    """

    def __init__(
        self,
        runner: DigestRunner,
        commands: CommandFeed,
        *,
        sweep_seconds: float = 60.0,
        stop_timeout: float = 5.0,
    ) -> None:
        self.runner = runner
        self.commands = commands
        self.sweep_seconds = sweep_seconds
        self.stop_timeout = stop_timeout
        self.scheduler: AsyncIOScheduler | None = None
        self._built: dict[str, tuple[time, str, str]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._syncing: set[asyncio.Task[None]] = set()
        self._runs: set[asyncio.Task[object]] = set()
        self._cutting: set[asyncio.Task[object]] = set()
        self._syncing_jobs = asyncio.Lock()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.scheduler = AsyncIOScheduler(event_loop=self._loop, timezone="UTC")
        self.scheduler.start()
        await self.sync_jobs()
        # Runs at once (catching up on what was due while no process ran), then every minute.
        self.scheduler.add_job(
            self.sweep,
            "interval",
            seconds=self.sweep_seconds,
            id=SWEEP_JOB,
            # APScheduler's own (real) clock: a test's fake runner clock must not delay it.
            next_run_time=datetime.now(UTC),
            coalesce=True,
            max_instances=1,
        )
        self.commands.subscribe(self.command_done)

    async def sweep(self) -> None:
        with self._running_here():
            try:
                await self.sync_jobs()
                await self.runner.run_due()
            except Exception:
                logger.exception("the digest sweep failed; it runs again in a minute")

    async def post_due(self, channel_id: int) -> None:
        """The cron job of one channel."""
        with self._running_here():
            try:
                await self.runner.run_due(channel_ids=[channel_id])
            except Exception:
                logger.exception("posting a digest failed; the sweep tries again in a minute")

    @contextlib.contextmanager
    def _running_here(self) -> Iterator[None]:
        """Track the run, so that stopping waits for a post under way before cutting it.

        A run cut by ``stop`` ends quietly: its claims are handed back, and ``stop`` says so
        once (APScheduler would log each as a job that raised).
        """
        task = asyncio.current_task()
        assert task is not None
        self._runs.add(task)
        try:
            yield
        except asyncio.CancelledError:
            if task not in self._cutting:
                raise
        finally:
            self._runs.discard(task)

    async def sync_jobs(self) -> None:
        """Make the jobs match the enabled digests in the database."""
        async with self._syncing_jobs:  # one at a time: an older read must not undo a newer
            self._sync(await self.runner.scheduled())

    def _sync(self, enabled: list[ScheduledDigest]) -> None:
        if self.scheduler is None:
            return  # stopped meanwhile
        wanted = {f"{JOB_PREFIX}{item.setting.channel_id}": item for item in enabled}
        for job_id in list(self._built):
            if job_id not in wanted:
                self.scheduler.remove_job(job_id)
                del self._built[job_id]
        for job_id, item in wanted.items():
            setting = item.setting
            shape = (setting.post_at, setting.time_zone, setting.days)
            if self._built.get(job_id) == shape:
                continue
            trigger = CronTrigger(
                day_of_week="mon-fri" if setting.days == "mon-fri" else "*",
                hour=setting.post_at.hour,
                minute=setting.post_at.minute,
                timezone=ZoneInfo(setting.time_zone),
            )
            self.scheduler.add_job(
                self.post_due,
                trigger,
                args=[setting.channel_id],
                id=job_id,
                replace_existing=True,
                # A late run is still worth it: run_due itself drops what is past the grace.
                misfire_grace_time=int(self.runner.policy.grace.total_seconds()),
                coalesce=True,
            )
            self._built[job_id] = shape

    def command_done(self, command: Command) -> None:
        """Called by the core after a command committed, on whatever thread ran it."""
        if isinstance(command, _CHANGES_SCHEDULE) and self._loop is not None:
            self._loop.call_soon_threadsafe(self._sync_soon)

    def _sync_soon(self) -> None:
        task = asyncio.ensure_future(self._sync_logged())
        self._syncing.add(task)
        task.add_done_callback(self._syncing.discard)

    async def _sync_logged(self) -> None:
        try:
            await self.sync_jobs()
        except Exception:
            logger.exception("rebuilding the digest jobs failed; the sweep tries again")

    async def stopped(self) -> None:
        await asyncio.Event().wait()  # the scheduler does not stop by itself

    async def stop(self) -> None:
        """No new runs; posts under way get ``stop_timeout`` seconds to finish, then are cut.

        A cut post may have landed. Its claim keeps the attempt and is handed back, so
        the next process (after the runner's ``retry_after``) looks on the platform for
        what landed and posts only what did not.
        """
        if self.scheduler is None:
            return
        self.commands.unsubscribe(self.command_done)
        self.scheduler.pause()
        if self._runs:
            _, cut = await asyncio.wait(self._runs, timeout=self.stop_timeout)
            if cut:
                logger.warning(
                    "stopping in the middle of posting digests (%d run(s)); the next start "
                    "checks what landed before posting",
                    len(cut),
                )
                self._cutting = cut
                for run in cut:
                    run.cancel()
                await asyncio.wait(cut)  # each hands its claims back
        self.scheduler.shutdown(wait=False)
        self.scheduler = None
