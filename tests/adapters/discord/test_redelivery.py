"""Interactions Discord delivers twice, as it does to two bot processes connected on one
shard: the work is done once, and the person sees one answer with no error behind it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.discord.conftest import (
    ALICE,
    BOB,
    CHANNEL,
    GUILD,
    Discord,
    errors,
)
from tests.polling import until

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
NOTES = (Path(__file__).parents[2] / "samples" / "blog-notes-english.txt").read_bytes()
FOLLOW_UP = "POST /webhooks/{application_id}/{token}"
EDIT_ORIGINAL = "PATCH /webhooks/{application_id}/{token}/messages/@original"


@pytest.mark.parametrize("at_once", [False, True], ids=["again", "at-once"])
@pytest.mark.asyncio
async def test_undo_delivered_twice_restores_one_memo_and_is_answered_once(
    discord_bot: Discord, caplog: pytest.LogCaptureFixture, at_once: bool
) -> None:
    for text in ("하나", "둘"):
        await discord_bot.memo("add", session=ENVOY, text=text)
    for number in (1, 2):
        await discord_bot.memo("delete", memo_id=number)

    answer = await discord_bot.deliver_twice(
        discord_bot.interaction("undo"), caplog, at_once=at_once
    )

    assert answer["data"]["content"].startswith("Restored #2")
    assert discord_bot.fake.calls_to(FOLLOW_UP) == []
    shown = await discord_bot.content("show", session=ENVOY)
    assert "**#2**" in shown and "**#1**" not in shown
    assert errors(caplog) == []


@pytest.mark.asyncio
async def test_a_setting_change_delivered_twice_is_announced_once(
    discord_bot: Discord, caplog: pytest.LogCaptureFixture
) -> None:
    await discord_bot.memo("digest at", time="18:30")
    payload = discord_bot.interaction("digest off")

    answer = await discord_bot.deliver_twice(payload, caplog, at_once=True)

    assert answer["type"] == 4 and not answer["data"].get("flags", 0) & 64, "in the channel"
    assert answer["data"]["content"].startswith("The daily digest is off")
    assert discord_bot.fake.calls_to(FOLLOW_UP) == []
    assert errors(caplog) == []


def _form_submission(
    discord_bot: Discord, form: dict[str, Any], values: dict[str, str]
) -> dict[str, Any]:
    return dict(
        discord_bot.fake.modal_submit(
            guild_id=GUILD,
            channel_id=CHANNEL,
            user_id=ALICE,
            custom_id=form["data"]["custom_id"],
            components=discord_bot.fake.text_inputs(values),
        )
    )


async def _submit_twice_at_once(
    discord_bot: Discord, caplog: pytest.LogCaptureFixture, submission: dict[str, Any]
) -> dict[str, Any]:
    """Both copies of a form's submission at once. discord.py hands a copy to the form while
    it is open; one that comes after the form closed is dropped (logged at DEBUG)."""
    caplog.set_level(logging.DEBUG, logger="discord.ui.view")
    fake = discord_bot.fake
    interaction_id = fake.send_interaction(submission)
    fake.send_interaction(submission)

    caplog.set_level(logging.INFO, logger="adapters.discord.replies")

    def settled() -> bool:
        if any("Discarding" in record.getMessage() for record in caplog.records):
            return discord_bot.answers_tried(interaction_id) == 1
        stopped = any("answered by another copy" in r.getMessage() for r in caplog.records)
        return discord_bot.answers_tried(interaction_id) == 2 and (stopped or bool(errors(caplog)))

    await until(settled, "both copies of the submission to be handled")
    return await fake.async_wait_for_callback(interaction_id)


@pytest.mark.asyncio
async def test_a_form_submitted_twice_at_once_saves_one_memo(
    discord_bot: Discord, caplog: pytest.LogCaptureFixture
) -> None:
    form = await discord_bot.memo("add", session=ENVOY)
    submission = _form_submission(discord_bot, form, {"session": ENVOY, "memo": "폼 한 번"})

    answer = await _submit_twice_at_once(discord_bot, caplog, submission)

    assert "폼 한 번" in answer["data"]["content"]
    assert (await discord_bot.content("show", session=ENVOY)).count("폼 한 번") == 1
    assert errors(caplog) == []


@pytest.mark.asyncio
async def test_a_message_saved_from_the_menu_twice_at_once_is_one_memo_with_its_link(
    discord_bot: Discord, caplog: pytest.LogCaptureFixture
) -> None:
    fake = discord_bot.fake
    message = fake.message(CHANNEL, BOB, "밥이 말하길 p99 210ms → 45ms")
    menu = fake.message_context_menu(
        guild_id=GUILD,
        channel_id=CHANNEL,
        user_id=ALICE,
        name="Save as memo",
        target_message=message,
    )
    form = await fake.async_wait_for_callback(fake.send_interaction(menu))
    submission = _form_submission(discord_bot, form, {"session": ENVOY, "memo": message["content"]})

    await _submit_twice_at_once(discord_bot, caplog, submission)

    shown = await discord_bot.content("show", session=ENVOY)
    assert shown.count("p99 210ms → 45ms") == 1
    assert errors(caplog) == []
