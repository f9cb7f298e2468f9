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
from bot.i18n import N_, _
from bot.replies import markdown as md
from bot.replies import render
from bot.replies.from_records import memo_view, session_ref
from bot.replies.values import (
    MemoChanged,
    MemoSaved,
    ProblemCode,
    Reply,
    TalkPickNeeded,
    Visibility,
    refuse,
)
from bot.running_now import AskWhich, RunningTalk, talk_for_untitled_note
from bot.sessions import Found, SessionId, recent_session, session_to_write
from storage import memos as memo_store
from storage import outbox as outbox_store
from storage import pending_notes as pending_store
from storage import sessions as session_store
from storage.memos import AddedMemo
from storage.outbox import PostKind
from storage.pending_notes import PendingNoteRecord
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

    def typed_session_title(self) -> str | None:
        return self.session if isinstance(self.session, str) else None


@dataclass(frozen=True, slots=True)
class PickTalk(Command):
    """The talk picked for an untitled note that waited (``TalkPickNeeded``)."""

    #: ``TalkPickNeeded.pending``: which waiting note.
    pending: int
    #: ``TalkChoice.session_id``: which of the talks offered.
    session: int


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
            _("The memo is empty. Write it after the title: `%(usage)s`. Nothing was saved.")
            % {"usage": usage},
            "text",
        )
    if len(text) > MAX_MEMO_LENGTH:
        return refuse(
            ProblemCode.TEXT_TOO_LONG,
            _(
                "Memos can be at most %(max_memo_length)s characters; this one has "
                "%(text_count)s. Nothing was saved: split it into shorter memos."
            )
            % {"max_memo_length": f"{MAX_MEMO_LENGTH:,}", "text_count": f"{len(text):,}"},
            "text",
        )
    return text


def add(ctx: Context, command: AddMemo) -> Reply:
    text = check_text(command.text, "/memo add [Session title] note")
    if isinstance(text, Reply):
        return text
    if command.session is not None:
        target = session_to_write(ctx, command.session)
        if isinstance(target, Reply):
            return target
        return _store(ctx, target, text, command.source_url)
    talk = talk_for_untitled_note(ctx, text, command.source_url)
    if isinstance(talk, AskWhich):
        data = TalkPickNeeded(talk.pending, talk.choices, talk.more)
        return Reply(render.talk_pick_needed(data), Visibility.PRIVATE, data)
    if isinstance(talk, RunningTalk):
        found = Found(talk.session, None)
        return _store(ctx, found, text, command.source_url, running_talk=talk.why)
    recent = recent_session(ctx)
    if recent is None:
        return _no_recent_session()
    return _store(ctx, Found(recent, None), text, command.source_url, from_recent=True)


def pick(ctx: Context, command: PickTalk) -> Reply:
    """Store a waiting note in the talk its author picked: once, and only in a talk offered."""
    note = (
        pending_store.find_pending_note(ctx.tx, ctx.channel.id, command.pending)
        if ctx.channel is not None
        else None
    )
    if note is None or note.created_at <= ctx.now - pending_store.OPEN_FOR:
        return refuse(
            ProblemCode.PICK_CLOSED,
            _(
                "That choice is no longer open, so nothing was saved by this pick. "
                "Send the note again with its title: `/memo add [Session title] note`."
            ),
        )
    member = ctx.existing_member()
    if member is None or member.id != note.member_id:
        return refuse(
            ProblemCode.NOT_YOUR_NOTE,
            _("Only the person who wrote this note can pick its talk. Nothing was changed."),
        )
    if note.picked_at is not None:
        return _already_picked(ctx, note)
    if command.session not in note.session_ids:
        return refuse(
            ProblemCode.NOT_A_CHOICE,
            _("That talk was not one of the choices for this note. Nothing was saved."),
        )
    if not pending_store.claim(ctx.tx, note.id, ctx.now):  # another pick committed first
        again = pending_store.find_pending_note(ctx.tx, ctx.writable_channel().id, note.id)
        assert again is not None  # notes are only forgotten a day after they were written
        return _already_picked(ctx, again)
    session = session_store.get_session(ctx.tx, command.session)
    added = _add_memo(ctx, session.id, note.text, note.source_url)
    pending_store.set_memo(ctx.tx, note.id, added.memo.id)
    return _saved_reply(ctx, added, Found(session, None), running_talk="picked")


def _already_picked(ctx: Context, note: PendingNoteRecord) -> Reply:
    if note.memo_number is not None and note.memo_session_id is not None:
        title = session_store.get_session(ctx.tx, note.memo_session_id).title
        message = _(
            "This note is saved already, as #%(number)s in %(title)s. Nothing was changed."
        ) % {"number": note.memo_number, "title": md.title(title)}
    else:
        message = _("This note is saved already. Nothing was changed.")
    return refuse(ProblemCode.ALREADY_PICKED, message)


def _store(
    ctx: Context,
    target: Found,
    text: str,
    source_url: str | None,
    *,
    from_recent: bool = False,
    running_talk: str | None = None,
) -> Reply:
    added = _add_memo(ctx, target.session.id, text, source_url)
    return _saved_reply(ctx, added, target, from_recent=from_recent, running_talk=running_talk)


