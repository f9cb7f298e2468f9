"""Memos' announcements on Discord through the real discord.py client: posted from the
outbox, then edited, deleted and posted again as the memo changes."""

from __future__ import annotations

import pytest

from tests.adapters.discord.conftest import CHANNEL, Discord
from tests.outbox import all_delivered
from tests.polling import until

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"


async def _settled(discord: Discord) -> None:
    await until(all_delivered(discord.bot.database), "the outbox to owe nothing")


@pytest.mark.asyncio
async def test_the_announcement_follows_edit_delete_and_undo(announcing: Discord) -> None:
    await announcing.memo("add", session=ENVOY, text="p99 210ms → 54ms @everyone")
    await _settled(announcing)
    [first] = announcing.fake.messages(CHANNEL)

    await announcing.memo("edit", memo_id=1, text="p99 210ms → 45ms @everyone")
    await _settled(announcing)
    [edited] = announcing.fake.messages(CHANNEL)
    assert edited["id"] == first["id"] and edited["edited_timestamp"] is not None
    assert "45ms" in edited["content"] and "(edited)" in edited["content"]
    [patch] = announcing.fake.calls_to("PATCH /channels/{channel_id}/messages/{message_id}")
    assert patch.json is not None and patch.json["allowed_mentions"] == {"parse": []}

    await announcing.memo("delete", memo_id=1)
    await _settled(announcing)
    assert announcing.fake.messages(CHANNEL) == []

    await announcing.memo("undo")
    await _settled(announcing)
    [back] = announcing.fake.messages(CHANNEL)
    assert "45ms" in back["content"] and back["id"] != first["id"]
