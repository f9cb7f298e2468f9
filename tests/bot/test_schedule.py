"""When a digest is due: one moment per local day, daylight-saving switches included."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.digest.due import due_days, due_instant, next_post, posts_on

NEW_YORK = ZoneInfo("America/New_York")
SEOUL = ZoneInfo("Asia/Seoul")
SPRING_FORWARD = date(2026, 3, 8)  # 02:00 EST -> 03:00 EDT: 02:30 does not exist
FALL_BACK = date(2026, 11, 1)  # 02:00 EDT -> 01:00 EST: 01:30 happens twice
SIX_HOURS = timedelta(hours=6)


def test_the_due_moment_is_the_local_time_of_that_day() -> None:
    assert due_instant(date(2025, 9, 25), time(18, 30), SEOUL) == datetime(
        2025, 9, 25, 9, 30, tzinfo=UTC
    )


def test_a_time_skipped_by_spring_forward_is_due_an_hour_later_on_the_clock() -> None:
    due = due_instant(SPRING_FORWARD, time(2, 30), NEW_YORK)
    assert due == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert due.astimezone(NEW_YORK).strftime("%H:%M %Z") == "03:30 EDT"


def test_a_time_repeated_by_fall_back_is_due_the_first_time_it_happens() -> None:
    due = due_instant(FALL_BACK, time(1, 30), NEW_YORK)
    assert due.astimezone(NEW_YORK).strftime("%H:%M %Z") == "01:30 EDT"


def _due_during(
    start: datetime, end: datetime, post_at: time, zone: ZoneInfo, step: timedelta
) -> list[date]:
    """Every day that a sweep each ``step`` from ``start`` to ``end`` finds due, in order."""
    found: list[date] = []
    now = start
    while now <= end:
        for day in due_days(now, post_at, zone, "all", None, SIX_HOURS):
            if day not in found:
                found.append(day)
        now += step
    return found


def test_a_sweep_across_both_switches_finds_each_day_once() -> None:
    for switch, post_at in ((SPRING_FORWARD, time(2, 30)), (FALL_BACK, time(1, 30))):
        start = datetime.combine(switch - timedelta(days=1), time(), tzinfo=NEW_YORK)
        start = start.astimezone(UTC)  # steps in real time, not on the wall clock
        end = start + timedelta(days=3)
        found = _due_during(start, end, post_at, NEW_YORK, timedelta(minutes=7))
        assert found == [switch - timedelta(days=1), switch, switch + timedelta(days=1)]


def test_nothing_is_due_before_the_time_or_after_the_grace() -> None:
    due = due_instant(date(2025, 9, 25), time(18, 30), SEOUL)
    assert due_days(due - timedelta(seconds=1), time(18, 30), SEOUL, "all", None, SIX_HOURS) == []
    assert due_days(due, time(18, 30), SEOUL, "all", None, SIX_HOURS) == [date(2025, 9, 25)]
    late = due + SIX_HOURS - timedelta(seconds=1)
    assert due_days(late, time(18, 30), SEOUL, "all", None, SIX_HOURS) == [date(2025, 9, 25)]
    assert due_days(due + SIX_HOURS, time(18, 30), SEOUL, "all", None, SIX_HOURS) == []


def test_days_choose_weekdays_or_the_conference() -> None:
    friday, saturday = date(2025, 9, 26), date(2025, 9, 27)
    assert posts_on(friday, "mon-fri", None) and not posts_on(saturday, "mon-fri", None)
    assert posts_on(saturday, "all", None)
    conference = (date(2025, 9, 25), date(2025, 9, 26))
    assert posts_on(friday, "conference", conference)
    assert not posts_on(saturday, "conference", conference)
    assert posts_on(saturday, "conference", None), "dates unknown: every day"


def test_the_next_post_skips_days_that_do_not_post() -> None:
    friday_evening = datetime(2025, 9, 26, 19, 0, tzinfo=SEOUL)
    following = next_post(friday_evening, time(18, 30), SEOUL, "mon-fri", None)
    assert following == datetime(2025, 9, 29, 18, 30, tzinfo=SEOUL)
    over = next_post(
        friday_evening, time(18, 30), SEOUL, "conference", (date(2025, 9, 25), date(2025, 9, 26))
    )
    assert over is None


@given(
    day=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    post_at=st.times(),
    zone=st.sampled_from(
        ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Seoul", "UTC"]
    ),
)
def test_every_day_has_one_due_moment_inside_that_local_day_or_just_after_a_gap(
    day: date, post_at: time, zone: str
) -> None:
    local_zone = ZoneInfo(zone)
    due = due_instant(day, post_at, local_zone)
    assert due.astimezone(local_zone).date() in (day, day + timedelta(days=1))
    assert due_instant(day + timedelta(days=1), post_at, local_zone) > due
    assert day in due_days(due, post_at, local_zone, "all", None, SIX_HOURS)
