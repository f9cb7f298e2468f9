"""`/memo summary [Session]`: a session's key points, merged from everyone's memos.

Two steps, so a slow model never holds a database transaction open: ``gather``
reads the session and its memos inside a read transaction, and
``bot.summary.choosing`` chooses the points afterwards, outside any transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.declaration import (
    Command,
    CommandDeclaration,
    Core,
    OutsideTransactions,
    Usage,
)
from bot.commands.text import Rejected, title_argument
from bot.context import Context
from bot.i18n import N_
from bot.invocation import Invocation
from bot.replies.from_records import session_view
from bot.replies.values import Reply
from bot.sessions import RECENT_SESSION_OPTION, SessionId, session_to_read
from bot.summary.choosing import SummaryRequest, answer
from bot.summary.key_points import Note
from storage import memos as memo_store

USAGE = "/memo summary [Session title]"


@dataclass(frozen=True, slots=True)
class Summarize(Command):
    """The key points of a session, from everyone's memos."""

    #: None: the session the user was active in recently.
    session: str | SessionId | None


def summarize(core: Core, invocation: Invocation, command: Summarize) -> Reply:
    """Read what the summary needs, then choose its points after the transaction ended."""
    request = core.read(invocation, lambda ctx: gather(ctx, command))
    if isinstance(request, Reply):
        return request
    return answer(request, core.summaries)


def gather(ctx: Context, command: Summarize) -> SummaryRequest | Reply:
    """The session (picked, titled, or the one the user is in) and its live memos."""
    found = session_to_read(ctx, command.session, USAGE)
    if isinstance(found, Reply):
        return found
    notes = tuple(
        Note(memo.number, memo.author_name, memo.text)
        for memo in memo_store.live_notes(ctx.tx, found.session.id)
    )
    return SummaryRequest(found.session.id, session_view(ctx, found.session), notes)


def _parse(rest: str) -> Summarize | Rejected:
    title = title_argument(rest)
    return title if isinstance(title, Rejected) else Summarize(session=title)


SUMMARY = CommandDeclaration(
    "summary",
    Summarize,
    N_("The key points of a session, from all notes"),
    OutsideTransactions(summarize),
    lambda session=None: Summarize(session),
    options=(RECENT_SESSION_OPTION,),
    parse=_parse,
    usage=Usage(USAGE, N_("The key points of a session, merged from everyone's notes.")),
    slow=lambda command, core: core.summaries.calls_network,
)
