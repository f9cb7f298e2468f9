"""Memos' announcements on Slack: from the outbox, after the answer, once, in their channel."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from slack_bolt.async_app import AsyncApp
from sqlalchemy import select

from adapters.slack import build_app
from adapters.slack.outbound import SlackOutbound
from bot.announcing import AnnouncePolicy, Announcer
from bot.core import MemoBot
from storage.models import OutboxPost
from tests.adapters.slack.conftest import BOT_TOKEN, TEAM, Slack, block_text, bolt_config, posts_of
from tests.chat import Chat
from tests.fakes.slack import FakeSlack, rich_elements
from tests.outbox import SteppingClock, all_delivered, deliver_everything, undelivered
from tests.polling import until

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"


def _holding(slack: Slack, channel: str, words: str) -> int:
    """How many of the channel's messages show ``words``."""
    return sum(
        words in json.dumps(message, ensure_ascii=False) for message in slack.fake.messages(channel)
    )


def _slack_app(bot: MemoBot, fake_slack: FakeSlack) -> AsyncApp:
    """The Slack app over the fake, for tests that run their own announcer."""
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    fake_slack.set_time(datetime.now(UTC))  # Slack's clock and the bot's agree
    return build_app(bot, bolt_config(fake_slack), bot.database.engine)


async def _settled(slack: Slack) -> None:
    await until(all_delivered(slack.bot.database), "the outbox to owe nothing")


@pytest.mark.asyncio
async def test_an_announcement_carries_its_key_so_a_retry_can_find_it(slack: Slack) -> None:
    await slack.command_json(f"add [{ENVOY}] 메타데이터")
    [post] = await slack.fake.async_wait_for("chat.postMessage")
    assert post.params["metadata"]["event_type"] == "memo_bot_memo"
    await _settled(slack)
    with slack.bot.database.reading() as tx:
        [row] = tx.execute(select(OutboxPost.message_id, OutboxPost.delivery_key)).all()
    assert row.message_id == slack.fake.messages("C1")[0]["ts"], "the message is remembered"
    assert post.params["metadata"]["event_payload"]["digest"] == row.delivery_key


@pytest.mark.asyncio
async def test_a_command_slack_delivers_twice_is_announced_once(slack: Slack) -> None:
    for _ in range(2):
        answer = await slack.command_json(f"add [{ENVOY}] 한 번만", trigger_id="trigger-same")
        assert "#1" in block_text(answer)

    await slack.fake.async_wait_for("chat.postMessage")
    await _settled(slack)
    assert _holding(slack, "C1", "한 번만") == 1
    assert len(posts_of(slack.fake, "memo")) == 1


@pytest.mark.asyncio
async def test_each_memo_is_announced_in_its_own_channel_only(slack: Slack) -> None:
    await slack.command_json(f"add [{ENVOY}] 첫 채널의 메모", channel="C1")
    await slack.command_json(f"add [{ENVOY}] 둘째 채널의 메모", channel="C2")

    await slack.fake.async_wait_for("chat.postMessage", 2)
    await _settled(slack)
    assert _holding(slack, "C1", "첫 채널의 메모") == 1
    assert _holding(slack, "C1", "둘째 채널의 메모") == 0
    assert _holding(slack, "C2", "둘째 채널의 메모") == 1
    assert _holding(slack, "C2", "첫 채널의 메모") == 0


@pytest.mark.asyncio
async def test_the_answer_never_waits_for_the_announcement(slack: Slack) -> None:
    slack.fake.answer_late("chat.postMessage", count=None)  # Slack takes posts, answers late

    answer = await slack.command_json(f"add [{ENVOY}] 느린 슬랙")
    await slack.fake.async_wait_late_answers(1)

    assert answer["response_type"] == "ephemeral" and "#1" in block_text(answer)
    slack.fake.release_late_answers()
    await _settled(slack)
    assert _holding(slack, "C1", "느린 슬랙") == 1


