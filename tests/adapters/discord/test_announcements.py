"""Memos' announcements on Discord through the real discord.py client: posted from the
outbox, then edited, deleted and posted again as the memo changes."""

from __future__ import annotations

import pytest

from tests.adapters.discord.conftest import CHANNEL, GUILD, Discord
from tests.fakes.discord_shapes import CREATE_PUBLIC_THREADS, SEND_MESSAGES_IN_THREADS
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
    # The session's thread outlives its first message: the memo comes back in there.
    [back] = announcing.fake.messages(int(first["id"]))
    assert "45ms" in back["content"] and back["id"] != first["id"]


@pytest.mark.asyncio
async def test_a_sessions_memos_go_in_one_thread_started_from_its_first_memo(
    announcing: Discord,
) -> None:
    await announcing.memo("add", session=ENVOY, text="첫 메모")
    await announcing.memo("add", session=ENVOY, text="둘째 메모")
    await announcing.memo("add", session="다른 세션", text="다른 세션 메모")
    await _settled(announcing)
    parents = announcing.fake.messages(CHANNEL)
    assert [ENVOY in m["content"] and "첫 메모" in m["content"] for m in parents] == [True, False]
    assert "다른 세션 메모" in parents[1]["content"]
    [later] = announcing.fake.messages(int(parents[0]["id"]))
    assert "둘째 메모" in later["content"]
    [started, _other] = announcing.fake.calls_to(
        "POST /channels/{channel_id}/messages/{message_id}/threads"
    )
    assert started.json is not None and started.json["name"] == ENVOY

    answer = await announcing.memo("add", session=ENVOY, text="셋째 메모")
    jump = f"https://discord.com/channels/{GUILD}/{parents[0]['id']}"
    assert f"[Open the session's thread]({jump})" in answer["data"]["content"]


@pytest.mark.asyncio
async def test_without_create_public_threads_the_memo_is_posted_and_threads_says_why(
    announcing: Discord,
) -> None:
    announcing.fake.deny_bot(CHANNEL, CREATE_PUBLIC_THREADS)
    answer = await announcing.memo("add", session=ENVOY, text="스레드 없이도 보인다")
    assert "#1" in answer["data"]["content"], "the memo is stored all the same"
    await _settled(announcing)
    [posted] = announcing.fake.messages(CHANNEL)
    assert "스레드 없이도 보인다" in posted["content"]
    shown = (await announcing.memo("threads"))["data"]["content"]
    assert "Last delivery problem" in shown and "50013" in shown
    told = (await announcing.memo("add", session=ENVOY, text="다음 메모"))["data"]["content"]
    assert "give the bot the permission Create Public Threads here" in told


@pytest.mark.asyncio
async def test_without_send_messages_in_threads_the_memo_is_posted_in_the_channel(
    announcing: Discord,
) -> None:
    announcing.fake.deny_bot(CHANNEL, SEND_MESSAGES_IN_THREADS)
    await announcing.memo("add", session=ENVOY, text="스레드를 연다")
    await _settled(announcing)
    answer = await announcing.memo("add", session=ENVOY, text="채널에라도 보인다")
    assert "#2" in answer["data"]["content"], "the memo is stored all the same"
    await _settled(announcing)

    [parent, posted, *_] = announcing.fake.messages(CHANNEL)
    assert "채널에라도 보인다" in posted["content"] and ENVOY in posted["content"]
    assert announcing.fake.messages(int(parent["id"])) == [], "nothing in the thread"
    shown = (await announcing.memo("threads"))["data"]["content"]
    assert "Last delivery problem" in shown and "Send Messages in Threads" in shown
    told = (await announcing.memo("add", session=ENVOY, text="셋째", locale="ko"))["data"]
    assert told["content"].endswith(
        "봇에게 Send Messages in Threads 권한을 주세요. 자세한 내용: `/memo threads`._"
    ), "one line to the person, in their language, with the missing permission"
    await announcing.memo("edit", memo_id=2, text="채널에서 고쳤다")
    await _settled(announcing)
    [_, edited, *_] = announcing.fake.messages(CHANNEL)
    assert edited["id"] == posted["id"] and "채널에서 고쳤다" in edited["content"]


@pytest.mark.asyncio
async def test_a_deleted_thread_is_started_anew(announcing: Discord) -> None:
    await announcing.memo("add", session=ENVOY, text="첫 메모")
    await _settled(announcing)
    [parent] = announcing.fake.messages(CHANNEL)
    announcing.fake.delete_channel(int(parent["id"]))  # someone deleted the thread
    await announcing.memo("add", session=ENVOY, text="새 스레드에서")
    await _settled(announcing)
    [_, again] = announcing.fake.messages(CHANNEL)
    assert ENVOY in again["content"] and "새 스레드에서" in again["content"]
    assert announcing.fake.messages(int(again["id"])) == [], "its thread is new and empty"
