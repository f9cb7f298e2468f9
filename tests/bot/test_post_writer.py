"""Writing note posts: each format rule, valid CommonMark, and round trips through the parser."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from markdown_it import MarkdownIt

from bot.notefiles.parse import parse_posts
from bot.notefiles.write import AuthorNotes, Post, PostFormat, PostSession, date_line, write
from tests.post_files import as_imported, normalised, post_lists, posts_from_parsed

SAMPLES = Path(__file__).parent.parent / "samples"
COMMONMARK = MarkdownIt("commonmark")

DAY1 = date(2025, 9, 25)


def _post(*sessions: PostSession, intro: tuple[str, ...] = (), day: date = DAY1) -> Post:
    return Post(day, "DEVRIVER 2025", 1, intro, sessions)


def _session(title: str, *lines: str, author: str = "alice") -> PostSession:
    return PostSession(title, (AuthorNotes(author, lines),))


def test_a_korean_day_as_text_is_the_shape_people_write() -> None:
    post = _post(
        _session("Envoy로 갈아탄 사내 API 게이트웨이", ". 라우트 3,400개", "> p99 210ms → 45ms"),
        _session("Kafka 없이 이벤트 소싱", "Outbox 테이블 + CDC"),
        intro=("둘째 날. 인프라 트랙 위주로 들음.",),
    )

    assert write([post], PostFormat.TEXT) == (
        "2025년 9월 25일 목요일\n"
        "\n"
        "DEVRIVER 2025 Day1 참가 세션 메모\n"
        "둘째 날. 인프라 트랙 위주로 들음.\n"
        "\n"
        "[Envoy로 갈아탄 사내 API 게이트웨이]\n"
        ". 라우트 3,400개\n"
        "> p99 210ms → 45ms\n"
        "\n"
        "ㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡ\n"
        "\n"
        "[Kafka 없이 이벤트 소싱]\n"
        "Outbox 테이블 + CDC\n"
    )


def test_an_english_day_gets_an_english_date_title_and_separator() -> None:
    post = Post(
        date(2025, 9, 6),
        "Harborline Conf 2025",
        1,
        (),
        (
            _session("Zero-Downtime Schema Migrations at 40 TB", "lock_timeout = 3s"),
            _session("Fuzzing", "Start with the round-trip property."),
        ),
    )

    text = write([post], PostFormat.TEXT)

    assert text.startswith(
        "Saturday, September 6, 2025\n\nHarborline Conf 2025 Day 1 session notes\n\n"
    )
    assert "\n\n" + "-" * 80 + "\n\n[Fuzzing]\n" in text


def test_date_lines_name_the_right_weekday() -> None:
    assert date_line(date(2019, 10, 31), korean=True) == "2019년 10월 31일 목요일"
    assert date_line(date(2025, 9, 27), korean=True) == "2025년 9월 27일 토요일"
    assert date_line(date(2025, 9, 6), korean=False) == "Saturday, September 6, 2025"


def test_korean_notes_full_of_english_terms_stay_korean_and_the_reverse() -> None:
    korean = _post(_session("Kubernetes 위에서 5000+ Pod 무중단 배포하기", "PDB 설정으로 해결"))
    english = _post(_session("Rust allocators", "jemalloc was fine, 지호 said"))

    assert write([korean], PostFormat.TEXT).startswith("2025년 9월 25일 목요일")
    assert write([english], PostFormat.TEXT).startswith("Thursday, September 25, 2025")


def test_posts_are_joined_in_the_order_given_with_blank_lines_between() -> None:
    day2 = _post(_session("B", "둘째 날 메모"), day=date(2025, 9, 26))
    day1 = _post(_session("A", "첫째 날 메모"))

    text = write([day2, day1], PostFormat.TEXT)

    assert text.index("2025년 9월 26일") < text.index("2025년 9월 25일")
    assert "둘째 날 메모\n\n\n2025년 9월 25일 목요일\n" in text


def test_text_keeps_every_line_exactly_as_written() -> None:
    lines = (
        "  들여쓴 줄\u00a0 ",
        "- *강조* <b>태그</b> [링크](https://x.example)",
        "# 제목 아님",
        "",
    )
    text = write([_post(_session("T", *lines[:3], "", "끝"))], PostFormat.TEXT)

    assert "\n".join(lines[:3]) + "\n\n끝\n" in text


def test_several_authors_each_get_their_notes_under_their_name() -> None:
    session = PostSession(
        "Envoy", (AuthorNotes("alice", ("p99 210ms → 45ms",)), AuthorNotes("bob", ("카나리 5%",)))
    )

    text = write([_post(session)], PostFormat.TEXT)
    markdown = write([_post(session)], PostFormat.MARKDOWN)

    assert "[Envoy]\n@alice\np99 210ms → 45ms\n\n@bob\n카나리 5%\n" in text
    assert "## [Envoy]\n\n### alice\n\np99 210ms → 45ms\n\n### bob\n\n카나리 5%\n" in markdown


def test_markdown_has_session_headers_breaks_and_hard_line_breaks() -> None:
    post = _post(_session("Envoy", "첫 줄", "둘째 줄", "", "새 문단"), _session("Kafka", "CDC"))

    assert write([post], PostFormat.MARKDOWN) == (
        "2025년 9월 25일 목요일\n"
        "\n"
        "# DEVRIVER 2025 Day1 참가 세션 메모\n"
        "\n"
        "## [Envoy]\n"
        "\n"
        "첫 줄  \n"
        "둘째 줄\n"
        "\n"
        "새 문단\n"
        "\n" + "-" * 80 + "\n"
        "\n"
        "## [Kafka]\n"
        "\n"
        "CDC\n"
    )


def _render(markdown: str) -> list[tuple[str, str]]:
    """The document as (block, text) pairs; fails on any inline markup but line breaks."""
    blocks: list[tuple[str, str]] = []
    tokens = COMMONMARK.parse(markdown)
    for index, token in enumerate(tokens):
        if token.type == "hr":
            blocks.append(("hr", ""))
        elif token.type == "inline":
            assert token.children is not None
            kinds = {child.type for child in token.children}
            assert kinds <= {"text", "softbreak", "hardbreak"}, (token.content, kinds)
            text = "".join(
                child.content if child.type == "text" else "\n" for child in token.children
            )
            blocks.append((tokens[index - 1].tag, text))
        else:
            assert token.type in {
                "paragraph_open",
                "paragraph_close",
                "heading_open",
                "heading_close",
                "hr",
            }, token.type
    return blocks


def test_markdown_that_looks_like_markup_renders_as_the_literal_text() -> None:
    tricky = (
        "> 인용 아님",
        "- 목록 아님",
        "# 제목 아님",
        "*강조* _아님_ `코드` ~~취소~~ ||스포||",
        "<b>태그</b> <!channel> &amp; [링크](https://evil.example)",
        "1. 번호 아님",
        "    코드 블록 아님",
        "[Envoy]",
        "(섹션)",
        "--------",
        "ㅡㅡㅡㅡㅡ",
        "2025-09-26",
        "Saturday, September 6, 2025",
        "끝에 백슬래시 \\",
        "공백 뒤 ",
    )
    post = _post(_session("C++ [v2]: 성능? <-> `x`", *tricky), intro=("# 소개", "- 아님"))

    blocks = _render(write([post], PostFormat.MARKDOWN))

    assert blocks == [
        ("p", "2025년 9월 25일 목요일"),
        ("h1", "DEVRIVER 2025 Day1 참가 세션 메모"),
        ("p", "# 소개\n- 아님"),
        ("h2", "[C++ [v2]: 성능? <-> `x`]"),
        # An indent shows as non-breaking spaces: a browser collapses ordinary ones.
        ("p", "\n".join(tricky).replace("    코드", "\u00a0" * 4 + "코드")),
    ]


def test_rendered_markdown_is_html_of_the_notes_only() -> None:
    post = _post(_session("T", "<script>alert(1)</script>", "[x](javascript:alert(1))"))

    rendered = COMMONMARK.render(write([post], PostFormat.MARKDOWN))

    assert "<script>" not in rendered
    assert "<a " not in rendered
    assert html.escape("<script>alert(1)</script>", quote=False) in rendered


# ---------------------------------------------------------------- round trips


@settings(max_examples=60, deadline=None)
@given(post_lists())
def test_markdown_export_imports_to_the_same_posts_sessions_notes_and_authors(
    posts: list[Post],
) -> None:
    parsed = parse_posts(write(posts, PostFormat.MARKDOWN))

    # A title with unbalanced brackets is imported right, with a "check it" warning.
    assert all("check it" in warning.message for warning in parsed.warnings)
    assert posts_from_parsed(parsed, importer="alice") == [
        as_imported(post, importer="alice") for post in posts
    ]


@settings(max_examples=60, deadline=None)
@given(post_lists())
def test_markdown_export_is_valid_commonmark_showing_every_note_line(posts: list[Post]) -> None:
    blocks = _render(write(posts, PostFormat.MARKDOWN))

    shown = "\n".join(text for _, text in blocks)
    for post in posts:
        for session in post.sessions:
            for notes in session.notes:
                for line in notes.lines:
                    assert line.strip(" ") in shown


def test_samples_parsed_and_written_again_are_the_samples_up_to_stated_normalisation() -> None:
    for name in ("blog-notes.txt", "blog-notes-english.txt"):
        original = (SAMPLES / name).read_text(encoding="utf-8")
        posts = posts_from_parsed(parse_posts(original), importer="me")

        assert normalised(write(posts, PostFormat.TEXT)) == normalised(original), name


def test_markdown_of_the_samples_imports_to_the_samepost_lists() -> None:
    original = (SAMPLES / "blog-notes.txt").read_text(encoding="utf-8")
    posts = posts_from_parsed(parse_posts(original), importer="me")

    again = posts_from_parsed(parse_posts(write(posts, PostFormat.MARKDOWN)), importer="me")

    assert again == posts
    assert re.search(r"^## \[파도클라우드 인프라\]$", write(posts, PostFormat.MARKDOWN), re.M)
