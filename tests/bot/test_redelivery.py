"""A request the platform delivers again is done once and answered as the first time.

Slack sends a Socket Mode envelope again when it saw no acknowledgement (the same
payload: the same trigger or view id), a proxy may retry a request, and a Discord
interaction reaches every bot process connected to its shard. The copy may come
right after the first, after the person changed something else, or at the same
moment as the first, in the same process or another one.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.commands.declaration import Command
from bot.core import MemoBot
from bot.invocation import Invocation
from bot.memos import AddMemo
from bot.notefiles.reading import ImportPosts
from bot.replies.values import Reply, SessionListing
from storage import deliveries
from storage.database import Database
from storage.models import (
    Attendance,
    Conference,
    ConferenceSession,
    DigestSetting,
    ImportedMemo,
    Memo,
    MemoRevision,
    NotePost,
)
from tests.chat import Chat

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
KAFKA = "Kafka 없이 만든 이벤트 파이프라인"
NOTES = (Path(__file__).parent.parent / "samples" / "blog-notes.txt").read_bytes()


@dataclass(frozen=True)
class Retried:
    """A writing command, what happened before it, and a later change by the same person."""

    name: str
    before: tuple[str, ...]
    command: str | Command
    later: str | Command

    def __str__(self) -> str:
        return self.name


SCENARIOS = [
    Retried("add", (), f"add [{ENVOY}] 캐시를 두 단계로", f"add [{ENVOY}] 다음 메모"),
    Retried("edit", (f"add [{ENVOY}] 처음 메모",), "edit 1 고친 메모", "edit 1 또 고친 메모"),
    Retried("delete", (f"add [{ENVOY}] 지울 메모",), "delete 1", "undo"),
    Retried(
        "undo",
        (f"add [{ENVOY}] 하나", f"add [{ENVOY}] 둘", "delete 1", "delete 2"),
        "undo",
        f"add [{ENVOY}] 셋",
    ),
    Retried("attend", (), f"attend [{ENVOY}]", f"attend [{KAFKA}]"),
    Retried("conference", (), "conference DEVRIVER 2025 Asia/Seoul", "conference KubeCon 2025 UTC"),
    Retried("digest at", (), "digest at 18:30", "digest at 19:00"),
    Retried("digest days", ("digest at 18:30",), "digest days mon-fri", "digest days all"),
    Retried("digest off", ("digest at 18:30",), "digest off", "digest at 19:00"),
    Retried("import", (), ImportPosts("notes.txt", NOTES), "delete 1"),
]
#: The commands that go through SQLite's batch writer (an import has a transaction of its own).
BATCHED = [scenario for scenario in SCENARIOS if not isinstance(scenario.command, ImportPosts)]
#: Every table a writing command adds rows to.
STORED = (
    Memo,
    MemoRevision,
    Attendance,
    Conference,
    ConferenceSession,
    DigestSetting,
    NotePost,
    ImportedMemo,
)


def _send(chat: Chat, command: str | Command, delivery_id: str | None = None) -> Reply:
    if isinstance(command, str):
        return chat.say("alice", command, delivery_id=delivery_id)
    return chat.run("alice", command, delivery_id=delivery_id)


def _invocation(chat: Chat, command: str | Command, delivery_id: str) -> Invocation:
    return chat.invocation(
        "alice", command if isinstance(command, str) else "", delivery_id=delivery_id
    )


def _prepare(chat: Chat, scenario: Retried) -> None:
    for text in scenario.before:
        assert chat.say("alice", text).ok, text


def _seen(chat: Chat) -> list[str]:
    """What anyone in the channel can look up: the sessions with who went and how many memos,
    every session's memos, the conference and the digest setting."""
    listing = chat.say("reader", "sessions all")
    assert isinstance(listing.data, SessionListing)
    pages = [
        listing.markdown,
        chat.say("reader", "conference").markdown,
        chat.say("reader", "digest").markdown,
    ]
    for session in listing.data.sessions:
        pages.append(chat.say("reader", f"show [{session.title}]").markdown)
    return pages


def _stored(database: Database) -> dict[str, int]:
    with database.reading() as tx:
        return {
            model.__tablename__: tx.execute(select(func.count()).select_from(model)).scalar_one()
            for model in STORED
        }


def _assert_same_answer(again: Reply, first: Reply) -> None:
    assert first.ok, first.markdown
    assert (again.markdown, again.visibility) == (first.markdown, first.visibility)


