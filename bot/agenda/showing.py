"""`/memo agenda [today|YYYY-MM-DD|now|next]`: the programme with who went and how much was noted.

"now" and "next" compare slots with the invocation's ``received_at`` (the clock
tests control), so they are right in any time zone; days are the conference's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from bot.agenda import render
from bot.commands.declaration import Command
from bot.commands.text import Rejected, not_a_date, parse_day
from bot.context import Context
from bot.i18n import N_
from bot.replies.values import AgendaShown, AgendaTalk, ProblemCode, Reply, Visibility
from storage import plans as plan_store
from storage import programme as programme_store
from storage import sessions as session_store
from storage.programme import ProgrammedSession

#: What `/memo agenda` takes besides a date.
WHEN_WORDS = ("today", "now", "next")


@dataclass(frozen=True, slots=True)
class ShowAgenda(Command):
    #: "day" (``day`` None: today), "now" or "next".
    when: str = "day"
    day: date | None = None


def show_agenda(ctx: Context, command: ShowAgenda) -> Reply:
    conference = ctx.conference()
    zone = ctx.zone()
    day = command.day or ctx.today()
    upcoming: list[ProgrammedSession] = []
    if conference is None:
        rows: list[ProgrammedSession] = []
    elif command.when == "now":
        rows = programme_store.running_at(ctx.tx, conference.id, ctx.now)
        if not rows:
            upcoming = programme_store.next_after(ctx.tx, conference.id, ctx.now)
    elif command.when == "next":
        rows = programme_store.next_after(ctx.tx, conference.id, ctx.now)
    else:
        rows = programme_store.day_programme(ctx.tx, conference.id, day)
    talks = agenda_talks(ctx.tx, [*rows, *upcoming], zone)
    data = AgendaShown(
        ctx.conference_view(),
        command.when,
        day,
        tuple(talks[: len(rows)]),
        tuple(talks[len(rows) :]),
    )
    return Reply(render.agenda_shown(data), Visibility.PRIVATE, data)


def not_covered(talks: Sequence[AgendaTalk]) -> tuple[AgendaTalk, ...]:
    """The talks nobody attended, planned or wrote a memo in: what the team may watch as
    recordings."""
    return tuple(
        talk
        for talk in talks
        if not talk.attendees and not talk.planned_by and talk.memo_count == 0
    )


def agenda_talks(
    tx: Connection, rows: Sequence[ProgrammedSession], zone: ZoneInfo
) -> list[AgendaTalk]:
    """Scheduled sessions as talks, local to ``zone``, with their attendees, planners and
    memo counts."""
    ids = [row.id for row in rows]
    tallies = session_store.tallies(tx, ids)
    planners = plan_store.planners(tx, ids)
    talks = []
    for row in rows:
        assert row.start_utc is not None and row.end_utc is not None  # scheduled rows only
        tally = tallies[row.id]
        talks.append(
            AgendaTalk(
                title=row.title,
                starts_at=row.start_utc.astimezone(zone),
                ends_at=row.end_utc.astimezone(zone),
                room=row.room,
                speakers=row.speakers,
                attendees=tally.attendees,
                memo_count=tally.memo_count,
                planned_by=planners[row.id],
            )
        )
    return talks


def agenda_from_option(when: str | None = None) -> ShowAgenda | Rejected:
    """``today``, ``now``, ``next`` or a ``YYYY-MM-DD`` date; nothing means today."""
    typed = (when or "").strip()
    word = typed.lower()
    if word in ("", "today"):
        return ShowAgenda()
    if word in ("now", "next"):
        return ShowAgenda(when=word)
    day = parse_day(typed)
    if day is None:
        if any(char.isdigit() for char in typed):
            return not_a_date(typed, "Use `/memo agenda 2025-09-25`.")
        return Rejected(
            ProblemCode.BAD_ARGUMENTS,
            N_(
                "Write `/memo agenda`, `/memo agenda today`, `/memo agenda 2025-09-25`,"
                " `/memo agenda now` or `/memo agenda next`."
            ),
            "when",
        )
    return ShowAgenda(day=day)
