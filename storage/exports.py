"""What an export reads: a channel's live memos with their sessions, conferences and authors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Connection, select

from storage.models import Conference, ConferenceSession, Member, Memo, NotePost
from storage.records import RowRecord


@dataclass(frozen=True, slots=True)
class ExportedMemo(RowRecord):
    conference_id: int
    conference_name: str
    conference_starts_on: date | None
    conference_ends_on: date | None
    session_id: int
    session_title: str
    day: date
    starts_at: time | None
    author_id: int
    author_name: str
    number: int
    text: str
    created_at: datetime


_MEMOS = (
    select(
        Conference.id.label("conference_id"),
        Conference.name.label("conference_name"),
        Conference.starts_on.label("conference_starts_on"),
        Conference.ends_on.label("conference_ends_on"),
        ConferenceSession.id.label("session_id"),
        ConferenceSession.title.label("session_title"),
        ConferenceSession.day,
        ConferenceSession.starts_at,
        Memo.author_id,
        Member.display_name.label("author_name"),
        Memo.number,
        Memo.text,
        Memo.created_at,
    )
    .select_from(Memo)
    .join(ConferenceSession, ConferenceSession.id == Memo.session_id)
    .join(Conference, Conference.id == ConferenceSession.conference_id)
    .join(Member, Member.id == Memo.author_id)
    .where(Memo.deleted_at.is_(None))
    .order_by(Memo.created_at, Memo.number)
)
_POSTS = select(NotePost.conference_id, NotePost.day, NotePost.title, NotePost.notes).order_by(
    NotePost.id
)
_DAYS = select(ConferenceSession.conference_id, ConferenceSession.day).distinct()


def channel_memos(
    tx: Connection, channel_id: int, *, conference_id: int | None, day: date | None
) -> list[ExportedMemo]:
    """The channel's live memos (of one conference, of one day, when given), oldest first."""
    statement = _MEMOS.where(Memo.channel_id == channel_id)
    if conference_id is not None:
        statement = statement.where(ConferenceSession.conference_id == conference_id)
    if day is not None:
        statement = statement.where(ConferenceSession.day == day)
    return [ExportedMemo.from_row(row) for row in tx.execute(statement)]


def session_days(tx: Connection, channel_id: int) -> dict[int, list[date]]:
    """Each conference of the channel -> the days it has sessions on, first day first."""
    days: dict[int, list[date]] = {}
    for row in tx.execute(_DAYS.where(ConferenceSession.channel_id == channel_id)):
        days.setdefault(row.conference_id, []).append(row.day)
    return {conference_id: sorted(found) for conference_id, found in days.items()}


@dataclass(frozen=True, slots=True)
class PostText(RowRecord):
    """What an imported post had besides its sessions: its title line and untitled notes."""

    title: str
    notes: str


def post_texts(
    tx: Connection, channel_id: int, *, conference_id: int | None, day: date | None
) -> dict[tuple[int, date], list[PostText]]:
    """(conference id, day) -> the posts imported for that day (one per importer), in the
    order they were first imported."""
    statement = _POSTS.where(NotePost.channel_id == channel_id)
    if conference_id is not None:
        statement = statement.where(NotePost.conference_id == conference_id)
    if day is not None:
        statement = statement.where(NotePost.day == day)
    posts: dict[tuple[int, date], list[PostText]] = {}
    for row in tx.execute(statement):
        posts.setdefault((row.conference_id, row.day), []).append(PostText.from_row(row))
    return posts
