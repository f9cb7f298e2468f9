"""When a channel's digest is due: local days, daylight saving, conference dates, grace.

A digest is due once per local day, at the set time in its time zone. On a
daylight-saving switch that time may not exist (it is taken as the same
moment shifted by the gap, like zoneinfo's ``fold=0``: 02:30 becomes 03:30) or
exist twice (the first one counts), so every day has exactly one due instant.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.records import ConferenceRecord

#: How far ahead ``next_post`` looks (a conference-only digest may be months away).
_HORIZON_DAYS = 400


def conference_dates(conference: ConferenceRecord | None) -> tuple[date, date] | None:
    """A conference's first and last day, when both are known (``days conference`` posts then)."""
    if conference is None or conference.starts_on is None or conference.ends_on is None:
        return None
    return (conference.starts_on, conference.ends_on)


def due_instant(day: date, post_at: time, zone: ZoneInfo) -> datetime:
    """The one moment (UTC) a digest for local ``day`` is due."""
    return datetime.combine(day, post_at, tzinfo=zone).astimezone(UTC)


def posts_on(day: date, days: str, conference_days: tuple[date, date] | None) -> bool:
    """Whether the digest runs on ``day``: mon-fri, all, or the conference's own dates."""
    if days == "mon-fri":
        return day.weekday() < 5
    if days == "conference" and conference_days is not None:
        return conference_days[0] <= day <= conference_days[1]
    return True  # "all", or "conference" while its dates are not known


def due_days(
    now: datetime,
    post_at: time,
    zone: ZoneInfo,
    days: str,
    conference_days: tuple[date, date] | None,
    grace: timedelta,
) -> list[date]:
    """Local days whose digest is due now: past its time, but by less than ``grace``."""
    today = now.astimezone(zone).date()
    back = grace.days + 1
    return [
        day
        for day in (today - timedelta(days=offset) for offset in range(back, -1, -1))
        if posts_on(day, days, conference_days)
        and due_instant(day, post_at, zone) <= now < due_instant(day, post_at, zone) + grace
    ]


def next_post(
    now: datetime,
    post_at: time,
    zone: ZoneInfo,
    days: str,
    conference_days: tuple[date, date] | None,
) -> datetime | None:
    """The next due moment after ``now``, in the digest's time zone; None if there is none."""
    for day in _days_from(now.astimezone(zone).date()):
        due = due_instant(day, post_at, zone)
        if due > now and posts_on(day, days, conference_days):
            return due.astimezone(zone)
    return None


def _days_from(start: date) -> Iterator[date]:
    return (start + timedelta(days=offset) for offset in range(_HORIZON_DAYS))
