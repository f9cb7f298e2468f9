"""pretalx/frab "schedule JSON" programmes (``schedule.conference.days[].rooms{}[]``).

A talk's ``date`` is an ISO 8601 instant with its offset, ``duration`` is
``HH:MM`` (frab also writes ``D:HH:MM`` past a day, refused here as too long);
``persons`` carry ``public_name`` or ``name``.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, tzinfo
from typing import Any

from bot.agenda.entries import (
    Programme,
    ProgrammeEntry,
    ProgrammeError,
    check_count,
    entry,
    located,
    one_line,
)
from bot.i18n import _

_DURATION = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})")


def looks_like(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").startswith("{")


def read_schedule_json(text: str, default_zone: tzinfo) -> Programme:
    """The programme of a schedule export; an instant without offset is in ``default_zone``."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        line = _("line %(number)s") % {"number": error.lineno}
        not_json = _("not valid JSON (%(error)s)") % {"error": error.msg}
        raise ProgrammeError(located(line, not_json)) from None
    except RecursionError:  # arrays nested thousands deep: no schedule looks like that
        raise ProgrammeError(_("the JSON is nested too deeply to be a schedule")) from None
    conference = _object(_object(document, _("the file")).get("schedule"), "schedule")
    conference = _object(conference.get("conference"), "schedule.conference")
    days = conference.get("days")
    if not isinstance(days, list):
        raise ProgrammeError(_("schedule.conference has no days list"))
    entries: list[ProgrammeEntry] = []
    floating = False
    for day_number, day in enumerate(days):
        rooms = _object(_object(day, f"day {day_number}").get("rooms"), f"day {day_number} rooms")
        for room_name, talks in rooms.items():
            if not isinstance(talks, list):
                raise ProgrammeError(
                    _("day %(day)s, room %(room)s: not a list")
                    % {"day": day_number, "room": one_line(room_name)[:40]}
                )
            for talk in talks:
                where = _("entry %(number)s") % {"number": len(entries) + 1}
                entries.append(_entry(_object(talk, where), room_name, default_zone, where))
                floating = floating or _floating(talk)
    check_count(len(entries))
    zone = conference.get("time_zone_name")
    title = conference.get("title")
    return Programme(
        tuple(entries),
        one_line(zone) or None if isinstance(zone, str) else None,
        one_line(title) or None if isinstance(title, str) else None,
        (),
        floating=floating,
    )


def _entry(talk: dict[str, Any], room: str, default_zone: tzinfo, where: str) -> ProgrammeEntry:
    typed_start = talk.get("date")
    if not isinstance(typed_start, str):
        raise ProgrammeError(located(where, _("no date")))
    try:
        start = datetime.fromisoformat(typed_start)
    except ValueError:
        not_iso = _("“%(typed)s” is not an ISO 8601 date") % {"typed": typed_start[:40]}
        raise ProgrammeError(located(where, not_iso)) from None
    if start.tzinfo is None:
        start = start.replace(tzinfo=default_zone)
    persons = talk.get("persons") or []
    if not isinstance(persons, list):
        raise ProgrammeError(located(where, _("persons is not a list")))
    return entry(
        title=talk.get("title"),
        start=start,
        end=start + _duration(talk.get("duration"), where),
        room=talk.get("room") or room,
        track=talk.get("track") if isinstance(talk.get("track"), str) else None,
        speakers=[_person(person) for person in persons],
        where=where,
    )


def _floating(talk: dict[str, Any]) -> bool:
    """Whether the talk's date has no offset (read in the zone the reader was given)."""
    return datetime.fromisoformat(str(talk["date"])).tzinfo is None


def _duration(typed: object, where: str) -> timedelta:
    match = _DURATION.fullmatch(typed) if isinstance(typed, str) else None
    if match is None:
        not_duration = _("“%(typed)s” is not a duration like 00:40") % {"typed": str(typed)[:20]}
        raise ProgrammeError(located(where, not_duration))
    days, hours, minutes = (int(part or 0) for part in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def _person(person: object) -> str:
    if isinstance(person, dict):
        return str(person.get("public_name") or person.get("name") or "")
    return str(person) if isinstance(person, str) else ""


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ProgrammeError(_("%(what)s is not a JSON object") % {"what": what})
    return value
