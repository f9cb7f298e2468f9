"""The daily digest on Slack: chat.postMessage through the fake Slack, safe text, failures."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from adapters.slack import build_app
from adapters.slack.outbound import SlackOutbound
from bot.core import MemoBot
from tests.adapters.slack.conftest import (
    BOT_TOKEN,
    TEAM,
    assert_slack_shows_literally,
    block_text,
    bolt_config,
)
from tests.chat import Chat
from tests.fakes.slack import FakeSlack
from tests.timeline import FakeClock, Timeline, claims

SEOUL = ZoneInfo("Asia/Seoul")
DAY = date(2025, 9, 25)
DUE = datetime.combine(DAY, time(18, 30), tzinfo=SEOUL).astimezone(UTC)
ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"


@pytest.fixture
def timeline(fake_slack: FakeSlack, bot: MemoBot) -> Timeline:
    """Channel C1 of workspace T1 with a digest at 18:30 Seoul time and a memo on 25 Sep."""
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    chat = Chat(bot, now=datetime.combine(DAY, time(10), tzinfo=SEOUL).astimezone(UTC))
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul 2025-09-25 2025-09-26")
    chat.say("alice", "digest at 18:30")
    chat.say(
        "alice",
        f"add [{ENVOY}] <!everyone> <!channel> <@U123> <https://evil.example|docs> 3,400 routes",
    )
    outbound = SlackOutbound(build_app(bot, bolt_config(fake_slack), bot.database.engine))
    return Timeline(bot, FakeClock(DUE), outbounds={"slack": outbound})


def _posts(fake: FakeSlack) -> list[dict[str, object]]:
    return [call.params for call in fake.calls if call.method == "chat.postMessage"]


@pytest.mark.asyncio
async def test_the_digest_is_posted_in_the_channel_and_pings_no_one(
    fake_slack: FakeSlack, timeline: Timeline
) -> None:
    assert await timeline.runner.run_due() == 1

    [post] = _posts(fake_slack)
    assert post["channel"] == "C1"
    assert "DEVRIVER 2025 Day 1 session memos" in block_text(post)
    assert_slack_shows_literally(
        post, "<!everyone> <!channel> <@U123> <https://evil.example|docs> 3,400 routes"
    )
    assert "&lt;!everyone&gt;" in str(post["text"]), "the notification shows it as text too"
    [claim] = claims(timeline.bot)
    assert claim.message_id is not None


@pytest.mark.asyncio
async def test_a_channel_the_bot_left_turns_the_digest_off_with_the_reason(
    fake_slack: FakeSlack, timeline: Timeline, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.error_next("chat.postMessage", "not_in_channel")
    with caplog.at_level(logging.WARNING):
        assert await timeline.runner.run_due() == 0

    assert len(_posts(fake_slack)) == 1, "not retried: it cannot succeed"
    assert timeline.slept == []
    assert any("digest turned off" in record.getMessage() for record in caplog.records)
    shown = Chat(timeline.bot, now=DUE).say("alice", "digest").markdown
    assert "The daily digest is off (the bot cannot post in this channel any more: " in shown
    assert "not_in_channel" in shown
    timeline.clock.now = DUE.replace(hour=DUE.hour + 1)
    assert await timeline.runner.run_due() == 0 and len(_posts(fake_slack)) == 1


@pytest.mark.asyncio
async def test_a_failing_slack_is_retried_with_backoff_and_posts_once(
    fake_slack: FakeSlack, timeline: Timeline
) -> None:
    fake_slack.error_next("chat.postMessage", "fatal_error")
    fake_slack.error_next("chat.postMessage", "fatal_error")

    assert await timeline.runner.run_due() == 1

    assert timeline.slept == [1.0, 5.0]
    assert len(_posts(fake_slack)) == 3


@pytest.mark.asyncio
async def test_after_the_retries_a_later_sweep_tries_again(
    fake_slack: FakeSlack, timeline: Timeline, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(4):
        fake_slack.error_next("chat.postMessage", "fatal_error")
    with caplog.at_level(logging.WARNING):
        assert await timeline.runner.run_due() == 0
    assert any("trying again later" in record.getMessage() for record in caplog.records)
    [claim] = claims(timeline.bot)
    assert claim.posted_at is None and claim.last_error is not None

    timeline.clock.now = DUE.replace(minute=DUE.minute + 1)
    assert await timeline.runner.run_due() == 1
    assert len(_posts(fake_slack)) == 5
