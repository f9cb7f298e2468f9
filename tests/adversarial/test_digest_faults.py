"""Digests under faults: two processes, a killed one, a stopped one, slow and rate-limited chats.

Each test counts what the channels show on the fake platform: at most one digest per channel
and day, and at least one when a bot process survives. The process that dies is a real one
(``python -m tests.digest_worker``) where the fault is a process dying, and the test's own
process is the one that survives; the clocks are fake, so a lease runs out when the test says.
"""

from __future__ import annotations

import asyncio
import os
import queue
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import URL

from adapters.discord import DiscordOutbound
from adapters.discord.client import posting_only
from adapters.slack import build_app
from adapters.slack.outbound import SlackOutbound
from bot.core import MemoBot
from bot.digest.posting import DigestPolicy, DigestRunner
from bot.outbound import Outbound
from tests.adapters.discord.conftest import CHANNEL, GUILD, Discord, long_digest_day
from tests.adapters.slack.conftest import BOT_TOKEN, TEAM, bolt_config
from tests.chat import Chat
from tests.fakes.discord import NONCE_WINDOW, FakeDiscord
from tests.fakes.slack import FakeSlack
from tests.timeline import FakeClock, claims, eventually

SEOUL = ZoneInfo("Asia/Seoul")
DAY = date(2025, 9, 25)
DUE = datetime.combine(DAY, time(18, 30), tzinfo=SEOUL).astimezone(UTC)
#: The digest's title in either language (an ``auto`` channel of Korean notes posts Korean).
TITLES = ("session memos · Thu 2025-09-25", "세션 메모 · 2025년 9월 25일 (목)")
ROOT = Path(__file__).resolve().parents[2]
POLICY = DigestPolicy()
DEADLINE = 30.0
SLACK_POSTS = "chat.postMessage"
DISCORD_POSTS = "POST /channels/{channel_id}/messages"


def _with_a_digest(bot: MemoBot, platform: str, workspace: str, channel: str) -> None:
    """A channel of DEVRIVER 2025 (Seoul) with a digest at 18:30 and a memo on 25 Sep."""
    chat = Chat(
        bot,
        platform=platform,
        workspace=workspace,
        channel=channel,
        now=datetime.combine(DAY, time(10), tzinfo=SEOUL).astimezone(UTC),
    )
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul 2025-09-25 2025-09-26")
    chat.say("alice", "digest at 18:30")
    chat.say("alice", f"add [Envoy 게이트웨이] 라우트 3,400개를 xDS로 무중단 이관 ({channel})")


def _slack_digests(fake: FakeSlack, channel: str) -> int:
    return sum(_is_digest(str(message["text"])) for message in fake.messages(channel))


def _discord_digests(fake: FakeDiscord, channel: int) -> int:
    return sum(_is_digest(str(message["content"])) for message in fake.messages(channel))


def _is_digest(text: str) -> bool:
    return any(title in text for title in TITLES)


@dataclass
class Worker:
    """A bot process of tests/digest_worker.py; what it prints comes back line by line."""

    process: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)

    def __post_init__(self) -> None:
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.strip())

    def tell(self, moment: datetime) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{moment.isoformat()}\n")
        self.process.stdin.flush()

    def answer(self) -> str:
        try:
            return self.lines.get(timeout=DEADLINE)
        except queue.Empty:
            raise AssertionError(f"worker {self.process.pid} did not answer") from None


@pytest.fixture
def workers(database_url: URL) -> Iterator[Callable[..., Worker]]:
    started: list[Worker] = []

    def start(*args: str) -> Worker:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.digest_worker", *args],
            env={**os.environ, "MEMO_DATABASE_URL": database_url.render_as_string(False)},
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(Worker(process))
        return started[-1]

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.process.kill()
        worker.process.wait(timeout=DEADLINE)
        for pipe in (worker.process.stdin, worker.process.stdout):
            if pipe is not None:
                pipe.close()


def _holders_in_flight(bot: MemoBot) -> set[str]:
    return {row.claimed_by for row in claims(bot) if row.posted_at is None}


