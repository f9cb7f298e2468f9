"""`/memo help`, and what empty text or an unknown first word gets: the list of commands."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.declaration import Command, CommandDeclaration, Core, OutsideTransactions, Usage
from bot.i18n import N_
from bot.invocation import Invocation
from bot.replies import render
from bot.replies.values import HelpShown, Reply, Visibility


@dataclass(frozen=True, slots=True)
class ShowHelp(Command):
    unknown: str | None = None


def show_help(core: Core, invocation: Invocation, command: ShowHelp) -> Reply:
    """Needs no database: the list comes from the declarations."""
    data = HelpShown(commands=core.help_lines(), unknown=command.unknown)
    return Reply(render.help_shown(data), Visibility.PRIVATE, data)


def help_for_unknown(word: str | None) -> ShowHelp:
    """What empty text (None) or a word that is no command runs."""
    return ShowHelp(unknown=word)


HELP = CommandDeclaration(
    "help",
    ShowHelp,
    N_("What /memo can do"),
    OutsideTransactions(show_help),
    ShowHelp,
    parse=lambda rest: ShowHelp(),
    usage=Usage("/memo help", N_("This list.")),
)