@pytest.mark.asyncio
async def test_a_channel_the_bot_cannot_post_in_keeps_the_memo_and_stops_trying(
    slack: Slack,
) -> None:
    slack.fake.error_next("chat.postMessage", "channel_not_found")

    answer = await slack.command_json(f"add [{ENVOY}] 채널이 사라짐")
    await _settled(slack)

    assert "#1" in block_text(answer)
    with slack.bot.database.reading() as tx:
        [row] = tx.execute(select(OutboxPost.message_id, OutboxPost.last_error)).all()
    assert row.message_id is None and "channel_not_found" in row.last_error
    assert "채널이 사라짐" in block_text(await slack.command_json(f"show [{ENVOY}]"))
    assert len(slack.fake.calls_to("chat.postMessage")) == 1, "not tried again"


@pytest.mark.asyncio
async def test_a_bot_stopped_mid_post_hands_its_rows_back_and_nothing_shows_twice(
    bot: MemoBot, fake_slack: FakeSlack
) -> None:
    app = _slack_app(bot, fake_slack)
    chat = Chat(bot)
    for number in range(3):
        chat.say("alice", f"add [{ENVOY}] 멈춤 {number}번")
    fake_slack.answer_late("chat.postMessage", count=None)  # the first post hangs
    policy = AnnouncePolicy(stop_timeout=0.1)
    stopping = Announcer(bot.database, {"slack": SlackOutbound(app)}, bot, policy)
    await stopping.start()
    await fake_slack.async_wait_late_answers(1)

    await stopping.stop()  # cut in the middle of its first post, the other two not begun
    fake_slack.release_late_answers()
    clock = SteppingClock()
    restarted = Announcer(bot.database, {"slack": SlackOutbound(app)}, bot, clock=clock)
    await deliver_everything(restarted, clock)  # at once: no lease to wait out

    assert undelivered(bot.database) == 0
    for number in range(3):
        assert sum(f"멈춤 {number}번" in str(m) for m in fake_slack.messages("C1")) == 1


@pytest.mark.asyncio
async def test_the_announcement_follows_edit_delete_and_undo(slack: Slack) -> None:
    await slack.command_json(f"add [{ENVOY}] p99 210ms → 54ms")
    await _settled(slack)
    [first] = slack.fake.messages("C1")

    await slack.command_json("edit 1 p99 210ms → 45ms")
    await _settled(slack)
    [edited] = slack.fake.messages("C1")
    assert edited["ts"] == first["ts"], "the same message, changed in place"
    assert "45ms" in block_text(edited) and "54ms" not in block_text(edited)
    assert "(edited)" in block_text(edited)

    await slack.command_json("delete 1")
    await _settled(slack)
    assert slack.fake.messages("C1") == [], "a deleted memo's text leaves the channel"

    await slack.command_json("undo")
    await _settled(slack)
    [back] = slack.fake.messages("C1")
    assert "45ms" in block_text(back) and back["ts"] != first["ts"]


@pytest.mark.asyncio
async def test_an_edit_before_the_announcement_is_posted_shows_once_with_the_new_text(
    slack: Slack,
) -> None:
    slack.fake.answer_late("chat.postMessage", count=None)
    await slack.command_json(f"add [{ENVOY}] 오타 있는 메모")
    await slack.fake.async_wait_late_answers(1)
    await slack.command_json("edit 1 고친 메모")  # waits for the announcement it changes
    slack.fake.release_late_answers()

    await _settled(slack)
    [shown] = slack.fake.messages("C1")
    assert "고친 메모" in block_text(shown) and "오타" not in block_text(shown)
    assert len(slack.fake.calls_to("chat.update")) == 1


@pytest.mark.asyncio
async def test_a_message_someone_deleted_is_left_alone_by_later_changes(slack: Slack) -> None:
    await slack.command_json(f"add [{ENVOY}] 관리자가 지울 메시지")
    await _settled(slack)
    slack.fake.error_next("chat.update", "message_not_found")  # a moderator deleted it

    await slack.command_json("edit 1 그래도 고침")
    await _settled(slack)

    assert "그래도 고침" in block_text(await slack.command_json(f"show [{ENVOY}]"))
    assert len(slack.fake.calls_to("chat.update")) == 1, "not tried again"


