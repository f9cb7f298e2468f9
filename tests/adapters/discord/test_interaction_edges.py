"""Interactions as Discord documents them beyond a plain server text channel: no ``channel``
object, a channel type discord.py does not know, threads, DMs and group DMs, nicknames and
missing display names, and answers that come too late for Discord's deadlines."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.invocation import Invocation
from bot.replies.values import SessionMemos
from bot.sessions import ShowSession
from tests.adapters.discord.conftest import ALICE, BOB, CHANNEL, GUILD, Discord
from tests.fakes.discord_shapes import ABSENT

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
EPHEMERAL = 64
#: A thread, a voice channel's chat and a channel of a type added after discord.py 2.7.
THREAD, VOICE, NEWFANGLED = 1300000000000000031, 1300000000000000032, 1300000000000000033
CALLBACK = "POST /interactions/{interaction_id}/{token}/callback"
CHANNEL_POST = "POST /channels/{channel_id}/messages"
EDIT_ORIGINAL = "PATCH /webhooks/{application_id}/{token}/messages/@original"


def _add(session: str, text: str) -> list[Any]:
    values = [
        {"name": "session", "type": 3, "value": session},
        {"name": "text", "type": 3, "value": text},
    ]
    return [{"name": "add", "type": 1, "options": values}]


def _slash(
    discord_bot: Discord,
    options: list[Any],
    *,
    guild: int | None = GUILD,
    channel: int = CHANNEL,
    user: int = ALICE,
    **kwargs: Any,
) -> Any:
    """``/memo ...`` as ``user`` sends it from ``channel``, as the fake builds it."""
    return discord_bot.fake.slash_command(
        guild_id=guild, channel_id=channel, user_id=user, name="memo", options=options, **kwargs
    )


async def _send(discord_bot: Discord, payload: Any, **kwargs: Any) -> dict[str, Any]:
    fake = discord_bot.fake
    return await fake.async_wait_for_callback(fake.send_interaction(payload, **kwargs))


def _memos(discord_bot: Discord, channel: int) -> list[str]:
    reader = Invocation("discord", str(GUILD), str(channel), "reader", "reader", "", _now())
    shown = discord_bot.bot.execute(reader, ShowSession(ENVOY)).data
    return [memo.text for memo in shown.memos] if isinstance(shown, SessionMemos) else []


def _now() -> datetime:
    return datetime.now(UTC)


@pytest.mark.asyncio
async def test_a_command_without_the_optional_channel_object_is_saved_in_its_channel(
    discord_bot: Discord,
) -> None:
    payload = _slash(discord_bot, _add(ENVOY, "channel 객체 없이"), channel_object=False)
    assert "channel" not in payload

    answer = await _send(discord_bot, payload)

    assert answer["type"] == 4, answer
    assert "channel 객체 없이" in answer["data"]["content"]
    assert _memos(discord_bot, CHANNEL) == ["channel 객체 없이"]


@pytest.mark.asyncio
async def test_a_channel_of_a_type_discord_py_does_not_know_is_a_channel_all_the_same(
    discord_bot: Discord,
) -> None:
    discord_bot.fake.add_channel(GUILD, NEWFANGLED, type=99, name="new-kind")
    add = _slash(discord_bot, _add(ENVOY, "새 채널 종류"), channel=NEWFANGLED)
    assert add["channel"]["type"] == 99

    answer = await _send(discord_bot, add)

    assert "새 채널 종류" in answer["data"]["content"]
    assert _memos(discord_bot, NEWFANGLED) == ["새 채널 종류"]
    assert _memos(discord_bot, CHANNEL) == []
    choices = await _send(
        discord_bot,
        discord_bot.fake.autocomplete(
            guild_id=GUILD,
            channel_id=NEWFANGLED,
            user_id=ALICE,
            name="memo",
            options=_add("", "x"),
            focused="session",
            channel_object=False,
        ),
    )
    assert [choice["name"].split(" (")[0] for choice in choices["data"]["choices"]] == [ENVOY]


@pytest.mark.asyncio
async def test_a_thread_and_a_voice_channels_chat_keep_their_own_memos(
    discord_bot: Discord,
) -> None:
    fake = discord_bot.fake
    fake.add_channel(GUILD, THREAD, type=11, name="day-1 notes", parent_id=CHANNEL)
    fake.add_channel(GUILD, VOICE, type=2, name="Hall A")

    for channel, text in ((THREAD, "스레드에서"), (VOICE, "음성 채널 채팅에서")):
        payload = _slash(discord_bot, _add(ENVOY, text), channel=channel)
        assert text in (await _send(discord_bot, payload))["data"]["content"]

    assert _memos(discord_bot, THREAD) == ["스레드에서"]
    assert _memos(discord_bot, VOICE) == ["음성 채널 채팅에서"]
    assert _memos(discord_bot, CHANNEL) == []


@pytest.mark.asyncio
@pytest.mark.parametrize("where", ["dm with the bot", "dm between people", "group dm"])
async def test_outside_a_server_the_answer_says_where_memo_works_and_nothing_is_stored(
    discord_bot: Discord, where: str
) -> None:
    fake = discord_bot.fake
    channel = {
        "dm with the bot": lambda: fake.open_dm(ALICE),
        "dm between people": lambda: fake.open_dm(ALICE, BOB),
        "group dm": lambda: fake.open_group_dm(ALICE, [BOB], name="conference friends"),
    }[where]()
    payload = _slash(discord_bot, _add(ENVOY, "DM"), guild=None, channel=channel)
    assert "member" not in payload and payload["user"]["id"] == str(ALICE)

    answer = await _send(discord_bot, payload)

    assert answer["type"] == 4
    assert answer["data"]["flags"] & EPHEMERAL
    assert "server channels only" in answer["data"]["content"]
    assert _memos(discord_bot, channel) == [] and _memos(discord_bot, CHANNEL) == []


@pytest.mark.asyncio
async def test_the_author_is_the_server_nickname_else_the_display_name_else_the_username(
    discord_bot: Discord,
) -> None:
    fake = discord_bot.fake
    fake.set_member(GUILD, ALICE, nick="앨리스 (발표 도우미)", roles=[1300000000000000777])
    fake.set_user(BOB, username="bob_k", global_name=None)
    carol = 1300000000000000104
    fake.set_user(carol, username="carol.dev", global_name=ABSENT)

    contents = [
        (await discord_bot.memo("add", user=user, session=ENVOY, text=text))["data"]["content"]
        for user, text in ((ALICE, "닉네임"), (BOB, "표시 이름 없음"), (carol, "필드 없음"))
    ]

    assert contents[0].startswith("**앨리스 (발표 도우미)** noted")
    assert contents[1].startswith("**bob_k** noted")
    assert contents[2].startswith("**carol.dev** noted")


@pytest.mark.asyncio
async def test_a_new_memo_answered_too_late_is_announced_in_the_channel_and_saved_once(
    announcing: Discord, caplog: pytest.LogCaptureFixture
) -> None:
    discord_bot = announcing
    fake = discord_bot.fake
    payload = _slash(discord_bot, _add(ENVOY, "늦은 저장"))

    with caplog.at_level(logging.WARNING):
        fake.send_interaction(payload, late_by=3.5)  # the gateway delivered it 3.5 s late
        [late] = await fake.async_wait_for(CALLBACK)
        [post] = await fake.async_wait_for(CHANNEL_POST)  # from the outbox, as always
        await _wait_for_log(caplog, "the private answer was not delivered")

    assert late.json["type"] == 4, "the bot answered at once, but Discord had given up"
    assert post.path == f"/channels/{CHANNEL}/messages"
    assert "늦은 저장" in post.json["content"] and "#1" in post.json["content"]
    assert post.json["allowed_mentions"] == {"parse": []}
    assert _memos(discord_bot, CHANNEL) == ["늦은 저장"]
    assert "3-second deadline" in caplog.text


@pytest.mark.asyncio
async def test_a_private_answer_too_late_is_logged_without_its_text(
    discord_bot: Discord, caplog: pytest.LogCaptureFixture
) -> None:
    await discord_bot.memo("add", session=ENVOY, text="비공개로만 보여야 할 메모")
    fake = discord_bot.fake
    show = [
        {"name": "show", "type": 1, "options": [{"name": "session", "type": 3, "value": ENVOY}]}
    ]
    payload = _slash(discord_bot, show, user=BOB)

    with caplog.at_level(logging.WARNING):
        fake.send_interaction(payload, late_by=4.0)
        await fake.async_wait_for(CALLBACK, count=2)
        await _wait_for_log(caplog, "the private answer was not delivered")

    assert fake.calls_to(CHANNEL_POST) == [], "a private answer never goes to the channel"
    line = next(r.getMessage() for r in caplog.records if "not delivered" in r.getMessage())
    assert f"interaction={payload['id']}" in line and f"user={BOB}" in line
    assert "비공개" not in caplog.text and payload["token"] not in caplog.text


@pytest.mark.asyncio
async def test_an_answer_after_the_token_expired_is_announced_in_the_channel(
    announcing: Discord, caplog: pytest.LogCaptureFixture
) -> None:
    discord_bot = announcing
    discord_bot.service.client.replier.defer_after = 0.0  # as if the database were slow
    fake = discord_bot.fake
    fake.hold_next(EDIT_ORIGINAL)
    payload = _slash(discord_bot, _add(ENVOY, "15분 뒤"))

    with caplog.at_level(logging.WARNING):
        deferred = await _send(discord_bot, payload)
        await fake.async_wait_for(EDIT_ORIGINAL)
        fake.let_time_pass(15 * 60)
        fake.release(EDIT_ORIGINAL)
        [post] = await fake.async_wait_for(CHANNEL_POST)
        await _wait_for_log(caplog, "15-minute token had expired")

    assert deferred["type"] == 5
    assert "15분 뒤" in post.json["content"]
    assert _memos(discord_bot, CHANNEL) == ["15분 뒤"]


async def _wait_for_log(caplog: pytest.LogCaptureFixture, text: str) -> None:
    deadline = time.monotonic() + 10
    while text not in caplog.text:
        assert time.monotonic() < deadline, f"no log line with {text!r}: {caplog.text}"
        await asyncio.sleep(0.02)
