"""Handlers for memos: add, edit, delete and undo."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.declaration import (
    Command,
    CommandDeclaration,
    InTransaction,
    Option,
    OptionKind,
    Usage,
)
from bot.commands.text import Rejected, parse_memo_number, split_bracketed_title
from bot.context import Context
from bot.replies import render
from bot.replies.from_records import memo_view, session_ref
from bot.replies.values import MemoChanged, MemoSaved, ProblemCode, Reply, Visibility, refuse
from bot.sessions import Found, SessionId, recent_session, session_to_write
from storage import channels as channel_store
from storage import memos as memo_store
from storage import outbox as outbox_store
from storage import sessions as session_store
from storage import threads as thread_store
from storage.outbox import PostKind
from storage.records import MemoRecord

#: Longest memo, in characters (Slack's modal input allows 3,000, Discord's 4,000).
MAX_MEMO_LENGTH = 4_000
#: The largest memo number the options take (the grammar's nine digits).
MAX_MEMO_NUMBER = 999_999_999


@dataclass(frozen=True, slots=True)
class AddMemo(Command):
    #: The typed title, a picked session, or None: the session the user was active in recently.
    session: str | SessionId | None
    text: str
    #: Link to the chat message the memo came from (a "Save as memo" shortcut).
    source_url: str | None = None


@dataclass(frozen=True, slots=True)
class EditMemo(Command):
    number: int
    text: str


@dataclass(frozen=True, slots=True)
class DeleteMemo(Command):
    number: int


@dataclass(frozen=True, slots=True)
class UndoDelete(Command):
    pass


def check_text(text: str, usage: str) -> str | Reply:
    """The memo text, or a refusal when it is empty or too long."""
    if not text.strip():
        return refuse(
            ProblemCode.EMPTY_TEXT,
            f"The memo is empty. Write it after the title: `{usage}`. Nothing was saved.",
            "text",
        )
    if len(text) > MAX_MEMO_LENGTH:
        return refuse(
            ProblemCode.TEXT_TOO_LONG,
            f"Memos can be at most {MAX_MEMO_LENGTH:,} characters; this one has {len(text):,}. "
            "Nothing was saved: split it into shorter memos.",
            "text",
        )
    return text


def add(ctx: Context, command: AddMemo) -> Reply:
    text = check_text(command.text, "/memo add [Session title] note")
    if isinstance(text, Reply):
        return text
    channel = ctx.writable_channel()
    member = ctx.member()
    if command.session is not None:
        target = session_to_write(ctx, command.session)
    else:
        recent = recent_session(ctx)
        target = Found(recent, None) if recent is not None else _no_recent_session()
    if isinstance(target, Reply):
        return target
    memo = memo_store.add_memo(
        ctx.tx,
        channel_id=channel.id,
        number=channel_store.take_memo_number(ctx.tx, channel.id),
        session_id=target.session.id,
        author=member,
        text=text,
        now=ctx.now,
        source_url=command.source_url,
    )
    # In the memo's own transaction: the channel's announcement is stored with the memo, and
    # a delivery worker (``bot.announcing``) posts it after the commit, off the ack path.
    outbox_store.queue(ctx.tx, channel.id, memo.id, PostKind.ANNOUNCE, ctx.now)
    ctx.attend(target.session.id, "memo")
    return _saved_reply(ctx, memo, target, from_recent=command.session is None)


def _no_recent_session() -> Reply:
    return refuse(
        ProblemCode.NO_RECENT_SESSION,
        "Which session is this for? Put its title first: `/memo add [Session title] note`. "
        "Without a title, a memo goes to the session you wrote to or attended in the last "
        "3 hours, and you have none.",
        "title",
    )


def _saved_reply(ctx: Context, memo: MemoRecord, found: Found, *, from_recent: bool) -> Reply:
    data = MemoSaved(
        memo=memo_view(memo, found.session.title, ctx.zone()),
        session=session_ref(ctx, found.session),
        typed_title=found.typed_title,
        from_recent_session=from_recent,
        same_title_elsewhere=found.same_title_elsewhere,
        thread_link=thread_store.link(ctx.tx, memo.channel_id, found.session.id),
    )
    # Private: the channel learns of the memo from its announcement (the outbox).
    return Reply(render.memo_saved(data), Visibility.PRIVATE, data)


def _editable_memo(ctx: Context, number: int, verb: str) -> MemoRecord | Reply:
    """The memo if it exists here, is not deleted, and the user may change it."""
    memo = memo_store.find_memo(ctx.tx, ctx.writable_channel().id, number)
    if memo is None:
        return refuse(
            ProblemCode.NO_SUCH_MEMO,
            f"There is no memo #{number} in this channel.",
            "memo_id",
        )
    if memo.deleted_at is not None:
        return refuse(
            ProblemCode.MEMO_DELETED,
            f"Memo #{number} is deleted. `/memo undo` restores the memo you deleted last.",
            "memo_id",
        )
    if memo.author_id != ctx.member().id and not ctx.invocation.is_admin:
        return refuse(
            ProblemCode.NOT_ALLOWED,
            f"Only the author of #{number} or a workspace admin can {verb} it.",
            "memo_id",
        )
    return memo


def _changed_reply(ctx: Context, memo: MemoRecord, action: str) -> Reply:
    title = session_store.get_session(ctx.tx, memo.session_id).title
    data = MemoChanged(action, memo_view(memo, title, ctx.zone()))
    return Reply(render.memo_changed(data), Visibility.PRIVATE, data)


def edit(ctx: Context, command: EditMemo) -> Reply:
    text = check_text(command.text, f"/memo edit {command.number} corrected note")
    if isinstance(text, Reply):
        return text
    memo = _editable_memo(ctx, command.number, "edit")
    if isinstance(memo, Reply):
        return memo
    if memo.text != text:
        memo = memo_store.edit_memo(ctx.tx, memo, text, ctx.member().id, ctx.now)
        outbox_store.queue(ctx.tx, memo.channel_id, memo.id, PostKind.UPDATE, ctx.now)
    return _changed_reply(ctx, memo, "edited")


def delete(ctx: Context, command: DeleteMemo) -> Reply:
    memo = _editable_memo(ctx, command.number, "delete")
    if isinstance(memo, Reply):
        return memo
    memo = memo_store.delete_memo(ctx.tx, memo, ctx.member().id, ctx.now)
    outbox_store.queue(ctx.tx, memo.channel_id, memo.id, PostKind.REMOVE, ctx.now)
    return _changed_reply(ctx, memo, "deleted")


def undo(ctx: Context, command: UndoDelete) -> Reply:
    memo = memo_store.last_deleted_by(ctx.tx, ctx.writable_channel().id, ctx.member().id)
    if memo is None:
        return refuse(
            ProblemCode.NOTHING_TO_UNDO,
            "You have not deleted any memo in this channel, so there is nothing to restore.",
        )
    memo = memo_store.restore_memo(ctx.tx, memo)
    outbox_store.queue(ctx.tx, memo.channel_id, memo.id, PostKind.RESTORE, ctx.now)
    return _changed_reply(ctx, memo, "restored")


# ---------------------------------------------------------------- grammar


def _parse_add(rest: str) -> AddMemo | Rejected:
    split = split_bracketed_title(rest)
    if isinstance(split, Rejected):
        return split
    title, text = split
    return AddMemo(session=title, text=text.rstrip())


def add_from_options(
    session: str | SessionId | None = None, text: str | None = None, source_url: str | None = None
) -> AddMemo:
    """A memo from a form or typed options; ``source_url``: the message it was saved from."""
    return AddMemo(session=session, text=text or "", source_url=source_url)


def _parse_edit(rest: str) -> EditMemo | Rejected:
    parts = rest.strip().split(maxsplit=1)
    number = parse_memo_number(parts[0]) if parts else None
    if number is None:
        return _bad_memo_id("/memo edit 12 corrected note")
    return EditMemo(number=number, text=parts[1].rstrip() if len(parts) > 1 else "")


def _parse_delete(rest: str) -> DeleteMemo | Rejected:
    parts = rest.split()
    number = parse_memo_number(parts[0]) if len(parts) == 1 else None
    if number is None:
        return _bad_memo_id("/memo delete 12")
    return DeleteMemo(number=number)


def _bad_memo_id(example: str) -> Rejected:
    return Rejected(
        ProblemCode.BAD_MEMO_ID,
        f"Which memo? Memo ids are numbers, like `{example}`. "
        "The id is shown when a memo is saved and in `/memo show`.",
        "memo_id",
    )


def _parse_undo(rest: str) -> UndoDelete:
    return UndoDelete()


_MEMO_ID = Option("memo_id", OptionKind.MEMO_ID, "The memo's number, as shown in /memo show", True)

ADD = CommandDeclaration(
    "add",
    AddMemo,
    "Save a note to a session",
    InTransaction(add),
    add_from_options,
    options=(
        Option("session", OptionKind.SESSION, "The session (pick one, or type a new title)"),
        Option(
            "text",
            OptionKind.TEXT,
            "The note; leave it out to write it in a form",
            max_length=MAX_MEMO_LENGTH,
        ),
    ),
    parse=_parse_add,
    usage=Usage(
        "/memo add [Session title] note",
        "Save a note. Without `[...]` it goes to the session you wrote to or attended "
        "in the last 3 hours.",
    ),
    writes=True,
)
EDIT = CommandDeclaration(
    "edit",
    EditMemo,
    "Replace the text of a memo",
    InTransaction(edit),
    lambda memo_id, text: EditMemo(memo_id, text),
    options=(
        _MEMO_ID,
        Option("text", OptionKind.TEXT, "New text", True, max_length=MAX_MEMO_LENGTH),
    ),
    parse=_parse_edit,
    usage=Usage("/memo edit <id> note", "Replace the text of a memo."),
    writes=True,
)
DELETE = CommandDeclaration(
    "delete",
    DeleteMemo,
    "Delete a memo (/memo undo brings it back)",
    InTransaction(delete),
    lambda memo_id: DeleteMemo(memo_id),
    options=(_MEMO_ID,),
    parse=_parse_delete,
    usage=Usage("/memo delete <id>", "Delete a memo (`/memo undo` brings it back)."),
    writes=True,
)
UNDO = CommandDeclaration(
    "undo",
    UndoDelete,
    "Restore the memo you deleted last",
    InTransaction(undo),
    UndoDelete,
    parse=_parse_undo,
    usage=Usage("/memo undo", "Restore the memo you deleted last."),
    writes=True,
)
