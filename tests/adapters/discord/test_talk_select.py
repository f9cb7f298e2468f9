"""Discord: an untitled note while several talks run gets a select; a pick stores it, once.

Through the real discord.py client and the fake gateway. Interactions are stamped with
the real clock, so the programme is written around the moment the test runs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.agenda.importing import ImportAgenda
from tests.adapters.discord.conftest import (
    ALICE,
    BOB,
    CHANNEL,
    GUILD,
    OTHER_CHANNEL,
    Discord,
)
from tests.chat import Chat
from tests.outbox import all_delivered
from tests.polling import until
from tests.programmes import running_now

RUST, GO = "Rust in production", "@everyone Go generics"


def _import(discord_bot: Discord, channel: int = CHANNEL) -> None:
    chat = Chat(
        discord_bot.bot,
        platform="discord",
        workspace=str(GUILD),
        channel=str(channel),
        now=datetime.now(UTC),
    )
    done = chat.run(
        "alice", ImportAgenda("live.ics", running_now(((RUST, "A"), (GO, "B"))), conference="Live")
    )
    assert done.ok, done.markdown


def _select(answer: dict[str, Any]) -> dict[str, Any]:
    (row,) = answer["data"]["components"]
    (select,) = row["components"]
    assert select["type"] == 3
    return dict(select)


async def _pick(
    discord_bot: Discord,
    components: list[dict[str, Any]],
    select: dict[str, Any],
    label_start: str,
    *,
    user: int = ALICE,
    channel: int = CHANNEL,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``user`` picks the option whose label starts so; the bot's answer."""
    if payload is None:
        (value,) = [o["value"] for o in select["options"] if o["label"].startswith(label_start)]
        payload = discord_bot.fake.select_menu(
            guild_id=GUILD,
            channel_id=channel,
            user_id=user,
            message_components=components,
            custom_id=select["custom_id"],
            values=[value],
        )
    interaction_id = discord_bot.fake.send_interaction(payload)
    return await discord_bot.fake.async_wait_for_callback(interaction_id)


@pytest.mark.asyncio
async def test_a_pick_stores_the_note_in_that_talk_in_the_channel(announcing: Discord) -> None:
    discord_bot = announcing
    _import(discord_bot)

    question = await discord_bot.memo("add", text="소유권 모델이 핵심")

    assert question["type"] == 4 and question["data"]["flags"] == 64  # only the writer sees it
    assert "2 talks are running now" in question["data"]["content"]
    select = _select(question)
    assert [option["label"] for option in select["options"]] == [f"1. {RUST}", f"2. {GO}"]
    answer = await _pick(discord_bot, question["data"]["components"], select, "1.")

    assert answer["type"] == 4 and answer["data"]["flags"] == 64, "the writer's confirmation"
    assert RUST in answer["data"]["content"] and "소유권 모델이 핵심" in answer["data"]["content"]
    assert answer["data"]["allowed_mentions"] == {"parse": []}
    # The channel learns of it from the memo's announcement, as for a typed memo.
    await until(all_delivered(discord_bot.bot.database), "the outbox to owe nothing")
    [announced] = discord_bot.fake.messages(CHANNEL)
    assert RUST in announced["content"] and "소유권 모델이 핵심" in announced["content"]
    shown = await discord_bot.content("show", session=RUST)
    assert "소유권 모델이 핵심" in shown
    assert "소유권 모델이 핵심" not in await discord_bot.content("show", session=GO)


@pytest.mark.asyncio
async def test_copies_strangers_and_second_picks_change_nothing(discord_bot: Discord) -> None:
    _import(discord_bot)
    _import(discord_bot, channel=OTHER_CHANNEL)
    question = await discord_bot.memo("add", text="한 번만")
    components, select = question["data"]["components"], _select(question)

    first = discord_bot.fake.select_menu(
        guild_id=GUILD,
        channel_id=CHANNEL,
        user_id=ALICE,
        message_components=components,
        custom_id=select["custom_id"],
        values=[select["options"][1]["value"]],
    )
    saved = await _pick(discord_bot, components, select, "", payload=first)
    assert GO in saved["data"]["content"]
    for kwargs, says in (
        ({"user": BOB}, "Only the person who wrote this note"),
        ({"channel": OTHER_CHANNEL}, "no longer open"),
        ({}, "saved already"),
    ):
        refused = await _pick(discord_bot, components, select, "1.", **kwargs)
        assert refused["data"]["flags"] == 64, refused
        assert says in refused["data"]["content"], refused

    # A made-up value (a talk never offered) is refused, not stored.
    forged = discord_bot.fake.select_menu(
        guild_id=GUILD,
        channel_id=CHANNEL,
        user_id=ALICE,
        message_components=components,
        custom_id=select["custom_id"],
        values=["999999"],
    )
    assert (
        "saved already"
        in (await _pick(discord_bot, components, select, "", payload=forged))["data"]["content"]
    )
    assert "한 번만" in await discord_bot.content("show", session=GO)
    assert "한 번만" not in await discord_bot.content("show", session=RUST)


@pytest.mark.asyncio
async def test_a_pick_delivered_twice_stores_the_note_once(
    discord_bot: Discord, caplog: pytest.LogCaptureFixture
) -> None:
    _import(discord_bot)
    question = await discord_bot.memo("add", text="두 번 와도 한 번")
    select = _select(question)
    payload = discord_bot.fake.select_menu(
        guild_id=GUILD,
        channel_id=CHANNEL,
        user_id=ALICE,
        message_components=question["data"]["components"],
        custom_id=select["custom_id"],
        values=[select["options"][0]["value"]],
    )

    answer = await discord_bot.deliver_twice(payload, caplog, at_once=True)

    assert RUST in answer["data"]["content"]
    assert (await discord_bot.content("show", session=RUST)).count("두 번 와도 한 번") == 1


@pytest.mark.asyncio
async def test_autocomplete_offers_the_running_talks_first(discord_bot: Discord) -> None:
    await discord_bot.memo("add", session="Earlier session", text="아침 메모")
    _import(discord_bot)

    offered = await discord_bot.choices("add", "session", session="")

    assert [choice["name"].split(" (")[0] for choice in offered[:3]] == [
        RUST,
        GO,
        "Earlier session",
    ]
