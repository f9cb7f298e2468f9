"""Each session's thread in a channel, and what the platform last refused there.

A thread is recorded once its parent message is posted and the thread is started; a
thread found gone (deleted, archived, its parent deleted) is forgotten, so the session's
next memo starts a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Label, bindparam, delete, select, update

from storage.driver_sql import Prepared
from storage.models import Channel, SessionThread, table_of
from storage.records import RowRecord
from storage.upsert import insert_or_ignore

# Prepared: the thread is read for every announcement, the posting state for every
# `/memo add` confirmation (its thread link, the problem to name).
_IN_CHANNEL = (
    SessionThread.channel_id == bindparam("channel_id"),
    SessionThread.session_id == bindparam("session_id"),
)
_THREAD = Prepared(select(SessionThread.thread_id).where(*_IN_CHANNEL))


def thread_link(channel_id: ColumnElement[int], session_id: ColumnElement[int]) -> Label[str]:
    """The session's thread link in the channel as a column (``link``), NULL before one."""
    in_channel = (SessionThread.channel_id == channel_id, SessionThread.session_id == session_id)
    return select(SessionThread.link).where(*in_channel).scalar_subquery().label("link")


_POSTING_STATE = Prepared(
    select(
        Channel.delivery_problem,
        Channel.delivery_fix,
        thread_link(bindparam("channel_id"), bindparam("session_id")),
    ).where(Channel.id == bindparam("channel_id"))
)


@dataclass(frozen=True, slots=True)
class ThreadSettings(RowRecord):
    threads: bool
    delivery_problem: str | None
    delivery_problem_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeliveryProblem:
    problem: str
    fix: str | None


@dataclass(frozen=True, slots=True)
class PostingState:
    """Where a session's memos are posted in a channel, and what stops them if anything."""

    #: Where people open the session's thread, once it was started.
    thread_link: str | None
    #: What the platform last refused in the channel, if the bot has a problem there.
    problem: DeliveryProblem | None


def thread_of(tx: Connection, channel_id: int, session_id: int) -> str | None:
    """The session's thread in the channel, if one was started."""
    found: str | None = _THREAD.scalar(tx, {"channel_id": channel_id, "session_id": session_id})
    return found


def links(tx: Connection, channel_id: int, session_ids: list[int]) -> dict[int, str]:
    """The links of those sessions' threads in the channel, by session id (where known)."""
    rows = tx.execute(
        select(SessionThread.session_id, SessionThread.link).where(
            SessionThread.channel_id == channel_id,
            SessionThread.session_id.in_(session_ids),
            SessionThread.link.is_not(None),
        )
    )
    return {row.session_id: row.link for row in rows}


def record(
    tx: Connection,
    channel_id: int,
    session_id: int,
    thread_id: str,
    parent_message_id: str,
    link: str | None,
    now: datetime,
) -> None:
    """Remember the session's thread (a thread recorded meanwhile by another process stays)."""
    insert_or_ignore(
        tx,
        table_of(SessionThread),
        {
            "channel_id": channel_id,
            "session_id": session_id,
            "thread_id": thread_id,
            "parent_message_id": parent_message_id,
            "link": link,
            "started_at": now,
        },
        ("channel_id", "session_id"),
    )


def forget(tx: Connection, channel_id: int, session_id: int, thread_id: str) -> None:
    """The thread is gone: the session's next memo starts a new one."""
    tx.execute(
        delete(SessionThread).where(
            SessionThread.channel_id == channel_id,
            SessionThread.session_id == session_id,
            SessionThread.thread_id == thread_id,
        )
    )


def note_problem(
    tx: Connection, channel_id: int, problem: str, fix: str | None, now: datetime
) -> None:
    """What the platform last refused in the channel, and what would fix it if known."""
    tx.execute(
        update(Channel)
        .where(Channel.id == channel_id)
        .values(delivery_problem=problem, delivery_problem_at=now, delivery_fix=fix)
    )


def clear_problem(tx: Connection, channel_id: int) -> None:
    """The bot posted in the channel as it should since the problem: nothing to fix."""
    tx.execute(
        update(Channel)
        .where(Channel.id == channel_id, Channel.delivery_problem.is_not(None))
        .values(delivery_problem=None, delivery_problem_at=None, delivery_fix=None)
    )


def posting_state(tx: Connection, channel_id: int, session_id: int) -> PostingState:
    """The session's thread link and the channel's delivery problem, in one read: what a
    `/memo add` confirmation shows (on PostgreSQL each statement is a round trip)."""
    row = _POSTING_STATE.first(tx, {"channel_id": channel_id, "session_id": session_id})
    assert row is not None, f"no channel {channel_id}"
    return posting_state_of(row)


def posting_state_of(row: Any) -> PostingState:
    """The posting state in a row of ``link`` (``thread_link``) and the channel's
    ``delivery_problem`` and ``delivery_fix``."""
    problem = row.delivery_problem
    return PostingState(row.link, DeliveryProblem(problem, row.delivery_fix) if problem else None)


def settings(tx: Connection, channel_id: int) -> ThreadSettings:
    row = tx.execute(
        select(Channel.threads, Channel.delivery_problem, Channel.delivery_problem_at).where(
            Channel.id == channel_id
        )
    ).one()
    return ThreadSettings.from_row(row)


def set_threads(tx: Connection, channel_id: int, on: bool) -> None:
    tx.execute(update(Channel).where(Channel.id == channel_id).values(threads=on))
