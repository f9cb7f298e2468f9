"""iCalendar (RFC 5545) programmes, read with the ``icalendar`` library.

The library unfolds lines, unescapes text and resolves ``TZID`` (IANA names, or
the file's own VTIMEZONE). Each VEVENT is a talk: SUMMARY, DTSTART/DTEND (or
DURATION), LOCATION, CATEGORIES and DESCRIPTION (speakers, one per ``;`` or
line). An all-day event (a date, not a time) is no talk: skipped with a warning.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

import icalendar

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

_SPEAKER_SEPARATORS = re.compile(r"[;\n]")


def looks_like(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").upper().startswith("BEGIN:VCALENDAR")


def read_ics(text: str, default_zone: tzinfo) -> Programme:
    """The programme of a calendar; times without a zone are in ``default_zone``."""
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError) as error:
        raise ProgrammeError(
            _("not a valid iCalendar file (%(error)s)") % {"error": _short(error)}
        ) from error
    events = list(calendar.walk("VEVENT"))
    warnings: list[str] = []
    entries: list[ProgrammeEntry] = []
    zones: list[str] = []
    floating = False
    for number, event in enumerate(events, start=1):
        where = _("event %(number)s") % {"number": number}
        if event.errors:  # the library keeps an unreadable property as text and says so here
            prop, problem = event.errors[0]
            unreadable = _("%(property)s cannot be read (%(error)s)") % {
                "property": one_line(prop),
                "error": _short(problem),
            }
            raise ProgrammeError(located(where, unreadable))
        try:
            start = event.decoded("DTSTART")
            end = _end(event, start)
        except (KeyError, ValueError, TypeError) as error:
            no_times = _("no readable DTSTART/DTEND (%(error)s)") % {"error": _short(error)}
            raise ProgrammeError(located(where, no_times)) from error
        if not isinstance(start, date) or not isinstance(end, date):
            raise ProgrammeError(located(where, _("DTSTART/DTEND is not a date or time")))
        if not isinstance(start, datetime):
            all_day = _("“%(talk)s” lasts all day; skipped") % {
                "talk": one_line(event.get("SUMMARY"))[:60]
            }
            warnings.append(located(where, all_day))
            continue
        if not isinstance(end, datetime):
            raise ProgrammeError(located(where, _("DTEND is a date but DTSTART a time")))
        unknown = start.tzinfo is None and event["DTSTART"].params.get("TZID")
        if unknown:
            unknown_zone = _("time zone “%(zone)s” is unknown; read in the conference's") % {
                "zone": one_line(unknown)[:40]
            }
            warnings.append(located(where, unknown_zone))
        floating = floating or start.tzinfo is None or end.tzinfo is None
        zone = _zone_name(start)
        if zone:
            zones.append(zone)
        entries.append(
            entry(
                title=event.get("SUMMARY"),
                start=_aware(start, default_zone),
                end=_aware(end, default_zone),
                room=event.get("LOCATION"),
                track=_categories(event.get("CATEGORIES")),
                speakers=_SPEAKER_SEPARATORS.split(str(event.get("DESCRIPTION") or "")),
                where=where,
            )
        )
    check_count(len(entries))
    named = one_line(calendar.get("X-WR-CALNAME")) or None
    declared = one_line(calendar.get("X-WR-TIMEZONE")) or None
    return Programme(
        tuple(entries),
        declared or (zones[0] if zones else None),
        named,
        tuple(warnings),
        floating=floating,
    )


def _end(event: Any, start: date) -> date:
    if "DTEND" in event:
        end: date = event.decoded("DTEND")
        return end
    if "DURATION" in event:
        duration: timedelta = event.decoded("DURATION")
        return start + duration
    raise KeyError("DTEND")


def _aware(moment: datetime, default_zone: tzinfo) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=default_zone)


def _zone_name(moment: datetime) -> str | None:
    key = getattr(moment.tzinfo, "key", None)
    return key if isinstance(key, str) else None


def _categories(value: Any) -> str | None:
    """The first category: a talk's track (CATEGORIES may repeat or list several)."""
    if value is None:
        return None
    first = value[0] if isinstance(value, list) else value
    cats = getattr(first, "cats", None)
    return str(cats[0]) if cats else None


def _short(error: object) -> str:
    return one_line(error)[:120]
