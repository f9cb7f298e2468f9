"""Two bot processes on one database (two ``MemoBot``s, each with its own engine): what one
writes, the other's very next command sees, whatever it remembers of the rows (``bot.known``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.core import MemoBot
from storage.database import Database
from storage.models import Attendance, Member
from tests.chat import Chat


@pytest.fixture
def other(database: Database) -> Iterator[MemoBot]:
    """A second process's core: its own engine and its own remembered rows."""
    other_database = Database(database.url)
    other = MemoBot(other_database, default_time_zone="UTC")
    yield other
    other.close()
    other_database.dispose()


def _in_step(here: Chat, there: Chat) -> None:
    """One clock for both processes: whichever spoke last, the next message comes later."""
    here.now = there.now = max(here.now, there.now)


def test_a_conference_switched_by_the_other_process_takes_the_next_memo(
    bot: MemoBot, other: MemoBot
) -> None:
    here, there = Chat(bot), Chat(other)
    assert here.say("alice", "conference DEVRIVER 2025 UTC").ok
    assert here.say("alice", "add [첫 세션] 첫 메모").ok  # this process knows the conference now
    _in_step(here, there)
    assert there.say("bob", "conference PyCon KR UTC").ok
    _in_step(here, there)

    added = here.say("alice", "add [둘째 세션] 둘째 메모")

    assert added.ok, added.markdown
    assert "PyCon KR" in here.say("reader", "conference").markdown
    listing = here.say("reader", "sessions").markdown
    assert "둘째 세션" in listing and "첫 세션" not in listing, listing


def test_a_member_renamed_back_on_this_process_after_the_other_renamed_them_keeps_the_name(
    bot: MemoBot, other: MemoBot, database: Database
) -> None:
    """Alice is "Alice" here, becomes "Alicia" there, then "Alice" again here: the name
    this process remembers is the one it is told, but the database's changed meanwhile."""
    here, there = Chat(bot), Chat(other)

    def add_as(chat: Chat, name: str) -> None:
        invocation = dataclasses.replace(
            chat.invocation("alice", "add [세션] 메모"), display_name=name
        )
        assert chat.bot.handle(invocation).ok

    add_as(here, "Alice")
    _in_step(here, there)
    add_as(there, "Alicia")
    _in_step(here, there)
    add_as(here, "Alice")

    with database.engine.connect() as connection:
        names = connection.execute(select(Member.display_name)).scalars().all()
    assert names == ["Alice"]


def test_a_session_the_other_process_created_takes_this_process_s_memo_with_that_title(
    bot: MemoBot, other: MemoBot
) -> None:
    here, there = Chat(bot), Chat(other)
    assert here.say("alice", "add [키노트] 여기서 먼저").ok
    _in_step(here, there)
    assert there.say("bob", "add [Rust 비동기] 저기서 만든 세션").ok
    _in_step(here, there)

    added = here.say("alice", "add [rust 비동기] 여기서 이어서")

    assert added.ok, added.markdown
    listing = here.say("reader", "sessions").markdown
    assert listing.count("ust 비동기") == 1, listing
    shown = here.say("reader", "show [Rust 비동기]").markdown
    assert "저기서 만든 세션" in shown and "여기서 이어서" in shown, shown


def test_a_memo_here_in_a_session_attended_there_keeps_the_one_attendance(
    bot: MemoBot, other: MemoBot, database: Database
) -> None:
    """This process does not know Bob attends: its add records the attendance with the memo,
    and the one the other process stored first stays as it was."""
    here, there = Chat(bot), Chat(other)
    assert here.say("alice", "add [키노트] 세션을 만든 메모").ok
    _in_step(here, there)
    assert there.say("bob", "attend [키노트]").ok
    _in_step(here, there)

    added = here.say("bob", "add [키노트] 밥의 메모")
    without_title = here.say("bob", "add 제목 없이 이어서")

    assert added.ok and without_title.ok, (added.markdown, without_title.markdown)
    with database.engine.connect() as connection:
        bobs = connection.execute(
            select(Attendance.via).join(Member).where(Member.external_id == "U-bob")
        ).all()
    assert [row.via for row in bobs] == ["explicit"]
    shown = here.say("reader", "show [키노트]").markdown
    assert "밥의 메모" in shown and "제목 없이 이어서" in shown, shown


def test_a_title_known_here_in_the_old_conference_starts_a_session_in_the_one_switched_to_there(
    bot: MemoBot, other: MemoBot
) -> None:
    """This process remembers [Keynote] of DEVRIVER; the other switches the channel to PyCon
    KR: the next [Keynote] memo here starts PyCon KR's keynote and names DEVRIVER's."""
    here, there = Chat(bot), Chat(other)
    assert here.say("alice", "conference DEVRIVER 2025 UTC").ok
    assert here.say("alice", "add [Keynote] 작년 키노트").ok
    _in_step(here, there)
    assert there.say("bob", "conference PyCon KR UTC").ok
    _in_step(here, there)

    added = here.say("alice", "add [Keynote] 올해 키노트")

    assert added.ok, added.markdown
    assert "DEVRIVER 2025" in added.markdown, added.markdown  # where the other keynote is
    shown = here.say("reader", "show [Keynote]").markdown
    assert "올해 키노트" in shown and "작년 키노트" not in shown, shown
