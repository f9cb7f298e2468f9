"""The APScheduler side: one cron job per enabled digest, rebuilt when a setting changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from apscheduler.triggers.cron import CronTrigger

from bot.core import MemoBot
from bot.digest.scheduler import DigestScheduler
from tests.chat import Chat
from tests.timeline import FakeClock, Timeline, eventually

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")


def _chat(bot: MemoBot, now: datetime) -> Chat:
    return Chat(bot, platform="console", workspace="console", channel="general", now=now)


@pytest_asyncio.fixture
async def timeline(bot: MemoBot) -> Timeline:
    return Timeline(bot, FakeClock(datetime(2025, 9, 25, 19, 0, tzinfo=SEOUL).astimezone(UTC)))


@pytest_asyncio.fixture
async def scheduler(timeline: Timeline) -> AsyncIterator[DigestScheduler]:
    scheduler = DigestScheduler(timeline.runner, timeline.bot)
    yield scheduler
    await scheduler.stop()


def _trigger(scheduler: DigestScheduler, job_id: str) -> CronTrigger | None:
    assert scheduler.scheduler is not None
    job = scheduler.scheduler.get_job(job_id)
    return job.trigger if job else None


def _fields(trigger: CronTrigger | None) -> dict[str, str]:
    assert trigger is not None
    return {field.name: str(field) for field in trigger.fields}


@pytest.mark.asyncio
async def test_a_missed_digest_is_posted_as_soon_as_the_scheduler_starts(
    bot: MemoBot, timeline: Timeline, scheduler: DigestScheduler
) -> None:
    chat = _chat(bot, datetime(2025, 9, 25, 10, 0, tzinfo=SEOUL).astimezone(UTC))
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul")
    chat.say("alice", "digest at 18:30")
    chat.say("alice", "add [Envoy 게이트웨이] p99 210ms → 45ms")

    await scheduler.start()  # 19:00 in Seoul: half an hour late, within the grace

    await eventually(lambda: bool(timeline.feed.posts()), "the catch-up post")
    assert timeline.feed.posts() == [("DEVRIVER 2025", date(2025, 9, 25))]


@pytest.mark.asyncio
async def test_each_digest_gets_a_cron_job_in_its_own_time_zone(
    bot: MemoBot, scheduler: DigestScheduler
) -> None:
    chat = _chat(bot, datetime(2025, 9, 25, 1, 0, tzinfo=UTC))
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul")
    chat.say("alice", "digest at 18:30")
    other = chat.elsewhere(channel="random")
    other.say("bob", "digest at 2:30 America/New_York")
    other.say("bob", "digest days mon-fri")

    await scheduler.start()

    assert scheduler.scheduler is not None
    ids = sorted(job.id for job in scheduler.scheduler.get_jobs())
    assert ids == ["digest-sweep", "digest:1", "digest:2"]
    seoul, new_york = _trigger(scheduler, "digest:1"), _trigger(scheduler, "digest:2")
    assert seoul is not None and seoul.timezone == SEOUL
    fields = _fields(seoul)
    assert (fields["hour"], fields["minute"], fields["day_of_week"]) == ("18", "30", "*")
    assert new_york is not None and new_york.timezone == NEW_YORK
    assert _fields(new_york)["day_of_week"] == "mon-fri"


def _fire_times(trigger: CronTrigger, start: datetime, end: datetime) -> list[datetime]:
    fires: list[datetime] = []
    while (fire := trigger.get_next_fire_time(fires[-1] if fires else None, start)) <= end:
        fires.append(fire)
        start = fire.astimezone(UTC) + timedelta(seconds=1)  # not wall-clock arithmetic
    return fires


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("day", "post_at", "cron_runs"),
    [
        (date(2026, 3, 8), "02:30", ["07:30"]),  # spring forward: 02:30 EST, i.e. 03:30 EDT
        (date(2026, 11, 1), "01:30", ["05:30", "06:30"]),  # fall back: 01:30 EDT and EST
    ],
)
async def test_on_a_switch_day_every_cron_run_together_post_once(
    bot: MemoBot,
    timeline: Timeline,
    scheduler: DigestScheduler,
    day: date,
    post_at: str,
    cron_runs: list[str],
) -> None:
    chat = _chat(bot, datetime.combine(day, time(0, 5), tzinfo=NEW_YORK).astimezone(UTC))
    chat.say("alice", "conference KubeCon NA America/New_York")
    chat.say("alice", f"digest at {post_at}")
    chat.say("alice", "add [Envoy 게이트웨이] 스위치 날의 메모")
    timeline.clock.now = chat.now
    await scheduler.start()
    trigger = _trigger(scheduler, "digest:1")
    assert trigger is not None
    await scheduler.stop()  # from here on the test runs the job, on its clock
    midnight = datetime.combine(day, time(), tzinfo=NEW_YORK)

    fires = _fire_times(trigger, midnight, midnight + timedelta(hours=12))
    assert [fire.astimezone(UTC).strftime("%H:%M") for fire in fires] == cron_runs
    runner = timeline.runner
    for fire in fires:  # what the cron job does at each run
        timeline.clock.now = fire.astimezone(UTC)
        await runner.run_due(channel_ids=[1])

    assert timeline.feed.posts() == [("KubeCon NA", day)]


@pytest.mark.asyncio
async def test_changing_the_setting_replaces_the_job_and_off_removes_it(
    bot: MemoBot, scheduler: DigestScheduler
) -> None:
    chat = _chat(bot, datetime(2025, 9, 25, 1, 0, tzinfo=UTC))
    chat.say("alice", "digest at 18:30 Asia/Seoul")
    await scheduler.start()
    assert _fields(_trigger(scheduler, "digest:1"))["hour"] == "18"

    chat.say("bob", "digest at 20:15")
    await eventually(
        lambda: _fields(_trigger(scheduler, "digest:1"))["hour"] == "20", "the job at 20:15"
    )
    assert _fields(_trigger(scheduler, "digest:1"))["minute"] == "15"

    chat.say("bob", "digest off")
    await eventually(lambda: _trigger(scheduler, "digest:1") is None, "the job removed")


@pytest.mark.asyncio
async def test_a_setting_changed_by_another_process_is_picked_up_by_the_sweep(
    bot: MemoBot, timeline: Timeline, scheduler: DigestScheduler
) -> None:
    await scheduler.start()
    assert _trigger(scheduler, "digest:1") is None
    # Another process wrote it: this core has no subscriber for it.
    other_process = MemoBot(bot.database)
    try:
        _chat(other_process, datetime(2025, 9, 25, 1, 0, tzinfo=UTC)).say(
            "alice", "digest at 18:30 Asia/Seoul"
        )
    finally:
        other_process.close()

    await scheduler.sweep()
    assert _fields(_trigger(scheduler, "digest:1"))["hour"] == "18"
