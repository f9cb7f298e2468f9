"""Memos: adding, finding, editing with history, and soft deletion.

Every change of a memo's text or liveness also updates the search index
(``storage.search``) in the same transaction, so any path that writes memos
through here (commands, the importer) keeps search right.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql

from storage import outbox, search, threads
from storage.attendance import record_attendance
from storage.channels import take_memo_number
from storage.driver_sql import Prepared
from storage.models import (
    Attendance,
    Channel,
    Conference,
    ConferenceSession,
    Member,
    Memo,
    MemoRevision,
)
from storage.outbox import PostKind
from storage.records import ChannelMemo, MemberRecord, MemoRecord, NoteRecord
from storage.threads import PostingState

_SELECT = select(
    Memo.id,
    Memo.channel_id,
    Memo.number,
    Memo.session_id,
    Memo.author_id,
    Member.external_id.label("author_external_id"),
    Member.display_name.label("author_name"),
    Memo.text,
    Memo.created_at,
    Memo.edited_at,
    Memo.deleted_at,
    Memo.source_url,
).join(Member, Member.id == Memo.author_id)
_BY_NUMBER = _SELECT.where(
    Memo.channel_id == bindparam("channel_id"), Memo.number == bindparam("number")
)
_LIVE_IN_SESSION = _SELECT.where(
    Memo.session_id == bindparam("session_id"), Memo.deleted_at.is_(None)
).order_by(Memo.created_at, Memo.number)
_LIVE_NOTES_IN_SESSION = (
    select(Memo.number, Member.display_name.label("author_name"), Memo.text)
    .join(Member, Member.id == Memo.author_id)
    .where(Memo.session_id == bindparam("session_id"), Memo.deleted_at.is_(None))
    .order_by(Memo.created_at, Memo.number)
)
_LAST_DELETED_BY = (
    _SELECT.where(
        Memo.channel_id == bindparam("channel_id"),
        Memo.deleted_by_id == bindparam("member_id"),
        Memo.deleted_at.is_not(None),
    )
    .order_by(Memo.deleted_at.desc(), Memo.id.desc())
    .limit(1)
)
#: Memos with what it takes to show them anywhere: their channel, session and time zone.
_SHOWABLE = (
    _SELECT.add_columns(
        Channel.external_id.label("channel_external_id"),
        ConferenceSession.title.label("session_title"),
        Conference.time_zone,
    )
    .join(Channel, Channel.id == Memo.channel_id)
    .join(ConferenceSession, ConferenceSession.id == Memo.session_id)
    .join(Conference, Conference.id == ConferenceSession.conference_id)
)
_BY_NUMBERS = _SHOWABLE.where(
    Memo.channel_id == bindparam("channel_id"),
    Memo.number.in_(bindparam("numbers", expanding=True)),
)
_RECENT_BY_AUTHOR = (
    _SHOWABLE.where(Memo.author_id == bindparam("member_id"), Memo.deleted_at.is_(None))
    .order_by(Memo.created_at.desc(), Memo.id.desc())
    .limit(bindparam("limit"))
)
_NEW_MEMO_COLUMNS = ("channel_id", "session_id", "author_id", "text", "created_at", "source_url")
_INSERT = Prepared(  # every `/memo add` on SQLite
    insert(Memo).returning(Memo.id), column_keys=("number", *_NEW_MEMO_COLUMNS)
)


def _add_numbered_indexed(*, attending: bool) -> Select[Any]:
    """PostgreSQL: take the channel's next memo number, insert the memo with it, index it,
    queue its announcement and read the channel's posting state, in one statement
    (data-modifying CTEs, which SQLite does not have); ``attending``: record the author's
    attendance of the session in it too (``attended_via``)."""
    numbered = (
        update(Channel)
        .where(Channel.id == bindparam("channel_id"))
        .values(last_memo_number=Channel.last_memo_number + 1)
        .returning(Channel.last_memo_number, Channel.delivery_problem, Channel.delivery_fix)
        .cte("numbered")
    )
    columns = Memo.__table__.c
    # Named apart from the columns: SQLAlchemy would SET a channels column that a
    # parameter of the UPDATE is named after (``created_at``).
    values = {
        name: bindparam(f"memo_{name}", type_=columns[name].type)
        for name in _NEW_MEMO_COLUMNS
        if name != "channel_id"
    }
    channel_id = bindparam("channel_id", type_=columns.channel_id.type)
    added = (
        insert(Memo)
        .from_select(
            ["number", *_NEW_MEMO_COLUMNS],
            select(
                numbered.c.last_memo_number,
                channel_id,
                *values.values(),
            ),
        )
        .returning(Memo.id, Memo.number)
        .cte("added")
    )
    statement = select(
        added.c.id,
        added.c.number,
        numbered.c.delivery_problem,
        numbered.c.delivery_fix,
        threads.thread_link(channel_id, values["session_id"]),
    ).add_cte(
        search.indexing_added_memo(added),
        outbox.announcing_added_memo(added, channel_id, values["created_at"]),
    )
    if not attending:
        return statement
    attended = (
        postgresql.insert(Attendance)
        .values(
            session_id=values["session_id"],
            member_id=values["author_id"],
            via=bindparam("attended_via", type_=Attendance.__table__.c.via.type),
            created_at=values["created_at"],
        )
        .on_conflict_do_nothing(index_elements=["session_id", "member_id"])
        .cte("attended")
    )
    return statement.add_cte(attended)


#: Every `/memo add` on PostgreSQL: by whether the author's attendance is to be recorded.
_ADD_NUMBERED_INDEXED = {
    attending: Prepared(_add_numbered_indexed(attending=attending)) for attending in (False, True)
}
_INSERT_MANY = insert(Memo).returning(Memo.id, sort_by_parameter_order=True)
_INSERT_REVISION = insert(MemoRevision)
_SET_TEXT = (
    update(Memo)
    .where(Memo.id == bindparam("memo_id"))
    .values(text=bindparam("text"), edited_at=bindparam("now"))
)
_SET_DELETED = (
    update(Memo)
    .where(Memo.id == bindparam("memo_id"))
    .values(deleted_at=bindparam("now"), deleted_by_id=bindparam("member_id"))
)


def add_memo(
    tx: Connection,
    *,
    channel_id: int,
    session_id: int,
    author: MemberRecord,
    text: str,
    now: datetime,
    source_url: str | None,
    attended_via: str | None = None,
) -> AddedMemo:
    """A memo with the channel's next number, indexed for search and owed to the channel as
    an announcement (the outbox row a delivery worker posts after the commit, as for every
    memo added one at a time); with ``attended_via``, the author's attendance of the session
    is recorded too (unless it was already). With it comes the posting state its
    confirmation shows (the session's thread in the channel, the channel's problem).

    The number comes from the channel's row, whose lock (held to the commit) serialises
    concurrent adds. On PostgreSQL the number, the memo, its index row, its outbox row, the
    attendance and the posting state are one statement: one round trip to the server where
    six were, on every `/memo add` (each round trip costs the bot process CPU, which is
    what bounds adds per second).
    """
    values = {
        "channel_id": channel_id,
        "session_id": session_id,
        "author_id": author.id,
        "text": text,
        "created_at": now,
        "source_url": source_url,
    }
    if tx.dialect.name == "postgresql":
        params = {f"memo_{name}": value for name, value in values.items() if name != "channel_id"}
        params.update(
            channel_id=channel_id,
            tokens=search.tokens_text(channel_id, text),
            attended_via=attended_via,
        )
        added = _ADD_NUMBERED_INDEXED[attended_via is not None].first(tx, params)
        assert added is not None  # the channel's row exists: the caller's channel
        memo_id, number = added.id, added.number
        posting = threads.posting_state_of(added)
    else:
        number = take_memo_number(tx, channel_id)
        memo_id = _INSERT.scalar(tx, {**values, "number": number})
        search.index_new_memo(tx, memo_id, channel_id, text)
        if attended_via is not None:
            record_attendance(tx, session_id, author.id, attended_via, now)
        outbox.queue(tx, channel_id, memo_id, PostKind.ANNOUNCE, now)
        posting = threads.posting_state(tx, channel_id, session_id)
    memo = MemoRecord(
        id=memo_id,
        channel_id=channel_id,
        number=number,
        session_id=session_id,
        author_id=author.id,
        author_external_id=author.external_id,
        author_name=author.display_name,
        text=text,
        created_at=now,
        edited_at=None,
        deleted_at=None,
        source_url=source_url,
    )
    return AddedMemo(memo, posting)


@dataclass(frozen=True, slots=True)
class AddedMemo:
    """A memo just added, and where the channel will see it (for its confirmation)."""

    memo: MemoRecord
    posting: PostingState


@dataclass(frozen=True, slots=True)
class NewMemo:
    """One memo of a batch added at once (an import): numbered and dated by the caller."""

    number: int
    session_id: int
    author_id: int
    text: str
    created_at: datetime


def add_memos(tx: Connection, channel_id: int, new: Sequence[NewMemo]) -> list[int]:
    """Insert many memos of one channel in one statement; their ids, in order.

    The import of a large file adds thousands of memos; one multi-row INSERT
    instead of one per memo is most of the difference between the importer's
    speed and a raw ``executemany``. They are indexed for search like ``add_memo``'s.
    """
    if not new:
        return []
    rows = [
        {
            "channel_id": channel_id,
            "number": memo.number,
            "session_id": memo.session_id,
            "author_id": memo.author_id,
            "text": memo.text,
            "created_at": memo.created_at,
            "source_url": None,
        }
        for memo in new
    ]
    ids = list(tx.scalars(_INSERT_MANY, rows))
    for memo_id, memo in zip(ids, new, strict=True):
        search.index_new_memo(tx, memo_id, channel_id, memo.text)
    return ids


def find_memo(tx: Connection, channel_id: int, number: int) -> MemoRecord | None:
    """The memo with this number in this channel (deleted or not); never another channel's."""
    row = tx.execute(_BY_NUMBER, {"channel_id": channel_id, "number": number}).first()
    return MemoRecord.from_row(row) if row else None


