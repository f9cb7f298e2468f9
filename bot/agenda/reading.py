"""A programme file's bytes to a ``Programme``: decoded, its format told from its content.

The name is not trusted (``agenda.txt`` may hold a calendar): a file starting with
``BEGIN:VCALENDAR`` is iCalendar, one starting with ``{`` schedule JSON, one whose
first line names our columns CSV. Any refusal is one line naming the file.
"""

from __future__ import annotations

from datetime import tzinfo

from bot.agenda import ics, schedule_json, spreadsheet
from bot.agenda.entries import Programme, ProgrammeError
from bot.i18n import _
from bot.notefiles.decode import DEFAULT_MAX_BYTES, Unreadable, decode_note_file
from bot.replies.markdown import file_name


def read_programme(
    name: str, data: bytes, zone: tzinfo, max_bytes: int = DEFAULT_MAX_BYTES
) -> Programme | Unreadable:
    """The file's programme, or why it cannot be imported (naming the file)."""
    decoded = decode_note_file(name, data, max_bytes)
    if isinstance(decoded, Unreadable):
        return decoded
    text = decoded.text
    try:
        if ics.looks_like(text):
            return ics.read_ics(text, zone)
        if schedule_json.looks_like(text):
            return schedule_json.read_schedule_json(text, zone)
        if spreadsheet.looks_like(text):
            return spreadsheet.read_csv(text, zone)
    except ProgrammeError as error:
        return Unreadable(_("%(file)s, %(problem)s.") % {"file": file_name(name), "problem": error})
    return Unreadable(
        _(
            "%(file)s is not a programme I can read: give an iCalendar (.ics) file, "
            "a pretalx/frab schedule JSON, or a CSV with the header "
            "title,date,start,end,room,track,speakers."
        )
        % {"file": file_name(name)}
    )
