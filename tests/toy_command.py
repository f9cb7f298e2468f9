"""A command that exists only in tests, declared the way a real one is: `/memo ping
[Session title]`, which an admin uses to call a session's attendees together.

It is declared here and nowhere else, so the tests that add it to a registry show
what is derived from a declaration: the text grammar, dispatch, `/memo help`, the
write set, who may run it, and Discord's sub-command.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.declaration import Access, Command, CommandDeclaration, InTransaction, Usage
from bot.commands.registry import CommandRegistry
from bot.commands.standard import DECLARED
from bot.commands.text import Rejected, title_argument
from bot.context import Context
from bot.help import help_for_unknown
from bot.replies.from_records import session_view
from bot.replies.render import attendance_recorded
from bot.replies.values import AttendanceRecorded, Reply, Visibility
from bot.sessions import SESSION_OPTION, SessionId, attend_from_options, session_to_write


@dataclass(frozen=True, slots=True)
class Ping(Command):
    session: str | SessionId


def ping(ctx: Context, command: Ping) -> Reply:
    """Down as attending (a write), and a public call to the session's people."""
    found = session_to_write(ctx, command.session)
    if isinstance(found, Reply):
        return found
    ctx.attend(found.session.id, "ping")
    data = AttendanceRecorded(session_view(ctx, found.session), found.typed_title, False)
    return Reply(f"Ping! {attendance_recorded(data)}", Visibility.PUBLIC, data)


def ping_from_options(session: str | SessionId | Rejected | None) -> Ping | Rejected:
    attend = attend_from_options(session)  # the same "which session?" refusal
    return attend if isinstance(attend, Rejected) else Ping(attend.session)


PING = CommandDeclaration(
    "ping",
    Ping,
    "Call a session's attendees together",
    InTransaction(ping),
    ping_from_options,
    options=(SESSION_OPTION,),
    parse=lambda rest: ping_from_options(title_argument(rest)),
    usage=Usage("/memo ping [Session title]", "Call a session's attendees together."),
    writes=True,
    access=Access.ADMINS,
)

#: The standard commands and `/memo ping`.
WITH_PING = CommandRegistry((*DECLARED, PING), unknown=help_for_unknown)
