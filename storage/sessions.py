"""Conference sessions: finding them by title, listing them by day, and their tallies."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Connection, bindparam, func, insert, select

from storage.driver_sql import Prepared
from storage.models import Attendance, Channel, ConferenceSession, Member, Memo, table_of
from storage.records import ChannelSession, SessionRecord, SessionTally
from storage.upsert import insert_or_ignore

_COLUMNS = (
    ConferenceSession.id,
    ConferenceSession.conference_id,
    ConferenceSession.title,
    ConferenceSession.day,
)
_TITLED = Prepared(  # on every `/memo add` with a title
    select(*_COLUMNS)
    .where(
        ConferenceSession.conference_id == bindparam("conference_id"),
        ConferenceSession.title_key == bindparam("title_key"),
    )
    .order_by(ConferenceSession.day.desc())
)
_TITLED_IN_CHANNEL = (
    select(*_COLUMNS)
    .where(
        ConferenceSession.channel_id == bindparam("channel_id"),
        ConferenceSession.title_key == bindparam("title_key"),
    )
    .order_by(ConferenceSession.day.desc(), ConferenceSession.id.desc())
)
_IN_CHANNEL = select(ConferenceSession.id, ConferenceSession.title).where(
    ConferenceSession.channel_id == bindparam("channel_id")
)
_TITLED_ON = select(*_COLUMNS).where(
    ConferenceSession.conference_id == bindparam("conference_id"),
    ConferenceSession.title_key == bindparam("title_key"),
    ConferenceSession.day == bindparam("day"),
)
_TITLE_KEYS = (
    select(ConferenceSession.id, ConferenceSession.title_key)
    .where(ConferenceSession.conference_id == bindparam("conference_id"))
    .order_by(ConferenceSession.day.desc(), ConferenceSession.id.desc())
)
_KEYED_ON_DAY = select(ConferenceSession.id, ConferenceSession.title_key).where(
    ConferenceSession.conference_id == bindparam("conference_id"),
    ConferenceSession.day == bindparam("day"),
    ConferenceSession.title_key.in_(bindparam("keys", expanding=True)),
)
_BY_ID = select(*_COLUMNS).where(ConferenceSession.id == bindparam("session_id"))
_BY_ID_IN_CHANNEL = _BY_ID.where(ConferenceSession.channel_id == bindparam("channel_id"))
_TIME_ORDER = (
    ConferenceSession.day,
    ConferenceSession.starts_at.nulls_last(),
    ConferenceSession.created_at,
    ConferenceSession.id,
)
_ALL_DAYS = (
    select(*_COLUMNS)
    .where(ConferenceSession.conference_id == bindparam("conference_id"))
    .order_by(*_TIME_ORDER)
)
_ON_DAY = _ALL_DAYS.where(ConferenceSession.day == bindparam("day"))
_MEMO_COUNTS = (
    select(Memo.session_id, func.count().label("memo_count"))
    .where(Memo.session_id.in_(bindparam("session_ids", expanding=True)), Memo.deleted_at.is_(None))
    .group_by(Memo.session_id)
)
_ATTENDEES = (
    select(Attendance.session_id, Member.display_name)
    .join(Member, Member.id == Attendance.member_id)
    .where(Attendance.session_id.in_(bindparam("session_ids", expanding=True)))
    .order_by(Attendance.created_at, Member.id)
)
_LAST_MEMO = (
    select(Memo.session_id, Memo.created_at)
    .where(
        Memo.channel_id == bindparam("channel_id"),
        Memo.author_id == bindparam("member_id"),
        Memo.created_at >= bindparam("since"),
    )
    .order_by(Memo.created_at.desc(), Memo.id.desc())
    .limit(1)
)
_LAST_ATTENDED = (
    select(Attendance.session_id, Attendance.created_at)
    .join(ConferenceSession, ConferenceSession.id == Attendance.session_id)
    .where(
        Attendance.member_id == bindparam("member_id"),
        ConferenceSession.channel_id == bindparam("channel_id"),
        Attendance.created_at >= bindparam("since"),
    )
    .order_by(Attendance.created_at.desc())
    .limit(1)
)


_RECENTLY_ATTENDED = (
    select(*_COLUMNS, Channel.external_id.label("channel_external_id"))
    .join(Attendance, Attendance.session_id == ConferenceSession.id)
    .join(Channel, Channel.id == ConferenceSession.channel_id)
    .where(Attendance.member_id == bindparam("member_id"))
    .order_by(Attendance.created_at.desc(), ConferenceSession.id.desc())
    .limit(bindparam("limit"))
)


def sessions_titled(tx: Connection, conference_id: int, title_key: str) -> list[SessionRecord]:
    """Sessions of a conference with exactly this title key, latest day first."""
    rows = _TITLED.rows(tx, {"conference_id": conference_id, "title_key": title_key})
    return [SessionRecord.from_row(row) for row in rows]


def channel_sessions_titled(tx: Connection, channel_id: int, title_key: str) -> list[SessionRecord]:
    """Sessions with this title in any conference of the channel, latest first."""
    rows = tx.execute(_TITLED_IN_CHANNEL, {"channel_id": channel_id, "title_key": title_key})
    return [SessionRecord.from_row(row) for row in rows]


def channel_titles(tx: Connection, channel_id: int) -> list[tuple[int, str]]:
    """(id, title) of every session of the channel, in every conference it followed."""
    return [(row.id, row.title) for row in tx.execute(_IN_CHANNEL, {"channel_id": channel_id})]


def title_keys(tx: Connection, conference_id: int) -> list[tuple[int, str]]:
    """(id, title_key) of every session of a conference, latest first, for near matching."""
    return [
        (row.id, row.title_key) for row in tx.execute(_TITLE_KEYS, {"conference_id": conference_id})
    ]


def channel_session(tx: Connection, channel_id: int, session_id: int) -> SessionRecord | None:
    """The session with this id if it belongs to this channel; never another channel's."""
    row = tx.execute(_BY_ID_IN_CHANNEL, {"session_id": session_id, "channel_id": channel_id})
    first = row.first()
    return SessionRecord.from_row(first) if first else None


