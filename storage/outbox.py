"""The outbox: messages the bot owes channels about memos, queued in the memo's transaction.

A row is claimed by one delivery worker at a time: a compare-and-set on
``lease_until`` that only one transaction can win, on SQLite (one writer) and on
PostgreSQL alike (the loser's UPDATE waits for the winner's commit, then finds the
lease taken and changes nothing). A claim that is never settled (its process died)
passes to the next worker when its lease runs out, with the attempt it began.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    bindparam,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import aliased

from storage.driver_sql import Prepared
from storage.models import (
    Channel,
    ConferenceSession,
    Member,
    Memo,
    OutboxPost,
    SessionThread,
    Workspace,
)
from storage.records import RowRecord


class PostKind(StrEnum):
    """What a row asks of the platform. Rows of one memo are carried out in order."""

    ANNOUNCE = "announce"  # post a new memo in its channel
    UPDATE = "update"  # show the memo's new text in its announcement
    REMOVE = "remove"  # take the deleted memo's announcement away
    RESTORE = "restore"  # announce a memo brought back by undo, anew

    @property
    def posts(self) -> bool:
        """Whether the row posts a message (rather than change one posted before)."""
        return self in (PostKind.ANNOUNCE, PostKind.RESTORE)


@dataclass(frozen=True, slots=True)
class ClaimedPost(RowRecord):
    """A row this process holds: where it goes, what it says, and any attempt begun on it."""

    id: int
    kind: str
    platform: str
    workspace_external_id: str
    channel_external_id: str
    memo_number: int
    memo_text: str
    memo_edited_at: datetime | None
    memo_deleted_at: datetime | None
    author_name: str
    channel_id: int
    session_id: int
    session_title: str
    session_day: date
    #: Whether the channel announces each session's memos in a thread of its own.
    threads: bool
    #: The channel's `/memo language` (``ko``, ``en`` or ``auto``).
    language: str
    #: The session's thread in the channel, once one was started.
    thread_id: str | None
    #: Set when an earlier attempt began posting (it may have landed): look before posting.
    delivery_key: str | None
    first_attempt_at: datetime | None
    #: What that attempt posted (a resumed attempt posts the very same words).
    markdown: str | None
    #: Claims of the row so far, this one included.
    attempts: int
    #: The platform's id of the memo's announcement (the latest posted before this row).
    announced_as: str | None

    @property
    def post_kind(self) -> PostKind:
        return PostKind(self.kind)


_QUEUE = Prepared(  # every `/memo add`
    insert(OutboxPost),
    column_keys=("channel_id", "memo_id", "kind", "created_at", "lease_until", "attempts"),
)
_EARLIER = aliased(OutboxPost)
_SHOWN = aliased(OutboxPost)
_DUE = (
    select(OutboxPost.id)
    .join(Channel, Channel.id == OutboxPost.channel_id)
    .join(Workspace, Workspace.id == Channel.workspace_id)
    .where(
        OutboxPost.delivered_at.is_(None),
        OutboxPost.lease_until <= bindparam("now"),
        Workspace.platform.in_(bindparam("platforms", expanding=True)),
        # A memo's rows in order: an edit waits until its announcement is posted.
        ~exists().where(
            _EARLIER.memo_id == OutboxPost.memo_id,
            _EARLIER.id < OutboxPost.id,
            _EARLIER.delivered_at.is_(None),
        ),
    )
    .order_by(OutboxPost.id)
    .limit(bindparam("limit"))
)
# Update statements name their parameters apart from the columns they set (SQLAlchemy's rule).
_CLAIM = (
    update(OutboxPost)
    .where(
        OutboxPost.id == bindparam("post_id"),
        OutboxPost.delivered_at.is_(None),
        OutboxPost.lease_until <= bindparam("now"),
    )
    .values(
        claimed_by=bindparam("holder"),
        lease_until=bindparam("new_lease"),
        attempts=OutboxPost.attempts + 1,
    )
    .returning(OutboxPost.id)
)
#: What an announcement shows of its memo (the joins to Member and ConferenceSession).
_MEMO_SHOWN = (
    Memo.number.label("memo_number"),
    Memo.text.label("memo_text"),
    Memo.edited_at.label("memo_edited_at"),
    Memo.deleted_at.label("memo_deleted_at"),
    Member.display_name.label("author_name"),
    ConferenceSession.title.label("session_title"),
)
_CLAIMED = (
    select(
        OutboxPost.id,
        OutboxPost.kind,
        Workspace.platform,
        Workspace.external_id.label("workspace_external_id"),
        Channel.external_id.label("channel_external_id"),
        *_MEMO_SHOWN,
        OutboxPost.channel_id,
        ConferenceSession.id.label("session_id"),
        ConferenceSession.day.label("session_day"),
        Channel.threads,
        Channel.language,
        SessionThread.thread_id,
        OutboxPost.delivery_key,
        OutboxPost.first_attempt_at,
        OutboxPost.markdown,
        OutboxPost.attempts,
        select(_SHOWN.message_id)
        .where(
            _SHOWN.memo_id == OutboxPost.memo_id,
            _SHOWN.id < OutboxPost.id,
            _SHOWN.kind.in_([PostKind.ANNOUNCE.value, PostKind.RESTORE.value]),
            _SHOWN.delivered_at.is_not(None),
        )
        .order_by(_SHOWN.id.desc())
        .limit(1)
        .scalar_subquery()
        .label("announced_as"),
    )
    .join(Channel, Channel.id == OutboxPost.channel_id)
    .join(Workspace, Workspace.id == Channel.workspace_id)
    .join(Memo, Memo.id == OutboxPost.memo_id)
    .join(Member, Member.id == Memo.author_id)
    .join(ConferenceSession, ConferenceSession.id == Memo.session_id)
    .outerjoin(
        SessionThread,
        (SessionThread.channel_id == OutboxPost.channel_id)
        & (SessionThread.session_id == ConferenceSession.id),
    )
    .where(OutboxPost.id.in_(bindparam("ids", expanding=True)))
    .order_by(OutboxPost.id)
)
#: A row still held by the process named, and not settled.
_STILL_MINE = (
    OutboxPost.id == bindparam("post_id"),
    OutboxPost.claimed_by == bindparam("holder"),
    OutboxPost.delivered_at.is_(None),
)
_START_ATTEMPT = (
    update(OutboxPost)
    .where(*_STILL_MINE, OutboxPost.delivery_key.is_(None))
    .values(
        delivery_key=bindparam("key"),
        first_attempt_at=bindparam("started_at"),
        markdown=bindparam("text"),
    )
    .returning(OutboxPost.id)
)
_SETTLE = (
    update(OutboxPost)
    .where(OutboxPost.id == bindparam("post_id"), OutboxPost.delivered_at.is_(None))
    .values(
        delivered_at=bindparam("now"),
        message_id=bindparam("posted_id"),
        last_error=bindparam("note"),
    )
)
#: Rows ``ids`` still held by the process named, and not settled.
_STILL_MINE_ALL = (
    OutboxPost.id.in_(bindparam("ids", expanding=True)),
    OutboxPost.claimed_by == bindparam("holder"),
    OutboxPost.delivered_at.is_(None),
)
_HAND_BACK = update(OutboxPost).where(*_STILL_MINE_ALL).values(lease_until=bindparam("now"))
_RETRY_LATER = (
    update(OutboxPost)
    .where(*_STILL_MINE)
    .values(lease_until=bindparam("retry_at"), last_error=bindparam("error"))
)


def queue(tx: Connection, channel_id: int, memo_id: int, kind: PostKind, now: datetime) -> None:
    """Owe the channel a message about the memo; due at once (in the caller's transaction)."""
    _QUEUE.run(
        tx,
        {
            "channel_id": channel_id,
            "memo_id": memo_id,
            "kind": kind.value,
            "created_at": now,
            "lease_until": now,
            "attempts": 0,
        },
    )


def announcing_added_memo(
    added: CTE, channel_id: ColumnElement[int], now: ColumnElement[datetime]
) -> CTE:
    """PostgreSQL: the outbox row announcing the memo that ``added`` (an INSERT ... RETURNING
    id) adds in the same statement, as a CTE to attach to it; due at once, as ``queue``'s.
    One round trip fewer on every `/memo add`."""
    columns = ("channel_id", "memo_id", "kind", "created_at", "lease_until", "attempts")
    announcement = select(
        channel_id, added.c.id, literal(PostKind.ANNOUNCE.value), now, now, literal(0)
    )
    return insert(OutboxPost).from_select(columns, announcement).cte("announced")


def claim_due(
    tx: Connection,
    holder: str,
    platforms: Collection[str],
    now: datetime,
    lease: timedelta,
    limit: int,
) -> list[ClaimedPost]:
    """Claim up to ``limit`` due rows for ``platforms``, oldest first, until ``now + lease``.

    Rows another process claims meanwhile are skipped: each row goes to one holder.
    """
    if not platforms:
        return []
    due = tx.scalars(_DUE, {"now": now, "platforms": list(platforms), "limit": limit}).all()
    won = [
        post_id
        for post_id in due
        if tx.execute(
            _CLAIM,
            {"post_id": post_id, "now": now, "holder": holder, "new_lease": now + lease},
        ).first()
        is not None
    ]
    if not won:
        return []
    return [ClaimedPost.from_row(row) for row in tx.execute(_CLAIMED, {"ids": won})]


def start_attempt(
    tx: Connection, post_id: int, holder: str, key: str, started_at: datetime, markdown: str
) -> bool:
    """Record, before posting ``markdown``, that ``holder`` begins; False if it lost the claim."""
    started = tx.execute(
        _START_ATTEMPT,
        {
            "post_id": post_id,
            "holder": holder,
            "key": key,
            "started_at": started_at,
            "text": markdown,
        },
    ).first()
    return started is not None


def settle(
    tx: Connection,
    post_id: int,
    message_id: str | None,
    now: datetime,
    note: str | None = None,
) -> None:
    """The row is done: posted as ``message_id``, or given up (``note`` says why)."""
    tx.execute(_SETTLE, {"post_id": post_id, "posted_id": message_id, "now": now, "note": note})


def retry_later(tx: Connection, post_id: int, holder: str, error: str, retry_at: datetime) -> None:
    """Keep the row, but let any process try it again from ``retry_at``."""
    tx.execute(
        _RETRY_LATER,
        {"post_id": post_id, "holder": holder, "error": error[:500], "retry_at": retry_at},
    )


def hand_back(tx: Connection, post_ids: Collection[int], holder: str, now: datetime) -> None:
    """Let any process claim these rows at once (``holder`` is stopping before posting them)."""
    if post_ids:
        tx.execute(_HAND_BACK, {"ids": list(post_ids), "holder": holder, "now": now})


_DEPTH = select(func.count()).select_from(OutboxPost).where(OutboxPost.delivered_at.is_(None))


def depth(tx: Connection) -> int:
    """Rows not delivered yet (due, claimed, or waiting for a retry), by every process."""
    return int(tx.scalar(_DEPTH) or 0)


_RESTART = (
    update(OutboxPost)
    .where(*_STILL_MINE)
    .values(
        lease_until=bindparam("now"),
        delivery_key=None,
        first_attempt_at=None,
        markdown=None,
        last_error=bindparam("note"),
    )
)


def restart(tx: Connection, post_id: int, holder: str, now: datetime) -> None:
    """Start the row over, due at once: its attempt was refused for sure (the thread it
    went to is gone), so nothing of it landed and the next attempt posts it anew."""
    tx.execute(_RESTART, {"post_id": post_id, "holder": holder, "now": now, "note": "thread gone"})


_DEFER = (
    update(OutboxPost)
    .where(*_STILL_MINE_ALL)
    .values(lease_until=bindparam("until"), attempts=OutboxPost.attempts - 1)
)


def defer(tx: Connection, post_ids: Collection[int], holder: str, until: datetime) -> None:
    """Let the rows wait until ``until`` (their channel's limit), not counted as an attempt."""
    if post_ids:
        tx.execute(_DEFER, {"ids": list(post_ids), "holder": holder, "until": until})


def start_attempts(
    tx: Connection,
    post_ids: Collection[int],
    holder: str,
    key: str,
    started_at: datetime,
    markdown: str,
) -> bool:
    """``start_attempt`` for rows posted as one message: all of them, or (a claim was lost)
    none, so no row records words that were not posted for it."""
    with tx.begin_nested() as savepoint:
        if all(
            start_attempt(tx, post_id, holder, key, started_at, markdown) for post_id in post_ids
        ):
            return True
        savepoint.rollback()
        return False


@dataclass(frozen=True, slots=True)
class MessageMemo(RowRecord):
    """A memo shown in a message that announces several (posted together)."""

    memo_number: int
    author_name: str
    session_title: str
    memo_text: str
    memo_edited_at: datetime | None
    memo_deleted_at: datetime | None


_MESSAGE_MEMOS = (
    select(*_MEMO_SHOWN)
    .select_from(OutboxPost)
    .join(Memo, Memo.id == OutboxPost.memo_id)
    .join(Member, Member.id == Memo.author_id)
    .join(ConferenceSession, ConferenceSession.id == Memo.session_id)
    .where(
        OutboxPost.channel_id == bindparam("channel_id"),
        OutboxPost.message_id == bindparam("message_id"),
        OutboxPost.kind.in_([PostKind.ANNOUNCE.value, PostKind.RESTORE.value]),
    )
    .order_by(OutboxPost.id)
)


def message_memos(tx: Connection, channel_id: int, message_id: str) -> list[MessageMemo]:
    """The memos the channel's message ``message_id`` announces, in the order it shows them."""
    rows = tx.execute(_MESSAGE_MEMOS, {"channel_id": channel_id, "message_id": message_id})
    return [MessageMemo.from_row(row) for row in rows]
