"""Building a day's digest: labelled by the conference of its sessions, and its typed outcomes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core import MemoBot
from bot.digest.building import DigestBuilt, DigestNotBuilt, NothingToPost, build_day_digest
from bot.digest.posting import Posted
from bot.replies.values import DigestShown
from storage.database import Database
from tests.chat import Chat
from tests.timeline import FakeClock, Timeline, claims

SEOUL = ZoneInfo("Asia/Seoul")
SEP_25 = date(2025, 9, 25)
SEP_18 = date(2025, 9, 18)


def _seoul(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SEOUL).astimezone(UTC)


def _two_conferences(bot: MemoBot) -> Chat:
    """A channel that went to KOTLIN CONF on 18 Sep and follows DEVRIVER 2025 (25-26 Sep) now,
    with notes of the Kotlin day added late, and a digest at 18:30 Seoul time."""
    chat = Chat(bot, platform="console", workspace="console", channel="general")
    chat.now = _seoul(SEP_18, 10)
    chat.say("alice", "conference [KOTLIN CONF 2025] Asia/Seoul 2025-09-17 2025-09-18")
    chat.say("alice", "add [Coroutines 내부 구조] 구조화된 동시성")
    chat.say("bob", "add [Coroutines 내부 구조] Job 트리와 취소 전파")
    chat.now = _seoul(SEP_25, 9)
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul 2025-09-25 2025-09-26")
    chat.say("alice", "digest at 18:30")
    return chat


def _preview(chat: Chat, day: date) -> DigestShown:
    shown = chat.say("carol", f"digest now {day.isoformat()}").data
    assert isinstance(shown, DigestShown)
    return shown


def test_a_day_of_an_earlier_conference_is_titled_with_that_conference(bot: MemoBot) -> None:
    chat = _two_conferences(bot)
    chat.say("alice", "add [Envoy 게이트웨이] p99 210ms → 45ms")

    earlier = chat.say("carol", "digest now 2025-09-18").markdown
    today = chat.say("carol", "digest now 2025-09-25").markdown

    assert earlier.splitlines()[0] == "**KOTLIN CONF 2025 Day 2 session memos · Thu 2025-09-18**"
    assert "DEVRIVER" not in earlier
    assert today.splitlines()[0] == "**DEVRIVER 2025 Day 1 session memos · Thu 2025-09-25**"


def test_a_day_that_mixes_conferences_gets_a_neutral_title(bot: MemoBot) -> None:
    chat = _two_conferences(bot)
    chat.now = _seoul(SEP_25, 10)
    chat.say("alice", "add [Envoy 게이트웨이] p99 210ms → 45ms")
    chat.say("alice", "conference [KOTLIN CONF 2025]")  # back to it, the same day
    chat.say("bob", "add [Kotlin 후기 세션] 늦게 정리한 메모")
    chat.say("carol", "language en")  # mostly Korean notes: an auto channel's digest is Korean

    shown = _preview(chat, SEP_25)
    markdown = chat.say("carol", "digest now").markdown

    assert shown.conference is None and shown.day_number is None
    assert markdown.splitlines()[0] == "**Sessions of Thu 2025-09-25**"
    assert "KOTLIN" not in markdown.splitlines()[0] and "DEVRIVER" not in markdown
    assert [session.title for session in shown.sessions] == ["Envoy 게이트웨이", "Kotlin 후기 세션"]


def test_an_empty_day_is_titled_with_the_current_conference(bot: MemoBot) -> None:
    chat = _two_conferences(bot)
    markdown = chat.say("carol", "digest now 2025-09-26").markdown
    assert markdown.splitlines()[0] == "**DEVRIVER 2025 Day 2 session memos · Fri 2025-09-26**"


@pytest.mark.asyncio
async def test_the_posted_digest_of_an_earlier_day_names_its_own_conference(
    bot: MemoBot,
) -> None:
    """The runner posts a day of KOTLIN CONF while the channel follows DEVRIVER."""
    chat = _two_conferences(bot)
    timeline = Timeline(bot, FakeClock(_seoul(SEP_25, 18)))
    runner = timeline.runner
    [target] = [item.target for item in await runner.scheduled()]

    assert await runner.post(target, SEP_18) is Posted.POSTED

    assert timeline.feed.posts() == [("KOTLIN CONF 2025", SEP_18)]
    assert timeline.feed.text() == chat.say("carol", "digest now 2025-09-18").markdown + "\n\n"


def test_the_core_function_says_what_came_of_a_day(bot: MemoBot) -> None:
    chat = _two_conferences(bot)
    channel_id = 1

    built = build_day_digest(bot.database, channel_id, SEP_18, default_time_zone="UTC")
    empty = build_day_digest(bot.database, channel_id, SEP_25, default_time_zone="UTC")

    assert isinstance(built, DigestBuilt)
    assert built.markdown == chat.say("carol", "digest now 2025-09-18").markdown
    assert built.digest.memos == 2 and built.digest.people == 2
    assert isinstance(empty, NothingToPost)
    assert empty.markdown.endswith("No memos or attendance on Thu 2025-09-25.")
    assert claims(bot) == [], "building claims nothing"


def test_a_digest_that_cannot_be_read_is_a_clear_failure(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A database without the schema (a real SQLite file): the read fails, the caller is told."""
    path = tmp_path / "not-migrated.db"
    path.touch()  # an empty file is an empty SQLite database
    database = Database(f"sqlite:///{path}")
    try:
        built = build_day_digest(database, 1, SEP_25, default_time_zone="UTC")
    finally:
        database.dispose()

    assert built == DigestNotBuilt("OperationalError")
    assert "digest not built: channel=1 day=2025-09-25" in caplog.text


def test_a_day_is_read_in_the_digest_time_zone_not_utc(bot: MemoBot) -> None:
    """A memo at 08:00 Seoul on 26 Sep is 23:00 UTC on the 25th: it belongs to the 26th."""
    chat = _two_conferences(bot)
    chat.now = _seoul(SEP_25 + timedelta(days=1), 8) - timedelta(seconds=1)
    chat.say("alice", "add [Envoy 게이트웨이] 이튿날 아침 메모")

    built = build_day_digest(bot.database, 1, SEP_25 + timedelta(days=1), default_time_zone="UTC")

    assert isinstance(built, DigestBuilt) and built.digest.memos == 1
