"""The `/memo` grammar: what each kind of text parses to."""

from __future__ import annotations

import unicodedata
from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands.standard import parse
from bot.commands.text import Rejected, clean_text
from bot.conference_list import ListConferences
from bot.conferences import SetConference
from bot.digest.commands import (
    DisableDigest,
    PreviewDigest,
    SetDigestDays,
    SetDigestTime,
    ShowDigest,
)
from bot.help import ShowHelp
from bot.memos import AddMemo, DeleteMemo, EditMemo, UndoDelete
from bot.notefiles.exporting import Export
from bot.notefiles.reading import ImportPosts
from bot.replies.values import ProblemCode
from bot.search import Author, SearchMemos
from bot.sessions import Attend, ListSessions, ShowSession
from bot.summary.commands import Summarize


def test_add_splits_the_bracketed_title_from_the_note() -> None:
    assert parse("add [대규모 트래픽에서 살아남는 서비스 운영기] 캐시를 두 단계로") == AddMemo(
        session="대규모 트래픽에서 살아남는 서비스 운영기", text="캐시를 두 단계로"
    )


def test_add_keeps_the_note_exactly_including_markers_and_newlines() -> None:
    parsed = parse("add [T] > p99  210 ms → 45 ms\n- 두 번째 줄\t탭")
    assert parsed == AddMemo(session="T", text="> p99  210 ms → 45 ms\n- 두 번째 줄\t탭")


def test_titles_may_contain_brackets_of_their_own() -> None:
    parsed = parse("add [Kotlin [코루틴] 실전: 1:N <-> C++] 메모")
    assert parsed == AddMemo(session="Kotlin [코루틴] 실전: 1:N <-> C++", text="메모")


def test_add_without_a_title_leaves_the_session_to_the_core() -> None:
    assert parse("add 제목 없이 쓴 메모") == AddMemo(session=None, text="제목 없이 쓴 메모")


def test_unclosed_title_is_rejected_with_the_syntax() -> None:
    parsed = parse("add [LLM 에이전트 평가 자동화 닫는 괄호를 빼먹음")
    assert isinstance(parsed, Rejected)
    assert parsed.code is ProblemCode.UNBALANCED_BRACKETS
    assert "/memo add [Session title] note" in parsed.message


@pytest.mark.parametrize("text", ["", "   ", "help", "HELP"])
def test_empty_text_and_help_show_help(text: str) -> None:
    assert parse(text) == ShowHelp()


def test_unknown_subcommand_shows_help_naming_it() -> None:
    assert parse("frobnicate now") == ShowHelp(unknown="frobnicate")


def test_subcommands_are_case_insensitive_and_may_be_followed_by_a_newline() -> None:
    assert parse("ADD\n[T] note") == AddMemo(session="T", text="note")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("attend [Envoy 게이트웨이]", Attend("Envoy 게이트웨이")),
        ("attend Envoy 게이트웨이", Attend("Envoy 게이트웨이")),
        ("show [Envoy]", ShowSession("Envoy")),
        ("show", ShowSession(None)),
        ("sessions", ListSessions()),
        ("sessions today", ListSessions()),
        ("sessions all", ListSessions(all_days=True)),
        ("sessions 2025-09-26", ListSessions(day=date(2025, 9, 26))),
        ('sessions conference "DEVRIVER 2024"', ListSessions(conference="DEVRIVER 2024")),
        ("sessions Conference [DEVRIVER 2024]", ListSessions(conference="DEVRIVER 2024")),
        ("sessions conference DEVRIVER 2024", ListSessions(conference="DEVRIVER 2024")),
        ("sessions conference 「데브리버」", ListSessions(conference="데브리버")),
        ("conferences", ListConferences()),
        ("edit 12 고친 메모", EditMemo(12, "고친 메모")),
        ("edit #12 고친 메모", EditMemo(12, "고친 메모")),
        ("edit 12", EditMemo(12, "")),
        ("delete #7", DeleteMemo(7)),
        ("undo", UndoDelete()),
        ("conference", SetConference(None)),
        ("conference DEVRIVER 2025", SetConference("DEVRIVER 2025")),
        ("conference DEVRIVER 2025 Asia/Seoul", SetConference("DEVRIVER 2025", "Asia/Seoul")),
        (
            "conference DEVRIVER 2025 Asia/Seoul 2025-09-25 2025-09-26",
            SetConference("DEVRIVER 2025", "Asia/Seoul", date(2025, 9, 25), date(2025, 9, 26)),
        ),
        ("conference [PyCon KR] UTC", SetConference("PyCon KR", "UTC")),
        ("conference PyCon Japan", SetConference("PyCon Japan")),
        ("summary [Envoy]", Summarize("Envoy")),
        ("summary", Summarize(None)),
        ("search 캐시", SearchMemos("캐시")),
        (
            'search "p99 210ms" in:"Envoy 게이트웨이" by:@alice day:2025-09-25',
            SearchMemos('"p99 210ms"', "Envoy 게이트웨이", Author(name="alice"), date(2025, 9, 25)),
        ),
        ("search 1:N login:x by:<@U42|bob>", SearchMemos("1:N login:x", author=Author("U42"))),
        ("digest", ShowDigest()),
        ("digest at 18:00", SetDigestTime(time(18, 0))),
        ("digest at 9:05 Asia/Seoul", SetDigestTime(time(9, 5), "Asia/Seoul")),
        ("digest off", DisableDigest()),
        ("digest days mon-fri", SetDigestDays("mon-fri")),
        ("digest days Conference", SetDigestDays("conference")),
        ("digest now", PreviewDigest()),
        ("digest now 2025-09-25", PreviewDigest(date(2025, 9, 25))),
        ("export", Export()),
        ("export txt", Export(post_format="txt")),
        ("export 2025-09-25", Export(day=date(2025, 9, 25))),
        ("export 2025-09-25 MD", Export(day=date(2025, 9, 25))),
        ("export DEVRIVER 2025 txt", Export(conference="DEVRIVER 2025", post_format="txt")),
        ("export [PyCon 2025-09]", Export(conference="PyCon 2025-09")),
        ("export all", Export(all_conferences=True)),
        ("export ALL txt", Export(post_format="txt", all_conferences=True)),
        ("export [all]", Export(conference="all")),
        ("import", ImportPosts()),
    ],
)
def test_each_subcommand_parses(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("attend", ProblemCode.MISSING_TITLE),
        ("sessions tomorrow", ProblemCode.BAD_DATE),
        ("sessions conference", ProblemCode.MISSING_TITLE),
        ('sessions conference ""', ProblemCode.MISSING_TITLE),
        ("sessions conference [unclosed", ProblemCode.UNBALANCED_BRACKETS),
        ("sessions 2025-02-30", ProblemCode.BAD_DATE),
        ("edit twelve new", ProblemCode.BAD_MEMO_ID),
        ("edit", ProblemCode.BAD_MEMO_ID),
        ("delete", ProblemCode.BAD_MEMO_ID),
        ("delete 1 2", ProblemCode.BAD_MEMO_ID),
        ("delete 99999999999999999999", ProblemCode.BAD_MEMO_ID),
        ("show [unclosed", ProblemCode.UNBALANCED_BRACKETS),
        ("conference Asia/Seoul", ProblemCode.MISSING_TITLE),
        ("conference [X] extra Asia/Seoul", ProblemCode.BAD_ARGUMENTS),
        ("digest at", ProblemCode.BAD_TIME),
        ("digest at 6pm", ProblemCode.BAD_TIME),
        ("digest at 24:00", ProblemCode.BAD_TIME),
        ("digest at 18:00 Asia/Seoul extra", ProblemCode.BAD_ARGUMENTS),
        ("digest days weekends", ProblemCode.BAD_ARGUMENTS),
        ("digest now tomorrow", ProblemCode.BAD_DATE),
        ("digest sometimes", ProblemCode.BAD_ARGUMENTS),
        ("export 2025-02-30", ProblemCode.BAD_DATE),
        ("export 2025-9-31 txt", ProblemCode.BAD_DATE),
        ("export [unclosed", ProblemCode.UNBALANCED_BRACKETS),
    ],
)
def test_bad_arguments_are_rejected(text: str, code: ProblemCode) -> None:
    parsed = parse(text)
    assert isinstance(parsed, Rejected)
    assert parsed.code is code