@pytest.mark.asyncio
async def test_a_sessions_memos_go_in_the_thread_of_its_first_memo(slack: Slack) -> None:
    await slack.command_json(f"add [{ENVOY}] 첫 메모")
    await _settled(slack)
    await slack.command_json(f"add [{ENVOY}] 둘째 메모")
    await slack.command_json("add [다른 세션] 다른 세션 메모")
    await _settled(slack)
    messages = slack.fake.messages("C1")
    parent = next(m for m in messages if "첫 메모" in json.dumps(m, ensure_ascii=False))
    later = next(m for m in messages if "둘째 메모" in json.dumps(m, ensure_ascii=False))
    other = next(m for m in messages if "다른 세션 메모" in json.dumps(m, ensure_ascii=False))
    assert "thread_ts" not in parent and ENVOY in json.dumps(parent, ensure_ascii=False)
    assert later["thread_ts"] == parent["ts"], "the session's later memo is in its thread"
    assert "thread_ts" not in other, "another session starts its own thread"

    answer = await slack.command_json(f"add [{ENVOY}] 셋째 메모")
    [link] = [e for e in rich_elements(answer["blocks"]) if e.get("type") == "link"]
    assert link["url"] == f"https://fake-slack.example/archives/C1/p{parent['ts'].replace('.', '')}"
    assert answer["response_type"] == "ephemeral", "the link goes to the person only"


@pytest.mark.asyncio
async def test_a_thread_reply_whose_answer_was_lost_is_found_in_the_thread_not_posted_twice(
    bot: MemoBot, fake_slack: FakeSlack
) -> None:
    app = _slack_app(bot, fake_slack)
    chat = Chat(bot)
    clock = SteppingClock()
    announcer = Announcer(bot.database, {"slack": SlackOutbound(app)}, bot, clock=clock)
    chat.say("alice", f"add [{ENVOY}] 스레드를 연다")
    await deliver_everything(announcer, clock)
    [parent] = fake_slack.messages("C1")

    fake_slack.drop_next("chat.postMessage")  # Slack posts the reply, the answer is lost
    chat.say("alice", f"add [{ENVOY}] 답을 잃은 댓글")
    await deliver_everything(announcer, clock)  # retried after its pause

    [reply] = [
        m
        for m in fake_slack.messages("C1")
        if "답을 잃은 댓글" in json.dumps(m, ensure_ascii=False)
    ]
    assert reply["thread_ts"] == parent["ts"], "posted once, in the session's thread"
    assert len(posts_of(fake_slack, "memo")) == 2, "the retry posted nothing"
    [looked] = fake_slack.calls_to("conversations.replies")
    assert looked.params["ts"] == parent["ts"] and looked.params["include_all_metadata"] == "1"
    with bot.database.reading() as tx:
        shown = tx.scalars(select(OutboxPost.message_id).order_by(OutboxPost.id)).all()
    assert shown == [parent["ts"], reply["ts"]], "the reply found is remembered for edits"


@pytest.mark.asyncio
async def test_a_deleted_thread_is_started_anew_and_the_memo_still_announced(
    slack: Slack,
) -> None:
    await slack.command_json(f"add [{ENVOY}] 첫 메모")
    await _settled(slack)
    slack.fake.error_next("chat.postMessage", "thread_not_found")
    await slack.command_json(f"add [{ENVOY}] 새 스레드로")
    await _settled(slack)
    [moved] = [
        m for m in slack.fake.messages("C1") if "새 스레드로" in json.dumps(m, ensure_ascii=False)
    ]
    assert "thread_ts" not in moved, "a new parent message for the session"
    assert ENVOY in json.dumps(moved, ensure_ascii=False)


