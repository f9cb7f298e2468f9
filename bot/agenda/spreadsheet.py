"""CSV programmes: a header row, then one talk per row, local times in the conference's zone.

Headers are English (``title,date,start,end,room,track,speakers``) or Korean
(``제목,날짜,시작,종료,장소,트랙,발표자``), in any order; ``room``, ``track`` and
``speakers`` may be left out. Speakers are joined with ``;``. (The module is not
named ``csv`` so it does not shadow the standard library's.)
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, tzinfo

from bot.agenda.entries import (
    Programme,
    ProgrammeEntry,
    ProgrammeError,
    check_count,
    entry,
    located,
)
from bot.i18n import _

#: Each column's name in every language a header may use.
_HEADERS = {
    "title": ("title", "제목"),
    "date": ("date", "날짜"),
    "start": ("start", "시작"),
    "end": ("end", "종료"),
    "room": ("room", "장소"),
    "track": ("track", "트랙"),
    "speakers": ("speakers", "발표자"),
}
_REQUIRED = ("title", "date", "start", "end")
_KNOWN = {name.casefold(): column for column, names in _HEADERS.items() for name in names}


def looks_like(text: str) -> bool:
    """Whether the first line is a header naming our columns."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    cells = {cell.strip().strip('"').casefold() for cell in first.split(",")}
    return sum(cell in _KNOWN for cell in cells) >= 2


def read_csv(text: str, zone: tzinfo) -> Programme:
    """The programme of a CSV file; its local dates and times are in ``zone``."""
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(rows)
    except StopIteration:
        raise ProgrammeError(_("the file is empty")) from None
    columns = {
        _KNOWN[cell.strip().casefold()]: i
        for i, cell in enumerate(header)
        if cell.strip().casefold() in _KNOWN
    }
    missing = [name for name in _REQUIRED if name not in columns]
    if missing:
        no_column = _("the header has no %(columns)s column") % {"columns": ", ".join(missing)}
        raise ProgrammeError(located(_line(1), no_column))
    entries: list[ProgrammeEntry] = []
    try:
        for cells in rows:
            if not any(cell.strip() for cell in cells):
                continue
            where = _line(rows.line_num)
            if len(cells) < len(header):
                fewer = _("%(fields)s fields where the header has %(header)s") % {
                    "fields": len(cells),
                    "header": len(header),
                }
                raise ProgrammeError(located(where, fewer))
            field = {name: cells[i].strip() for name, i in columns.items()}
            day = _day(field["date"], where)
            entries.append(
                entry(
                    title=field["title"],
                    start=_at(day, field["start"], zone, where),
                    end=_at(day, field["end"], zone, where),
                    room=field.get("room"),
                    track=field.get("track"),
                    speakers=field.get("speakers", "").split(";"),
                    where=where,
                )
            )
    except csv.Error as error:
        raise ProgrammeError(located(_line(rows.line_num), str(error))) from error
    check_count(len(entries))
    return Programme(tuple(entries), None, None, (), floating=True)


def _line(number: int) -> str:
    return _("line %(number)s") % {"number": number}


def _day(typed: str, where: str) -> date:
    try:
        return date.fromisoformat(typed)
    except ValueError:
        not_date = _("“%(typed)s” is not a date like 2025-09-25") % {"typed": typed[:30]}
        raise ProgrammeError(located(where, not_date)) from None


def _at(day: date, typed: str, zone: tzinfo, where: str) -> datetime:
    try:
        clock = time.fromisoformat(typed)
    except ValueError:
        not_time = _("“%(typed)s” is not a time like 13:40") % {"typed": typed[:30]}
        raise ProgrammeError(located(where, not_time)) from None
    if clock.tzinfo is not None:
        offset = _("give local times without an offset (“%(typed)s”)") % {"typed": typed[:30]}
        raise ProgrammeError(located(where, offset))
    return datetime.combine(day, clock, zone)
