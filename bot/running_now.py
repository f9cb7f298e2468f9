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
from datetime import timedelta

from bot.context import Context
from bot.replies.values import TalkChoice
from storage import pending_notes as pending_store
from storage import plans as plan_store
from storage import programme as programme_store
from storage.programme import ProgrammedSession
from storage.records import SessionRecord

#: How long after its end a talk still takes untitled notes, when no other runs.
GRACE = timedelta(minutes=15)


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
    mine = (
        []
        if member is None or len(running) == 1
        else _theirs(running, plan_store.planned_or_attended(ctx.tx, member.id, _ids(running)))
    )
    if len(mine) == 1:
        return RunningTalk(_record(mine[0], conference.id), "yours")
    if len(running) == 1:
        return RunningTalk(_record(running[0], conference.id), "running")
    offered = mine or running  # several of their own running at once: ask among those
    pending = pending_store.add_pending_note(
        ctx.tx,
        channel_id=ctx.writable_channel().id,
        member_id=ctx.member().id,
        text=text,
        source_url=source_url,
        session_ids=_ids(offered),
        now=ctx.now,
    )
    return AskWhich(pending, talk_choices(ctx, offered))


def talk_choices(ctx: Context, talks: Sequence[ProgrammedSession]) -> tuple[TalkChoice, ...]:
    zone = ctx.zone()
    choices = []
    for talk in talks:
        assert talk.start_utc is not None and talk.end_utc is not None  # running: scheduled
        choices.append(
            TalkChoice(
                talk.id,
                talk.title,
                talk.room,
                talk.start_utc.astimezone(zone),
                talk.end_utc.astimezone(zone),
            )
        )
    return tuple(choices)


def _theirs(talks: Sequence[ProgrammedSession], ids: set[int]) -> list[ProgrammedSession]:
    return [talk for talk in talks if talk.id in ids]


def _ids(talks: Sequence[ProgrammedSession]) -> list[int]:
    return [talk.id for talk in talks]


def _record(talk: ProgrammedSession, conference_id: int) -> SessionRecord:
    return SessionRecord(talk.id, conference_id, talk.title, talk.day)
