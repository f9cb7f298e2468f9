"""The handler that needs no database: help."""

from __future__ import annotations

from bot import grammar
from bot.replies import render
from bot.replies.values import CommandHelp, HelpShown, Reply, Visibility


def show_help(command: grammar.ShowHelp) -> Reply:
    data = HelpShown(
        commands=tuple(CommandHelp(spec.usage, spec.summary) for spec in grammar.COMMANDS),
        unknown=command.unknown,
    )
    return Reply(render.help_shown(data), Visibility.PRIVATE, data)
