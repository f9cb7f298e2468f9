"""Memos: adding, finding, editing with history, and soft deletion."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Member, Memo, MemoRevision


def add_memo(
    session: Session,
    *,
    channel_id: int,
    number: int,
    session_id: int,
    author_id: int,
    text: str,
    now: datetime,
    source_url: str | None,
    delivery_id: str | None,
) -> Memo:
    memo = Memo(
        channel_id=channel_id,
        number=number,
        session_id=session_id,
        author_id=author_id,
        text=text,
        created_at=now,
        source_url=source_url,
        delivery_id=delivery_id,
    )
    session.add(memo)
    session.flush()
    return memo


def find_memo(session: Session, channel_id: int, number: int) -> Memo | None:
    """The memo with this number in this channel (deleted or not); never another channel's."""
    return session.scalar(select(Memo).where(Memo.channel_id == channel_id, Memo.number == number))


def find_delivered_memo(session: Session, channel_id: int, delivery_id: str) -> Memo | None:
    return session.scalar(
        select(Memo).where(Memo.channel_id == channel_id, Memo.delivery_id == delivery_id)
    )


def live_memos(session: Session, session_id: int) -> list[tuple[Memo, Member]]:
    """A session's memos that are not deleted, oldest first, with their authors."""
    return list(
        session.execute(
            select(Memo, Member)
            .join(Member, Member.id == Memo.author_id)
            .where(Memo.session_id == session_id, Memo.deleted_at.is_(None))
            .order_by(Memo.created_at, Memo.number)
        )
    )


def edit_memo(session: Session, memo: Memo, text: str, editor_id: int, now: datetime) -> None:
    """Replace the text, keeping the old one as a revision."""
    session.add(
        MemoRevision(memo_id=memo.id, text=memo.text, replaced_at=now, replaced_by_id=editor_id)
    )
    memo.text = text
    memo.edited_at = now


def delete_memo(memo: Memo, deleter_id: int, now: datetime) -> None:
    memo.deleted_at = now
    memo.deleted_by_id = deleter_id


def last_deleted_by(session: Session, channel_id: int, member_id: int) -> Memo | None:
    """The memo this member deleted most recently in this channel and is still deleted."""
    return session.scalar(
        select(Memo)
        .where(
            Memo.channel_id == channel_id,
            Memo.deleted_by_id == member_id,
            Memo.deleted_at.is_not(None),
        )
        .order_by(Memo.deleted_at.desc(), Memo.id.desc())
        .limit(1)
    )


def restore_memo(memo: Memo) -> None:
    memo.deleted_at = None
    memo.deleted_by_id = None
