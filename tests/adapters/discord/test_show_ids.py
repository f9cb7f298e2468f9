"""`/memo show` on Discord: the session option also takes the memo ids the digest prints."""

from __future__ import annotations

import pytest

from tests.adapters.discord.conftest import OTHER_GUILD, OTHER_GUILD_CHANNEL, Discord

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"


@pytest.mark.asyncio
async def test_the_session_option_takes_memo_ids(discord_bot: Discord) -> None:
    await discord_bot.memo("add", session=ENVOY, text="라우트 3,400개")
    await discord_bot.memo("add", session=ENVOY, text="p99 210ms → 45ms")
    await discord_bot.memo(
        "add",
        session=ENVOY,
        text="다른 길드에는 없는 메모",
        guild=OTHER_GUILD,
        channel=OTHER_GUILD_CHANNEL,
    )

    shown = str((await discord_bot.memo("show", session="#2 #1"))["data"]["content"])
    elsewhere = await discord_bot.memo(
        "show", session="#1 #2", guild=OTHER_GUILD, channel=OTHER_GUILD_CHANNEL
    )

    assert shown.index("p99 210ms → 45ms") < shown.index("라우트 3,400개"), "in the order asked"
    other = str(elsewhere["data"]["content"])
    assert "다른 길드에는 없는 메모" in other and "라우트" not in other
    assert "_There is no memo #2 in this channel._" in other
