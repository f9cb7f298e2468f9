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

from bot.agenda.entries import Programme, ProgrammeEntry, ProgrammeError, check_count, entry

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
        raise ProgrammeError("the file is empty") from None
    columns = {
        _KNOWN[cell.strip().casefold()]: i
        for i, cell in enumerate(header)
        if cell.strip().casefold() in _KNOWN
    }
    missing = [name for name in _REQUIRED if name not in columns]
    if missing:
        raise ProgrammeError(f"line 1: the header has no {', '.join(missing)} column")
    entries: list[ProgrammeEntry] = []
    try:
        for cells in rows:
            if not any(cell.strip() for cell in cells):
                continue
            where = f"line {rows.line_num}"
            if len(cells) < len(header):
                raise ProgrammeError(
                    f"{where}: {len(cells)} fields where the header has {len(header)}"
                )
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
        raise ProgrammeError(f"line {rows.line_num}: {error}") from error
    check_count(len(entries))
    return Programme(tuple(entries), None, None, (), floating=True)


def _day(typed: str, where: str) -> date:
    try:
        return date.fromisoformat(typed)
    except ValueError:
        raise ProgrammeError(f"{where}: “{typed[:30]}” is not a date like 2025-09-25") from None


def _at(day: date, typed: str, zone: tzinfo, where: str) -> datetime:
    try:
        clock = time.fromisoformat(typed)
    except ValueError:
        raise ProgrammeError(f"{where}: “{typed[:30]}” is not a time like 13:40") from None
    if clock.tzinfo is not None:
        raise ProgrammeError(f"{where}: give local times without an offset (“{typed[:30]}”)")
    return datetime.combine(day, clock, zone)