def get_session(tx: Connection, session_id: int) -> SessionRecord:
    return SessionRecord.from_row(tx.execute(_BY_ID, {"session_id": session_id}).one())


def ensure_session(
    tx: Connection,
    *,
    channel_id: int,
    conference_id: int,
    title: str,
    title_key: str,
    day: date,
    now: datetime,
) -> SessionRecord:
    """The session with this title on this day, created if new."""
    insert_or_ignore(
        tx,
        table_of(ConferenceSession),
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
    row = tx.execute(
        _TITLED_ON, {"conference_id": conference_id, "title_key": title_key, "day": day}
    ).one()
    return SessionRecord.from_row(row)


def ensure_sessions_on(
    tx: Connection,
    *,
    channel_id: int,
    conference_id: int,
    day: date,
    titles: Sequence[tuple[str, str, datetime]],
) -> dict[str, int]:
    """Ids of the day's sessions with these (title, title key, created at), by key.

    Missing ones are created in one statement: an import adds a day's sessions at
    once. Another process creating one at the same moment makes the insert fail
    on the unique key, and the caller's transaction is run again.
    """
    keys = list({key for _, key, _ in titles})
    parameters = {"conference_id": conference_id, "day": day, "keys": keys}
    found = {row.title_key: row.id for row in tx.execute(_KEYED_ON_DAY, parameters)}
    missing: dict[str, dict[str, object]] = {}
    for title, key, created_at in titles:
        if key not in found and key not in missing:
            missing[key] = {
                "channel_id": channel_id,
                "conference_id": conference_id,
                "title": title,
                "title_key": key,
                "day": day,
                "created_at": created_at,
            }
    if missing:
        tx.execute(insert(ConferenceSession), list(missing.values()))
        found = {row.title_key: row.id for row in tx.execute(_KEYED_ON_DAY, parameters)}
    return found


def sessions_on(tx: Connection, conference_id: int, day: date | None) -> list[SessionRecord]:
    """A conference's sessions of one day (every day when ``day`` is None), in time order."""
    if day is None:
        rows = tx.execute(_ALL_DAYS, {"conference_id": conference_id})
    else:
        rows = tx.execute(_ON_DAY, {"conference_id": conference_id, "day": day})
    return [SessionRecord.from_row(row) for row in rows]


def tallies(tx: Connection, session_ids: Sequence[int]) -> dict[int, SessionTally]:
    """Live memo count and attendees of each session."""
    if not session_ids:
        return {}
    ids = {"session_ids": list(session_ids)}
    counts = {row.session_id: row.memo_count for row in tx.execute(_MEMO_COUNTS, ids)}
    attendees: dict[int, list[str]] = defaultdict(list)
    for row in tx.execute(_ATTENDEES, ids):
        attendees[row.session_id].append(row.display_name)
    return {
        session_id: SessionTally(counts.get(session_id, 0), tuple(attendees[session_id]))
        for session_id in session_ids
    }


def recently_attended(tx: Connection, member_id: int, limit: int) -> list[ChannelSession]:
    """Sessions a member attended (or wrote in) lately, in any channel, latest first."""
    rows = tx.execute(_RECENTLY_ATTENDED, {"member_id": member_id, "limit": limit})
    return [ChannelSession(row.channel_external_id, SessionRecord.from_row(row)) for row in rows]


def last_active_session(
    tx: Connection, channel_id: int, member_id: int, since: datetime
) -> int | None:
    """The session a member last wrote a memo in or attended, in this channel, since ``since``."""
    parameters = {"channel_id": channel_id, "member_id": member_id, "since": since}
    candidates = [
        row
        for row in (
            tx.execute(_LAST_MEMO, parameters).first(),
            tx.execute(_LAST_ATTENDED, parameters).first(),
        )
        if row is not None
    ]
    if not candidates:
        return None
    return int(max(candidates, key=lambda row: row.created_at).session_id)