@pytest.mark.asyncio
async def test_a_killed_process_mid_posting_leaves_nothing_the_survivor_posts_twice(
    bot: MemoBot, fake_slack: FakeSlack, workers: Callable[..., Worker]
) -> None:
    """Fault (a): two bot processes, 50 channels due the same minute; one is killed after 12
    posts while Slack has taken more of its posts without answering yet. The survivor is
    this test's process."""
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    fake_slack.set_time(DUE)
    channels = [f"C{number:03d}" for number in range(50)]
    for channel in channels:
        _with_a_digest(bot, "slack", TEAM, channel)
    fake_slack.answer_late(SLACK_POSTS, after=12, count=None)
    doomed = workers("cron", "--slack", fake_slack.base_url, BOT_TOKEN)
    doomed.tell(DUE)
    await fake_slack.async_wait_late_answers(1, timeout=DEADLINE)
    clock = FakeClock(DUE)
    survivor = _slack_runner(bot, fake_slack, clock, "survivor")
    racing = asyncio.create_task(_every_job_at_once(survivor))
    await eventually(
        lambda: racing.done() or "survivor" in _holders_in_flight(bot), "the survivor to claim"
    )

    doomed.process.send_signal(signal.SIGKILL)
    assert doomed.process.wait(timeout=DEADLINE) == -signal.SIGKILL
    fake_slack.release_late_answers()  # to the survivor; the killed one's go nowhere
    await racing
    clock.now = DUE + timedelta(minutes=1)  # the killed process's claims are still leased
    await _every_job_at_once(survivor)
    clock.now = DUE + POLICY.lease + timedelta(minutes=1)
    await _every_job_at_once(survivor)

    posted = Counter({channel: _slack_digests(fake_slack, channel) for channel in channels})
    assert [channel for channel, count in posted.items() if count > 1] == [], "posted twice"
    assert [channel for channel, count in posted.items() if count == 0] == [], "never posted"
    assert all(row.posted_at is not None for row in claims(bot))


async def _every_job_at_once(runner: DigestRunner) -> None:
    """What the scheduler does when every channel's cron job fires the same minute."""
    ids = [item.setting.channel_id for item in await runner.scheduled()]
    await asyncio.gather(*(runner.run_due(channel_ids=[id_]) for id_ in ids))


@pytest.mark.asyncio
async def test_stopping_during_slow_discord_posts_leaves_claims_the_next_process_resolves(
    bot: MemoBot, fake_discord: FakeDiscord, workers: Callable[..., Worker]
) -> None:
    """Issue 17 #7: Discord accepts the posts but answers late; SIGTERM stops the process in
    the middle; the next process (this test's) posts each channel's digest once, not again."""
    channels = [CHANNEL + number for number in range(20)]
    fake_discord.add_guild(GUILD, "Team One", channels)
    fake_discord.set_time(DUE)
    for channel in channels:
        _with_a_digest(bot, "discord", str(GUILD), str(channel))
    fake_discord.answer_late(DISCORD_POSTS, count=None)
    stopped = workers("serve", DUE.isoformat(), "--discord", fake_discord.api_base, "fake-token")
    assert stopped.answer() == "serving"

    await fake_discord.async_wait_late_answers(1, timeout=DEADLINE)
    stopped.process.send_signal(signal.SIGTERM)
    assert stopped.process.wait(timeout=DEADLINE) == 0
    fake_discord.release_late_answers()
    clock = FakeClock(DUE + timedelta(minutes=1))
    async with posting_only("fake-token") as outbound:
        after_restart = _runner(bot, {"discord": outbound}, clock, "after-restart")
        await after_restart.run_due()
        clock.now = DUE + POLICY.lease + timedelta(minutes=1)
        await after_restart.run_due()

    posted = {channel: _discord_digests(fake_discord, channel) for channel in channels}
    assert {channel: count for channel, count in posted.items() if count != 1} == {}


def _fast_heartbeat() -> DigestPolicy:
    """Heartbeats milliseconds apart, so a test sees a lease renewed without waiting long."""
    return DigestPolicy(heartbeat_seconds=0.01)


