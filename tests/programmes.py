"""Programmes written for a test: talks running at the moment the test runs.

Slack and Discord requests are stamped with the real clock, so a programme whose
talks run "now" is made around it (UTC instants, so any hour of the day works).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta


def running_now(talks: Sequence[tuple[str, str]]) -> bytes:
    """An iCalendar file of (title, room) talks that started 10 minutes ago and run 30 more."""
    start = (datetime.now(UTC) - timedelta(minutes=10)).strftime("%Y%m%dT%H%M%SZ")
    end = (datetime.now(UTC) + timedelta(minutes=30)).strftime("%Y%m%dT%H%M%SZ")
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:{number}@test\r\nSUMMARY:{title}\r\nDTSTART:{start}\r\n"
        f"DTEND:{end}\r\nLOCATION:{room}\r\nEND:VEVENT\r\n"
        for number, (title, room) in enumerate(talks)
    )
    calendar = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{events}END:VCALENDAR\r\n"
    return calendar.encode()
