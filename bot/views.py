"""Turning stored rows into the reply values adapters see (``bot.reply``)."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.context import Context
from bot.reply import MemoView, SessionView
from storage import sessions
from storage.models import Conference, ConferenceSession, Member, Memo


def memo_view(memo: Memo, author: Member, session_title: str, zone: ZoneInfo) -> MemoView:
    return MemoView(
        number=memo.number,
        session_title=session_title,
        author_id=author.external_id,
        author_name=author.display_name,
        text=memo.text,
        created_at=memo.created_at,
        local_created_at=memo.created_at.astimezone(zone),
        edited=memo.edited_at is not None,
        source_url=memo.source_url,
    )


def session_views(ctx: Context, rows: Sequence[ConferenceSession]) -> list[SessionView]:
    """Views of several sessions with their memo counts and attendees, in the given order."""
    tallies = sessions.tallies(ctx.tx, [row.id for row in rows])
    views = []
    for row in rows:
        conference = ctx.tx.get(Conference, row.conference_id)
        assert conference is not None
        tally = tallies[row.id]
        views.append(
            SessionView(
                title=row.title,
                day=row.day,
                conference=conference.name,
                attendees=tally.attendees,
                memo_count=tally.memo_count,
            )
        )
    return views


def session_view(ctx: Context, row: ConferenceSession) -> SessionView:
    return session_views(ctx, [row])[0]
