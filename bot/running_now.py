"""Which talk of the programme an untitled `/memo add` is for, and the question when
nothing tells.

The programme knows what runs at the moment of the command (its ``received_at``,
compared as UTC instants, so time zones and daylight saving changes cannot shift
it). Between slots, a talk that ended within ``GRACE`` still counts as running:
people finish their notes in the corridor. Several running talks are never guessed
between: the person's own (attended, planned or written in) decides, else they pick.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.context import Context
from bot.replies.values import TalkChoice
from storage import pending_notes as pending_store
from storage import plans as plan_store
from storage import programme as programme_store
from storage import sessions as session_store
from storage.programme import TalkSlot
from storage.records import SessionRecord

#: How long after its end a talk still takes untitled notes, when no other runs.
GRACE = timedelta(minutes=15)
#: The most talks a question offers (Slack's buttons and Discord's select options stop at
#: 25); the reply says how many more run, to be written with their title.
MAX_CHOICES = 25


@dataclass(frozen=True, slots=True)
class RunningTalk:
    session: SessionRecord
    #: "yours": the running talk the person attended or planned; "running": the only one.
    why: str


@dataclass(frozen=True, slots=True)
class AskWhich:
    """Several talks run and nothing tells which: the note waits as ``pending``."""

    pending: int
    choices: tuple[TalkChoice, ...]
    #: Talks running but not offered (over ``MAX_CHOICES``).
    more: int = 0


def talk_for_untitled_note(
    ctx: Context, text: str, source_url: str | None
) -> RunningTalk | AskWhich | None:
    """The running talk the note is for, a question (the note kept until answered), or
    None when the conference has no programme or nothing runs now."""
    conference = ctx.conference()
    if conference is None:
        return None
    running = programme_store.running_or_just_ended(ctx.tx, conference.id, ctx.now, GRACE)
    if not running:
        return None
    member = ctx.existing_member()
    mine: set[int] = set()
    if member is not None and len(running) > 1:
        # Their plans and attendance among the talks that may still run (or just ended).
        since = ctx.now - GRACE - programme_store.LONGEST_TALK
        theirs = plan_store.planned_or_attended_between(
            ctx.tx, member.id, conference.id, since, ctx.now
        )
        mine = theirs.intersection(running)
    if len(mine) == 1 or len(running) == 1:
        chosen = session_store.get_session(ctx.tx, next(iter(mine)) if mine else running[0])
        return RunningTalk(chosen, "yours" if mine else "running")
    slots = programme_store.running_slots(ctx.tx, conference.id, ctx.now, GRACE)
    candidates = [talk for talk in slots if talk.id in mine] if mine else slots
    offered = sorted(candidates, key=_in_programme_order)[:MAX_CHOICES]
    pending = pending_store.add_pending_note(
        ctx.tx,
        channel_id=ctx.writable_channel().id,
        member_id=ctx.member().id,
        text=text,
        source_url=source_url,
        session_ids=[talk.id for talk in offered],
        now=ctx.now,
    )
    return AskWhich(pending, _talk_choices(ctx, offered), len(candidates) - len(offered))


def _in_programme_order(talk: TalkSlot) -> tuple[datetime, bool, str, int]:
    """By start, then room (talks without one last), as the agenda lists them."""
    return (talk.start_utc, talk.room is None, talk.room or "", talk.id)


def _talk_choices(ctx: Context, talks: Sequence[TalkSlot]) -> tuple[TalkChoice, ...]:
    zone = ctx.zone()
    return tuple(
        TalkChoice(
            talk.id,
            talk.title,
            talk.room,
            talk.start_utc.astimezone(zone),
            talk.end_utc.astimezone(zone),
        )
        for talk in talks
    )
