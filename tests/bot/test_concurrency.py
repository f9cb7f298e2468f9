"""Many people adding at once: nothing lost, no duplicate ids, one session per title;
and the asyncio entry point keeps the event loop free while the database is busy."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text

from bot.core import MemoBot
from bot.replies.values import MemoSaved, SessionListing
from storage.database import Database
from tests.chat import Chat


def test_concurrent_adds_keep_every_memo_with_unique_ids(bot: MemoBot) -> None:
    """Eight workers at once, as eight bot processes would, all writing to a new session."""
    chats = [Chat(bot, workspace="T1", channel="C1") for _ in range(8)]

    def write(worker: int) -> list[int]:
        numbers = []
        for index in range(15):
            reply = chats[worker].say(
                f"user{worker}", f"add [동시 세션] worker {worker} note {index}"
            )
            assert isinstance(reply.data, MemoSaved), reply.markdown
            numbers.append(reply.data.memo.number)
        return numbers

    with ThreadPoolExecutor(8) as pool:
        numbers = [number for batch in pool.map(write, range(8)) for number in batch]

    assert sorted(numbers) == list(range(1, 121))
    listing = Chat(bot).say("reader", "sessions all").data
    assert isinstance(listing, SessionListing)
    assert [(s.title, s.memo_count, len(s.attendees)) for s in listing.sessions] == [
        ("동시 세션", 120, 8)
    ]


@contextmanager
def _database_locked(database: Database) -> Iterator[None]:
    """Another connection holds the lock a memo add needs, until the block ends."""
    if database.dialect == "sqlite":
        assert database.url.database is not None
        connection = sqlite3.connect(database.url.database, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("COMMIT")
            connection.close()
        return
    engine = create_engine(database.url)
    with engine.connect() as connection:
        connection.execute(text("SELECT id FROM channels FOR UPDATE"))
        yield
        connection.rollback()
    engine.dispose()


@pytest.mark.asyncio
async def test_handle_async_leaves_the_event_loop_free_while_the_database_is_busy(
    bot: MemoBot, database: Database
) -> None:
    chat = Chat(bot)
    chat.say("alice", "add [세션] first")  # the channel exists, so its row can be locked

    with _database_locked(database):
        pending = asyncio.create_task(bot.handle_async(chat.invocation("bob", "add [세션] second")))
        loop_turns = 0
        deadline = time.monotonic() + 5
        while loop_turns < 200 and time.monotonic() < deadline:
            await asyncio.sleep(0)
            loop_turns += 1
        assert loop_turns == 200, "the event loop stalled"
        assert not pending.done(), "the add finished although the database was locked"

    reply = await asyncio.wait_for(pending, timeout=30)
    assert isinstance(reply.data, MemoSaved) and reply.data.memo.number == 2


@pytest.mark.asyncio
async def test_refused_adds_committed_alongside_good_ones_change_nothing(bot: MemoBot) -> None:
    """On SQLite concurrent writes share a transaction; a refusal must undo only itself."""
    chat = Chat(bot)
    texts = []
    for index in range(40):
        texts.append(f"add [묶음 세션] 좋은 메모 {index}")
        texts.append("add [묶음 세션]" if index % 2 else "edit 999 없는 메모")
    replies = await asyncio.gather(
        *(bot.handle_async(chat.invocation(f"user{n % 7}", text)) for n, text in enumerate(texts))
    )

    assert [reply.ok for reply in replies] == [True, False] * 40
    numbers = sorted(reply.data.memo.number for reply in replies if reply.ok)  # type: ignore[union-attr]
    assert numbers == list(range(1, 41))
    listing = chat.say("reader", "sessions all").data
    assert isinstance(listing, SessionListing)
    assert [(s.title, s.memo_count) for s in listing.sessions] == [("묶음 세션", 40)]


def test_a_refused_first_command_leaves_nothing_behind(bot: MemoBot) -> None:
    """Rows created before a refusal are rolled back and not remembered as existing."""
    chat = Chat(bot, workspace="TNEW", channel="CNEW")
    assert not chat.say(
        "first", "add [첫 세션]"
    ).ok  # creates workspace, channel, member, then refuses
    assert not chat.say("first", "conference X Mars/Nowhere").ok
    assert chat.say("first", "add [첫 세션] 이제 저장").ok
    assert chat.say("first", "conference DEVRIVER 2025 Asia/Seoul").ok
    assert chat.say("first", "add [둘째 세션] 새 학회에").ok
    listing = chat.say("reader", "sessions all").data
    assert isinstance(listing, SessionListing)
    assert listing.conference.name == "DEVRIVER 2025"
    assert [s.title for s in listing.sessions] == ["첫 세션", "둘째 세션"]