def _add_memo(ctx: Context, session_id: int, text: str, source_url: str | None) -> AddedMemo:
    """The memo, stored in the session, and its author marked as attending.

    Writing a memo in a session is attending it: recorded with the memo, in one statement
    on PostgreSQL, unless this process knows the attendance is stored already. The
    channel's announcement is stored with the memo too, and a delivery worker
    (``bot.announcing``) posts it after the commit, off the ack path."""
    attending = not ctx.attendance_known(session_id)
    added = memo_store.add_memo(
        ctx.tx,
        channel_id=ctx.writable_channel().id,
        session_id=session_id,
        author=ctx.member(),
        text=text,
        now=ctx.now,
        source_url=source_url,
        attended_via="memo" if attending else None,
    )
    if attending:
        ctx.attendance_recorded(session_id)
    return added


def _no_recent_session() -> Reply:
    return refuse(
        ProblemCode.NO_RECENT_SESSION,
        _(
            "Which session is this for? Put its title first: `/memo add [Session "
            "title] note`. Without a title, a memo goes to the programme's talk running "
            "now, else to the session you wrote to or attended in the last 3 hours, and "
            "you have none."
        ),
        "title",
    )


def _saved_reply(
    ctx: Context,
    added: AddedMemo,
    found: Found,
    *,
    from_recent: bool = False,
    running_talk: str | None = None,
) -> Reply:
    memo, posting = added.memo, added.posting
    refused = posting.problem
    data = MemoSaved(
        memo=memo_view(memo, found.session.title, ctx.zone()),
        session=session_ref(ctx, found.session),
        typed_title=found.typed_title,
        from_recent_session=from_recent,
        same_title_elsewhere=found.same_title_elsewhere,
        running_talk=running_talk,
        thread_link=posting.thread_link,
        channel_refused=refused is not None,
        channel_fix=refused.fix if refused is not None else None,
    )
    # Private: the channel learns of the memo from its announcement (the outbox).
    return Reply(render.memo_saved(data), Visibility.PRIVATE, data)


def _editable_memo(ctx: Context, number: int, verb: str) -> MemoRecord | Reply:
    """The memo if it exists here, is not deleted, and the user may change it."""
    memo = memo_store.find_memo(ctx.tx, ctx.writable_channel().id, number)
    if memo is None:
        return refuse(
            ProblemCode.NO_SUCH_MEMO,
            _("There is no memo #%(number)s in this channel.") % {"number": number},
            "memo_id",
        )
    if memo.deleted_at is not None:
        return refuse(
            ProblemCode.MEMO_DELETED,
            _("Memo #%(number)s is deleted. `/memo undo` restores the memo you deleted last.")
            % {"number": number},
            "memo_id",
        )
    if memo.author_id != ctx.member().id and not ctx.invocation.is_admin:
        return refuse(
            ProblemCode.NOT_ALLOWED,
            (
                _("Only the author of #%(number)s or a workspace admin can edit it.")
                if verb == "edit"
                else _("Only the author of #%(number)s or a workspace admin can delete it.")
            )
            % {"number": number},
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
            _("You have not deleted any memo in this channel, so there is nothing to restore."),
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
        N_(
            "Which memo? Memo ids are numbers, like `%(example)s`. The id is shown "
            "when a memo is saved and in `/memo show`."
        ),
        "memo_id",
        values={"example": example},
    )


def _parse_undo(rest: str) -> UndoDelete:
    return UndoDelete()


PICK = CommandDeclaration(
    "pick",
    PickTalk,
    N_("Store a waiting note in the talk picked for it"),
    InTransaction(pick),
    lambda pending, session: PickTalk(pending, session),
    writes=True,
)

_MEMO_ID = Option(
    "memo_id", OptionKind.MEMO_ID, N_("The memo's number, as shown in /memo show"), True
)

ADD = CommandDeclaration(
    "add",
    AddMemo,
    N_("Save a note to a session"),
    InTransaction(add),
    add_from_options,
    options=(
        Option("session", OptionKind.SESSION, N_("The session (pick one, or type a new title)")),
        Option(
            "text",
            OptionKind.TEXT,
            N_("The note; leave it out to write it in a form"),
            max_length=MAX_MEMO_LENGTH,
        ),
    ),
    parse=_parse_add,
    usage=Usage(
        "/memo add [Session title] note",
        N_(
            "Save a note. Without `[...]` it goes to the programme's talk running now (you "
            "pick when several run), else to the session you wrote to or attended in the "
            "last 3 hours."
        ),
    ),
    writes=True,
    variants=(PICK,),
)
EDIT = CommandDeclaration(
    "edit",
    EditMemo,
    N_("Replace the text of a memo"),
    InTransaction(edit),
    lambda memo_id, text: EditMemo(memo_id, text),
    options=(
        _MEMO_ID,
        Option("text", OptionKind.TEXT, N_("New text"), True, max_length=MAX_MEMO_LENGTH),
    ),
    parse=_parse_edit,
    usage=Usage("/memo edit <id> note", N_("Replace the text of a memo.")),
    writes=True,
)
DELETE = CommandDeclaration(
    "delete",
    DeleteMemo,
    N_("Delete a memo (/memo undo brings it back)"),
    InTransaction(delete),
    lambda memo_id: DeleteMemo(memo_id),
    options=(_MEMO_ID,),
    parse=_parse_delete,
    usage=Usage("/memo delete <id>", N_("Delete a memo (`/memo undo` brings it back).")),
    writes=True,
)
UNDO = CommandDeclaration(
    "undo",
    UndoDelete,
    N_("Restore the memo you deleted last"),
    InTransaction(undo),
    UndoDelete,
    parse=_parse_undo,
    usage=Usage("/memo undo", N_("Restore the memo you deleted last.")),
    writes=True,
)
