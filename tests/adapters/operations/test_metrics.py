"""/metrics of the real `memo-bot run` counts what happened: commands by outcome and their
latency, memos stored, digests posted or failed, Slack's refusals; and database errors."""

from __future__ import annotations

import time
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import URL, update

from adapters.discord import DiscordOutbound
from adapters.operations.metrics import CountedOutbound, instrument
from bot.core import MemoBot
from storage.database import Database
from storage.models import Channel
from tests.adapters.discord.conftest import CHANNEL, Discord
from tests.adapters.discord.test_digests import DUE, channel_with_a_digest
from tests.adapters.operations.probing import sample
from tests.adapters.slack.conftest import BOT_TOKEN, TEAM
from tests.adapters.slack.running import running_bot, signed_command
from tests.chat import Chat
from tests.fakes.discord_shapes import SEND_MESSAGES
from tests.fakes.slack import FakeSlack
from tests.timeline import FakeClock, Timeline


def _command(port: int, text: str, trigger_id: str) -> None:
    body, headers = signed_command(text, trigger_id=trigger_id)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        assert response.status == 200


def _counted(port: int, name: str, value: float, **labels: str) -> float:
    """Poll ``/metrics`` until the sample reaches ``value`` (a digest is posted in the
    background); the value last seen."""
    deadline = time.monotonic() + 60
    while (seen := sample(port, name, **labels)) < value and time.monotonic() < deadline:
        time.sleep(0.05)  # poll, with the deadline above
    return seen


def test_commands_memos_and_latency_are_counted(fake_slack: FakeSlack, database_url: URL) -> None:
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    with running_bot(fake_slack, database_url) as bot:
        port = bot.port()
        _command(port, "add [메트릭 세션] 첫 메모", "trigger-1")
        _command(port, "add [메트릭 세션] 둘째 메모", "trigger-2")
        _command(port, "add [메트릭 세션] 둘째 메모", "trigger-2")  # Slack delivers it again
        _command(port, f"add [메트릭 세션] {'너무 길다 ' * 800}", "trigger-3")
        _command(port, "search 메모", "trigger-4")
        _command(port, "delete abc", "trigger-5")  # no memo id: refused as it is parsed

        def commands(command: str, outcome: str) -> float:
            labels = {"command": command, "platform": "slack", "outcome": outcome}
            return sample(port, "memo_commands_total", **labels)

        added = commands("AddMemo", "ok")
        replayed = commands("AddMemo", "replayed")
        too_long = commands("AddMemo", "text_too_long")
        searched = commands("SearchMemos", "ok")
        unparsed = commands("parse", "bad_memo_id")
        stored = sample(port, "memo_memos_stored_total", platform="slack")
        timed = sample(
            port, "memo_command_duration_seconds_count", command="AddMemo", platform="slack"
        )
        assert bot.stop() == 0, bot.log
    assert (added, replayed, too_long, searched) == (2, 1, 1, 1)
    assert unparsed == 1
    assert stored == 2, "the retried delivery and the refusal stored nothing"
    assert timed == 4


def test_a_digest_posted_is_counted(fake_slack: FakeSlack, database_url: URL, bot: MemoBot) -> None:
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    _digest_due_now(bot)
    with running_bot(fake_slack, database_url) as running:
        port = running.port()
        posted = _counted(port, "memo_digest_posts_total", 1, platform="slack", outcome="posted")
        failed = sample(port, "memo_digest_posts_total", platform="slack", outcome="failed")
        assert running.stop() == 0, running.log
    assert (posted, failed) == (1, 0)


def test_a_digest_slack_refuses_is_counted_with_slacks_error(
    fake_slack: FakeSlack, database_url: URL, bot: MemoBot
) -> None:
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    # The channel is gone for every post: the digest and both memos' announcements, in
    # whichever order they come; each gives up at its first refusal.
    for _ in range(3):
        fake_slack.error_next("chat.postMessage", "channel_not_found")
    _digest_due_now(bot)
    with running_bot(fake_slack, database_url) as running:
        port = running.port()
        failed = _counted(port, "memo_digest_posts_total", 1, platform="slack", outcome="failed")
        refused = _counted(
            port, "memo_platform_api_errors_total", 3, platform="slack", code="channel_not_found"
        )
        assert running.stop() == 0, running.log
    assert (failed, refused) == (1, 3)


def test_database_errors_are_counted_by_type(database: Database, chat: Chat) -> None:
    instrument(chat.bot)
    chat.say("alice", "add [세션] 첫 메모")
    with database.writing() as tx:  # break the channel's memo counter: the next id clashes
        tx.execute(update(Channel).values(last_memo_number=0))
    before = _database_errors()

    chat.say("alice", "add [세션] 부딪히는 메모")

    assert _database_errors() == before + 1


def _database_errors() -> float:
    total = 0.0
    for error in ("IntegrityError", "UniqueViolation"):  # sqlite3's, psycopg's
        total += REGISTRY.get_sample_value("memo_database_errors_total", {"error": error}) or 0
    return total


def _digest_due_now(bot: MemoBot) -> None:
    """Channel C1 of T1 has a memo and a digest that came due a minute ago."""
    now = datetime.now(UTC)
    chat = Chat(bot, now=now - timedelta(minutes=3))
    chat.say("alice", f"digest at {now - timedelta(minutes=1):%H:%M} UTC")
    chat.say("alice", "add [다이제스트 세션] 오늘의 메모")
    chat.now = now
    chat.say("alice", "add [다이제스트 세션] 방금 쓴 메모")


@pytest.mark.asyncio
async def test_a_digest_discord_refuses_is_counted_with_discords_code(
    discord_bot: Discord,
) -> None:
    channel_with_a_digest(discord_bot.bot, CHANNEL)  # due at 18:30 in Seoul
    discord_bot.fake.deny_bot(CHANNEL, SEND_MESSAGES)
    outbound = CountedOutbound("discord", DiscordOutbound(discord_bot.service.client))
    timeline = Timeline(discord_bot.bot, FakeClock(DUE), outbounds={"discord": outbound})
    refused = {"platform": "discord", "code": "50013"}
    failed = {"platform": "discord", "outcome": "failed"}
    before = (
        _value("memo_platform_api_errors_total", refused),
        _value("memo_digest_posts_total", failed),
    )

    assert await timeline.runner.run_due() == 0

    after = (
        _value("memo_platform_api_errors_total", refused),
        _value("memo_digest_posts_total", failed),
    )
    assert after == (before[0] + 1, before[1] + 1)


def _value(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_the_outbox_depth_counts_announcements_not_delivered_yet(
    fake_slack: FakeSlack, database_url: URL
) -> None:
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    for _ in range(3):  # Slack is down: the announcement waits (5 s, 30 s, 2 min ...)
        fake_slack.fail_next("chat.postMessage", 503)
    with running_bot(fake_slack, database_url) as bot:
        port = bot.port()
        empty = sample(port, "memo_outbox_depth")
        _command(port, "add [대기열 세션] 아직 안 나간 메모", "trigger-1")
        fake_slack.wait_for("chat.postMessage")  # the first attempt failed
        waiting = _counted(port, "memo_outbox_depth", 1)
        assert bot.stop() == 0, bot.log
    assert (empty, waiting) == (0, 1)
