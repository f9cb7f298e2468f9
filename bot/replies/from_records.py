"""Turning stored records into the reply values adapters see (``bot.replies.values``)."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.context import Context
from bot.replies.values import ConferenceView, MemoView, SessionRef, SessionView
from storage import sessions as session_store
from storage.records import ConferenceRecord, MemoRecord, SessionRecord


def conference_view(conference: ConferenceRecord) -> ConferenceView:
    return ConferenceView(
        conference.name, conference.time_zone, conference.starts_on, conference.ends_on
    )


def memo_view(memo: MemoRecord, session_title: str, zone: ZoneInfo) -> MemoView:
    return MemoView(
        number=memo.number,
        session_title=session_title,
        author_id=memo.author_external_id,
        author_name=memo.author_name,
        text=memo.text,
        created_at=memo.created_at,
        local_created_at=memo.created_at.astimezone(zone),
        edited=memo.edited_at is not None,
        source_url=memo.source_url,
    )


def session_views(ctx: Context, rows: Sequence[SessionRecord]) -> list[SessionView]:
    """Views of several sessions with their memo counts and attendees, in the given order."""
    tallies = session_store.tallies(ctx.tx, [row.id for row in rows])
    current = ctx.conference()
    return [
        SessionView(
            title=row.title,
            day=row.day,
            conference=ctx.conference_by_id(row.conference_id).name,
            attendees=tallies[row.id].attendees,
            memo_count=tallies[row.id].memo_count,
            in_current_conference=current is not None and row.conference_id == current.id,
        )
        for row in rows
    ]


def session_view(ctx: Context, row: SessionRecord) -> SessionView:
    return session_views(ctx, [row])[0]


def session_ref(ctx: Context, row: SessionRecord) -> SessionRef:
    """The session without its tallies: what a saved memo's reply needs, two queries cheaper."""
    current = ctx.conference()
    return SessionRef(
        row.title,
        row.day,
        ctx.conference_by_id(row.conference_id).name,
        in_current_conference=current is not None and row.conference_id == current.id,
    )