def _slack_runner(
    bot: MemoBot,
    fake: FakeSlack,
    clock: FakeClock,
    holder: str,
    policy: DigestPolicy = POLICY,
    *,
    timeout: int = 30,
) -> DigestRunner:
    app = build_app(bot, bolt_config(fake), bot.database.engine)
    app.client.timeout = timeout  # seconds until the client gives up on Slack's answer
    return _runner(bot, {"slack": SlackOutbound(app)}, clock, holder, policy)


def _runner(
    bot: MemoBot,
    outbounds: dict[str, Outbound],
    clock: FakeClock,
    holder: str,
    policy: DigestPolicy = POLICY,
    sleep: Callable[[float], Any] | None = None,
) -> DigestRunner:
    async def no_wait(seconds: float) -> None:
        """The retry delays pass at once; the leases run on the fake clock."""

    return DigestRunner(
        bot.database, outbounds, policy, holder=holder, clock=clock, sleep=sleep or no_wait
    )


@pytest.fixture
def slack_channel(bot: MemoBot, fake_slack: FakeSlack) -> FakeSlack:
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    fake_slack.set_time(DUE)
    _with_a_digest(bot, "slack", TEAM, "C1")
    return fake_slack


@pytest.mark.asyncio
async def test_a_post_slack_answers_after_the_client_timeout_is_not_posted_again(
    bot: MemoBot, slack_channel: FakeSlack
) -> None:
    """Fault (b): chat.postMessage succeeds, but its answer comes after the client gave up."""
    slack_channel.answer_late(SLACK_POSTS)
    runner = _slack_runner(bot, slack_channel, FakeClock(DUE), "only", timeout=1)

    assert await runner.run_due() == 1

    assert _slack_digests(slack_channel, "C1") == 1
    [message] = slack_channel.messages("C1")
    [claim] = claims(bot)
    assert claim.message_id == message["ts"], "the message found is recorded"


@pytest.mark.asyncio
async def test_a_post_whose_connection_drops_after_slack_took_it_is_not_posted_again(
    bot: MemoBot, slack_channel: FakeSlack
) -> None:
    """slack_sdk's connection-error retry would send the same POST again at once."""
    slack_channel.drop_next(SLACK_POSTS)
    runner = _slack_runner(bot, slack_channel, FakeClock(DUE), "only")

    assert await runner.run_due() == 1

    assert _slack_digests(slack_channel, "C1") == 1


async def _outlast_the_lease(
    bot: MemoBot,
    fake: FakeSlack | FakeDiscord,
    posts: str,
    clock: FakeClock,
    runners: list[DigestRunner],
) -> None:
    """Fault (c): the first runner's post waits out a 429, then Slack or Discord takes it and
    answers late; meanwhile the lease it started with runs out and the second one sweeps."""
    first, second = runners
    fake.answer_late(posts)
    posting = asyncio.create_task(first.run_due())
    await fake.async_wait_late_answers(1)  # after the 429 wait: taken by the platform, not answered

    clock.now = DUE + POLICY.lease + timedelta(minutes=1)
    await eventually(
        lambda: claims(bot)[0].lease_until > clock.now,
        "the posting process to renew its claim (its lease ran out while it was posting)",
    )
    assert await second.run_due() == 0
    fake.release_late_answers()
    assert await posting == 1


@pytest.mark.asyncio
async def test_slack_rate_limit_waits_longer_than_the_lease_keep_the_digest_with_its_process(
    bot: MemoBot, slack_channel: FakeSlack
) -> None:
    slack_channel.rate_limit_next(SLACK_POSTS, retry_after=1)
    clock = FakeClock(DUE)
    runners = [
        _slack_runner(bot, slack_channel, clock, name, _fast_heartbeat())
        for name in ("first", "second")
    ]

    await _outlast_the_lease(bot, slack_channel, SLACK_POSTS, clock, runners)

    assert _slack_digests(slack_channel, "C1") == 1


