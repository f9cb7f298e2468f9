"""The daily digest on Discord: channel.send through the fake Discord, no pings, a lost channel."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import URL
from typer.testing import CliRunner

from adapters.cli.app import app
from adapters.discord import DiscordOutbound
from bot.core import MemoBot
from bot.digest.posting import DigestRunner
from tests.adapters.discord.conftest import CHANNEL, GUILD, Discord, long_digest_day
from tests.chat import Chat
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord_shapes import READ_MESSAGE_HISTORY, SEND_MESSAGES, VIEW_CHANNEL
from tests.timeline import FakeClock, Timeline, claims

SEOUL = ZoneInfo("Asia/Seoul")
DAY = date(2025, 9, 25)
DUE = datetime.combine(DAY, time(18, 30), tzinfo=SEOUL).astimezone(UTC)
#: A channel the bot knew, since deleted: Discord answers 404 Unknown Channel.
DELETED_CHANNEL = 1300000000000000099


def channel_with_a_digest(bot: MemoBot, channel: int) -> Chat:
    chat = Chat(
        bot,
        platform="discord",
        workspace=str(GUILD),
        channel=str(channel),
        now=datetime.combine(DAY, time(10), tzinfo=SEOUL).astimezone(UTC),
    )
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul")
    chat.say("alice", "digest at 18:30")
    chat.say("alice", "add [Envoy 게이트웨이] @everyone @here <@&1300000000000000555> 3,400 routes")
    return chat


def _timeline(discord_bot: Discord) -> Timeline:
    outbound = DiscordOutbound(discord_bot.service.client)
    return Timeline(discord_bot.bot, FakeClock(DUE), outbounds={"discord": outbound})


@pytest.mark.asyncio
async def test_the_digest_is_sent_to_the_channel_and_pings_no_one(discord_bot: Discord) -> None:
    channel_with_a_digest(discord_bot.bot, CHANNEL)

    assert await _timeline(discord_bot).runner.run_due() == 1

    [post] = discord_bot.fake.calls_to("POST /channels/{channel_id}/messages")
    assert post.path == f"/channels/{CHANNEL}/messages"
    assert post.json["allowed_mentions"] == {"parse": []}
    content = post.json["content"]
    assert content.startswith("**DEVRIVER 2025 session memos · Thu 2025-09-25**")
    assert "3,400 routes" in content


@pytest.mark.asyncio
async def test_a_deleted_channel_turns_its_digest_off(discord_bot: Discord) -> None:
    chat = channel_with_a_digest(discord_bot.bot, DELETED_CHANNEL)
    timeline = _timeline(discord_bot)

    assert await timeline.runner.run_due() == 0

    assert discord_bot.fake.calls_to("POST /channels/{channel_id}/messages") == []
    shown = chat.say("alice", "digest").markdown
    assert "The daily digest is off (the bot cannot post in this channel any more" in shown
    assert await timeline.runner.run_due() == 0 and timeline.slept == []


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("denied", "reason"),
    [
        (SEND_MESSAGES, "the bot lacks the permission to send messages there (Send Messages)"),
        (VIEW_CHANNEL, "the bot cannot see the channel (it lacks View Channel there)"),
    ],
)
async def test_a_channel_the_bot_may_not_post_in_turns_its_digest_off_saying_why(
    discord_bot: Discord, denied: int, reason: str
) -> None:
    chat = channel_with_a_digest(discord_bot.bot, CHANNEL)
    discord_bot.fake.deny_bot(CHANNEL, denied)
    timeline = _timeline(discord_bot)

    assert await timeline.runner.run_due() == 0

    assert len(discord_bot.fake.calls_to("POST /channels/{channel_id}/messages")) == 1
    shown = chat.say("alice", "digest").markdown
    assert f"The daily digest is off (the bot cannot post in this channel any more: {reason}" in (
        shown
    )
    code = "50013" if denied == SEND_MESSAGES else "50001"
    assert f"Discord error {code}" in shown
    assert await timeline.runner.run_due() == 0 and timeline.slept == [], "not retried"


def test_memo_bot_digest_posts_on_discord_with_the_bot_token(
    fake_discord: FakeDiscord,
    bot: MemoBot,
    database_url: URL,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_discord.add_guild(GUILD, "Team One", [CHANNEL])
    monkeypatch.setenv("DISCORD_TOKEN", "fake-token")
    monkeypatch.setenv("MEMO_DATABASE_URL", database_url.render_as_string(hide_password=False))
    channel_with_a_digest(bot, CHANNEL)

    result = CliRunner().invoke(
        app, ["digest", f"--workspace={GUILD}", f"--channel={CHANNEL}", "--date=2025-09-25"]
    )

    assert result.exit_code == 0, result.output
    [post] = fake_discord.calls_to("POST /channels/{channel_id}/messages")
    assert post.headers["authorization"] == "Bot fake-token"
    assert post.json["content"].startswith("**DEVRIVER 2025 session memos · Thu 2025-09-25**")


@pytest.mark.asyncio
async def test_each_part_of_a_long_digest_is_sent_with_its_own_nonce(discord_bot: Discord) -> None:
    long_digest_day(discord_bot.bot, DAY)

    assert await _timeline(discord_bot).runner.run_due() == 1

    [claim] = claims(discord_bot.bot)
    sent = discord_bot.fake.calls_to("POST /channels/{channel_id}/messages")
    assert len(sent) >= 3
    assert [call.json["nonce"] for call in sent] == [
        f"{claim.delivery_key}.{part}" for part in range(len(sent))
    ]
    assert all(call.json["enforce_nonce"] is True for call in sent)
    assert claim.message_id == discord_bot.fake.messages(CHANNEL)[0]["id"], "the first part"


@pytest.mark.asyncio
async def test_a_part_a_moderator_deleted_is_not_sent_again(discord_bot: Discord) -> None:
    """Without the channel's history, Discord's nonce check alone keeps a retry from
    repeating a part: the one that landed is returned, the deleted one refused (10008)."""
    fake = discord_bot.fake
    fake.set_time(DUE)
    long_digest_day(discord_bot.bot, DAY)
    fake.deny_bot(CHANNEL, READ_MESSAGE_HISTORY)
    fake.drop_next("POST /channels/{channel_id}/messages", after=1)  # part 2 lands, unanswered

    async def moderator_deletes_the_first_part(seconds: float) -> None:
        fake.delete_message(int(fake.messages(CHANNEL)[0]["id"]))

    runner = DigestRunner(
        discord_bot.bot.database,
        {"discord": DiscordOutbound(discord_bot.service.client)},
        clock=FakeClock(DUE),
        sleep=moderator_deletes_the_first_part,
    )
    assert await runner.run_due() == 1

    sent = discord_bot.fake.calls_to("POST /channels/{channel_id}/messages")
    contents = [message["content"] for message in fake.messages(CHANNEL)]
    assert len(contents) == len(sent) - 3, "parts 1 and 2 were sent twice, and created once"
    assert len(contents) == len(set(contents))
    assert not contents[0].startswith("**DEVRIVER"), "the deleted first part stays deleted"
