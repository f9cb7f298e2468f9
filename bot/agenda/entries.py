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
from bot.i18n import N_, _
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
        raise ProgrammeError(located(where, _("the talk has no title")))
    if len(shown) > MAX_TITLE_LENGTH:
        longer = _("the title is longer than %(most)s characters") % {"most": MAX_TITLE_LENGTH}
        raise ProgrammeError(located(where, longer))
    if end <= start:
        raise ProgrammeError(
            located(where, _("“%(talk)s” ends before it starts") % {"talk": shown[:60]})
        )
    if end - start > MAX_DURATION:
        raise ProgrammeError(
            located(where, _("“%(talk)s” runs longer than a day") % {"talk": shown[:60]})
        )
    names = tuple(name for name in (one_line(s) for s in speakers) if name)
    joined = "; ".join(names)
    if len(joined) > MAX_SPEAKERS_LENGTH:
        longer = _("the speakers take more than %(most)s characters") % {
            "most": MAX_SPEAKERS_LENGTH
        }
        raise ProgrammeError(located(where, longer))
    return ProgrammeEntry(
        title=shown,
        start=start,
        end=end,
        room=_bounded(
            room, MAX_ROOM_LENGTH, N_("the room is longer than %(most)s characters"), where
        ),
        track=_bounded(
            track, MAX_TRACK_LENGTH, N_("the track is longer than %(most)s characters"), where
        ),
        speakers=names,
        where=where,
    )


def _bounded(value: object, limit: int, longer: str, where: str) -> str | None:
    """The field as shown; ``longer`` (marked with ``N_``) says it is over ``limit``."""
    shown = one_line(value)
    if len(shown) > limit:
        raise ProgrammeError(located(where, _(longer) % {"most": limit}))
    return shown or None


def located(where: str, problem: str) -> str:
    """``event 3: the talk has no title``: a problem and the place in the file it is at
    (``where``, already in the reader's language)."""
    return _("%(where)s: %(problem)s") % {"where": where, "problem": problem}


def check_count(count: int) -> None:
    if count > MAX_ENTRIES:
        raise ProgrammeError(
            _("the programme has %(count)s talks; at most %(most)s fit")
            % {"count": f"{count:,}", "most": f"{MAX_ENTRIES:,}"}
        )
    if count == 0:
        raise ProgrammeError(_("the programme has no talks"))
