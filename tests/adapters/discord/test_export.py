"""/memo export on Discord: deferred privately, then the file replaces "thinking..."."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.adapters.discord.conftest import BOB, Discord

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
EPHEMERAL = 64
EDIT_ORIGINAL = "PATCH /webhooks/{application_id}/{token}/messages/@original"


async def _note(discord_bot: Discord) -> None:
    await discord_bot.memo("conference", name="DEVRIVER 2025", time_zone="UTC")
    await discord_bot.memo("add", session=ENVOY, text="라우트 3,400개를 xDS로 이관")
    await discord_bot.memo("add", session=ENVOY, text="> p99 210ms → 45ms @everyone", user=BOB)


@pytest.mark.asyncio
async def test_the_export_file_comes_privately_in_the_deferred_answer(
    discord_bot: Discord,
) -> None:
    await _note(discord_bot)

    answer = await discord_bot.memo("export", format="txt")

    assert answer == {"type": 5, "data": {"flags": EPHEMERAL}}, "deferred, privately"
    (edited,) = await discord_bot.fake.async_wait_for(EDIT_ORIGINAL)
    assert "1 day, 1 session, 2 memos" in edited.json["content"]
    assert edited.json["allowed_mentions"] == {"parse": []}
    ((name, content),) = edited.files
    assert name == "DEVRIVER-2025.txt"
    text = content.decode("utf-8")
    assert f"[{ENVOY}]\n" in text
    assert "라우트 3,400개를 xDS로 이관\n" in text
    assert "> p99 210ms → 45ms @everyone\n" in text, "the file keeps notes as written"


@pytest.mark.asyncio
async def test_a_day_in_markdown_by_its_date(discord_bot: Discord) -> None:
    await _note(discord_bot)

    today = datetime.now(UTC).date().isoformat()  # the adapter's clock is the real one

    await discord_bot.memo("export", what=today)

    (edited,) = await discord_bot.fake.async_wait_for(EDIT_ORIGINAL)
    ((name, content),) = edited.files
    assert name == f"DEVRIVER-2025-{today}.md"
    assert f"## [{ENVOY}]" in content.decode("utf-8")


@pytest.mark.asyncio
async def test_nothing_to_export_is_a_short_answer_without_a_file(discord_bot: Discord) -> None:
    await discord_bot.memo("export", what="2025-09-24")

    (edited,) = await discord_bot.fake.async_wait_for(EDIT_ORIGINAL)
    assert edited.json["content"].startswith("No memos on Wed 2025-09-24")
    assert edited.files == ()
