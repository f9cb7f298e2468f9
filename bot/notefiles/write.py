"""Writing conference days as note posts: the shape people already keep, as text or Markdown.

A file is one post per conference day, newest first. A post is a date line, a
blank line, a title line ("DEVRIVER 2025 Day1 참가 세션 메모"), the post's own
untitled notes, then each session as a ``[Title]`` header with its notes,
sessions separated by a separator line. This is the shape the note-post
import reads (``/work/shared/samples``), so what is exported can be imported
again.

Two formats:

- **Text** keeps every note line exactly as written. A note line that itself
  looks like a header, a separator or a date cannot be told apart from one.
- **Markdown** is valid CommonMark that renders as the notes were written:
  ``## [Title]`` session headers, ``### name`` sub-headings when a session has
  several authors, a thematic break between sessions, each note line on a line
  of its own. Note text is escaped only where a renderer would otherwise format
  it, and whitespace a renderer would drop is kept (``literal_markdown``); a
  note line that the reader of these files would take for structure (a date or
  a separator) keeps one escape, so the Markdown says unambiguously which lines
  are notes.

The date line is Korean (``2025년 9월 25일 목요일``) when the post's notes are
mostly Korean, English (``Thursday, September 25, 2025``) otherwise; see
``is_korean``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.notefiles import literal_markdown
from bot.notefiles.parse import looks_like_structure


class PostFormat(StrEnum):
    MARKDOWN = "md"
    TEXT = "txt"


@dataclass(frozen=True, slots=True)
class AuthorNotes:
    """One person's notes on a session, one note line per entry (blank: a paragraph break)."""

    author: str
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PostSession:
    title: str
    #: In the order people first wrote; one entry means no author sub-headings.
    notes: tuple[AuthorNotes, ...]


@dataclass(frozen=True, slots=True)
class Post:
    """One conference day."""

    day: date
    conference: str
    #: 1 for the conference's first day; None when unknown (no "DayN" in the title).
    day_number: int | None
    #: The post's untitled notes, before the first session.
    intro: tuple[str, ...]
    sessions: tuple[PostSession, ...]
    #: The title line as an imported post had it; None: written from conference and day.
    title: str | None = None


#: Korean posts' separator, as in the samples; English posts use a line of 80 hyphens.
KOREAN_SEPARATOR = "ㅡ" * 20
ENGLISH_SEPARATOR = "-" * 80
#: How much of a post's letters must be Hangul for the post to be written in Korean.
KOREAN_SHARE = 0.1

_KOREAN_WEEKDAYS = "월화수목금토일"
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LETTER = re.compile(r"[^\W\d_]")


def is_korean(post: Post) -> bool:
    """Whether at least ``KOREAN_SHARE`` of the letters in the post's text are Hangul.

    A share rather than "any Hangul at all": English notes with one Korean
    name stay English, Korean notes full of English terms stay Korean.
    """
    text = "\n".join(_texts(post))
    letters = len(_LETTER.findall(text))
    return letters > 0 and len(_HANGUL.findall(text)) >= KOREAN_SHARE * letters


def date_line(day: date, korean: bool) -> str:
    if korean:
        return f"{day.year}년 {day.month}월 {day.day}일 {_KOREAN_WEEKDAYS[day.weekday()]}요일"
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def title_line(post: Post, korean: bool) -> str:
    """``DEVRIVER 2025 Day1 참가 세션 메모`` / ``Harborline Conf 2025 Day 1 session notes``."""
    if post.title:
        return post.title
    if korean:
        words = [
            post.conference,
            f"Day{post.day_number}" if post.day_number else "",
            "참가 세션 메모",
        ]
    else:
        words = [post.conference, f"Day {post.day_number}" if post.day_number else "", ""]
        words[2] = "session notes" if any(words[:2]) else "Session notes"
    return " ".join(word for word in words if word)


def write(posts: Sequence[Post], post_format: PostFormat) -> str:
    """The posts, newest first as given, as one file's text (ending with a newline)."""
    if post_format is PostFormat.TEXT:
        return "\n\n\n".join(_text_post(post) for post in posts) + "\n"
    budget = literal_markdown.Budget.for_file(
        sum(len(text) for post in posts for text in _texts(post))
    )
    return "\n\n\n".join(_markdown_post(post, budget) for post in posts) + "\n"


def _text_post(post: Post) -> str:
    korean = is_korean(post)
    head = [date_line(post.day, korean), "", title_line(post, korean), *post.intro]
    separator = KOREAN_SEPARATOR if korean else ENGLISH_SEPARATOR
    blocks = ["\n".join(head)]
    for index, session in enumerate(post.sessions):
        if index:
            blocks.append(separator)
        lines = [f"[{session.title}]"]
        for position, notes in enumerate(session.notes):
            if len(session.notes) > 1:
                lines += [*([""] if position else []), author_line(notes.author)]
            lines += notes.lines
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def author_line(author: str) -> str:
    """In text exports, the line that starts one author's notes when a session has several."""
    return f"@{author}"


def _markdown_post(post: Post, budget: literal_markdown.Budget) -> str:
    korean = is_korean(post)
    blocks = [
        literal_markdown.paragraph([date_line(post.day, korean)], budget),
        literal_markdown.heading(1, title_line(post, korean), budget),
    ]
    if post.intro:
        blocks.append(_md_lines(post.intro, budget))
    for index, session in enumerate(post.sessions):
        if index:
            blocks.append(ENGLISH_SEPARATOR)
        blocks.append(literal_markdown.heading(2, session.title, budget, "[", "]"))
        for notes in session.notes:
            if len(session.notes) > 1:
                blocks.append(literal_markdown.heading(3, notes.author, budget))
            if notes.lines:
                blocks.append(_md_lines(notes.lines, budget))
    return "\n\n".join(block for block in blocks if block)


def _md_lines(lines: Sequence[str], budget: literal_markdown.Budget) -> str:
    """Note lines as paragraphs: a line break after each line, a blank line between
    paragraphs."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join(
        literal_markdown.paragraph(paragraph, budget, looks_like_structure)
        for paragraph in paragraphs
        if paragraph
    )


def _texts(post: Post) -> Iterable[str]:
    yield from post.intro
    for session in post.sessions:
        yield session.title
        for notes in session.notes:
            yield from notes.lines
