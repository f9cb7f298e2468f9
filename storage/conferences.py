"""Conferences a channel follows; the one activated last is the channel's current one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, case, func, select, true, update
from sqlalchemy.orm import aliased

from storage import channels
from storage.driver_sql import Prepared
from storage.models import Channel, Conference, ConferenceSession, Memo, table_of
from storage.records import ConferenceRecord, SessionRecord
from storage.upsert import insert_or_ignore

#: ``name_key`` of the conference a channel gets before anyone names one.
UNNAMED = ""

_COLUMNS = (
    Conference.id,
    Conference.name,
    Conference.name_key,
    Conference.time_zone,
    Conference.starts_on,
    Conference.ends_on,
)
_CURRENT = Prepared(  # read in every command that has a channel
    select(*_COLUMNS)
    .where(Conference.channel_id == bindparam("channel_id"))
    .order_by(Conference.activated_at.desc(), Conference.id.desc())
    .limit(1)
)
_LATEST = aliased(Conference)
_CURRENT_ID = (
    select(_LATEST.id)
    .where(_LATEST.channel_id == Channel.id)
    .order_by(_LATEST.activated_at.desc(), _LATEST.id.desc())
    .limit(1)
    .correlate(Channel)
    .scalar_subquery()
)
# What every command with a channel reads first (the language of its reply, then the
# conference it works in): one statement, as each is a round trip on PostgreSQL.
_LANGUAGE_AND_CURRENT_SELECT = (
    select(Channel.language, *_COLUMNS)
    .select_from(Channel)
    .outerjoin(Conference, Conference.id == _CURRENT_ID)
    .where(Channel.id == bindparam("channel_id"))
)
_LANGUAGE_AND_CURRENT = Prepared(_LANGUAGE_AND_CURRENT_SELECT)
#: The current conference's session of a title (latest day), for ``_WRITE_STATE``.
_TITLED_IN_CURRENT = (
    select(
        ConferenceSession.id.label("session_id"),
        ConferenceSession.title.label("session_title"),
        ConferenceSession.day.label("session_day"),
    )
    .where(
        ConferenceSession.conference_id == Conference.id,
        ConferenceSession.title_key == bindparam("title_key"),
    )
    .order_by(ConferenceSession.day.desc())
    .limit(1)
    .lateral("titled")
)
#: PostgreSQL, a write command's first statement: the member's name is set in it too
#: (``member_id`` NULL: a member this process does not know yet), and the session of the
#: title the command names is read with it (``title_key`` NULL: none).
_WRITE_STATE = Prepared(
    _LANGUAGE_AND_CURRENT_SELECT.add_columns(*_TITLED_IN_CURRENT.c)
    .outerjoin(_TITLED_IN_CURRENT, true())
    .add_cte(channels.naming_member())
)
_BY_NAME = select(*_COLUMNS).where(
    Conference.channel_id == bindparam("channel_id"), Conference.name_key == bindparam("name_key")
)
_BY_ID = select(*_COLUMNS).where(Conference.id == bindparam("conference_id"))
_ALL_IN_CHANNEL = (
    select(*_COLUMNS)
    .where(Conference.channel_id == bindparam("channel_id"))
    .order_by(Conference.activated_at.desc(), Conference.id.desc())
)
_SESSION_TALLIES = (
    select(
        ConferenceSession.conference_id,
        func.count().label("sessions"),
        func.min(ConferenceSession.day).label("first_day"),
        func.max(ConferenceSession.day).label("last_day"),
    )
    .where(ConferenceSession.channel_id == bindparam("channel_id"))
    .group_by(ConferenceSession.conference_id)
)
_MEMO_TALLIES = (
    select(ConferenceSession.conference_id, func.count().label("memos"))
    .join(Memo, Memo.session_id == ConferenceSession.id)
    .where(Memo.channel_id == bindparam("channel_id"), Memo.deleted_at.is_(None))
    .group_by(ConferenceSession.conference_id)
)
_COUNT_SESSIONS = select(func.count()).where(
    ConferenceSession.conference_id == bindparam("conference_id")
)


def current_conference(tx: Connection, channel_id: int) -> ConferenceRecord | None:
    row = _CURRENT.first(tx, {"channel_id": channel_id})
    return ConferenceRecord.from_row(row) if row else None


@dataclass(frozen=True, slots=True)
class Naming:
    """A member this process knows, and the name the platform gives them now."""

    member_id: int
    name: str


@dataclass(frozen=True, slots=True)
class ChannelState:
    """What every command with a channel reads first."""

    #: The channel's `/memo language` setting.
    language: str
    #: The channel's current conference, if it has one yet.
    current: ConferenceRecord | None
    #: The title key the current conference's session was read for (``titled``); None when
    #: none was (no title asked for, no current conference, or not PostgreSQL).
    title_key: str | None = None
    #: The current conference's session of ``title_key`` (latest day), if it has one.
    titled: SessionRecord | None = None


def channel_state(
    tx: Connection,
    channel_id: int,
    *,
    writes: bool = False,
    naming: Naming | None = None,
    title_key: str | None = None,
) -> ChannelState:
    """The channel's `/memo language` setting and its current conference (if any yet).

    For a write command, on PostgreSQL, more comes in the same statement, as each round
    trip costs the bot process CPU: with ``naming`` (its member), the member is given
    that name (unless they have it), as ``channels.name_member`` does; with ``title_key``,
    the current conference's session of that title is read (``ChannelState.titled``).
    Elsewhere the member is named in a statement of its own and no session is read.
    """
    if not (writes and tx.dialect.name == "postgresql"):
        if naming is not None:
            channels.name_member(tx, naming.member_id, naming.name)
        row = _LANGUAGE_AND_CURRENT.first(tx, {"channel_id": channel_id})
        assert row is not None, f"no channel {channel_id}"
        return ChannelState(row.language, _conference_of(row))
    params = {
        "channel_id": channel_id,
        "member_id": None if naming is None else naming.member_id,
        "name": None if naming is None else naming.name,
        "title_key": title_key,
    }
    row = _WRITE_STATE.first(tx, params)
    assert row is not None, f"no channel {channel_id}"
    current = _conference_of(row)
    if title_key is None or current is None:
        return ChannelState(row.language, current)
    titled = (
        SessionRecord(row.session_id, current.id, row.session_title, row.session_day)
        if row.session_id is not None
        else None
    )
    return ChannelState(row.language, current, title_key, titled)


def _conference_of(row: Any) -> ConferenceRecord | None:
    return ConferenceRecord.from_row(row) if row.id is not None else None


def find_conference(tx: Connection, channel_id: int, name_key: str) -> ConferenceRecord | None:
    row = tx.execute(_BY_NAME, {"channel_id": channel_id, "name_key": name_key}).first()
    return ConferenceRecord.from_row(row) if row else None


def get_conference(tx: Connection, conference_id: int) -> ConferenceRecord:
    return ConferenceRecord.from_row(tx.execute(_BY_ID, {"conference_id": conference_id}).one())


def ensure_conference(
    tx: Connection,
    channel_id: int,
    name: str,
    name_key: str,
    time_zone: str,
    now: datetime,
    *,
    activated_at: datetime | None = None,
) -> ConferenceRecord:
    """The conference with this name in the channel, created if new.

    A new one is the channel's current conference unless ``activated_at`` puts it
    in the past (an import of old notes into a channel at another conference).
    """
    insert_or_ignore(
        tx,
        table_of(Conference),
        {
            "channel_id": channel_id,
            "name": name,
            "name_key": name_key,
            "time_zone": time_zone,
            "activated_at": activated_at or now,
            "created_at": now,
        },
        ("channel_id", "name_key"),
    )
    conference = find_conference(tx, channel_id, name_key)
    assert conference is not None
    return conference


def activate(
    tx: Connection,
    conference_id: int,
    now: datetime,
    *,
    name: str | None = None,
    name_key: str | None = None,
    time_zone: str | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> ConferenceRecord:
    """Make the conference current, changing whichever settings are given."""
    changes: dict[str, object] = {"activated_at": now}
    if name is not None and name_key is not None:
        changes.update(name=name, name_key=name_key)
    if time_zone is not None:
        changes["time_zone"] = time_zone
    if starts_on is not None:
        changes.update(starts_on=starts_on, ends_on=ends_on)
    tx.execute(update(Conference).where(Conference.id == conference_id).values(**changes))
    return get_conference(tx, conference_id)


def cover_days(tx: Connection, conference_id: int, first: date, last: date) -> None:
    """Widen the conference's dates to take in ``first`` to ``last`` (set them when unset):
    an imported post's day was a day of its conference."""
    tx.execute(
        update(Conference)
        .where(Conference.id == conference_id)
        .values(
            starts_on=case(
                (Conference.starts_on.is_(None) | (Conference.starts_on > first), first),
                else_=Conference.starts_on,
            ),
            ends_on=case(
                (Conference.ends_on.is_(None) | (Conference.ends_on < last), last),
                else_=Conference.ends_on,
            ),
        )
    )


def count_sessions(tx: Connection, conference_id: int) -> int:
    return int(tx.execute(_COUNT_SESSIONS, {"conference_id": conference_id}).scalar_one())


def channel_conferences(tx: Connection, channel_id: int) -> list[ConferenceRecord]:
    """Every conference of the channel, the current one first, then by when each was current."""
    rows = tx.execute(_ALL_IN_CHANNEL, {"channel_id": channel_id})
    return [ConferenceRecord.from_row(row) for row in rows]


@dataclass(frozen=True, slots=True)
class ConferenceTally:
    """How much a conference holds: its sessions, their live memos and the days they are on."""

    sessions: int
    memos: int
    first_day: date | None
    last_day: date | None


def conference_tallies(tx: Connection, channel_id: int) -> dict[int, ConferenceTally]:
    """Each conference of the channel that has sessions -> its tally (two grouped queries)."""
    parameters = {"channel_id": channel_id}
    memos = {row.conference_id: row.memos for row in tx.execute(_MEMO_TALLIES, parameters)}
    return {
        row.conference_id: ConferenceTally(
            row.sessions, memos.get(row.conference_id, 0), row.first_day, row.last_day
        )
        for row in tx.execute(_SESSION_TALLIES, parameters)
    }