@pytest.mark.asyncio
async def test_discord_rate_limit_waits_longer_than_the_lease_keep_the_digest_with_its_process(
    bot: MemoBot, discord_bot: Discord
) -> None:
    discord_bot.fake.set_time(DUE)
    _with_a_digest(bot, "discord", str(GUILD), str(CHANNEL))
    discord_bot.fake.rate_limit_next(DISCORD_POSTS, retry_after=0.05)
    clock = FakeClock(DUE)
    outbound = {"discord": DiscordOutbound(discord_bot.service.client)}
    runners = [
        _runner(bot, outbound, clock, name, _fast_heartbeat()) for name in ("first", "second")
    ]

    await _outlast_the_lease(bot, discord_bot.fake, DISCORD_POSTS, clock, runners)

    assert _discord_digests(discord_bot.fake, CHANNEL) == 1


@pytest.mark.asyncio
async def test_one_process_posts_at_most_a_few_digests_at_once(
    bot: MemoBot, fake_slack: FakeSlack
) -> None:
    """Claims are taken only as fast as posts go out: a process that dies holds few of them."""
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    fake_slack.set_time(DUE)
    channels = [f"C{number:03d}" for number in range(12)]
    for channel in channels:
        _with_a_digest(bot, "slack", TEAM, channel)
    fake_slack.answer_late(SLACK_POSTS, count=None)
    runner = _slack_runner(bot, fake_slack, FakeClock(DUE), "only")
    jobs = asyncio.create_task(_every_job_at_once(runner))

    await fake_slack.async_wait_late_answers(POLICY.max_in_flight)
    assert sum(row.posted_at is None for row in claims(bot)) == POLICY.max_in_flight
    fake_slack.release_late_answers()
    await jobs
    assert all(_slack_digests(fake_slack, channel) == 1 for channel in channels)


@pytest.fixture
def long_day(bot: MemoBot, discord_bot: Discord) -> dict[str, Outbound]:
    """CHANNEL, whose digest due at DUE takes several Discord messages; the outbound to it."""
    discord_bot.fake.set_time(DUE)
    long_digest_day(bot, DAY)
    return {"discord": DiscordOutbound(discord_bot.service.client)}


def _each_part_once(fake: FakeDiscord) -> None:
    contents = [message["content"] for message in fake.messages(CHANNEL)]
    assert len(contents) >= 3, "the digest took several messages"
    assert len(contents) == len(set(contents)), "a part was posted twice"
    assert _discord_digests(fake, CHANNEL) == 1


@pytest.mark.asyncio
async def test_a_digest_in_several_parts_cut_after_its_second_is_completed_not_doubled(
    bot: MemoBot, discord_bot: Discord, long_day: dict[str, Outbound]
) -> None:
    """Part 2 reached Discord but its answer was lost; the retry must post the rest only."""
    discord_bot.fake.drop_next(DISCORD_POSTS, after=1)

    assert await _runner(bot, long_day, FakeClock(DUE), "only").run_due() == 1

    _each_part_once(discord_bot.fake)


@pytest.mark.asyncio
async def test_a_stopped_multi_part_post_is_completed_after_discord_forgot_its_nonces(
    bot: MemoBot, discord_bot: Discord, long_day: dict[str, Outbound]
) -> None:
    """Stopped with part 2 in flight; the next process comes after Discord's nonce window."""
    fake = discord_bot.fake
    fake.answer_late(DISCORD_POSTS, after=1)
    clock = FakeClock(DUE)
    stopped = asyncio.create_task(_runner(bot, long_day, clock, "stopped").run_due())
    await fake.async_wait_late_answers(1)
    stopped.cancel()  # what stopping the bot does to a post still under way after its wait
    await asyncio.gather(stopped, return_exceptions=True)
    fake.release_late_answers()

    clock.now = DUE + POLICY.lease + NONCE_WINDOW
    fake.let_time_pass((POLICY.lease + NONCE_WINDOW).total_seconds())
    assert await _runner(bot, long_day, clock, "next").run_due() == 1

    _each_part_once(fake)
