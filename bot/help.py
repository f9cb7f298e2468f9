"""Handlers that need no database: help, and the subcommands reserved for later features."""

from __future__ import annotations

from bot import grammar, render
from bot.reply import CommandHelp, HelpShown, ProblemCode, Reply, Visibility, refuse


def show_help(command: grammar.ShowHelp) -> Reply:
    data = HelpShown(
        commands=tuple(CommandHelp(spec.usage, spec.summary) for spec in grammar.COMMANDS),
        reserved=grammar.RESERVED,
        unknown=command.unknown,
    )
    return Reply(render.help_shown(data), Visibility.PRIVATE, data)


def not_available_yet(command: grammar.Reserved) -> Reply:
    return refuse(
        ProblemCode.NOT_AVAILABLE_YET,
        f"`/memo {command.name}` is not available yet; it is coming in a later release. "
        "`/memo help` lists what works today.",
    )
