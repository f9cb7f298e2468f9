"""Announcements when bot processes die or race: real processes (``python -m
tests.digest_worker announce``) on the test's database, posting to the fake Slack.

Nothing is lost (every memo reaches its channel) and nothing is doubled (no memo shows
twice), whether a process is killed with SIGKILL between Slack taking a post and the
database recording it, or two processes deliver the same outbox at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from adapters.slack import build_app
from adapters.slack.outbound import SlackOutbound
from bot.announcing import AnnouncePolicy, Announcer
from bot.core import MemoBot
from tests.adapters.slack.conftest import BOT_TOKEN, TEAM, bolt_config
from tests.adversarial.test_digest_faults import DEADLINE, SLACK_POSTS, Worker, workers  # noqa: F401
from tests.chat import Chat
from tests.fakes.slack import FakeSlack
from tests.outbox import SteppingClock, deliver_everything, undelivered
from tests.timeline import eventually

SESSION = "아웃박스 세션"


def _shown(fake: FakeSlack, channel: str, words: str) -> int:
    """How many messages of the channel show ``words``."""
    return sum(
        words in json.dumps(message, ensure_ascii=False) for message in fake.messages(channel)
    )


def _announcer(bot: MemoBot, fake: FakeSlack, clock: Callable[[], datetime]) -> Announcer:
    outbound = SlackOutbound(build_app(bot, bolt_config(fake), bot.database.engine))
    return Announcer(bot.database, {"slack": outbound}, bot, holder="survivor", clock=clock)


@pytest.mark.asyncio
async def test_a_process_killed_mid_post_leaves_each_memo_announced_once(
    bot: MemoBot,
    fake_slack: FakeSlack,
    workers: Callable[..., Worker],  # noqa: F811
) -> None:
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    fake_slack.set_time(datetime.now(UTC))  # Slack's clock and the bot's agree
    chat = Chat(bot)
    for number in range(5):  # five sessions: each memo starts its own thread, one post each
        chat.say("alice", f"add [{SESSION} {number}] 메모 {number}번")
    # Slack answers two posts; it takes the third and the process dies before the answer.
    fake_slack.answer_late(SLACK_POSTS, after=2, count=None)
    doomed = workers("announce", "doomed", "--slack", fake_slack.base_url, BOT_TOKEN)
    await fake_slack.async_wait_late_answers(1, timeout=DEADLINE)
    doomed.process.kill()  # SIGKILL: nothing of it runs any more
    doomed.process.wait(timeout=DEADLINE)
    fake_slack.release_late_answers()
    assert _shown(fake_slack, "C1", "메모 2번") == 1, "the third post had landed"
    assert undelivered(bot.database) == 3, "the dead process recorded two posts"

    # Another process, once the dead one's lease has run out.
    clock = SteppingClock(datetime.now(UTC) + AnnouncePolicy().lease + timedelta(seconds=1))
    survivor = _announcer(bot, fake_slack, clock)
    await deliver_everything(survivor, clock)

    assert undelivered(bot.database) == 0
    for number in range(5):
        assert _shown(fake_slack, "C1", f"메모 {number}번") == 1, f"memo {number + 1}"
    assert len(fake_slack.calls_to(SLACK_POSTS)) == 5, "the landed post was found, not resent"


@pytest.mark.asyncio
async def test_two_processes_announce_each_memo_once(
    bot: MemoBot,
    fake_slack: FakeSlack,
    workers: Callable[..., Worker],  # noqa: F811
) -> None:
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    racing = [
        workers("announce", name, "--slack", fake_slack.base_url, BOT_TOKEN)
        for name in ("first", "second")
    ]
    for worker in racing:
        assert worker.answer() == "serving"
    channels = ["C1", "C2", "C3"]
    for number in range(30):
        channel = channels[number % 3]
        Chat(bot, channel=channel).say("alice", f"add [{SESSION}] {channel}의 메모 {number:02d}")

    await eventually(lambda: undelivered(bot.database) == 0, "every announcement", DEADLINE)

    assert len(fake_slack.calls_to(SLACK_POSTS)) <= 30, "memos of one thread may share one"
    for number in range(30):
        own = channels[number % 3]
        for channel in channels:
            expected = 1 if channel == own else 0
            assert _shown(fake_slack, channel, f"{own}의 메모 {number:02d}") == expected


@pytest.mark.asyncio
async def test_a_burst_in_one_thread_goes_out_in_order_in_as_few_posts_as_the_limit_needs(
    bot: MemoBot, fake_slack: FakeSlack
) -> None:
    """Slack takes about one message a second per channel: memos queued meanwhile wait for
    the channel and go out together, in order; edits and deletes keep the shared message true."""
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    moment = datetime.now(UTC)
    announcer = _announcer(bot, fake_slack, lambda: moment)
    chat = Chat(bot)
    chat.say("alice", f"add [{SESSION}] 첫 메모")
    for number in range(12):
        chat.say("alice", f"add [{SESSION}] 연속 {number:02d}")

    seconds = 0
    while undelivered(bot.database) and seconds < 10:
        while await announcer.deliver_due():
            pass
        moment += timedelta(seconds=1)  # the channel may take a message again
        seconds += 1
        assert len(fake_slack.calls_to(SLACK_POSTS)) <= seconds, "one post a second at most"

    [parent, *replies] = fake_slack.messages("C1")
    assert "첫 메모" in parent["text"] and all(m["thread_ts"] == parent["ts"] for m in replies)
    shown = "\n".join(message["text"] for message in replies)
    positions = [shown.index(f"연속 {number:02d}") for number in range(12)]
    assert positions == sorted(positions), "in the order they were written"
    assert len(replies) == 2, "12 memos: 10 in one message, the other 2 a second later"

    chat.say("alice", "edit 3 연속 01 고침")
    chat.say("alice", "delete 4")
    for _ in range(3):
        while await announcer.deliver_due():
            pass
        moment += timedelta(seconds=1)
    changed = fake_slack.messages("C1")[1]["text"]
    assert "연속 01 고침" in changed and "(edited)" in changed
    assert "memo #4 was deleted" in changed and "연속 02" not in changed
    assert "연속 00" in changed and "연속 09" in changed, "the other memos stay"
