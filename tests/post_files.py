"""Note-post files in tests: parsed posts as the exporter's values, and the stated normalisation.

The README's "Export" section states what an export of an imported file may
change; ``normalised`` is that statement as code, so the tests check exactly it.
"""

from __future__ import annotations

import re
from datetime import date

from hypothesis import strategies as st

from bot.notefiles.grouping import conference_from_title
from bot.notefiles.parse import ParsedFile, header_title, split_lines
from bot.notefiles.write import AuthorNotes, Post, PostFormat, PostSession, write
from bot.titles import title_key

#: The reply's lines after ``blog-notes.txt``'s summary line, when it is imported first.
KOREAN_SAMPLE_GROUPED = (
    "",
    "- **DEVRIVER 2025** · Thu 2025-09-25 to Sat 2025-09-27 · 3 posts",
    "  - Sat 2025-09-27 · DEVRIVER 2025 키노트 정리 · 4 sessions",
    "  - Fri 2025-09-26 · DEVRIVER 2025 Day2 참가 세션 메모 · 6 sessions",
    "  - Thu 2025-09-25 · DEVRIVER 2025 Day1 참가 세션 메모 · 6 sessions",
    "",
    "**DEVRIVER 2025** is now the channel's current conference.",
)

_SEPARATOR = re.compile(r"^\s*(?:ㅡ{3,}|-{3,}|─{3,}|={3,}|_{3,})\s*$")


def posts_from_parsed(parsed: ParsedFile, importer: str) -> list[Post]:
    """The parsed posts as an import stores them: unnamed blocks are the importer's."""
    return [
        Post(
            day=post.date,
            conference=conference_from_title(post.title),
            day_number=None,
            intro=post.notes,
            sessions=tuple(
                PostSession(
                    session.title,
                    tuple(
                        AuthorNotes(block.author or importer, block.lines)
                        for block in session.blocks
                    ),
                )
                for session in post.sessions
            ),
            title=post.title,
        )
        for post in parsed.posts
    ]


def normalised(text: str) -> list[str]:
    """The file's lines up to what an export may change (README, "Export"):

    line ends and a byte order mark; lines of only whitespace are blank, and runs
    of blank lines are one (none at the start or end); every separator line is
    the same; ``(Title)`` headers are written ``[Title]``.
    """
    lines: list[str] = []
    for line in split_lines(text):
        if not line.strip():
            if lines and lines[-1] != "":
                lines.append("")
            continue
        if _SEPARATOR.match(line):
            line = "<separator>"
        elif (header := header_title(line)) is not None:
            line = f"[{header[0]}]"
        lines.append(line)
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def as_imported(post: Post, importer: str) -> Post:
    """What an import of the exported post gives: one author goes unnamed (the importer)."""
    sessions = tuple(
        PostSession(session.title, (AuthorNotes(importer, session.notes[0].lines),))
        if len(session.notes) == 1
        else session
        for session in post.sessions
    )
    title = write([post], PostFormat.TEXT).split("\n")[2]
    return Post(post.day, conference_from_title(title), None, post.intro, sessions, title)


# ---------------------------------------------------------------- generated posts

_PIECE = st.sampled_from(
    [
        *"[]()<>:?!#*_`~|&;\\/@.=+-0123456789 abcXYZ",
        "<->",
        "ㅡ",
        "─",
        "캐",
        "시",
        "를",
        "\u00a0",
        "\t",
        "→",
        "년",
        "월",
        "일",
    ]
)
_TEXT = st.lists(_PIECE, min_size=1, max_size=30).map("".join)
_SPECIAL_LINES = st.sampled_from(
    [
        "[Looks like a header]",
        "(Looks like a section)",
        "ㅡㅡㅡㅡㅡㅡㅡㅡㅡㅡ",
        "-" * 80,
        "=====",
        "___",
        "2025년 9월 26일 금요일",
        "2025-09-26",
        "Saturday, September 6, 2025",
        "## [Markdown header]",
        "### bob",
        "> quote",
        "- item",
        "* star",
        "<div>html</div>",
        "  indented  ",
        "ends with a backslash\\",
        "@alice",
    ]
)
_LINE = st.one_of(_TEXT, _SPECIAL_LINES).filter(lambda line: line.strip() != "")
_TITLE = _TEXT.map(lambda t: " ".join(t.split())).filter(bool)
_NOTES = (
    st.lists(st.one_of(_LINE, st.just("")), min_size=1, max_size=6)
    .map(lambda lines: tuple(normalised_block(lines)))
    .filter(bool)
)


def normalised_block(lines: list[str]) -> list[str]:
    """A memo's lines as an import keeps them: blank runs made one, none at either end."""
    kept: list[str] = []
    for line in lines:
        if line == "" and (not kept or kept[-1] == ""):
            continue
        kept.append(line)
    while kept and kept[-1] == "":
        kept.pop()
    return kept


_AUTHORS = st.lists(
    st.sampled_from(["alice", "bob", "지호", "Jiho Kim"]), min_size=1, max_size=3, unique=True
)


@st.composite
def _sessions(draw: st.DrawFn) -> PostSession:
    authors = draw(_AUTHORS)
    return PostSession(draw(_TITLE), tuple(AuthorNotes(author, draw(_NOTES)) for author in authors))


@st.composite
def post_lists(draw: st.DrawFn, unique_titles: bool = False) -> list[Post]:
    """Posts of one conference on distinct days, newest first, with adversarial lines."""
    conference = draw(st.sampled_from(["DEVRIVER 2025", "Harborline Conf 2025"]))
    days = draw(
        st.lists(
            st.dates(date(2019, 1, 1), date(2030, 12, 31)), min_size=1, max_size=3, unique=True
        )
    )
    return [
        Post(
            day,
            conference,
            draw(st.integers(1, 3)),
            draw(st.lists(_LINE, max_size=3).map(tuple)),
            tuple(
                draw(
                    st.lists(
                        _sessions(),
                        min_size=1,
                        max_size=3,
                        # An import merges titles that differ only in case and spacing.
                        unique_by=(lambda s: title_key(s.title)) if unique_titles else None,
                    )
                )
            ),
        )
        for day in sorted(days, reverse=True)
    ]