@pytest.mark.parametrize("after_a_change", [False, True], ids=["right-after", "after-a-change"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_a_redelivered_command_is_answered_as_before_and_changes_nothing(
    chat: Chat, database: Database, scenario: Retried, after_a_change: bool
) -> None:
    """The copy comes right after the first, or after the person changed something since,
    which it must not undo."""
    _prepare(chat, scenario)
    first = _send(chat, scenario.command, "command:trigger-1")
    if after_a_change:
        assert _send(chat, scenario.later, "command:trigger-2").ok
    seen, stored = _seen(chat), _stored(database)

    again = _send(chat, scenario.command, "command:trigger-1")

    _assert_same_answer(again, first)
    assert again.replayed
    assert _seen(chat) == seen
    assert _stored(database) == stored


def test_a_refused_request_is_done_when_sent_again_corrected_under_the_same_id(
    chat: Chat,
) -> None:
    """A Slack form refused with field errors keeps its view id when it is sent again fixed."""
    refused = chat.run("alice", AddMemo(session=ENVOY, text="  "), delivery_id="view:V1")
    assert not refused.ok

    saved = chat.run("alice", AddMemo(session=ENVOY, text="고쳐서 저장"), delivery_id="view:V1")

    assert saved.ok, saved.markdown
    assert "고쳐서 저장" in chat.say("reader", f"show [{ENVOY}]").markdown


def test_a_delivery_is_answered_again_for_a_day_and_then_forgotten(
    chat: Chat, database: Database
) -> None:
    add = f"add [{ENVOY}] 하루 동안"
    assert chat.say("alice", add, delivery_id="command:old").ok
    now = datetime.now(UTC)  # deliveries are dated by the database's clock
    assert deliveries.forget_old(database.write, now + timedelta(hours=23)) == 0
    assert chat.say("alice", add, delivery_id="command:old").replayed

    assert deliveries.forget_old(database.write, now + timedelta(hours=25)) == 1
    later = chat.say("alice", add, delivery_id="command:old")

    assert later.ok and not later.replayed, "after a day, the same id is a new request"
    assert "#2" in later.markdown


def test_the_same_delivery_id_in_another_channel_is_another_request(chat: Chat) -> None:
    other = chat.elsewhere(channel="C2")
    for place in (chat, other):
        for text in (f"add [{ENVOY}] 메모", "delete 1"):
            assert place.say("alice", text).ok
    assert chat.say("alice", "undo", delivery_id="command:same").ok

    restored = other.say("alice", "undo", delivery_id="command:same")

    assert restored.ok and "Restored #1" in restored.markdown
    assert "#1" in other.say("reader", f"show [{ENVOY}]").markdown


@dataclass
class Twins:
    """Two channels prepared alike on one clock: the command goes once to ``alone``, and
    whatever the test does to ``chat`` must leave it looking the same."""

    chat: Chat
    alone: Chat
    database: Database
    expected: Reply
    stored_by_one: dict[str, int]
    stored_before: dict[str, int]

    @classmethod
    def of(cls, bot: MemoBot, database: Database, scenario: Retried) -> Twins:
        chat, alone = Chat(bot), Chat(bot, channel="C-alone")
        _prepare(chat, scenario)
        _prepare(alone, scenario)
        before = _stored(database)
        expected = _send(alone, scenario.command, "command:alone")
        after = _stored(database)
        added = {table: after[table] - before[table] for table in after}
        return cls(chat, alone, database, expected, added, after)

    def assert_done_once(self, first: Reply, second: Reply) -> None:
        _assert_same_answer(second, first)
        assert first.markdown == self.expected.markdown
        after = _stored(self.database)
        added = {table: after[table] - self.stored_before[table] for table in after}
        assert added == self.stored_by_one
        assert _seen(self.chat) == _seen(self.alone)


@contextmanager
def _writer_held(database: Database) -> Iterator[None]:
    """SQLite's batch writer busy until the block ends: what is queued meanwhile is one batch."""
    running, release = threading.Event(), threading.Event()

    def hold(_tx: object) -> None:
        running.set()
        release.wait(10)

    held = database.submit_write(hold)
    assert running.wait(10)
    try:
        yield
    finally:
        release.set()
        held.result(10)


@pytest.mark.asyncio
@pytest.mark.parametrize("scenario", BATCHED, ids=str)
async def test_two_copies_committed_in_one_sqlite_batch_are_done_once(
    bot: MemoBot, database: Database, scenario: Retried
) -> None:
    if not database.batches_writes:
        pytest.skip("only SQLite commits writes in batches")
    twins = Twins.of(bot, database, scenario)
    invocation = _invocation(twins.chat, scenario.command, "command:trigger-1")

    with _writer_held(database):
        copies = [asyncio.create_task(bot.handle_async(invocation)) for _ in range(2)]
        # One turn of the loop runs each task to its first await: the batch writer's answer.
        await asyncio.sleep(0)
    first, second = await asyncio.gather(*copies)

    twins.assert_done_once(first, second)


@pytest.mark.parametrize(
    "change",
    ["conference DEVRIVER 2025 Asia/Seoul", ImportPosts("notes.txt", NOTES)],
    ids=["conference", "import"],
)
def test_a_process_answering_a_copy_sees_the_conference_the_other_process_set(
    bot: MemoBot, database: Database, change: str | Command
) -> None:
    """The copy tells this process the request changed something: what it remembers of the
    channel's conference may be stale, so a memo right after goes to the new conference."""
    other_database = Database(database.url)
    other = MemoBot(other_database)
    here, there = Chat(bot), Chat(other)
    try:
        assert here.say("alice", f"add [{ENVOY}] 이름 없는 학회에서").ok  # remembered here
        assert _send(there, change, "interaction:1").ok
        assert _send(here, change, "interaction:1").replayed

        added = here.say("alice", "add [바로 다음 세션] 바로 다음 메모")
    finally:
        other.close()
        other_database.dispose()

    assert added.ok, added.markdown
    listing = here.say("reader", "sessions all").markdown
    assert "DEVRIVER 2025" in listing.splitlines()[0]
    assert "바로 다음 세션" in listing, "the memo went to the conference before the change"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_two_bot_processes_given_the_same_delivery_at_once_do_it_once(
    bot: MemoBot, database: Database, scenario: Retried
) -> None:
    """Two processes, each with its own engine, as on one PostgreSQL behind one Discord shard."""
    twins = Twins.of(bot, database, scenario)
    invocation = _invocation(twins.chat, scenario.command, "interaction:1")
    other_database = Database(database.url)
    other = MemoBot(other_database)
    start = threading.Barrier(2)

    def deliver(to: MemoBot) -> Reply:
        start.wait(10)
        if isinstance(scenario.command, str):
            return to.handle(invocation)
        return to.execute(invocation, scenario.command)

    try:
        with ThreadPoolExecutor(2) as pool:
            first, second = pool.map(deliver, (bot, other))
    finally:
        other.close()
        other_database.dispose()

    twins.assert_done_once(first, second)
