"""/memo attend, sessions and show through the core API, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.replies.values import (
    AttendanceRecorded,
    ProblemCode,
    SessionListing,
    SessionMemos,
    Visibility,
)
from tests.chat import Chat

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
POSTGRES = "Postgres 파티셔닝 실전: 30억 row 테이블"


def _listing(chat: Chat, argument: str = "") -> SessionListing:
    reply = chat.say("reader", f"sessions {argument}")
    assert isinstance(reply.data, SessionListing), reply.markdown
    assert reply.visibility is Visibility.PRIVATE
    return reply.data


def test_attend_records_attendance_and_creates_the_session(chat: Chat) -> None:
    reply = chat.say("alice", f"attend [{ENVOY}]")

    assert isinstance(reply.data, AttendanceRecorded)
    assert not reply.data.already
    assert reply.data.session.attendees == ("alice",)
    assert reply.visibility is Visibility.PRIVATE
    assert [(s.title, s.attendees, s.memo_count) for s in _listing(chat).sessions] == [
        (ENVOY, ("alice",), 0)
    ]


def test_attending_twice_says_so_and_counts_once(chat: Chat) -> None:
    chat.say("alice", f"attend [{ENVOY}]")
    again = chat.say("alice", f"attend [{ENVOY.lower()}]")
    assert isinstance(again.data, AttendanceRecorded) and again.data.already
    assert _listing(chat).sessions[0].attendees == ("alice",)


def test_writing_a_memo_counts_as_attending(chat: Chat) -> None:
    chat.say("bob", f"add [{ENVOY}] 메모")
    assert _listing(chat).sessions[0].attendees == ("bob",)


def test_sessions_lists_today_with_attendees_and_memo_counts(chat: Chat) -> None:
    chat.say("alice", f"attend [{ENVOY}]")
    chat.say("bob", f"attend [{ENVOY}]")
    chat.say("alice", f"add [{ENVOY}] one")
    chat.say("jiho", f"add [{ENVOY}] two")
    chat.say("jiho", f"add [{POSTGRES}] three")

    listing = _listing(chat)
    assert listing.day == date(2025, 9, 25)
    assert [(s.title, s.day, s.attendees, s.memo_count) for s in listing.sessions] == [
        (ENVOY, date(2025, 9, 25), ("alice", "bob", "jiho"), 2),
        (POSTGRES, date(2025, 9, 25), ("jiho",), 1),
    ]
    markdown = chat.say("reader", "sessions").markdown
    assert f"[{ENVOY}]" in markdown
    assert "2 memos" in markdown and "alice, bob, jiho" in markdown
    assert "Thu 2025-09-25" in markdown


def test_sessions_of_another_day_and_of_all_days(chat: Chat) -> None:
    chat.say("alice", "add [Day one talk] one")
    chat.wait(days=1)
    chat.say("alice", "add [Day two talk] two")

    assert [s.title for s in _listing(chat).sessions] == ["Day two talk"]
    assert [s.title for s in _listing(chat, "2025-09-25").sessions] == ["Day one talk"]
    assert [s.title for s in _listing(chat, "all").sessions] == ["Day one talk", "Day two talk"]
    assert _listing(chat, "2025-09-20").sessions == ()


def test_sessions_in_a_new_channel_is_an_empty_listing(chat: Chat) -> None:
    reply = chat.say("reader", "sessions")
    assert isinstance(reply.data, SessionListing) and reply.data.sessions == ()
    assert "No sessions" in reply.markdown


def test_the_day_is_the_conferences_local_day(chat: Chat) -> None:
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul")
    chat.now = datetime(2025, 9, 25, 15, 30, tzinfo=UTC)  # 00:30 on the 26th in Seoul
    chat.say("alice", "add [자정 넘은 세션] 메모")

    assert [s.title for s in _listing(chat, "2025-09-26").sessions] == ["자정 넘은 세션"]
    assert [s.title for s in _listing(chat).sessions] == ["자정 넘은 세션"]
    show = chat.say("reader", "show [자정 넘은 세션]")
    assert "00:30" in show.markdown


def test_show_lists_every_memo_with_its_author_and_id(chat: Chat) -> None:
    chat.say("alice", f"add [{ENVOY}] > p99 latency 210ms → 45ms")
    chat.say("bob", f"add [{ENVOY}] p99 210ms에서 45ms로 줄었다고 함\n두 번째 줄")
    reply = chat.say("jiho", f"show [{ENVOY.upper()}]")

    assert isinstance(reply.data, SessionMemos)
    assert reply.visibility is Visibility.PRIVATE
    assert [(m.number, m.author_name, m.text) for m in reply.data.memos] == [
        (1, "alice", "> p99 latency 210ms → 45ms"),
        (2, "bob", "p99 210ms에서 45ms로 줄었다고 함\n두 번째 줄"),
    ]
    assert "**#1** alice" in reply.markdown and "**#2** bob" in reply.markdown
    assert "\n  두 번째 줄" in reply.markdown, "continuation lines stay inside the list item"


def test_show_finds_a_near_title(chat: Chat) -> None:
    chat.say("alice", f"add [{ENVOY}] 메모")
    reply = chat.say("bob", "show [Envoy로 갈아탄 사내 API 게이트웨]")
    assert isinstance(reply.data, SessionMemos) and reply.data.session.title == ENVOY


def test_show_without_a_title_shows_your_recent_session(chat: Chat) -> None:
    chat.say("alice", f"add [{ENVOY}] 메모")
    reply = chat.say("alice", "show")
    assert isinstance(reply.data, SessionMemos) and reply.data.session.title == ENVOY
    assert chat.say("bob", "show").data.code is ProblemCode.MISSING_TITLE  # type: ignore[union-attr]


def test_show_of_an_unknown_session_is_refused(chat: Chat) -> None:
    reply = chat.say("alice", "show [아무도 안 들은 세션]")
    assert reply.data.code is ProblemCode.NO_SUCH_SESSION  # type: ignore[union-attr]
    assert "/memo sessions all" in reply.markdown


def test_show_finds_sessions_of_an_earlier_conference(chat: Chat) -> None:
    chat.say("alice", "conference DEVRIVER 2024")
    chat.say("alice", "add [작년 세션] 메모")
    chat.say("alice", "conference DEVRIVER 2025")
    reply = chat.say("alice", "show [작년 세션]")
    assert isinstance(reply.data, SessionMemos) and reply.data.session.conference == "DEVRIVER 2024"
    assert _listing(chat, "all").sessions == ()


def test_a_title_used_on_two_days_goes_to_the_latest_session(chat: Chat) -> None:
    chat.say("alice", "add [Keynote] day one")
    chat.wait(days=1)
    chat.say("alice", "add [Keynote] late note about day one's keynote")
    listing = _listing(chat, "all")
    assert [(s.title, s.day, s.memo_count) for s in listing.sessions] == [
        ("Keynote", date(2025, 9, 25), 2)
    ]
