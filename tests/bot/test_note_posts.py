"""The note-post parser: the samples, each format rule, and our own Markdown export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.notefiles.grouping import conference_from_title
from bot.notefiles.parse import parse_date_line, parse_posts

SAMPLES = Path(__file__).parent.parent / "samples"


def _sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def test_korean_sample_has_three_posts_and_sixteen_sessions() -> None:
    parsed = parse_posts(_sample("blog-notes.txt"))

    assert [post.date for post in parsed.posts] == [
        date(2025, 9, 27),
        date(2025, 9, 26),
        date(2025, 9, 25),
    ]
    assert [post.title for post in parsed.posts] == [
        "DEVRIVER 2025 키노트 정리",
        "DEVRIVER 2025 Day2 참가 세션 메모",
        "DEVRIVER 2025 Day1 참가 세션 메모",
    ]
    assert [len(post.sessions) for post in parsed.posts] == [4, 6, 6]
    assert parsed.session_count == 16
    assert parsed.line_count == 333
    assert parsed.warnings == ()
    assert [session.title for session in parsed.posts[0].sessions] == [
        "파도클라우드 인프라",
        "누리모빌리티 AI",
        "바람커머스 검색",
        "DEVRIVER 오픈소스 후원 프로그램",
    ]
    assert parsed.posts[2].sessions[-1].title == "웹소켓 기반 실시간 협업 에디터 개발기"


def test_english_sample_has_one_post_and_five_sessions() -> None:
    parsed = parse_posts(_sample("blog-notes-english.txt"))

    (post,) = parsed.posts
    assert post.date == date(2025, 9, 6)
    assert post.title == "Harborline Conf 2025 Day 1 session notes"
    assert [session.title for session in post.sessions] == [
        "Zero-Downtime Schema Migrations at 40 TB",
        "Writing a Memory Allocator in Rust: Lessons from Production",
        "Observability on a Budget: OpenTelemetry Without the Bill",
        "Lightning Talk: Why We Deleted Our Microservices",
        "Fuzzing Network Protocols with Property-Based Tests",
    ]
    assert parsed.line_count == 86
    assert conference_from_title(post.title) == "Harborline Conf 2025"


def test_edge_cases_of_the_samples_are_notes_kept_exactly() -> None:
    parsed = parse_posts(_sample("blog-notes.txt"))
    keynote, _, day1 = parsed.posts
    redis = day1.sessions[0]
    kotlin = day1.sessions[1]

    assert any(line.startswith("[참고] 발표자 블로그") for line in redis.lines)
    assert '자체 오케스트레이터 "Mulgyeol" (물결)' in keynote.sessions[0].lines
    assert ". 메모리는 오히려 6GB →\u00a02.5GB" in kotlin.lines
    assert day1.sessions[4].lines == (
        '이슈 템플릿, 그리고 "no" 라고 말하는 용기.',
        "발표자료를 꼭 다시 읽어볼 것.",
    )
    assert keynote.sessions[3].lines == ("올해 후원 프로젝트 12개 발표. 목록은 홈페이지에",)


def test_blank_lines_inside_a_session_are_paragraph_breaks_and_trimmed_at_the_ends() -> None:
    text = "2025-08-16\nConf Day1\n\n[Talk]\n\n. one\n\n\n> two\n\n\n----\n"

    (session,) = parse_posts(text).posts[0].sessions

    assert session.lines == (". one", "", "> two")
    assert session.note_line_count == 2


def test_lines_under_no_header_belong_to_the_post_in_order() -> None:
    text = "2025-08-16\nConf Day1\nintro\n[A]\na1\n-----\nbetween\n[B]\nb1\n"

    (post,) = parse_posts(text).posts

    assert post.notes == ("intro", "", "between")
    assert [(s.title, s.lines) for s in post.sessions] == [("A", ("a1",)), ("B", ("b1",))]


def test_titles_may_hold_brackets_colons_and_symbols() -> None:
    text = "2025-08-16\nConf\n[Envoy [beta]: 1:N <-> C++?]\nnote\n(Q&A (live))\nq\n"

    titles = [s.title for s in parse_posts(text).posts[0].sessions]

    assert titles == ["Envoy [beta]: 1:N <-> C++?", "Q&A (live)"]


def test_a_header_whose_bracket_closes_early_is_imported_with_a_warning() -> None:
    parsed = parse_posts("2025-08-16\nConf\n[참고] 링크 [2부]\nnote\n")

    assert parsed.posts[0].sessions[0].title == "참고] 링크 [2부"
    assert [w.line_number for w in parsed.warnings] == [3]


@pytest.mark.parametrize(
    "line",
    ["ㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡ", "-" * 80, "─────", "=====", "_____"],
)
def test_every_separator_style_ends_a_session(line: str) -> None:
    (post,) = parse_posts(f"2025-08-16\nConf\n[A]\na\n{line}\nafter\n").posts

    assert post.sessions[0].lines == ("a",)
    assert post.notes == ("after",)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2019년 10월 31일 목요일", date(2019, 10, 31)),
        ("2019년 10월 31일 (목)", date(2019, 10, 31)),
        ("2025-08-16", date(2025, 8, 16)),
        ("2025.08.16", date(2025, 8, 16)),
        ("2025. 8. 16.", date(2025, 8, 16)),
        ("2025/8/16", date(2025, 8, 16)),
        ("Saturday, September 6, 2025", date(2025, 9, 6)),
        ("Sep 6, 2025", date(2025, 9, 6)),
        ("6 September 2025", date(2025, 9, 6)),
        ("Sat, 6 Sep 2025", date(2025, 9, 6)),
    ],
)
def test_date_lines_in_korean_and_english_forms(line: str, expected: date) -> None:
    assert parse_date_line(line) == (expected, True)


@pytest.mark.parametrize("line", ["2025-13-01", "September 31, 2025", "Sept 2025", "2025"])
def test_things_that_are_not_dates(line: str) -> None:
    assert parse_date_line(line) is None


def test_a_wrong_weekday_keeps_the_date_and_warns() -> None:
    parsed = parse_posts("2025년 9월 25일 금요일\nConf\n[A]\na\n")

    assert parsed.posts[0].date == date(2025, 9, 25)
    assert "weekday" in parsed.warnings[0].message


def test_lines_before_the_first_date_and_empty_sessions_are_warned_about() -> None:
    parsed = parse_posts("stray\n2025-08-16\nConf\n[Empty]\n\n[Full]\nx\n")

    assert [s.title for s in parsed.posts[0].sessions] == ["Full"]
    assert [w.line_number for w in parsed.warnings] == [1, 4]


def test_crlf_cr_and_bom_read_like_lf() -> None:
    text = "2025-08-16\nConf\n[A]\na\n\nb\n"
    expected = parse_posts(text)

    assert parse_posts("\ufeff" + text.replace("\n", "\r\n")) == expected
    assert parse_posts(text.replace("\n", "\r")) == expected


def test_markdown_export_reads_back_to_the_same_data() -> None:
    markdown = (
        "# 2025년 9월 25일 목요일\n\n"
        "# DEVRIVER 2025 Day1 참가 세션 메모\n\n"
        "intro \\# not a heading\n\n"
        "## [A \\[b\\] c]\n\n"
        "### alice\n\n"
        "\\- one\\\n"
        "&#32; two\n\n"
        "\\> three\n\n"
        "### bob\n\n"
        "\\<b\\> \\*x\\*\n\n"
        "---\n\n"
        "## (Sec)\n\ny\n"
    )

    parsed = parse_posts(markdown)

    assert parsed.markdown
    (post,) = parsed.posts
    assert post.date == date(2025, 9, 25)
    assert post.title == "DEVRIVER 2025 Day1 참가 세션 메모"
    assert post.notes == ("intro # not a heading",)
    first, second = post.sessions
    assert first.title == "A [b] c"
    assert [(block.author, block.lines) for block in first.blocks] == [
        ("alice", ("- one", "  two", "", "> three")),
        ("bob", ("<b> *x*",)),
    ]
    assert (second.title, second.lines) == ("Sec", ("y",))


def test_plain_text_is_not_unescaped() -> None:
    (post,) = parse_posts("2025-08-16\nConf\n[A]\n\\- kept &amp; kept\n### kept\n").posts

    assert post.sessions[0].lines == ("\\- kept &amp; kept", "### kept")


@pytest.mark.parametrize(
    ("title", "conference"),
    [
        ("DEVRIVER 2025 Day2 참가 세션 메모", "DEVRIVER 2025"),
        ("DEVRIVER 2025 키노트 정리", "DEVRIVER 2025"),
        ("Harborline Conf 2025 Day 1 session notes", "Harborline Conf 2025"),
        ("KubeCon 2024 2일차 메모", "KubeCon 2024"),
        ("세션 메모", "세션 메모"),
    ],
)
def test_conference_name_from_a_title_line(title: str, conference: str) -> None:
    assert conference_from_title(title) == conference


def test_escaped_markdown_lines_that_read_like_dates_or_separators_stay_notes() -> None:
    markdown = (
        "# 2025-09-25\n\n# Conf Day1\n\n## [A]\n\n"
        "2025&#45;09&#45;26\n\\---\nends with a backslash\\\\\nhard break\\\n"
    )

    (post,) = parse_posts(markdown).posts

    assert post.sessions[0].lines == (
        "2025-09-26",
        "---",
        "ends with a backslash\\",
        "hard break",
    )


@pytest.mark.parametrize(
    ("line", "day", "agrees"),
    [
        ("2025年9月25日 木曜日", date(2025, 9, 25), True),
        ("2025年9月25日（木）", date(2025, 9, 25), True),
        ("2025年9月25日 星期四", date(2025, 9, 25), True),
        ("2025年9月28日 星期天", date(2025, 9, 28), True),
        ("2025年9月25日 金曜日", date(2025, 9, 25), False),
    ],
)
def test_japanese_and_chinese_date_lines_start_posts(line: str, day: date, agrees: bool) -> None:
    assert parse_date_line(line) == (day, agrees)


@pytest.mark.parametrize(
    "title",
    ["TechConf Tokyo 2025 1日目 セッションメモ", "TechConf Tokyo 2025 第二天 参会笔记"],
)
def test_japanese_and_chinese_titles_name_the_conference_without_the_day(title: str) -> None:
    assert conference_from_title(title) == "TechConf Tokyo 2025"
