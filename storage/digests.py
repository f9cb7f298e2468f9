"""Digests: each channel's setting, what a channel did on a day, and the once-per-day claims."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum

from sqlalchemy import Connection, bindparam, or_, select, update

from storage.models import (
    Attendance,
    Channel,
    ConferenceSession,
    DigestPost,
    DigestSetting,
    Member,
    Memo,
    Workspace,
    table_of,
)
from storage.records import RowRecord, SessionRecord
from storage.upsert import insert_or_ignore


@dataclass(frozen=True, slots=True)
class DigestSettingRecord(RowRecord):
    channel_id: int
    enabled: bool
    post_at: time
    time_zone: str
    days: str
    disabled_reason: str | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DigestTarget(RowRecord):
    """Where a digest goes: the channel, and its ids on its platform."""

    channel_id: int
    platform: str
    workspace_external_id: str
    channel_external_id: str


@dataclass(frozen=True, slots=True)
class ScheduledDigest:
    """An enabled digest and where it goes, for the scheduler."""

    setting: DigestSettingRecord
    target: DigestTarget


@dataclass(frozen=True, slots=True)
class DayMemo(RowRecord):
    session_id: int
    number: int
    author_id: int
    author_name: str
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DayActivity:
    """Sessions with memos or attendance in a time range, and who did what."""

    sessions: list[SessionRecord]
    #: session id -> starts_at (local), for ordering by the programme when known.
    starts_at: dict[int, time | None]
    memos: dict[int, list[DayMemo]]
    #: session id -> {member id: display name}, in the order they turned up.
    attendees: dict[int, dict[int, str]]


class Claim(Enum):
    """Why a claim was not won."""

    HELD = "held"  # another process is posting it (its lease has not run out)
    DONE = "done"  # already posted (or found empty)


@dataclass(frozen=True, slots=True)
class Attempt:
    """A post that began: its messages may be on the platform, marked with ``key``."""

    key: str
    started_at: datetime
    markdown: str


@dataclass(frozen=True, slots=True)
class HeldClaim:
    """A claim this process won; ``attempt`` when an earlier try began posting it."""

    claim_id: int
    attempt: Attempt | None


_SETTING_COLUMNS = (
    DigestSetting.channel_id,
    DigestSetting.enabled,
    DigestSetting.post_at,
    DigestSetting.time_zone,
    DigestSetting.days,
    DigestSetting.disabled_reason,
    DigestSetting.updated_at,
)
_SETTING = select(*_SETTING_COLUMNS).where(DigestSetting.channel_id == bindparam("channel_id"))
_ENABLED = (
    select(
        *_SETTING_COLUMNS,
        Workspace.platform,
        Workspace.external_id.label("workspace_external_id"),
        Channel.external_id.label("channel_external_id"),
    )
    .join(Channel, Channel.id == DigestSetting.channel_id)
    .join(Workspace, Workspace.id == Channel.workspace_id)
    .where(DigestSetting.enabled.is_(True))
    .order_by(DigestSetting.channel_id)
)
_DAY_MEMOS = (
    select(
        Memo.session_id,
        Memo.number,
        Memo.author_id,
        Member.display_name.label("author_name"),
        Memo.text,
        Memo.created_at,
    )
    .join(Member, Member.id == Memo.author_id)
    .where(
        Memo.channel_id == bindparam("channel_id"),
        Memo.deleted_at.is_(None),
        Memo.created_at >= bindparam("start"),
        Memo.created_at < bindparam("end"),
    )
    .order_by(Memo.created_at, Memo.number)
)
_DAY_ATTENDANCE = (
    select(Attendance.session_id, Member.id.label("member_id"), Member.display_name)
    .join(Member, Member.id == Attendance.member_id)
    .join(ConferenceSession, ConferenceSession.id == Attendance.session_id)
    .where(
        ConferenceSession.channel_id == bindparam("channel_id"),
        Attendance.created_at >= bindparam("start"),
        Attendance.created_at < bindparam("end"),
    )
    .order_by(Attendance.created_at, Member.id)
)
_SESSIONS_BY_ID = select(
    ConferenceSession.id,
    ConferenceSession.conference_id,
    ConferenceSession.title,
    ConferenceSession.day,
    ConferenceSession.starts_at,
).where(ConferenceSession.id.in_(bindparam("ids", expanding=True)))
_CLAIM_ROW = select(
    DigestPost.id,
    DigestPost.posted_at,
    DigestPost.delivery_key,
    DigestPost.first_attempt_at,
    DigestPost.markdown,
).where(DigestPost.channel_id == bindparam("channel_id"), DigestPost.day == bindparam("day"))
_SETTLED = select(DigestPost.channel_id, DigestPost.day).where(
    DigestPost.day >= bindparam("since"), DigestPost.posted_at.is_not(None)
)
# Update statements name their parameters apart from the columns they set (SQLAlchemy's rule).
_TAKE_OVER = (
    update(DigestPost)
    .where(
        DigestPost.id == bindparam("claim_id"),
        DigestPost.posted_at.is_(None),
        DigestPost.lease_until <= bindparam("now"),
    )
    .values(
        claimed_by=bindparam("holder"),
        claimed_at=bindparam("now"),
        lease_until=bindparam("new_lease"),
        attempts=DigestPost.attempts + 1,
    )
    .returning(DigestPost.id)
)
_THIS_CLAIM = (
    DigestPost.channel_id == bindparam("the_channel"),
    DigestPost.day == bindparam("the_day"),
)
#: A claim still held by the process named, and not settled.
_STILL_MINE = (
    DigestPost.id == bindparam("claim_id"),
    DigestPost.claimed_by == bindparam("holder"),
    DigestPost.posted_at.is_(None),
)
_RENEW = (
    update(DigestPost)
    .where(*_STILL_MINE)
    .values(lease_until=bindparam("new_lease"))
    .returning(DigestPost.id)
)
_START_ATTEMPT = (
    update(DigestPost)
    .where(*_STILL_MINE, DigestPost.delivery_key.is_(None))
    .values(
        delivery_key=bindparam("key"),
        first_attempt_at=bindparam("started_at"),
        markdown=bindparam("text"),
    )
    .returning(DigestPost.id)
)
_POSTED = (
    update(DigestPost)
    .where(*_THIS_CLAIM)
    .values(
        posted_at=bindparam("now"), message_id=bindparam("posted_id"), last_error=bindparam("note")
    )
)
_DISABLE = (
    update(DigestSetting)
    .where(DigestSetting.channel_id == bindparam("the_channel"))
    .values(enabled=False, disabled_reason=bindparam("reason"), updated_at=bindparam("now"))
)
_FAILED = (
    update(DigestPost)
    .where(*_THIS_CLAIM)
    .values(last_error=bindparam("error"), lease_until=bindparam("retry_at"))
)


def get_setting(tx: Connection, channel_id: int) -> DigestSettingRecord | None:
    row = tx.execute(_SETTING, {"channel_id": channel_id}).first()
    return DigestSettingRecord.from_row(row) if row else None


def save_setting(
    tx: Connection,
    channel_id: int,
    *,
    post_at: time,
    time_zone: str,
    days: str,
    enabled: bool,
    disabled_reason: str | None,
    now: datetime,
) -> None:
    values = {
        "enabled": enabled,
        "post_at": post_at,
        "time_zone": time_zone,
        "days": days,
        "disabled_reason": disabled_reason,
        "updated_at": now,
    }
    if not insert_or_ignore(
        tx, table_of(DigestSetting), {"channel_id": channel_id, **values}, ("channel_id",)
    ):
        tx.execute(
            update(DigestSetting).where(DigestSetting.channel_id == channel_id).values(**values)
        )


def enabled_digests(tx: Connection) -> list[ScheduledDigest]:
    return [
        ScheduledDigest(DigestSettingRecord.from_row(row), DigestTarget.from_row(row))
        for row in tx.execute(_ENABLED)
    ]


def targets(
    tx: Connection, workspace_external_id: str, channel_external_id: str
) -> list[DigestTarget]:
    """The channels with these ids, on whichever platforms have them (for the command line)."""
    rows = tx.execute(
        select(
            Channel.id.label("channel_id"),
            Workspace.platform,
            Workspace.external_id.label("workspace_external_id"),
            Channel.external_id.label("channel_external_id"),
        )
        .join(Workspace, Workspace.id == Channel.workspace_id)
        .where(
            Workspace.external_id == workspace_external_id,
            Channel.external_id == channel_external_id,
        )
    )
    return [DigestTarget.from_row(row) for row in rows]


def day_activity(tx: Connection, channel_id: int, start: datetime, end: datetime) -> DayActivity:
    """What happened in a channel from ``start`` to ``end`` (UTC): memos and attendance."""
    window = {"channel_id": channel_id, "start": start, "end": end}
    memos: dict[int, list[DayMemo]] = defaultdict(list)
    for memo_row in tx.execute(_DAY_MEMOS, window):
        memos[memo_row.session_id].append(DayMemo.from_row(memo_row))
    #: session id -> {member id: display name}, in the order they turned up.
    attendees: dict[int, dict[int, str]] = defaultdict(dict)
    for seen in tx.execute(_DAY_ATTENDANCE, window):
        attendees[seen.session_id].setdefault(seen.member_id, seen.display_name)
    for session_id, session_memos in memos.items():
        for memo in session_memos:  # writing a memo counts as attending
            attendees[session_id].setdefault(memo.author_id, memo.author_name)
    ids = sorted(set(memos) | set(attendees))
    rows = list(tx.execute(_SESSIONS_BY_ID, {"ids": ids})) if ids else []
    return DayActivity(
        sessions=[SessionRecord(row.id, row.conference_id, row.title, row.day) for row in rows],
        starts_at={row.id: row.starts_at for row in rows},
        memos=memos,
        attendees=attendees,
    )


def settled_days(tx: Connection, since: date) -> set[tuple[int, date]]:
    """(channel id, day) of every digest since ``since`` that is done: posted, or found empty.

    The sweep skips these without a write, so a minute's sweep over thousands of
    channels in their grace period costs one query, not a claim per channel.
    """
    rows = tx.execute(_SETTLED, {"since": since})
    return {(row.channel_id, row.day) for row in rows}


def claim(
    tx: Connection, channel_id: int, day: date, holder: str, now: datetime, lease: timedelta
) -> HeldClaim | Claim:
    """Claim a channel's digest of ``day`` for ``holder`` until ``now + lease``.

    The unique (channel, day) makes the first claim win across processes; a
    claim whose lease ran out without a post is taken over (its holder died,
    or gave up for a while), with the attempt it may have begun.
    """
    lease_until = now + lease
    inserted = insert_or_ignore(
        tx,
        table_of(DigestPost),
        {
            "channel_id": channel_id,
            "day": day,
            "claimed_by": holder,
            "claimed_at": now,
            "lease_until": lease_until,
            "attempts": 1,
        },
        ("channel_id", "day"),
    )
    row = tx.execute(_CLAIM_ROW, {"channel_id": channel_id, "day": day}).one()
    if inserted:
        return HeldClaim(row.id, None)
    if row.posted_at is not None:
        return Claim.DONE
    taken = tx.execute(
        _TAKE_OVER,
        {"claim_id": row.id, "holder": holder, "now": now, "new_lease": lease_until},
    ).first()
    if not taken:
        return Claim.HELD
    attempt = (
        Attempt(row.delivery_key, row.first_attempt_at, row.markdown)
        if row.delivery_key is not None
        else None
    )
    return HeldClaim(row.id, attempt)


def renew(tx: Connection, claim_id: int, holder: str, lease_until: datetime) -> bool:
    """Extend a claim ``holder`` still has; False if it lost it (or it is settled)."""
    renewed = tx.execute(
        _RENEW, {"claim_id": claim_id, "holder": holder, "new_lease": lease_until}
    ).first()
    return renewed is not None


def release(tx: Connection, claim_id: int, holder: str, now: datetime) -> None:
    """Let any process take a claim over at once (its holder is stopping)."""
    renew(tx, claim_id, holder, now)


def start_attempt(tx: Connection, claim_id: int, holder: str, attempt: Attempt) -> bool:
    """Record, before posting, that ``holder`` begins posting; False if it lost the claim."""
    started = tx.execute(
        _START_ATTEMPT,
        {
            "claim_id": claim_id,
            "holder": holder,
            "key": attempt.key,
            "started_at": attempt.started_at,
            "text": attempt.markdown,
        },
    ).first()
    return started is not None


def mark_posted(
    tx: Connection,
    channel_id: int,
    day: date,
    message_id: str | None,
    now: datetime,
    note: str | None = None,
) -> None:
    """The day is done: posted (``message_id``), or settled without a post (``note`` says why)."""
    tx.execute(
        _POSTED,
        {
            "the_channel": channel_id,
            "the_day": day,
            "posted_id": message_id,
            "now": now,
            "note": note,
        },
    )


def disable(tx: Connection, channel_id: int, reason: str, now: datetime) -> None:
    """Turn a channel's digest off on the bot's own account, saying why."""
    tx.execute(_DISABLE, {"the_channel": channel_id, "reason": reason, "now": now})


def mark_failed(tx: Connection, channel_id: int, day: date, error: str, retry_at: datetime) -> None:
    """Keep the claim but let any process try again from ``retry_at``."""
    tx.execute(
        _FAILED,
        {"the_channel": channel_id, "the_day": day, "error": error, "retry_at": retry_at},
    )


def stop_in_workspaces(
    tx: Connection,
    platform: str,
    workspace_external_ids: Sequence[str],
    reason: str,
    now: datetime,
    *,
    unchanged_since: datetime,
    replacing_reasons: bool,
) -> int:
    """Turn off the digests of every channel in these workspaces, saying why; returns how many.

    A setting changed since ``unchanged_since`` is left alone (someone turned it back on
    after what ``reason`` reports). Settings the bot already turned off keep their
    reason unless ``replacing_reasons``; ones people turned off stay as they are.
    """
    if not workspace_external_ids:
        return 0
    channels = (
        select(Channel.id)
        .join(Workspace, Workspace.id == Channel.workspace_id)
        .where(
            Workspace.platform == platform,
            Workspace.external_id.in_(workspace_external_ids),
        )
    )
    stoppable = (
        or_(DigestSetting.enabled.is_(True), DigestSetting.disabled_reason.is_not(None))
        if replacing_reasons
        else DigestSetting.enabled.is_(True)
    )
    stopped = tx.execute(
        update(DigestSetting)
        .where(
            DigestSetting.channel_id.in_(channels),
            DigestSetting.updated_at < unchanged_since,
            stoppable,
        )
        .values(enabled=False, disabled_reason=reason, updated_at=now)
    )
    return stopped.rowcount
