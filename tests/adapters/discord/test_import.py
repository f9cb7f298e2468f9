"""/memo import on Discord: an attachment option, downloaded from Discord, imported, answered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.adapters.discord.conftest import (
    ALICE,
    CHANNEL,
    OTHER_CHANNEL,
    AttachmentOption,
    Discord,
)

SAMPLES = Path(__file__).parents[2] / "samples"
EPHEMERAL = 64
EDIT_ORIGINAL = "PATCH /webhooks/{application_id}/{token}/messages/@original"


async def _import(discord_bot: Discord, filename: str, content: bytes) -> dict[str, Any]:
    """``/memo import file:`` with the file attached; the edit that carries the answer."""
    attachment = discord_bot.fake.add_attachment(filename, content)
    answer = await discord_bot.memo("import", file=AttachmentOption(attachment))
    assert answer == {"type": 5, "data": {"flags": EPHEMERAL}}, "deferred at once, privately"
    (edited,) = await discord_bot.fake.async_wait_for(EDIT_ORIGINAL)
    body: dict[str, Any] = edited.json
    return body


@pytest.mark.asyncio
async def test_an_attached_note_file_is_downloaded_and_imported(discord_bot: Discord) -> None:
    content = (SAMPLES / "blog-notes.txt").read_bytes()

    answer = await _import(discord_bot, "blog-notes.txt", content)

    assert (
        answer["content"] == "blog-notes.txt: 3 posts, 16 sessions, 333 lines imported; 0 warnings"
    )
    assert answer["allowed_mentions"] == {"parse": []}
    assert len(discord_bot.fake.attachment_downloads) == 1
    listing = await discord_bot.content("sessions", date="all")
    assert "[Kafka 없이 만든 이벤트 파이프라인]" in listing
    assert "[웹소켓 기반 실시간 협업 에디터 개발기]" in listing
    assert f"attended by User {ALICE}" in listing
    elsewhere = await discord_bot.content("sessions", date="all", channel=OTHER_CHANNEL)
    assert "Kafka" not in elsewhere


@pytest.mark.asyncio
async def test_a_binary_attachment_gets_a_clear_private_answer(discord_bot: Discord) -> None:
    answer = await _import(discord_bot, "photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")

    assert answer["content"].startswith("photo.jpg is not a text file (line 1 has a NUL byte)")
    listing = await discord_bot.content("sessions", date="all", channel=CHANNEL)
    assert "Kafka" not in listing
