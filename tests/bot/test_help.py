"""Help, unknown subcommands and the subcommands reserved for later features."""

from __future__ import annotations

import pytest

from bot.reply import HelpShown, ProblemCode, Visibility
from tests.chat import Chat

SUBCOMMANDS = ("add", "attend", "sessions", "show", "edit", "delete", "undo", "conference", "help")


@pytest.mark.parametrize("text", ["help", ""])
def test_help_lists_every_subcommand_privately(chat: Chat, text: str) -> None:
    reply = chat.say("alice", text)
    assert isinstance(reply.data, HelpShown)
    assert reply.visibility is Visibility.PRIVATE
    for name in SUBCOMMANDS:
        assert f"`/memo {name}" in reply.markdown


def test_an_unknown_subcommand_names_it_and_shows_help(chat: Chat) -> None:
    reply = chat.say("bob", "frobnicate")
    assert isinstance(reply.data, HelpShown) and reply.data.unknown == "frobnicate"
    assert "no `/memo frobnicate` command" in reply.markdown
    assert "`/memo add" in reply.markdown


@pytest.mark.parametrize("name", ["export"])
def test_reserved_subcommands_say_they_are_not_available_yet(chat: Chat, name: str) -> None:
    reply = chat.say("alice", f"{name} [아무도 안 들은 세션]")
    assert reply.data.code is ProblemCode.NOT_AVAILABLE_YET  # type: ignore[union-attr]
    assert "not available yet" in reply.markdown
    assert "Traceback" not in reply.markdown
