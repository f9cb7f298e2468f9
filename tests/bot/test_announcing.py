"""The outbox through the core: what a channel is owed after each command, on both databases.

Posting goes to the console's outbound (its real adapter, printing into a buffer);
the Slack and Discord paths are in tests/adapters, faults in tests/adversarial.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.console.outbound import ConsoleOutbound
from bot.announcing import Announcer
from bot.core import MemoBot
from bot.notefiles.reading import ImportPosts
from bot.replies.values import ImportDone
from tests.chat import Chat
from tests.outbox import SteppingClock, deliver_everything, undelivered

SESSION = "Kafka 없이 만든 이벤트 파이프라인"
NOTES = (Path(__file__).parents[1] / "samples" / "blog-notes-english.txt").read_bytes()


async def _deliver(bot: MemoBot) -> str:
    """Everything the outbox owes the console, posted; what the channel showed."""
    shown = io.StringIO()
    clock = SteppingClock()
    announcer = Announcer(bot.database, {"console": ConsoleOutbound(shown)}, bot, clock=clock)
    await deliver_everything(announcer, clock)
    assert undelivered(bot.database) == 0
    return shown.getvalue()


def _console(bot: MemoBot) -> Chat:
    return Chat(bot, platform="console", workspace="console", channel="general")


@pytest.mark.asyncio
async def test_memos_are_announced_once_in_the_order_they_were_added(bot: MemoBot) -> None:
    chat = _console(bot)
    for text in ("첫째", "둘째", "셋째"):
        chat.say("alice", f"add [{SESSION}] {text}")

    shown = await _deliver(bot)

    assert [shown.index(text) for text in ("첫째", "둘째", "셋째")] == sorted(
        shown.index(text) for text in ("첫째", "둘째", "셋째")
    )
    assert shown.count("noted in") == 3
    assert await _deliver(bot) == "", "nothing is posted twice"


@pytest.mark.asyncio
async def test_a_memo_deleted_before_its_announcement_is_never_shown(bot: MemoBot) -> None:
    chat = _console(bot)
    chat.say("alice", f"add [{SESSION}] 지울 메모")
    chat.say("alice", "delete 1")

    assert await _deliver(bot) == ""


@pytest.mark.asyncio
async def test_an_import_owes_the_channel_no_announcement(bot: MemoBot) -> None:
    reply = _console(bot).run("alice", ImportPosts("notes.txt", NOTES))  # type: ignore[arg-type]

    assert isinstance(reply.data, ImportDone) and reply.data.created > 0, reply.markdown
    assert undelivered(bot.database) == 0
    assert await _deliver(bot) == ""


@pytest.mark.asyncio
async def test_the_console_shows_what_became_of_an_announcement(bot: MemoBot) -> None:
    chat = _console(bot)
    chat.say("alice", f"add [{SESSION}] 처음 글")
    first = await _deliver(bot)
    chat.say("alice", "edit 1 고친 글")
    chat.say("alice", "delete 1")
    chat.say("alice", "undo")

    shown = await _deliver(bot)

    assert "console-1" not in first and "처음 글" in first
    edited, deleted, restored = shown.strip().split("\n\n")
    assert edited.startswith("_(console-1 now reads:)_") and "고친 글" in edited
    assert "(edited)" in edited
    assert deleted == "_(console-1 was deleted.)_"
    assert "고친 글" in restored and "noted in" in restored


@pytest.mark.asyncio
async def test_the_console_shows_which_thread_a_memo_went_to(bot: MemoBot) -> None:
    shown = io.StringIO()
    moment = datetime.now(UTC)
    announcer = Announcer(
        bot.database, {"console": ConsoleOutbound(shown)}, bot, clock=lambda: moment
    )
    chat = _console(bot)
    chat.say("alice", f"add [{SESSION}] 세션의 첫 메모")
    chat.say("bob", f"add [{SESSION}] 스레드 안의 메모")
    chat.say("bob", "add [다른 세션] 새 스레드")
    for _ in range(3):  # the channel takes a message a second
        while await announcer.deliver_due():
            pass
        moment += timedelta(seconds=1)

    first, in_thread, other = shown.getvalue().strip().split("\n\n")
    assert first.startswith(f"[{SESSION}] · ") and "세션의 첫 메모" in first
    assert in_thread.startswith(f"_(in the thread {SESSION}:)_") and "스레드 안의 메모" in in_thread
    assert other.startswith("[다른 세션] · "), "another session starts its own thread"
    assert undelivered(bot.database) == 0


@pytest.mark.asyncio
async def test_the_console_marks_threads_edits_and_deletions_in_the_channels_language(
    bot: MemoBot,
) -> None:
    shown = io.StringIO()
    moment = datetime.now(UTC)
    announcer = Announcer(
        bot.database, {"console": ConsoleOutbound(shown)}, bot, clock=lambda: moment
    )
    chat = _console(bot)
    chat.say("alice", "language ko")
    chat.say("alice", f"add [{SESSION}] 세션의 첫 메모")
    chat.say("bob", f"add [{SESSION}] 스레드 안의 메모")
    for _ in range(3):  # the channel takes a message a second
        while await announcer.deliver_due():
            pass
        moment += timedelta(seconds=1)
    for change in ("edit 2 고친 메모", "delete 2"):
        chat.say("bob", change)
        for _ in range(2):
            while await announcer.deliver_due():
                pass
            moment += timedelta(seconds=1)

    _first, in_thread, edited, deleted = shown.getvalue().strip().split("\n\n")
    assert in_thread.startswith(f"_({SESSION} 스레드에:)_") and "스레드 안의 메모" in in_thread
    assert edited.startswith("_(console-2 글을 이렇게 고쳤어요:)_") and "고친 메모" in edited
    assert deleted == "_(console-2 글을 지웠어요.)_"
