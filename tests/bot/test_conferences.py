"""/memo conference: naming the channel's conference, its time zone and dates."""

from __future__ import annotations

from datetime import date

import pytest

from bot.replies.values import ConferenceSet, ProblemCode, SessionListing, Visibility
from tests.chat import Chat


def _current(chat: Chat) -> ConferenceSet:
    reply = chat.say("reader", "conference")
    assert isinstance(reply.data, ConferenceSet), reply.markdown
    return reply.data


def test_a_new_channel_has_no_conference_and_uses_the_default_time_zone(chat: Chat) -> None:
    shown = _current(chat)
    assert shown.conference.name == "" and shown.conference.time_zone == "UTC"
    assert "/memo conference" in chat.say("reader", "conference").markdown


def test_setting_the_conference_is_announced_to_the_channel(chat: Chat) -> None:
    reply = chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul 2025-09-25 2025-09-26")

    assert reply.visibility is Visibility.PUBLIC
    conference = _current(chat).conference
    assert (conference.name, conference.time_zone) == ("DEVRIVER 2025", "Asia/Seoul")
    assert (conference.starts_on, conference.ends_on) == (date(2025, 9, 25), date(2025, 9, 26))
    assert "DEVRIVER 2025" in reply.markdown and "Asia/Seoul" in reply.markdown


def test_time_zone_names_are_matched_case_insensitively(chat: Chat) -> None:
    chat.say("alice", "conference PyCon KR asia/seoul")
    assert _current(chat).conference.time_zone == "Asia/Seoul"


def test_an_invalid_time_zone_is_refused_and_changes_nothing(chat: Chat) -> None:
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul")
    reply = chat.say("bob", "conference Other Conf Mars/Olympus_Mons")

    assert reply.data.code is ProblemCode.INVALID_TIME_ZONE  # type: ignore[union-attr]
    assert "Asia/Seoul" in reply.markdown
    assert _current(chat).conference.name == "DEVRIVER 2025"


@pytest.mark.parametrize(
    "dates", ["2025-02-30", "2025-09-25 2025-9-31", "2025-13-01", "2025-09-25 0000-01-01"]
)
def test_a_mistyped_date_is_refused_and_changes_nothing(chat: Chat, dates: str) -> None:
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul 2025-09-25 2025-09-26")
    reply = chat.say("bob", f"conference PyCon KR Asia/Seoul {dates}")

    assert reply.data.code is ProblemCode.BAD_DATE  # type: ignore[union-attr]
    assert "\n" not in reply.markdown
    conference = _current(chat).conference
    assert (conference.name, conference.starts_on) == ("DEVRIVER 2025", date(2025, 9, 25))


def test_dates_in_the_wrong_order_are_refused(chat: Chat) -> None:
    reply = chat.say("alice", "conference DEVRIVER 2025 2025-09-26 2025-09-25")
    assert reply.data.code is ProblemCode.BAD_DATE  # type: ignore[union-attr]
    assert _current(chat).conference.name == ""


def test_sessions_noted_before_naming_the_conference_join_it(chat: Chat) -> None:
    chat.say("alice", "add [First talk] 메모")
    reply = chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul")

    assert isinstance(reply.data, ConferenceSet) and reply.data.adopted_sessions == 1
    listing = chat.say("reader", "sessions all").data
    assert isinstance(listing, SessionListing)
    assert [s.title for s in listing.sessions] == ["First talk"]
    assert listing.conference.name == "DEVRIVER 2025"


def test_switching_back_to_an_earlier_conference_reactivates_it(chat: Chat) -> None:
    chat.say("alice", "conference DEVRIVER 2024 Asia/Seoul")
    chat.say("alice", "add [작년 세션] 메모")
    chat.say("alice", "conference Harborline 2025 America/Los_Angeles")
    assert _current(chat).conference.name == "Harborline 2025"

    reply = chat.say("alice", "conference devriver 2024")
    assert isinstance(reply.data, ConferenceSet) and reply.data.created is False
    assert _current(chat).conference.time_zone == "Asia/Seoul"
    listing = chat.say("reader", "sessions all").data
    assert [s.title for s in listing.sessions] == ["작년 세션"]  # type: ignore[union-attr]


def test_a_new_conference_keeps_the_current_time_zone_unless_told(chat: Chat) -> None:
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul")
    chat.say("alice", "conference DEVRIVER 2026")
    assert _current(chat).conference.time_zone == "Asia/Seoul"
