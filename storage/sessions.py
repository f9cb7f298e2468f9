"""Conference sessions: finding them by title, listing them by day, and their tallies."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Attendance, ConferenceSession, Member, Memo
from storage.upsert import insert_or_ignore


@dataclass(frozen=True, slots=True)
class SessionTally:
    memo_count: int
    #: Display names, in the order people first attended.
    attendees: tuple[str, ...]


def sessions_titled(
    session: Session, conference_id: int, title_key: str
) -> list[ConferenceSession]:
    """Sessions of a conference with exactly this title key, latest day first."""
    return list(
        session.scalars(
            select(ConferenceSession)
            .where(
                ConferenceSession.conference_id == conference_id,
                ConferenceSession.title_key == title_key,
            )
            .order_by(ConferenceSession.day.desc())
        )
    )


def title_keys(session: Session, conference_id: int) -> list[tuple[int, str]]:
    """(id, title_key) of every session of a conference, latest first, for near matching."""
    return [
        (row.id, row.title_key)
        for row in session.execute(
            select(ConferenceSession.id, ConferenceSession.title_key)
            .where(ConferenceSession.conference_id == conference_id)
            .order_by(ConferenceSession.day.desc(), ConferenceSession.id.desc())
        )
    ]


def channel_sessions_titled(
    session: Session, channel_id: int, title_key: str
) -> list[ConferenceSession]:
    """Sessions with this title in any conference of the channel, latest first."""
    return list(
        session.scalars(
            select(ConferenceSession)
            .where(
                ConferenceSession.channel_id == channel_id,
                ConferenceSession.title_key == title_key,
            )
            .order_by(ConferenceSession.day.desc(), ConferenceSession.id.desc())
        )
    )


def get_session(session: Session, session_id: int) -> ConferenceSession:
    found = session.get(ConferenceSession, session_id)
    assert found is not None
    return found


def ensure_session(
    session: Session,
    *,
    channel_id: int,
    conference_id: int,
    title: str,
    title_key: str,
    day: date,
    now: datetime,
) -> ConferenceSession:
    """The session with this title on this day, created if new."""
    insert_or_ignore(
        session,
        ConferenceSession,
        {
            "channel_id": channel_id,
            "conference_id": conference_id,
            "title": title,
            "title_key": title_key,
            "day": day,
            "created_at": now,
        },
        ("conference_id", "title_key", "day"),
    )
    created = session.scalar(
        select(ConferenceSession).where(
            ConferenceSession.conference_id == conference_id,
            ConferenceSession.title_key == title_key,
            ConferenceSession.day == day,
        )
    )
    assert created is not None
    return created


def sessions_on(session: Session, conference_id: int, day: date | None) -> list[ConferenceSession]:
    """A conference's sessions of one day (every day when ``day`` is None), in time order."""
    query = select(ConferenceSession).where(ConferenceSession.conference_id == conference_id)
    if day is not None:
        query = query.where(ConferenceSession.day == day)
    return list(
        session.scalars(
            query.order_by(
                ConferenceSession.day,
                ConferenceSession.starts_at.nulls_last(),
                ConferenceSession.created_at,
                ConferenceSession.id,
            )
        )
    )


def tallies(session: Session, session_ids: Sequence[int]) -> dict[int, SessionTally]:
    """Live memo count and attendees of each session."""
    if not session_ids:
        return {}
    # Not dict(result): a Result has .keys() (column names), so dict() misreads it.
    counts = {  # noqa: C416
        session_id: count
        for session_id, count in session.execute(
            select(Memo.session_id, func.count())
            .where(Memo.session_id.in_(session_ids), Memo.deleted_at.is_(None))
            .group_by(Memo.session_id)
        )
    }
    attendees: dict[int, list[str]] = defaultdict(list)
    for session_id, name in session.execute(
        select(Attendance.session_id, Member.display_name)
        .join(Member, Member.id == Attendance.member_id)
        .where(Attendance.session_id.in_(session_ids))
        .order_by(Attendance.created_at, Member.id)
    ):
        attendees[session_id].append(name)
    return {
        session_id: SessionTally(counts.get(session_id, 0), tuple(attendees[session_id]))
        for session_id in session_ids
    }


def last_active_session(
    session: Session, channel_id: int, member_id: int, since: datetime
) -> int | None:
    """The session a member last wrote a memo in or attended, in this channel, since ``since``."""
    last_memo = session.execute(
        select(Memo.session_id, Memo.created_at)
        .where(
            Memo.channel_id == channel_id,
            Memo.author_id == member_id,
            Memo.created_at >= since,
        )
        .order_by(Memo.created_at.desc(), Memo.id.desc())
        .limit(1)
    ).first()
    last_attended = session.execute(
        select(Attendance.session_id, Attendance.created_at)
        .join(ConferenceSession, ConferenceSession.id == Attendance.session_id)
        .where(
            Attendance.member_id == member_id,
            ConferenceSession.channel_id == channel_id,
            Attendance.created_at >= since,
        )
        .order_by(Attendance.created_at.desc())
        .limit(1)
    ).first()
    candidates = [row for row in (last_memo, last_attended) if row is not None]
    if not candidates:
        return None
    return int(max(candidates, key=lambda row: row[1])[0])
