"""PostgreSQL ends the bot's pooled connections (a restart, a proxy's idle timeout): the
next `/memo add` is stored, or, when the connection was in use a moment before, refused
with "nothing was saved" (true), and the one after it is stored.

Connections are pinged before use only after they sat idle (``PING_AFTER_IDLE_S``), not
on every command; these tests pin both sides of that choice.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import URL, create_engine, text

import storage.database
from bot.core import MemoBot
from bot.replies.values import ProblemCode
from storage.database import Database
from tests.chat import Chat
from tests.polling import wait_until


def _bot_on(url: URL) -> Iterator[MemoBot]:
    database = Database(url)
    bot = MemoBot(database, default_time_zone="UTC")
    yield bot
    bot.close()
    database.dispose()


@pytest.fixture
def postgres(database_url: URL) -> URL:
    if database_url.get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL's connections are ended from the server")
    return database_url


@pytest.fixture
def idle_bot(postgres: URL, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoBot]:
    """A bot whose pooled connections count as idle at once: each is pinged before use."""
    monkeypatch.setattr(storage.database, "PING_AFTER_IDLE_S", 0.0)
    yield from _bot_on(postgres)


@pytest.fixture
def busy_bot(postgres: URL, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoBot]:
    """A bot whose pooled connections were always in use a moment ago: never pinged."""
    monkeypatch.setattr(storage.database, "PING_AFTER_IDLE_S", 3600.0)
    yield from _bot_on(postgres)


def _end_connections(url: URL) -> None:
    """What a server restart does to the bot: every connection to its database is ended."""
    admin = create_engine(url)
    with admin.connect() as connection:
        others = "datname = :name AND pid <> pg_backend_pid()"
        connection.execute(
            text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {others}"),
            {"name": url.database},
        )

        def gone() -> bool:
            left = connection.execute(
                text(f"SELECT count(*) FROM pg_stat_activity WHERE {others}"),
                {"name": url.database},
            ).scalar_one()
            connection.rollback()  # the next look sees a fresh snapshot
            return left == 0

        wait_until(gone, "the server to end the bot's connections")
    admin.dispose()


def _one_memo_then_connections_ended(bot: MemoBot, url: URL) -> Chat:
    chat = Chat(bot)
    assert chat.say("alice", "add [키노트] 첫 메모").ok  # the pool holds a connection now
    _end_connections(url)
    return chat


def test_an_idle_connection_ended_by_the_server_is_replaced_before_the_next_add(
    idle_bot: MemoBot, postgres: URL
) -> None:
    chat = _one_memo_then_connections_ended(idle_bot, postgres)

    added = chat.say("alice", "add [키노트] 둘째 메모")

    assert added.ok, added.markdown
    shown = chat.say("alice", "show [키노트]").markdown
    assert "첫 메모" in shown and "둘째 메모" in shown


def test_a_connection_ended_right_after_use_refuses_one_add_that_saved_nothing(
    busy_bot: MemoBot, postgres: URL
) -> None:
    chat = _one_memo_then_connections_ended(busy_bot, postgres)

    lost = chat.say("alice", "add [키노트] 잃은 메모")
    again = chat.say("alice", "add [키노트] 다시 쓴 메모")

    assert getattr(lost.data, "code", None) is ProblemCode.INTERNAL_ERROR
    assert "nothing was saved" in lost.markdown
    assert again.ok, again.markdown
    assert "#2" in again.markdown, "the lost add took no number"
    shown = chat.say("alice", "show [키노트]").markdown
    assert "잃은 메모" not in shown and "다시 쓴 메모" in shown