@pytest.mark.asyncio
async def test_with_threads_off_each_memo_is_its_own_message_in_that_channel_only(
    slack: Slack,
) -> None:
    await slack.command_json("add [다른 채널] 스레드 켜짐", channel="C2")  # stores channel C2
    turned = await slack.command_json("threads off")
    assert "Threads are off now" in block_text(turned)
    assert turned["response_type"] == "ephemeral"
    await slack.command_json(f"add [{ENVOY}] 첫 메모")
    await _settled(slack)
    await slack.command_json(f"add [{ENVOY}] 둘째 메모")
    await slack.command_json("add [다른 채널] 둘째", channel="C2")
    await _settled(slack)
    assert ["thread_ts" in m for m in slack.fake.messages("C1")] == [False, False]
    assert ["thread_ts" in m for m in slack.fake.messages("C2")] == [False, True]
    assert "Threads are on." in block_text(await slack.command_json("threads", channel="C2"))
    refused = await slack.command_json("threads sideways")
    assert "Say /memo threads on or /memo threads off" in block_text(refused)
    assert "Threads are off." in block_text(await slack.command_json("threads"))


@pytest.mark.asyncio
async def test_a_channel_that_refuses_the_bot_shows_the_problem_in_threads(slack: Slack) -> None:
    slack.fake.error_next("chat.postMessage", "channel_not_found")
    answer = await slack.command_json(f"add [{ENVOY}] 저장은 된다")
    assert "#1" in block_text(answer), "the memo is stored all the same"
    await _settled(slack)
    shown = block_text(await slack.command_json("threads"))
    assert "Last delivery problem" in shown and "channel_not_found" in shown
    assert "저장은 된다" in block_text(await slack.command_json("show #1"))


@pytest.mark.asyncio
async def test_a_public_channel_that_needs_membership_is_joined_and_the_memo_announced(
    slack: Slack,
) -> None:
    slack.fake.require_membership("C1")
    await slack.command_json(f"add [{ENVOY}] 들어가서 올린다")
    await _settled(slack)
    [join] = slack.fake.calls_to("conversations.join")
    assert join.params["channel"] == "C1"
    assert _holding(slack, "C1", "들어가서 올린다") == 1


@pytest.mark.asyncio
async def test_a_private_channel_without_the_bot_tells_the_person_to_invite_it(
    slack: Slack,
) -> None:
    slack.fake.require_membership("C1", private=True)
    first = await slack.command_json(f"add [{ENVOY}] 초대가 필요하다")
    assert "#1" in block_text(first), "the memo is stored all the same"
    await _settled(slack)
    assert slack.fake.messages("C1") == []
    shown = block_text(await slack.command_json("threads"))
    assert "/invite" in shown and "not_in_channel" in shown

    answer = await slack.command_json(f"add [{ENVOY}] 다음 메모도 저장된다")
    told = block_text(answer)
    assert answer["blocks"][-1]["elements"][-1]["type"] == "rich_text_section", "not quoted"
    assert "#2" in told and "did not get the last announcement: /invite the bot" in told
    assert told.rstrip().endswith("Details: /memo threads."), "one line, at the end"
    await _settled(slack)
    slack.fake.invite_bot("C1")
    await slack.command_json(f"add [{ENVOY}] 초대받은 뒤")
    await _settled(slack)
    assert _holding(slack, "C1", "초대받은 뒤") == 1
    after = block_text(await slack.command_json(f"add [{ENVOY}] 이제 괜찮다"))
    assert "announcement" not in after, "a post that went through clears the problem"
    assert "Last delivery problem" not in block_text(await slack.command_json("threads"))


@pytest.mark.asyncio
async def test_the_digest_links_each_session_to_its_thread(slack: Slack) -> None:
    await slack.command_json(f"add [{ENVOY}] 다이제스트에 나올 메모")
    await _settled(slack)
    [parent] = slack.fake.messages("C1")
    answer = await slack.command_json("digest now")
    links = [e["url"] for e in rich_elements(answer["blocks"]) if e.get("type") == "link"]
    assert links == [f"https://fake-slack.example/archives/C1/p{parent['ts'].replace('.', '')}"]
    # An `auto` channel's digest speaks its notes' language: these are Korean.
    assert ENVOY in block_text(answer) and "메모 1개" in block_text(answer)
