"""Untitled notes waiting for their author to pick which of the running talks they are for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from storage.driver_sql import Prepared
from storage.models import Memo, PendingNote
from storage.records import RowRecord

#: How long a note waits for its author's pick; older ones are forgotten (the picker says so).
OPEN_FOR = timedelta(days=1)

_BY_ID_IN_CHANNEL = (
    select(
        PendingNote.id,
        PendingNote.member_id,
        PendingNote.text,
        PendingNote.source_url,
        PendingNote.choices,
        PendingNote.created_at,
        PendingNote.picked_at,
        Memo.number.label("memo_number"),
        Memo.session_id.label("memo_session_id"),
    )
    .outerjoin(Memo, Memo.id == PendingNote.memo_id)
    .where(
        PendingNote.id == bindparam("pending_id"),
        PendingNote.channel_id == bindparam("channel_id"),
    )
)
_ADD = Prepared(  # on an untitled `/memo add` while several talks run
    insert(PendingNote).returning(PendingNote.id),
    column_keys=("channel_id", "member_id", "text", "source_url", "choices", "created_at"),
)
# Only the first pick claims the note: a second one (a copy, another click) finds it taken.
_CLAIM = (
    update(PendingNote)
    .where(PendingNote.id == bindparam("pending_id"), PendingNote.picked_at.is_(None))
    .values(picked_at=bindparam("now"))
)
_SET_MEMO = (
    update(PendingNote)
    .where(PendingNote.id == bindparam("pending_id"))
    .values(memo_id=bindparam("memo_id"))
)


@dataclass(frozen=True, slots=True)
class PendingNoteRecord(RowRecord):
    id: int
    member_id: int
    text: str
    source_url: str | None
    choices: str
    created_at: datetime
    picked_at: datetime | None
    #: Once picked: the memo it became (None if that memo is gone).
    memo_number: int | None
    memo_session_id: int | None

    @property
    def session_ids(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.choices.split(",") if part)


def add_pending_note(
    tx: Connection,
    *,
    channel_id: int,
    member_id: int,
    text: str,
    source_url: str | None,
    session_ids: Sequence[int],
    now: datetime,
) -> int:
    """Keep a note until its author picks one of ``session_ids``; its id goes in the picker."""
    pending_id = _ADD.scalar(
        tx,
        {
            "channel_id": channel_id,
            "member_id": member_id,
            "text": text,
            "source_url": source_url,
            "choices": ",".join(str(session_id) for session_id in session_ids),
            "created_at": now,
        },
    )
    return int(pending_id)


def find_pending_note(tx: Connection, channel_id: int, pending_id: int) -> PendingNoteRecord | None:
    """The pending note with this id if it was written in this channel; never another's."""
    row = tx.execute(_BY_ID_IN_CHANNEL, {"pending_id": pending_id, "channel_id": channel_id})
    first = row.first()
    return PendingNoteRecord.from_row(first) if first else None


def claim(tx: Connection, pending_id: int, now: datetime) -> bool:
    """Mark the note picked; False when a pick got there first (it then changes nothing)."""
    return tx.execute(_CLAIM, {"pending_id": pending_id, "now": now}).rowcount == 1


def set_memo(tx: Connection, pending_id: int, memo_id: int) -> None:
    tx.execute(_SET_MEMO, {"pending_id": pending_id, "memo_id": memo_id})


def forget_old(tx: Connection, now: datetime) -> int:
    """Drop the notes older than ``OPEN_FOR`` (picked or not: a pick now changes nothing
    either way); how many went."""
    statement = delete(PendingNote).where(PendingNote.created_at < now - OPEN_FOR)
    return int(tx.execute(statement).rowcount)
