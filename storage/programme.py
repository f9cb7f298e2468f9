"""A conference's programme in the sessions table: when and where each talk runs.

Writes are whole-programme batches (one statement per kind of change), so
importing a 2,000-talk programme is a few round trips, not thousands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.orm import InstrumentedAttribute

from storage.driver_sql import Prepared
from storage.models import ConferenceSession, table_of

#: The longest a programme's talk may run (a longer one is refused as a mistake in the file).
LONGEST_TALK = timedelta(hours=24)

_SESSIONS = select(
    ConferenceSession.id,
    ConferenceSession.title,
    ConferenceSession.title_key,
    ConferenceSession.day,
    ConferenceSession.start_utc,
    ConferenceSession.end_utc,
    ConferenceSession.room,
    ConferenceSession.track,
    ConferenceSession.speakers,
).where(ConferenceSession.conference_id == bindparam("conference_id"))

_BY_ID = _SESSIONS.where(ConferenceSession.id == bindparam("session_id"))
_IN_ORDER = (ConferenceSession.start_utc, ConferenceSession.room, ConferenceSession.id)
_SCHEDULED = _SESSIONS.where(ConferenceSession.start_utc.is_not(None))
_ON_DAY = _SCHEDULED.where(ConferenceSession.day == bindparam("day")).order_by(*_IN_ORDER)
_RUNNING = _SCHEDULED.where(
    ConferenceSession.start_utc <= bindparam("at"), ConferenceSession.end_utc > bindparam("at")
).order_by(*_IN_ORDER)


def _running_lookups(*columns: InstrumentedAttribute[Any]) -> tuple[Prepared, Prepared]:
    """The talks running at ``at``, and those that ended between ``since`` and ``at``, with
    these columns. Bounded below by the longest a talk may run, so the index on
    (conference_id, start_utc) is scanned for a day of talks, not the whole programme."""
    in_window = (
        ConferenceSession.conference_id == bindparam("conference_id"),
        ConferenceSession.start_utc > bindparam("earliest"),
    )
    in_order = (ConferenceSession.start_utc, ConferenceSession.id)
    running = select(*columns).where(
        *in_window,
        ConferenceSession.start_utc <= bindparam("at"),
        ConferenceSession.end_utc > bindparam("at"),
    )
    just_ended = select(*columns).where(
        *in_window,
        ConferenceSession.end_utc > bindparam("since"),
        ConferenceSession.end_utc <= bindparam("at"),
    )
    return Prepared(running.order_by(*in_order)), Prepared(just_ended.order_by(*in_order))


# On every untitled `/memo add`: ids only (no row or time to convert per talk) to decide;
# what a choice shows only when several run and the person must be asked.
_RUNNING_IDS = _running_lookups(ConferenceSession.id)
_RUNNING_SLOTS = _running_lookups(
    ConferenceSession.id,
    ConferenceSession.title,
    ConferenceSession.room,
    ConferenceSession.start_utc,
    ConferenceSession.end_utc,
)
_NEXT_START = select(func.min(ConferenceSession.start_utc)).where(
    ConferenceSession.conference_id == bindparam("conference_id"),
    ConferenceSession.start_utc > bindparam("at"),
)
_STARTING = _SCHEDULED.where(ConferenceSession.start_utc == bindparam("at")).order_by(*_IN_ORDER)

_SESSION = table_of(ConferenceSession)
_SET_SLOT = (
    update(ConferenceSession)
    .where(ConferenceSession.id == bindparam("session_id"))
    .values(
        day=bindparam("day"),
        starts_at=bindparam("starts_at"),
        ends_at=bindparam("ends_at"),
        start_utc=bindparam("start_utc"),
        end_utc=bindparam("end_utc"),
        room=bindparam("room"),
        track=bindparam("track"),
        speakers=bindparam("speakers"),
    )
)


@dataclass(frozen=True, slots=True)
class ProgrammedSession:
    """A session as the programme sees it: its title key, day and slot."""

    id: int
    title: str
    title_key: str
    day: date
    start_utc: datetime | None
    end_utc: datetime | None
    room: str | None
    track: str | None
    speakers: str | None


@dataclass(frozen=True, slots=True)
class TalkSlot:
    """A talk running now as a choice between running talks shows it."""

    id: int
    title: str
    room: str | None
    start_utc: datetime
    end_utc: datetime


@dataclass(frozen=True, slots=True)
class Slot:
    """What a programme says about one talk, as stored."""

    day: date
    starts_at: time
    ends_at: time
    start_utc: datetime
    end_utc: datetime
    room: str | None
    track: str | None
    speakers: str | None

    def as_row(self) -> dict[str, object]:
        return {
            "day": self.day,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "start_utc": self.start_utc,
            "end_utc": self.end_utc,
            "room": self.room,
            "track": self.track,
            "speakers": self.speakers,
        }


def conference_sessions(tx: Connection, conference_id: int) -> list[ProgrammedSession]:
    """Every session of the conference, with its slot when it has one."""
    rows = tx.execute(_SESSIONS, {"conference_id": conference_id})
    return [ProgrammedSession(**row._asdict()) for row in rows]


def day_programme(tx: Connection, conference_id: int, day: date) -> list[ProgrammedSession]:
    """The talks of a local day that have a slot, by start time, then room."""
    rows = tx.execute(_ON_DAY, {"conference_id": conference_id, "day": day})
    return [ProgrammedSession(**row._asdict()) for row in rows]


def slot_of(tx: Connection, conference_id: int, session_id: int) -> ProgrammedSession | None:
    """The conference's session with its slot (None fields when the programme lacks it)."""
    row = tx.execute(_BY_ID, {"conference_id": conference_id, "session_id": session_id}).first()
    return ProgrammedSession(**row._asdict()) if row else None