def live_memos(tx: Connection, session_id: int) -> list[MemoRecord]:
    """A session's memos that are not deleted, oldest first, with their authors."""
    return [
        MemoRecord.from_row(row) for row in tx.execute(_LIVE_IN_SESSION, {"session_id": session_id})
    ]


def live_notes(tx: Connection, session_id: int) -> list[NoteRecord]:
    """The number, author and text of a session's memos that are not deleted, oldest first."""
    return [
        NoteRecord.from_row(row)
        for row in tx.execute(_LIVE_NOTES_IN_SESSION, {"session_id": session_id})
    ]


def recent_by_author(tx: Connection, member_id: int, limit: int) -> list[ChannelMemo]:
    """A member's latest memos in every channel of their workspace, newest first."""
    rows = tx.execute(_RECENT_BY_AUTHOR, {"member_id": member_id, "limit": limit})
    return [_channel_memo(row) for row in rows]


def by_numbers(tx: Connection, channel_id: int, numbers: Collection[int]) -> list[ChannelMemo]:
    """This channel's memos with these numbers, deleted ones too (never another channel's)."""
    if not numbers:
        return []
    rows = tx.execute(_BY_NUMBERS, {"channel_id": channel_id, "numbers": list(numbers)})
    return [_channel_memo(row) for row in rows]


