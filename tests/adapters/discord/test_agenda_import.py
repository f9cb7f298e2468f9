"""/memo agenda import on Discord: the programme as an attachment option; /memo agenda show."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adapters.discord.conftest import (
    EDIT_ORIGINAL,
    OTHER_CHANNEL,
    AttachmentOption,
    Discord,
)

SAMPLES = Path(__file__).parents[2] / "samples"


@pytest.mark.asyncio
async def test_an_attached_programme_is_imported_and_shown_by_day(discord_bot: Discord) -> None:
    attachment = discord_bot.fake.add_attachment(
        "agenda.schedule.json", (SAMPLES / "agenda.schedule.json").read_bytes()
    )
    edits = len(discord_bot.fake.calls_to(EDIT_ORIGINAL))

    answer = await discord_bot.memo("agenda import", file=AttachmentOption(attachment))

    assert answer == {"type": 5, "data": {"flags": 64}}, "deferred at once, privately"
    edited = (await discord_bot.fake.async_wait_for(EDIT_ORIGINAL, edits + 1))[-1].json
    assert edited["content"].startswith("agenda.schedule.json: 52 talks for **DEVRIVER 2025**")
    assert edited["allowed_mentions"] == {"parse": []}
    day = await discord_bot.content("agenda show", when="2025-09-26")
    assert "**13:40–14:20**" in day and "301호 · [Kafka 없이 만든 이벤트 파이프라인]" in day
    elsewhere = await discord_bot.content("agenda show", when="2025-09-26", channel=OTHER_CHANNEL)
    assert "Kafka" not in elsewhere