def running_at(tx: Connection, conference_id: int, at: datetime) -> list[ProgrammedSession]:
    """The talks whose slot holds the instant ``at``, by start time, then room."""
    rows = tx.execute(_RUNNING, {"conference_id": conference_id, "at": at})
    return [ProgrammedSession(**row._asdict()) for row in rows]


def running_or_just_ended(
    tx: Connection, conference_id: int, at: datetime, grace: timedelta
) -> list[int]:
    """The ids of the talks running at ``at``; between slots, of those that ended within
    ``grace`` before. By start time."""
    return [row[0] for row in _running(tx, _RUNNING_IDS, conference_id, at, grace)]


def running_slots(
    tx: Connection, conference_id: int, at: datetime, grace: timedelta
) -> list[TalkSlot]:
    """The same talks as ``running_or_just_ended``, with what a choice between them shows."""
    return [TalkSlot(*row) for row in _running(tx, _RUNNING_SLOTS, conference_id, at, grace)]


def _running(
    tx: Connection,
    lookups: tuple[Prepared, Prepared],
    conference_id: int,
    at: datetime,
    grace: timedelta,
) -> list[Any]:
    running, just_ended = lookups
    parameters = {"conference_id": conference_id, "at": at, "earliest": at - LONGEST_TALK}
    rows = running.rows(tx, parameters)
    if not rows:
        parameters.update(since=at - grace, earliest=at - grace - LONGEST_TALK)
        rows = just_ended.rows(tx, parameters)
    return rows


def next_after(tx: Connection, conference_id: int, at: datetime) -> list[ProgrammedSession]:
    """The talks of the first slot starting after ``at`` (none when the programme is over)."""
    parameters = {"conference_id": conference_id, "at": at}
    start = tx.execute(_NEXT_START, parameters).scalar()
    if start is None:
        return []
    rows = tx.execute(_STARTING, {"conference_id": conference_id, "at": start})
    return [ProgrammedSession(**row._asdict()) for row in rows]


def set_slots(tx: Connection, slots: Sequence[tuple[int, Slot]]) -> None:
    """Give existing sessions (by id) their slots, in one executemany."""
    if slots:
        tx.execute(_SET_SLOT, [{"session_id": sid, **slot.as_row()} for sid, slot in slots])


def add_sessions(
    tx: Connection,
    *,
    channel_id: int,
    conference_id: int,
    sessions: Sequence[tuple[str, str, Slot]],
    now: datetime,
) -> None:
    """New sessions from (title, title key, slot), in one statement."""
    if not sessions:
        return
    tx.execute(
        insert(_SESSION),
        [
            {
                "channel_id": channel_id,
                "conference_id": conference_id,
                "title": title,
                "title_key": key,
                "created_at": now,
                **slot.as_row(),
            }
            for title, key, slot in sessions
        ],
    )
