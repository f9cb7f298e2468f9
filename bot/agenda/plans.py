"""`/memo plan [Session]`: say you plan to attend a talk; `/memo plan`: your day.

A plan shows in the agenda and the digest (so the team sees who covers what, and
a planned talk is not "Not covered"), and it tells an untitled note which of the
talks running at once is yours (``bot.running_now``).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.agenda import render
from bot.agenda.showing import agenda_talks
from bot.commands.declaration import (
    Command,
    CommandDeclaration,
    InTransaction,
    Usage,
)
from bot.commands.text import Rejected, title_argument
from bot.context import Context
from bot.i18n import N_
from bot.replies.from_records import session_ref
from bot.replies.values import AgendaTalk, PlanRecorded, PlanShown, Reply, Visibility
from bot.sessions import SESSION_OPTION, SessionId, session_to_write
from storage import plans as plan_store
from storage import programme as programme_store


@dataclass(frozen=True, slots=True)
class Plan(Command):
    #: None: show the person's day.
    session: str | SessionId | None = None


def plan(ctx: Context, command: Plan) -> Reply:
    if command.session is None:
        return _my_day(ctx)
    found = session_to_write(ctx, command.session)
    if isinstance(found, Reply):
        return found
    added = plan_store.record_plan(ctx.tx, found.session.id, ctx.member().id, ctx.now)
    slot = programme_store.slot_of(ctx.tx, found.session.conference_id, found.session.id)
    zone = ctx.zone()
    data = PlanRecorded(
        session_ref(ctx, found.session),
        found.typed_title,
        already=not added,
        starts_at=slot.start_utc.astimezone(zone) if slot and slot.start_utc else None,
        ends_at=slot.end_utc.astimezone(zone) if slot and slot.end_utc else None,
        room=slot.room if slot else None,
    )
    return Reply(render.plan_recorded(data), Visibility.PRIVATE, data)


def _my_day(ctx: Context) -> Reply:
    """Today's programme talks the person planned, attended or wrote in, by time."""
    conference = ctx.conference()
    member = ctx.existing_member()
    day = ctx.today()
    talks: tuple[AgendaTalk, ...] = ()
    if conference is not None and member is not None:
        rows = programme_store.day_programme(ctx.tx, conference.id, day)
        mine = plan_store.planned_or_attended(ctx.tx, member.id, [row.id for row in rows])
        talks = tuple(agenda_talks(ctx.tx, [row for row in rows if row.id in mine], ctx.zone()))
    data = PlanShown(ctx.conference_view(), day, talks)
    return Reply(render.plan_shown(data), Visibility.PRIVATE, data)


def plan_from_options(session: str | SessionId | Rejected | None = None) -> Plan | Rejected:
    return session if isinstance(session, Rejected) else Plan(session)


def _parse(rest: str) -> Plan | Rejected:
    return plan_from_options(title_argument(rest))


PLAN = CommandDeclaration(
    "plan",
    Plan,
    N_("Say you plan to attend a talk; without one, show your day"),
    InTransaction(plan),
    plan_from_options,
    options=(SESSION_OPTION,),
    parse=_parse,
    usage=Usage(
        "/memo plan [Session title]",
        N_(
            "Say you plan to attend a talk (shown in the agenda and the digest); "
            "`/memo plan` alone shows your day."
        ),
    ),
    writes=lambda command: command.session is not None,
)
