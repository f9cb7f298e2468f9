"""Handler for `/memo conference`: name the channel's conference, its time zone and dates."""

from __future__ import annotations

import zoneinfo
from functools import cache

from bot import titles
from bot.context import Context
from bot.grammar import SetConference, clean_text
from bot.replies import markdown as md
from bot.replies import render
from bot.replies.values import ConferenceSet, ProblemCode, Reply, Visibility, refuse
from storage import conferences as conference_store

MAX_CONFERENCE_NAME_LENGTH = 100


@cache
def _zones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def canonical_time_zone(typed: str) -> str | None:
    """The IANA name for what was typed (``asia/seoul`` -> ``Asia/Seoul``), or None."""
    return _zones_by_folded_name().get(typed.casefold())


def set_conference(ctx: Context, command: SetConference) -> Reply:
    if command.name is None:
        data = ConferenceSet(ctx.conference_view(), created=None, adopted_sessions=0)
        return Reply(render.conference_set(data), Visibility.PRIVATE, data)
    name = titles.display_title(clean_text(command.name))
    if not name:
        return refuse(
            ProblemCode.MISSING_TITLE,
            "Give the conference a name: `/memo conference DEVRIVER 2025 Asia/Seoul`.",
            "name",
        )
    if max(len(name), len(titles.title_key(name))) > MAX_CONFERENCE_NAME_LENGTH:
        return refuse(
            ProblemCode.NAME_TOO_LONG,
            f"Conference names can be at most {MAX_CONFERENCE_NAME_LENGTH} characters.",
            "name",
        )
    time_zone = None
    if command.time_zone is not None:
        time_zone = canonical_time_zone(command.time_zone)
        if time_zone is None:
            return refuse(
                ProblemCode.INVALID_TIME_ZONE,
                f"“{md.escape(command.time_zone[:60])}” is not a time zone I know. "
                "Use an IANA name such as `Asia/Seoul`, `Europe/Berlin` or `UTC`.",
                "time_zone",
            )
    if command.starts_on and command.ends_on and command.starts_on > command.ends_on:
        return refuse(
            ProblemCode.BAD_DATE,
            "The conference ends before it starts; give the first day, then the last.",
            "date",
        )

    key = titles.title_key(name)
    channel = ctx.writable_channel()
    current = ctx.conference()
    existing = conference_store.find_conference(ctx.tx, channel.id, key)
    adopted = 0
    renamed: tuple[str, str] | tuple[None, None] = (None, None)
    if existing is not None:
        target, created = existing, False
    elif current is not None and current.name_key == conference_store.UNNAMED:
        # Sessions noted before the conference was named belong to it.
        adopted = conference_store.count_sessions(ctx.tx, current.id)
        target, created, renamed = current, True, (name, key)
    else:
        inherited = current.time_zone if current is not None else ctx.default_time_zone
        target = conference_store.ensure_conference(
            ctx.tx, channel.id, name, key, time_zone or inherited, ctx.now
        )
        created = True
    ctx.set_conference(
        conference_store.activate(
            ctx.tx,
            target.id,
            ctx.now,
            name=renamed[0],
            name_key=renamed[1],
            time_zone=time_zone,
            starts_on=command.starts_on,
            ends_on=command.ends_on,
        )
    )
    data = ConferenceSet(ctx.conference_view(), created=created, adopted_sessions=adopted)
    return Reply(render.conference_set(data), Visibility.PUBLIC, data)
