"""Handler for `/memo conference`: name the channel's conference, its time zone and dates."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date
from functools import cache

from bot import titles
from bot.commands.declaration import (
    Command,
    CommandDeclaration,
    InTransaction,
    Option,
    OptionKind,
    Usage,
)
from bot.commands.text import (
    DATE_LIKE,
    Rejected,
    looks_like_time_zone,
    not_a_date,
    parse_day,
    split_bracketed_title,
)
from bot.context import Context
from bot.i18n import N_, _
from bot.replies import markdown as md
from bot.replies import render
from bot.replies.values import ConferenceSet, ProblemCode, Reply, Visibility, refuse
from storage import conferences as conference_store
from storage.records import ConferenceRecord

MAX_CONFERENCE_NAME_LENGTH = 100


@dataclass(frozen=True, slots=True)
class SetConference(Command):
    #: None: show the current conference instead of changing it.
    name: str | None
    time_zone: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None


@cache
def _zones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def canonical_time_zone(typed: str) -> str | None:
    """The IANA name for what was typed (``asia/seoul`` -> ``Asia/Seoul``), or None."""
    return _zones_by_folded_name().get(typed.casefold())


def named_conference(ctx: Context, typed: str) -> ConferenceRecord | Reply:
    """The channel's conference with this name (as ``/memo conferences`` lists it), or a
    refusal; never another channel's."""
    name = titles.display_title(typed)
    found = None
    if ctx.channel is not None:
        found = conference_store.find_conference(ctx.tx, ctx.channel.id, titles.title_key(name))
    if found is None or found.name_key == conference_store.UNNAMED:
        return refuse(
            ProblemCode.NO_SUCH_CONFERENCE,
            _("No conference called %(bold)s in this channel. `/memo conferences` lists them.")
            % {"bold": md.bold(name[:MAX_CONFERENCE_NAME_LENGTH])},
            "conference",
        )
    return found


def set_conference(ctx: Context, command: SetConference) -> Reply:
    if command.name is None:
        data = ConferenceSet(ctx.conference_view(), created=None, adopted_sessions=0)
        return Reply(render.conference_set(data), Visibility.PRIVATE, data)
    name = titles.display_title(command.name)
    if not name:
        return refuse(
            ProblemCode.MISSING_TITLE,
            _("Give the conference a name: `/memo conference DEVRIVER 2025 Asia/Seoul`."),
            "name",
        )
    if max(len(name), len(titles.title_key(name))) > MAX_CONFERENCE_NAME_LENGTH:
        return refuse(
            ProblemCode.NAME_TOO_LONG,
            _("Conference names can be at most %(max_conference_name_length)s characters.")
            % {"max_conference_name_length": MAX_CONFERENCE_NAME_LENGTH},
            "name",
        )
    time_zone = None
    if command.time_zone is not None:
        time_zone = canonical_time_zone(command.time_zone)
        if time_zone is None:
            return refuse(
                ProblemCode.INVALID_TIME_ZONE,
                _(
                    "“%(escape)s” is not a time zone I know. Use an IANA name such as "
                    "`Asia/Seoul`, `Europe/Berlin` or `UTC`."
                )
                % {"escape": md.escape(command.time_zone[:60])},
                "time_zone",
            )
    if command.starts_on and command.ends_on and command.starts_on > command.ends_on:
        return refuse(
            ProblemCode.BAD_DATE,
            _("The conference ends before it starts; give the first day, then the last."),
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


# ---------------------------------------------------------------- grammar

_NAME_IT = N_("Give the conference a name: `/memo conference DEVRIVER 2025 Asia/Seoul`.")


def _parse(rest: str) -> SetConference | Rejected:
    split = split_bracketed_title(rest)
    if isinstance(split, Rejected):
        return split
    bracketed, remainder = split
    tokens = remainder.split()
    dates: list[date] = []
    while tokens and len(dates) < 2 and DATE_LIKE.fullmatch(tokens[-1]):
        day = parse_day(tokens[-1])
        if day is None:  # meant as a date: refused, not taken into the name
            return not_a_date(tokens[-1])
        dates.insert(0, day)
        tokens.pop()
    time_zone = tokens.pop() if tokens and looks_like_time_zone(tokens[-1]) else None
    name = bracketed if bracketed is not None else " ".join(tokens)
    if bracketed is not None and tokens:
        return Rejected(
            ProblemCode.BAD_ARGUMENTS,
            N_(
                "After the name, give only a time zone and dates: `/memo conference "
                "[DEVRIVER 2025] Asia/Seoul 2025-09-25 2025-09-26`."
            ),
        )
    if not name.strip():
        if time_zone or dates:
            return Rejected(ProblemCode.MISSING_TITLE, _NAME_IT, "name")
        return SetConference(name=None)
    starts_on = dates[0] if dates else None
    ends_on = dates[-1] if dates else None
    return SetConference(name=name, time_zone=time_zone, starts_on=starts_on, ends_on=ends_on)


def conference_from_options(
    name: str | None = None,
    time_zone: str | None = None,
    first_day: str | None = None,
    last_day: str | None = None,
) -> SetConference | Rejected:
    """``conference`` from separate options; no options at all shows the current one."""
    if not (name and name.strip()):
        if time_zone or first_day or last_day:
            return Rejected(ProblemCode.MISSING_TITLE, _NAME_IT, "name")
        return SetConference(name=None)
    days = []
    for typed in (first_day, last_day):
        if typed is None:
            continue
        day = parse_day(typed.strip())
        if day is None:
            return not_a_date(typed)
        days.append(day)
    return SetConference(
        name=name,
        time_zone=time_zone,
        starts_on=days[0] if days else None,
        ends_on=days[-1] if days else None,
    )


CONFERENCE = CommandDeclaration(
    "conference",
    SetConference,
    N_("Show or set this channel's conference"),
    InTransaction(set_conference),
    conference_from_options,
    options=(
        Option(
            "name",
            OptionKind.TEXT,
            N_("The conference's name (leave everything out to see the current one)"),
            max_length=MAX_CONFERENCE_NAME_LENGTH,
        ),
        Option("time_zone", OptionKind.TIME_ZONE, N_("An IANA time zone such as Asia/Seoul")),
        Option("first_day", OptionKind.DAY, N_("Its first day, like 2025-09-25")),
        Option("last_day", OptionKind.DAY, N_("Its last day")),
    ),
    parse=_parse,
    usage=Usage(
        "/memo conference [name] [Area/City] [YYYY-MM-DD [YYYY-MM-DD]]",
        N_("Show or set this channel's conference, its time zone and dates."),
    ),
    writes=lambda command: command.name is not None,
)