def test_clean_text_drops_control_characters_but_keeps_newlines_and_tabs() -> None:
    assert clean_text("a\x00b\x07c\x1b[31md\te\nf\r\ng\rh") == "abc[31md\te\nf\ng\nh"


def test_clean_text_drops_bidirectional_overrides_that_disguise_text() -> None:
    assert clean_text("safe\u202etxt.exe\u2066x\u2069") == "safetxt.exex"


def test_clean_text_keeps_korean_emoji_and_non_breaking_spaces() -> None:
    text = "캐시를 쓰자 👩‍💻 Kotlin\u00a0코루틴"
    assert clean_text(text) == text


_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")


@given(st.text(st.characters(exclude_categories=()), max_size=80))
def test_clean_text_removes_exactly_the_control_characters(text: str) -> None:
    """The fast pattern matches Unicode's own categories: Cc (but tab, newline), Cs, bidi, BOM."""
    expected = "".join(
        char
        for char in text.replace("\r\n", "\n").replace("\r", "\n")
        if char in "\n\t" or (unicodedata.category(char) not in ("Cc", "Cs") and char not in _BIDI)
    )
    assert clean_text(text) == expected


def test_typed_options_build_the_same_commands_as_text() -> None:
    from bot.conferences import conference_from_options
    from bot.sessions import sessions_from_option

    assert sessions_from_option(None) == parse("sessions")
    assert sessions_from_option("all") == parse("sessions all")
    assert sessions_from_option("2025-09-26") == parse("sessions 2025-09-26")
    assert isinstance(sessions_from_option("내일"), Rejected)
    assert conference_from_options(None) == parse("conference")
    assert conference_from_options(
        "DEVRIVER 2025", "Asia/Seoul", "2025-09-25", "2025-09-26"
    ) == parse("conference DEVRIVER 2025 Asia/Seoul 2025-09-25 2025-09-26")
    assert conference_from_options("X", None, "2025-09-25") == parse("conference X 2025-09-25")
    rejected = conference_from_options("X", None, "25 Sep")
    assert isinstance(rejected, Rejected) and rejected.code is ProblemCode.BAD_DATE
    missing = conference_from_options(None, "Asia/Seoul")
    assert isinstance(missing, Rejected) and missing.code is ProblemCode.MISSING_TITLE


def test_the_sessions_options_name_a_conference_as_the_text_does() -> None:
    from bot.notefiles.exporting import export_from_options
    from bot.sessions import sessions_from_options

    assert sessions_from_options(conference="DEVRIVER 2024") == parse(
        'sessions conference "DEVRIVER 2024"'
    )
    assert sessions_from_options(date="all") == parse("sessions all")
    both = sessions_from_options(date="2025-09-25", conference="DEVRIVER 2024")
    assert isinstance(both, Rejected) and both.code is ProblemCode.BAD_ARGUMENTS
    assert export_from_options("all", "txt") == parse("export all txt")
