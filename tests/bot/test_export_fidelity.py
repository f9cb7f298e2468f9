"""The Markdown export looks like the notes: rendered by an independent CommonMark parser
(markdown-it-py) every note line shows as typed, and the source has no escape, character
reference or backslash line break that the rendering does not need. Text stays byte-exact."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.notefiles import literal_markdown
from bot.notefiles.parse import parse_posts
from bot.notefiles.write import AuthorNotes, Post, PostFormat, PostSession, write
from tests.post_files import posts_from_parsed

SAMPLES = Path(__file__).parent.parent / "samples"
COMMONMARK = MarkdownIt("commonmark")
#: How an indent shows: non-breaking spaces, which browsers neither strip nor collapse.
NBSP = "\u00a0"


def _sample_posts(name: str) -> list[Post]:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    return posts_from_parsed(parse_posts(text), importer="me")


def _note_lines(posts: list[Post]) -> list[str]:
    """Every non-blank line a reader should see, in file order (intro, then notes)."""
    lines: list[str] = []
    for post in posts:
        lines += [line for line in post.intro if line.strip()]
        for session in post.sessions:
            for notes in session.notes:
                lines += [line for line in notes.lines if line.strip()]
    return lines


def _shown_lines(markdown: str) -> list[str]:
    """The lines of every paragraph as markdown-it renders them; fails on any other markup
    (a list, a quote, code, emphasis, a link, HTML) in a paragraph."""
    tokens = COMMONMARK.parse(markdown)
    shown: list[str] = []
    for index, token in enumerate(tokens):
        if token.type != "inline" or tokens[index - 1].type != "paragraph_open":
            continue
        assert tokens[index - 2].type not in {"list_item_open", "blockquote_open"}
        shown += _inline_text(token).split("\n")
    return shown


def _inline_text(token: Token) -> str:
    assert token.children is not None
    parts = []
    for child in token.children:
        assert child.type in {"text", "text_special", "hardbreak"}, (token.content, child.type)
        parts.append("\n" if child.type == "hardbreak" else child.content)
    return "".join(parts)


def _as_shown(line: str) -> str:
    """A note line as a reader sees it: the spaces of its indent as non-breaking spaces."""
    body = line.lstrip()
    return line[: len(line) - len(body)].replace(" ", NBSP) + body


def test_every_line_of_both_blog_samples_renders_as_typed() -> None:
    for name in ("blog-notes.txt", "blog-notes-terse.txt"):
        posts = _sample_posts(name)
        markdown = write(posts, PostFormat.MARKDOWN)

        shown = _shown_lines(markdown)
        # Each post's date line comes first among its paragraphs; the rest are the notes.
        notes_shown = [line for line in shown if not re.fullmatch(r"\d{4}년 .*요일", line)]

        assert notes_shown == [_as_shown(line) for line in _note_lines(posts)], name


def test_the_samples_markdown_has_no_references_and_no_backslash_line_breaks() -> None:
    for name in ("blog-notes.txt", "blog-notes-terse.txt"):
        markdown = write(_sample_posts(name), PostFormat.MARKDOWN)

        assert "&#" not in markdown, name
        assert not re.search(r"\\$", markdown, re.M), "a line break needs no backslash"


def test_only_escapes_that_change_the_rendering_are_written() -> None:
    posts = _sample_posts("blog-notes-terse.txt") + _sample_posts("blog-notes.txt")
    markdown = write(posts, PostFormat.MARKDOWN)

    escapes = set(re.findall(r"\\(.)", markdown))
    # At a line's start: a list, a quote; `1.` would start a numbered list.
    assert escapes == {"-", ">", "."}, escapes
    for line in markdown.split("\n"):
        if "\\" in line:
            assert re.match(r"\\[->] |\d+\\\. ", line), line
    assert "\n2. router: radix tree" in markdown, "only a list's first number needs it"
    assert "C++" in markdown and "<->" in markdown and "tracking_events:" in markdown
    assert "\u00a0\u00a0- filter 는 trait 하나로 통일" in markdown, "indented: no list, no escape"


def test_the_korean_sample_line_with_a_non_breaking_space_keeps_it() -> None:
    posts = _sample_posts("blog-notes.txt")
    (line,) = [line for line in _note_lines(posts) if NBSP in line]

    assert "\n" + line + "  \n" in write(posts, PostFormat.MARKDOWN), "as typed, no reference"


# Pieces of hostile lines: every character Markdown gives a meaning somewhere.
_PIECES = st.sampled_from(
    [
        *"*_`<>[]()#.-+|\\!&;:=~$^\"'",
        "1.",
        "1)",
        "<tag>",
        "</tag>",
        "[x](y)",
        "[x]: y",
        "<https://a.example>",
        "&amp;",
        "&#35;",
        "**",
        "__",
        "```",
        "~~",
        "- [ ]",
        "| a |",
        "---",
        " ",
        "  ",
        "\t",
        NBSP,
        "캐시",
        "p99",
        "→",
        "a",
        "9",
    ]
)
_HOSTILE_LINE = (
    st.lists(_PIECES, min_size=1, max_size=12).map("".join).filter(lambda line: line.strip())
)


def _post_of(lines: list[str]) -> Post:
    return Post(
        date(2025, 9, 25), "DEVRIVER 2025", 1, (), (PostSession("T", (AuthorNotes("me", lines),)),)
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(_HOSTILE_LINE, min_size=1, max_size=5))
def test_hostile_lines_render_as_typed(lines: list[str]) -> None:
    markdown = write([_post_of(lines)], PostFormat.MARKDOWN)

    shown = _shown_lines(markdown)[1:]  # after the date line

    assert shown == [_as_shown(line) for line in lines]


@settings(max_examples=300, deadline=None)
@given(st.lists(_HOSTILE_LINE, min_size=1, max_size=5))
def test_hostile_lines_come_back_exactly_from_an_import_of_the_markdown(lines: list[str]) -> None:
    markdown = write([_post_of(lines)], PostFormat.MARKDOWN)

    parsed = parse_posts(markdown)

    assert [block.lines for block in parsed.posts[0].sessions[0].blocks] == [tuple(lines)]


@settings(max_examples=100, deadline=None)
@given(st.lists(_HOSTILE_LINE, min_size=1, max_size=5))
def test_text_export_is_byte_faithful(lines: list[str]) -> None:
    text = write([_post_of(lines)], PostFormat.TEXT)

    assert ("[T]\n" + "\n".join(lines) + "\n").encode() in text.encode()


def test_text_export_of_the_samples_keeps_every_line_byte_for_byte() -> None:
    for name in ("blog-notes.txt", "blog-notes-terse.txt"):
        posts = _sample_posts(name)
        text = write(posts, PostFormat.TEXT).encode()

        for line in _note_lines(posts):
            assert b"\n" + line.encode() + b"\n" in text, line


def test_an_export_written_before_this_format_still_imports_line_for_line() -> None:
    # Backslash line breaks, every marker escaped, whitespace and structure as references.
    earlier = (
        "2025년 9월 25일 목요일\n\n# DEVRIVER 2025 Day1 참가 세션 메모\n\n## [Envoy]\n\n"
        "&#32;&#32;\\- 들여쓴 줄\\\n1\\. 번호\\\n끝에 백슬래시 &#92;\\\n&#50;025-09-26\\\n"
        "&#160;앞뒤&#32;\n"
    )

    [post] = parse_posts(earlier).posts

    assert [block.lines for block in post.sessions[0].blocks] == [
        ("  - 들여쓴 줄", "1. 번호", "끝에 백슬래시 \\", "2025-09-26", "\u00a0앞뒤 ")
    ]


@settings(max_examples=50, deadline=None)
@given(st.lists(_HOSTILE_LINE, min_size=1, max_size=5))
def test_past_the_files_budget_lines_keep_every_escape_and_still_render_as_typed(
    lines: list[str],
) -> None:
    # A file of long punctuation-filled paragraphs spends the budget; what follows is exact.
    markdown = literal_markdown.paragraph(lines, literal_markdown.Budget(0))

    assert _shown_lines(markdown) == [_as_shown(line) for line in lines]
