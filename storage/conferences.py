"""Conferences a channel follows; the one activated last is the channel's current one."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Conference, ConferenceSession
from storage.upsert import insert_or_ignore

#: ``name_key`` of the conference a channel gets before anyone names one.
UNNAMED = ""


def current_conference(session: Session, channel_id: int) -> Conference | None:
    return session.scalar(
        select(Conference)
        .where(Conference.channel_id == channel_id)
        .order_by(Conference.activated_at.desc(), Conference.id.desc())
        .limit(1)
    )


def find_conference(session: Session, channel_id: int, name_key: str) -> Conference | None:
    return session.scalar(
        select(Conference).where(
            Conference.channel_id == channel_id, Conference.name_key == name_key
        )
    )


def ensure_conference(
    session: Session,
    channel_id: int,
    name: str,
    name_key: str,
    time_zone: str,
    now: datetime,
) -> Conference:
    """The conference with this name in the channel, created (not activated) if new."""
    insert_or_ignore(
        session,
        Conference,
        {
            "channel_id": channel_id,
            "name": name,
            "name_key": name_key,
            "time_zone": time_zone,
            "activated_at": now,
            "created_at": now,
        },
        ("channel_id", "name_key"),
    )
    conference = find_conference(session, channel_id, name_key)
    assert conference is not None
    return conference


def activate(
    conference: Conference,
    now: datetime,
    *,
    time_zone: str | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> None:
    """Make the conference current, updating whatever settings were given."""
    conference.activated_at = now
    if time_zone is not None:
        conference.time_zone = time_zone
    if starts_on is not None:
        conference.starts_on = starts_on
        conference.ends_on = ends_on


def rename(conference: Conference, name: str, name_key: str) -> None:
    conference.name = name
    conference.name_key = name_key


def count_sessions(session: Session, conference_id: int) -> int:
    return (
        session.scalar(select(func.count()).where(ConferenceSession.conference_id == conference_id))
        or 0
    )