def _channel_memo(row: Row[Any]) -> ChannelMemo:
    return ChannelMemo(
        channel_external_id=row.channel_external_id,
        session_title=row.session_title,
        time_zone=row.time_zone,
        memo=MemoRecord.from_row(row),
    )


def edit_memo(
    tx: Connection, memo: MemoRecord, text: str, editor_id: int, now: datetime
) -> MemoRecord:
    """Replace the text, keeping the old one as a revision."""
    tx.execute(
        _INSERT_REVISION,
        {"memo_id": memo.id, "text": memo.text, "replaced_at": now, "replaced_by_id": editor_id},
    )
    tx.execute(_SET_TEXT, {"memo_id": memo.id, "text": text, "now": now})
    search.reindex_memo(tx, memo.id, memo.channel_id, memo.text, text)
    return replace(memo, text=text, edited_at=now)


def delete_memo(tx: Connection, memo: MemoRecord, deleter_id: int, now: datetime) -> MemoRecord:
    tx.execute(_SET_DELETED, {"memo_id": memo.id, "now": now, "member_id": deleter_id})
    search.unindex_memo(tx, memo.id, memo.channel_id, memo.text)
    return replace(memo, deleted_at=now)


def restore_memo(tx: Connection, memo: MemoRecord) -> MemoRecord:
    tx.execute(_SET_DELETED, {"memo_id": memo.id, "now": None, "member_id": None})
    search.index_memo(tx, memo.id, memo.channel_id, memo.text)
    return replace(memo, deleted_at=None)


def last_deleted_by(tx: Connection, channel_id: int, member_id: int) -> MemoRecord | None:
    """The memo this member deleted most recently in this channel and is still deleted."""
    row = tx.execute(_LAST_DELETED_BY, {"channel_id": channel_id, "member_id": member_id}).first()
    return MemoRecord.from_row(row) if row else None


def conference_notes(tx: Connection, conference_id: int, limit: int) -> list[str]:
    """The text of the conference's latest ``limit`` live memos: enough to tell the language
    its notes are written in, without reading a whole conference."""
    memos, sessions = Memo.__table__, ConferenceSession.__table__
    query = (
        select(memos.c.text)
        .join(sessions, sessions.c.id == memos.c.session_id)
        .where(sessions.c.conference_id == conference_id, memos.c.deleted_at.is_(None))
        .order_by(memos.c.id.desc())
        .limit(limit)
    )
    return list(tx.execute(query).scalars())
