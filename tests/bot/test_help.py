"""Help and unknown subcommands."""

from __future__ import annotations

import pytest

from bot.replies.values import HelpShown, Visibility
from tests.chat import Chat

SUBCOMMANDS = (
    "add",
    "attend",
    "sessions",
    "show",
    "edit",
    "delete",
    "undo",
    "conference",
    "search",
    "import",
    "export",
    "help",
)


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
