"""The commands memo-bot offers, in the order `/memo help` lists them.

Adding a command: declare it next to its handler and list it here; the text
grammar, dispatch, help, the write set and Discord's app command follow.
"""

from __future__ import annotations

from bot import conference_list, conferences, help, memos, search, sessions, threads
from bot.agenda import commands as agenda
from bot.commands.registry import CommandRegistry
from bot.digest import commands as digest
from bot.notefiles import exporting, importing
from bot.summary import commands as summary

DECLARED = (
    memos.ADD,
    sessions.ATTEND,
    sessions.SESSIONS,
    sessions.SHOW,
    summary.SUMMARY,
    memos.EDIT,
    memos.DELETE,
    memos.UNDO,
    conferences.CONFERENCE,
    conference_list.CONFERENCES,
    agenda.AGENDA,
    digest.DIGEST,
    threads.THREADS,
    search.SEARCH,
    exporting.EXPORT,
    importing.IMPORT,
    help.HELP,
)

COMMANDS = CommandRegistry(DECLARED, unknown=help.help_for_unknown)

#: What follows `/memo`, cleaned already, to one of these commands (or a refusal).
parse = COMMANDS.parse
