"""What every programme format is read into, and the checks every entry passes.

Each reader turns its format into ``ProgrammeEntry`` values with aware start and
end instants; where the format names no time zone (CSV, floating iCalendar
times) the conference's zone is used. A file that breaks a rule is refused as a
whole with one ``ProgrammeError`` naming where (a line or an entry), so an
import either takes the whole programme or changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.commands.text import clean_text
from bot.titles import MAX_TITLE_LENGTH, display_title
from storage.programme import LONGEST_TALK

#: Longest room and track names kept (the columns' widths).
MAX_ROOM_LENGTH = MAX_TRACK_LENGTH = 100
#: Longest speakers line kept (the column's width), speakers joined with "; ".
MAX_SPEAKERS_LENGTH = 300
#: Longest a talk may run: longer is a mistake in the file (an end date typed wrong); the
#: lookup of the talks running now relies on it.
MAX_DURATION = LONGEST_TALK
#: The most entries one programme may hold: far above any conference, a bound on one import.
MAX_ENTRIES = 10_000


class ProgrammeError(Exception):
    """Why a programme file is refused: one line saying where and what."""


@dataclass(frozen=True, slots=True)
class ProgrammeEntry:
    """One talk of the programme."""

    title: str
    start: datetime
    end: datetime
    room: str | None
    track: str | None
    speakers: tuple[str, ...]
    #: Where the file has it, for messages: ``line 12`` or ``entry 3``.
    where: str


@dataclass(frozen=True, slots=True)
class Programme:
    """A whole programme file, read and checked."""

    entries: tuple[ProgrammeEntry, ...]
    #: The IANA zone the file names (iCalendar TZID, schedule JSON ``time_zone_name``).
    time_zone: str | None
    #: The conference's name when the file gives one (calendar name, schedule title).
    name: str | None
    #: Things skipped, each one line (an all-day event is not a talk).
    warnings: tuple[str, ...]
    #: Whether some times named no zone and were read in the zone the reader was given.
    floating: bool = False


def one_line(value: object) -> str:
    """A text field as shown: control characters gone, whitespace runs made one space."""
    return display_title(clean_text(str(value))) if value is not None else ""


def entry(
    *,
    title: object,
    start: datetime,
    end: datetime,
    room: object,
    track: object,
    speakers: Iterable[object],
    where: str,
) -> ProgrammeEntry:
    """An entry from a reader's fields, checked, or a ``ProgrammeError`` naming ``where``."""
    shown = one_line(title)
    if not shown:
        raise ProgrammeError(f"{where}: the talk has no title")
    if len(shown) > MAX_TITLE_LENGTH:
        raise ProgrammeError(f"{where}: the title is longer than {MAX_TITLE_LENGTH} characters")
    if end <= start:
        raise ProgrammeError(f"{where}: “{shown[:60]}” ends before it starts")
    if end - start > MAX_DURATION:
        raise ProgrammeError(f"{where}: “{shown[:60]}” runs longer than a day")
    names = tuple(name for name in (one_line(s) for s in speakers) if name)
    joined = "; ".join(names)
    if len(joined) > MAX_SPEAKERS_LENGTH:
        raise ProgrammeError(
            f"{where}: the speakers take more than {MAX_SPEAKERS_LENGTH} characters"
        )
    return ProgrammeEntry(
        title=shown,
        start=start,
        end=end,
        room=_bounded(room, MAX_ROOM_LENGTH, "room", where),
        track=_bounded(track, MAX_TRACK_LENGTH, "track", where),
        speakers=names,
        where=where,
    )


def _bounded(value: object, limit: int, what: str, where: str) -> str | None:
    shown = one_line(value)
    if len(shown) > limit:
        raise ProgrammeError(f"{where}: the {what} is longer than {limit} characters")
    return shown or None


def check_count(count: int) -> None:
    if count > MAX_ENTRIES:
        raise ProgrammeError(f"the programme has {count:,} talks; at most {MAX_ENTRIES:,} fit")
    if count == 0:
        raise ProgrammeError("the programme has no talks")
