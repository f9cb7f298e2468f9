"""Running the digest on a fake clock: days pass in milliseconds, posts land in a console.

The console adapter's outbound is the real thing (it prints a post's Markdown);
here it prints into a buffer, and ``Feed`` reads the posts back by their title
lines ("**DEVRIVER 2025 Day 1 session memos · Thu 2025-09-25**").
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, select

from adapters.console.outbound import ConsoleOutbound
from bot.core import MemoBot
from bot.digest.posting import DigestPolicy, DigestRunner
from bot.outbound import Outbound
from storage.models import DigestPost, table_of

_TITLE = re.compile(
    r"^\*\*(?P<name>.*?) ?(?:Day \d+ )?session memos · \w{3} (?P<day>[\d-]{10})\*\*$"
)
#: The title of a Korean digest (an ``auto`` channel whose notes are mostly Korean).
_KOREAN_TITLE = re.compile(
    r"^\*\*(?P<name>.*?) ?(?:\d+일차 )?세션 메모 · "
    r"(?P<year>\d{4})년 (?P<month>\d{1,2})월 (?P<day>\d{1,2})일 \(.\)\*\*$"
)


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Feed:
    """What the bot posted into the console: one entry per post, as (conference, local day)."""

    out: io.StringIO = field(default_factory=io.StringIO)

    def posts(self) -> list[tuple[str, date]]:
        return parse_posts(self.out.getvalue())

    def text(self) -> str:
        return self.out.getvalue()


def parse_posts(printed: str) -> list[tuple[str, date]]:
    found = []
    for line in printed.splitlines():
        match = _TITLE.match(line)
        if match:
            found.append((match.group("name"), date.fromisoformat(match.group("day"))))
        korean = _KOREAN_TITLE.match(line)
        if korean:
            day = date(*(int(korean.group(part)) for part in ("year", "month", "day")))
            found.append((korean.group("name"), day))
    return found


@dataclass
class Timeline:
    """A digest runner on a fake clock, posting to the console."""

    bot: MemoBot
    clock: FakeClock
    feed: Feed = field(default_factory=Feed)
    policy: DigestPolicy = field(default_factory=DigestPolicy)
    slept: list[float] = field(default_factory=list)
    holder: str = "test-process"
    #: Outbounds of other platforms (Slack, Discord against their fakes), besides the console.
    outbounds: dict[str, Outbound] = field(default_factory=dict)

    @property
    def runner(self) -> DigestRunner:
        return DigestRunner(
            self.bot.database,
            {"console": ConsoleOutbound(self.feed.out), **self.outbounds},
            self.policy,
            default_time_zone=self.bot.default_time_zone,
            holder=self.holder,
            clock=self.clock,
            sleep=self._sleep,
        )

    async def _sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    async def run_until(
        self, end: datetime, step: timedelta = timedelta(minutes=5)
    ) -> list[datetime]:
        """Sweep every ``step`` up to ``end``; returns the moments a post went out."""
        runner = self.runner
        posted_at = []
        while self.clock.now <= end:
            if await runner.run_due():
                posted_at.append(self.clock.now)
            self.clock.now += step
        self.clock.now = end
        return posted_at


async def eventually(check: Callable[[], bool], what: str, deadline: float = 30.0) -> None:
    """Poll ``check`` until it holds, failing (saying ``what`` was awaited) after ``deadline``."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + deadline
    while not check():
        if loop.time() > give_up:
            raise AssertionError(f"waited {deadline}s for {what}")
        await asyncio.sleep(0.01)


def claims(bot: MemoBot) -> list[Row[Any]]:
    """Every row of ``digest_posts`` (what was claimed, posted, tried), oldest first."""
    with bot.database.reading() as tx:
        return list(tx.execute(select(table_of(DigestPost)).order_by(DigestPost.id)))
