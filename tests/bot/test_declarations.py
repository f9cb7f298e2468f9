"""A command declared once is parsed, run, listed in help, counted as a write and
checked for who may run it, with nothing else to edit (``tests/toy_command.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.commands.declaration import Command
from bot.commands.registry import CommandRegistry
from bot.commands.standard import DECLARED
from bot.core import MemoBot
from bot.help import help_for_unknown
from bot.memos import AddMemo
from bot.replies.values import HelpShown, Problem, ProblemCode, SessionListing
from storage.database import Database
from tests.chat import Chat
from tests.toy_command import PING, WITH_PING, Ping

KAFKA = "Kafka 운영기"


@pytest.fixture
def ping_bot(database: Database) -> Iterator[MemoBot]:
    bot = MemoBot(database, commands=WITH_PING)
    yield bot
    bot.close()


def test_a_declared_command_runs_from_text_and_is_listed_in_help(ping_bot: MemoBot) -> None:
    chat = Chat(ping_bot, admins={"alice"})
    help_shown = chat.say("bob", "help")
    assert isinstance(help_shown.data, HelpShown)
    assert "`/memo ping [Session title]`" in help_shown.markdown
    assert "`/memo add [Session title] note`" in help_shown.markdown

    pinged = chat.say("alice", f"ping [{KAFKA}]")
    assert pinged.ok and pinged.markdown.startswith("Ping! You are down as attending")

    listing = chat.say("bob", "sessions")
    assert isinstance(listing.data, SessionListing)
    [session] = listing.data.sessions
    assert session.title == KAFKA and session.attendees == ("alice",)


def test_a_declared_write_is_a_write(ping_bot: MemoBot) -> None:
    """The core runs it in a writing transaction: committed before the subscribers hear,
    and a copy of the same request gets the first answer instead of running again."""
    chat = Chat(ping_bot, admins={"alice"})
    heard: list[Command] = []
    ping_bot.subscribe(heard.append)
    assert ping_bot.commands.changes_data(Ping(KAFKA))

    first = chat.say("alice", f"ping [{KAFKA}]", delivery_id="command:T1")
    again = chat.say("alice", f"ping [{KAFKA}]", delivery_id="command:T1")

    assert first.ok and not first.replayed
    assert again.replayed and again.markdown == first.markdown
    assert heard == [Ping(KAFKA)]


def test_who_may_run_it_is_checked_before_anything_is_written(ping_bot: MemoBot) -> None:
    chat = Chat(ping_bot, admins={"alice"})
    refused = chat.say("mallory", f"ping [{KAFKA}]")
    assert isinstance(refused.data, Problem) and refused.data.code is ProblemCode.NOT_ALLOWED
    assert "`/memo ping`" in refused.markdown
    listing = chat.say("mallory", "sessions")
    assert isinstance(listing.data, SessionListing) and listing.data.sessions == ()


@pytest.mark.asyncio
async def test_who_may_run_it_is_checked_on_the_event_loop_path_too(ping_bot: MemoBot) -> None:
    """``handle_async`` sends writes to the batch writer on SQLite; this one is checked."""
    chat = Chat(ping_bot, admins={"alice"})
    refused = await ping_bot.handle_async(chat.invocation("mallory", f"ping [{KAFKA}]"))
    assert isinstance(refused.data, Problem) and refused.data.code is ProblemCode.NOT_ALLOWED
    allowed = await ping_bot.handle_async(chat.invocation("alice", f"ping [{KAFKA}]"))
    assert allowed.ok, allowed.markdown


def test_its_options_builder_refuses_like_its_text(ping_bot: MemoBot) -> None:
    chat = Chat(ping_bot, admins={"alice"})
    typed = chat.say("alice", "ping")
    built = PING.build(session=None)
    assert isinstance(typed.data, Problem) and typed.data.code is ProblemCode.MISSING_TITLE
    assert not isinstance(built, Command) and built.code is ProblemCode.MISSING_TITLE
    assert chat.run("alice", Ping(f"  {KAFKA}\u202e ")).ok  # built commands are cleaned too


def test_a_command_that_is_not_declared_is_unknown(bot: MemoBot) -> None:
    reply = Chat(bot, admins={"alice"}).say("alice", f"ping [{KAFKA}]")
    assert isinstance(reply.data, HelpShown) and reply.data.unknown == "ping"
    assert not any(line.usage.startswith("/memo ping") for line in reply.data.commands)


def test_two_declarations_of_one_word_or_type_are_refused() -> None:
    with pytest.raises(ValueError, match="/memo ping"):
        CommandRegistry((*DECLARED, PING, PING), unknown=help_for_unknown)
    add_again = replace(PING, name="pong", command_type=AddMemo)
    with pytest.raises(ValueError, match="AddMemo"):
        CommandRegistry((*DECLARED, add_again), unknown=help_for_unknown)
