"""Posting the daily digest on a fake clock: on time, once, late within the grace, never older."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import URL

from bot.core import MemoBot
from bot.digest.posting import DigestPolicy, Posted
from tests.chat import Chat
from tests.timeline import FakeClock, Timeline, claims, parse_posts

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")
ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
ROOT = Path(__file__).resolve().parents[2]


def _console(bot: MemoBot, now: datetime) -> Chat:
    return Chat(bot, platform="console", workspace="console", channel="general", now=now)


def _seoul_day_with_memos(bot: MemoBot) -> Chat:
    """DEVRIVER 2025 in Seoul, digest at 18:30, two memos on its first day (25 Sep)."""
    chat = _console(bot, datetime(2025, 9, 25, 10, 0, tzinfo=SEOUL).astimezone(UTC))
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul 2025-09-25 2025-09-26")
    chat.say("alice", "digest at 18:30")
    chat.say("alice", f"add [{ENVOY}] . 라우트 3,400개를 xDS로 무중단 이관")
    chat.say("bob", f"add [{ENVOY}] > p99 210ms → 45ms")
    return chat


def _local(day: date, hour: int, minute: int = 0, zone: ZoneInfo = SEOUL) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


SEP_25 = date(2025, 9, 25)


@pytest.mark.asyncio
async def test_a_day_with_memos_is_posted_once_at_its_local_time(bot: MemoBot) -> None:
    chat = _seoul_day_with_memos(bot)
    timeline = Timeline(bot, FakeClock(_local(SEP_25, 11)))

    posted_at = await timeline.run_until(_local(SEP_25 + timedelta(days=1), 11))

    assert posted_at == [_local(SEP_25, 18, 30)]
    assert timeline.feed.posts() == [("DEVRIVER 2025", SEP_25)]
    preview = chat.say("carol", "digest now 2025-09-25").markdown
    assert timeline.feed.text() == preview + "\n\n", "the post is the preview, word for word"
    [claim] = claims(bot)
    assert claim.day == SEP_25 and claim.message_id == "console-1" and claim.attempts == 1


@pytest.mark.asyncio
async def test_an_empty_day_is_not_posted(bot: MemoBot) -> None:
    _seoul_day_with_memos(bot)
    timeline = Timeline(bot, FakeClock(_local(SEP_25, 19)))
    await timeline.run_until(_local(SEP_25 + timedelta(days=2), 0))

    assert timeline.feed.posts() == [("DEVRIVER 2025", SEP_25)], "26 Sep had no memos"
    empty = [claim for claim in claims(bot) if claim.day == date(2025, 9, 26)]
    assert empty[0].message_id is None and empty[0].last_error == "nothing happened that day"


@pytest.mark.asyncio
async def test_empty_days_are_posted_when_the_policy_says_so(bot: MemoBot) -> None:
    _seoul_day_with_memos(bot)
    timeline = Timeline(
        bot, FakeClock(_local(SEP_25, 19)), policy=DigestPolicy(post_empty_days=True)
    )
    await timeline.run_until(_local(SEP_25 + timedelta(days=1), 19))

    assert timeline.feed.posts() == [
        ("DEVRIVER 2025", SEP_25),
        ("DEVRIVER 2025", date(2025, 9, 26)),
    ]
    assert "No memos or attendance on Fri 2025-09-26." in timeline.feed.text()


@pytest.mark.asyncio
async def test_a_changed_schedule_posts_at_the_new_time_only(bot: MemoBot) -> None:
    chat = _seoul_day_with_memos(bot)
    timeline = Timeline(bot, FakeClock(_local(SEP_25, 11)))
    assert await timeline.run_until(_local(SEP_25, 17)) == []

    chat.now = _local(SEP_25, 17, 1)
    chat.say("bob", "digest at 20:15")
    posted_at = await timeline.run_until(_local(SEP_25, 23))

    assert posted_at == [_local(SEP_25, 20, 15)]
    assert len(timeline.feed.posts()) == 1


@pytest.mark.asyncio
async def test_a_digest_turned_off_is_not_posted(bot: MemoBot) -> None:
    chat = _seoul_day_with_memos(bot)
    chat.say("bob", "digest off")
    timeline = Timeline(bot, FakeClock(_local(SEP_25, 11)))
    assert await timeline.run_until(_local(SEP_25, 23)) == []


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("switch", "post_at", "local_post"),
    [
        (date(2026, 3, 8), "02:30", "03:30 EDT"),  # spring forward: 02:30 does not exist
        (date(2026, 11, 1), "01:30", "01:30 EDT"),  # fall back: 01:30 happens twice
    ],
)
async def test_a_daylight_saving_switch_day_is_posted_once(
    bot: MemoBot, switch: date, post_at: str, local_post: str
) -> None:
    before = switch - timedelta(days=1)
    chat = _console(bot, _local(before, 0, 5, NEW_YORK))
    chat.say("alice", "conference KubeCon NA America/New_York")
    chat.say("alice", f"digest at {post_at}")
    for day in (before, switch, switch + timedelta(days=1)):
        chat.now = _local(day, 0, 10, NEW_YORK)
        chat.say("alice", f"add [{ENVOY}] {day} 메모")
    timeline = Timeline(bot, FakeClock(_local(before, 0, 15, NEW_YORK)))

    posted_at = await timeline.run_until(_local(switch + timedelta(days=2), 0, 0, NEW_YORK))

    assert timeline.feed.posts() == [
        ("KubeCon NA", before),
        ("KubeCon NA", switch),
        ("KubeCon NA", switch + timedelta(days=1)),
    ]
    assert posted_at[1].astimezone(NEW_YORK).strftime("%H:%M %Z") == local_post


@pytest.mark.asyncio
async def test_down_at_post_time_and_back_within_the_grace_posts_once_late(bot: MemoBot) -> None:
    _seoul_day_with_memos(bot)
    timeline = Timeline(bot, FakeClock(_local(SEP_25, 18)))
    assert await timeline.run_until(_local(SEP_25, 18, 25)) == []
    # The bot is down from 18:25 to 23:00; back, it sweeps every 5 minutes again.
    timeline.clock.now = _local(SEP_25, 23)
    posted_at = await timeline.run_until(_local(SEP_25 + timedelta(days=1), 6))

    assert posted_at == [_local(SEP_25, 23)]
    assert timeline.feed.posts() == [("DEVRIVER 2025", SEP_25)]


@pytest.mark.asyncio
async def test_back_after_the_grace_the_missed_digest_is_never_posted(bot: MemoBot) -> None:
    _seoul_day_with_memos(bot)
    timeline = Timeline(bot, FakeClock(_local(SEP_25, 18)))
    await timeline.run_until(_local(SEP_25, 18, 25))
    timeline.clock.now = _local(SEP_25 + timedelta(days=1), 0, 31)  # 6 h 1 min late

    assert await timeline.run_until(_local(SEP_25 + timedelta(days=1), 18)) == []
    assert timeline.feed.posts() == []


@pytest.mark.asyncio
async def test_conference_days_only_post_on_the_conference_dates(bot: MemoBot) -> None:
    chat = _seoul_day_with_memos(bot)
    chat.say("alice", "digest days conference")
    for day in (date(2025, 9, 26), date(2025, 9, 27)):
        chat.now = _local(day, 10)
        chat.say("alice", f"add [{ENVOY}] {day}")
    timeline = Timeline(bot, FakeClock(_local(SEP_25, 11)))
    await timeline.run_until(_local(date(2025, 9, 28), 23))

    assert [day for _, day in timeline.feed.posts()] == [SEP_25, date(2025, 9, 26)]


@pytest.mark.asyncio
async def test_two_runners_on_one_database_post_once(bot: MemoBot) -> None:
    _seoul_day_with_memos(bot)
    first = Timeline(bot, FakeClock(_local(SEP_25, 18, 30)), holder="first")
    second = Timeline(bot, FakeClock(_local(SEP_25, 18, 30)), holder="second", feed=first.feed)

    outcomes = [await first.runner.run_due(), await second.runner.run_due()]

    assert outcomes == [1, 0]
    assert first.feed.posts() == [("DEVRIVER 2025", SEP_25)]


def _crash_while_posting(database_url: URL, now: datetime) -> subprocess.CompletedProcess[str]:
    """A separate bot process that claims the digest, then dies before it is posted."""
    return subprocess.run(
        [sys.executable, "-m", "tests.digest_worker", "crash", now.isoformat()],
        env={**os.environ, "MEMO_DATABASE_URL": database_url.render_as_string(False)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.asyncio
async def test_a_crash_between_claim_and_post_is_retried_once_after_the_lease(
    bot: MemoBot, database_url: URL
) -> None:
    _seoul_day_with_memos(bot)
    due = _local(SEP_25, 18, 30)
    crashed = _crash_while_posting(database_url, due)
    assert crashed.returncode == 3, crashed.stderr
    [claim] = claims(bot)
    assert claim.claimed_by == "crashing-process" and claim.posted_at is None

    timeline = Timeline(bot, FakeClock(due + timedelta(minutes=1)))
    half_minutes = timedelta(seconds=30)
    assert await timeline.run_until(due + timedelta(minutes=4, seconds=30), half_minutes) == []
    posted_at = await timeline.run_until(due + timedelta(hours=1), half_minutes)

    assert posted_at == [due + timedelta(minutes=5)], "after the 5-minute lease"
    assert timeline.feed.posts() == [("DEVRIVER 2025", SEP_25)]
    [claim] = claims(bot)
    assert (claim.claimed_by, claim.attempts) == ("test-process", 2)
    assert claim.message_id == "console-1"


@pytest.mark.asyncio
async def test_posting_by_hand_twice_posts_once(bot: MemoBot) -> None:
    _seoul_day_with_memos(bot)
    timeline = Timeline(bot, FakeClock(_local(SEP_25, 15)))
    runner = timeline.runner
    [scheduled] = await runner.scheduled()

    assert await runner.post(scheduled.target, SEP_25) is Posted.POSTED
    assert await runner.post(scheduled.target, SEP_25) is Posted.ALREADY_DONE
    assert await timeline.run_until(_local(SEP_25, 23)) == [], "the scheduled one is skipped"
    assert len(timeline.feed.posts()) == 1


#: (conference, time zone, digest time): DST switches on 25 Oct (Berlin) and 1 Nov (New York).
ROOMS = [
    ("Seoul Room", "Asia/Seoul", "18:30"),
    ("Berlin Room", "Europe/Berlin", "02:30"),
    ("New York Room", "America/New_York", "01:30"),
    ("UTC Room", "UTC", "23:55"),
]
WEEK = [date(2026, 10, 25) + timedelta(days=offset) for offset in range(8)]


def _start_worker(database_url: URL, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.digest_worker", "sweep", str(out)],
        env={**os.environ, "MEMO_DATABASE_URL": database_url.render_as_string(False)},
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_two_bot_processes_post_each_channel_day_exactly_once_over_a_week(
    bot: MemoBot, database_url: URL, tmp_path: Path
) -> None:
    for number, (name, zone, post_at) in enumerate(ROOMS):
        room = Chat(bot, platform="console", workspace="console", channel=f"room-{number}")
        room.now = _local(WEEK[0], 0, 1, ZoneInfo(zone))
        room.say("alice", f"conference {name} {zone}")
        room.say("alice", f"digest at {post_at}")
        for day in WEEK:
            room.now = _local(day, 0, 5, ZoneInfo(zone))
            room.say("alice", f"add [{ENVOY}] {day} 메모")
    now = _local(WEEK[0], 0, 0, ZoneInfo("Pacific/Kiritimati"))  # the earliest zone's day
    end = _local(WEEK[-1] + timedelta(days=1), 12, 0, ZoneInfo("America/New_York"))
    outputs = [tmp_path / "first.txt", tmp_path / "second.txt"]
    workers = [_start_worker(database_url, out) for out in outputs]
    try:
        while now <= end:  # both sweep the same moment, at the same time, every 10 minutes
            for worker in workers:
                assert worker.stdin is not None
                worker.stdin.write(f"{now.isoformat()}\n")
                worker.stdin.flush()
            for worker in workers:
                assert worker.stdout is not None and worker.stdout.readline() == "swept\n"
            now += timedelta(minutes=10)
    finally:
        for worker in workers:
            worker.communicate(timeout=60)
    assert [worker.returncode for worker in workers] == [0, 0]

    posted = Counter(post for out in outputs for post in parse_posts(out.read_text()))
    expected = {(name, day) for name, _, _ in ROOMS for day in WEEK}
    assert set(posted) == expected
    assert max(posted.values()) == 1, [post for post, count in posted.items() if count > 1]
    posts = [row for row in claims(bot) if row.message_id is not None]
    assert len(posts) == len(expected)
    assert all(row.attempts == 1 for row in posts), "no claim was ever taken over"
