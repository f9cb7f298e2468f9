"""Who plans to attend which session (`/memo plan`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, bindparam, select, union

from storage.driver_sql import Prepared
from storage.models import Attendance, ConferenceSession, Member, Plan, table_of
from storage.upsert import insert_or_ignore

_PLANNERS = (
    select(Plan.session_id, Member.display_name)
    .join(Member, Member.id == Plan.member_id)
    .where(Plan.session_id.in_(bindparam("session_ids", expanding=True)))
    .order_by(Plan.created_at, Member.id)
)
_MINE = union(
    select(Plan.session_id).where(
        Plan.member_id == bindparam("member_id"),
        Plan.session_id.in_(bindparam("session_ids", expanding=True)),
    ),
    select(Attendance.session_id).where(
        Attendance.member_id == bindparam("member_id"),
        Attendance.session_id.in_(bindparam("session_ids", expanding=True)),
    ),
)


def _theirs_since(link: type[Plan] | type[Attendance]) -> Select[Any]:
    return (
        select(link.session_id)
        .join(ConferenceSession, ConferenceSession.id == link.session_id)
        .where(
            link.member_id == bindparam("member_id"),
            ConferenceSession.conference_id == bindparam("conference_id"),
            ConferenceSession.start_utc > bindparam("earliest"),
            ConferenceSession.start_utc <= bindparam("latest"),
        )
    )


# On every untitled `/memo add` while several talks run.
_THEIRS_SINCE = Prepared(union(_theirs_since(Plan), _theirs_since(Attendance)))


def record_plan(tx: Connection, session_id: int, member_id: int, now: datetime) -> bool:
    """Mark that the member plans to attend; False when they already did."""
    return insert_or_ignore(
        tx,
        table_of(Plan),
        {"session_id": session_id, "member_id": member_id, "created_at": now},
        ("session_id", "member_id"),
    )


def planners(tx: Connection, session_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """Who plans each session (display names, first planner first); none: an empty tuple."""
    names: dict[int, list[str]] = defaultdict(list)
    if session_ids:
        for row in tx.execute(_PLANNERS, {"session_ids": list(session_ids)}):
            names[row.session_id].append(row.display_name)
    return {session_id: tuple(names[session_id]) for session_id in session_ids}


def planned_or_attended(tx: Connection, member_id: int, session_ids: Sequence[int]) -> set[int]:
    """Which of these sessions the member planned, attended or wrote a memo in."""
    if not session_ids:
        return set()
    parameters = {"member_id": member_id, "session_ids": list(session_ids)}
    return {row.session_id for row in tx.execute(_MINE, parameters)}


def planned_or_attended_between(
    tx: Connection, member_id: int, conference_id: int, earliest: datetime, latest: datetime
) -> set[int]:
    """The conference's talks starting after ``earliest`` and by ``latest`` that the member
    planned, attended or wrote a memo in."""
    parameters = {
        "member_id": member_id,
        "conference_id": conference_id,
        "earliest": earliest,
        "latest": latest,
    }
    return {row[0] for row in _THEIRS_SINCE.rows(tx, parameters)}
