"""The daily digest on Slack: chat.postMessage through the fake Slack, safe text, failures."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from adapters.slack import build_app
from adapters.slack.outbound import SlackOutbound
from bot.core import MemoBot
from bot.digest.scheduler import DigestScheduler
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
    fake_slack.set_time(DUE)
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


@pytest.mark.asyncio
async def test_the_digest_carries_metadata_naming_it_for_a_later_attempt_to_find(
    fake_slack: FakeSlack, timeline: Timeline
) -> None:
    assert await timeline.runner.run_due() == 1

    [post] = _posts(fake_slack)
    [claim] = claims(timeline.bot)
    assert post["metadata"] == {
        "event_type": "memo_bot_digest",
        "event_payload": {"digest": claim.delivery_key, "part": 0},
    }
    assert claim.first_attempt_at == DUE
    assert claim.markdown.startswith("**DEVRIVER 2025 Day 1 session memos")
    assert fake_slack.calls_to("conversations.history") == [], "a first attempt just posts"


@pytest.mark.asyncio
@pytest.mark.parametrize("refusal", ["not_in_channel", "missing_scope"])
async def test_an_unknown_outcome_in_a_channel_the_bot_cannot_read_is_not_posted_again(
    fake_slack: FakeSlack, timeline: Timeline, caplog: pytest.LogCaptureFixture, refusal: str
) -> None:
    """At most once wins: Slack may have posted it, and the bot has no way to look."""
    fake_slack.drop_next("chat.postMessage")
    fake_slack.error_next("conversations.history", refusal)
    with caplog.at_level(logging.WARNING):
        assert await timeline.runner.run_due() == 0

    assert len(fake_slack.messages("C1")) == 1, "the lost answer's message, and no other"
    [claim] = claims(timeline.bot)
    assert claim.posted_at is not None and refusal in claim.last_error
    assert any("reinstall" in record.getMessage() for record in caplog.records)
    timeline.clock.now += timedelta(hours=1)
    assert await timeline.runner.run_due() == 0 and len(_posts(fake_slack)) == 1
    shown = Chat(timeline.bot, now=timeline.clock.now).say("alice", "digest").markdown
    assert shown.startswith("The daily digest is on"), "tomorrow's digest still comes"


@pytest.mark.asyncio
async def test_a_post_whose_answer_was_lost_is_found_and_recorded_not_sent_again(
    fake_slack: FakeSlack, timeline: Timeline
) -> None:
    fake_slack.drop_next("chat.postMessage")

    assert await timeline.runner.run_due() == 1

    [message] = fake_slack.messages("C1")
    [claim] = claims(timeline.bot)
    assert claim.message_id == message["ts"]
    assert len(_posts(fake_slack)) == 1, "slack_sdk did not send it again either"
    [looked] = fake_slack.calls_to("conversations.history")
    assert looked.params["include_all_metadata"] == "1"
    assert float(looked.params["oldest"]) <= DUE.timestamp()


@pytest.mark.asyncio
async def test_stopping_mid_post_hands_the_claim_back_with_its_attempt(
    fake_slack: FakeSlack, timeline: Timeline
) -> None:
    fake_slack.answer_late("chat.postMessage")
    scheduler = DigestScheduler(timeline.runner, timeline.bot, stop_timeout=0.1)
    await scheduler.start()  # its first sweep posts the digest due now
    await fake_slack.async_wait_late_answers(1)

    await scheduler.stop()

    [claim] = claims(timeline.bot)
    assert claim.posted_at is None and claim.delivery_key is not None
    assert claim.lease_until == DUE + timeline.policy.retry_after, "any process, a minute on"
    fake_slack.release_late_answers()
    timeline.clock.now = claim.lease_until
    assert await timeline.runner.run_due() == 1
    assert len(fake_slack.messages("C1")) == 1
    [claim] = claims(timeline.bot)
    assert claim.message_id == fake_slack.messages("C1")[0]["ts"]
