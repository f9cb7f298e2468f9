"""The sample blog posts (tests/samples/blog-notes*.txt) as sessions and their note lines.

Shared by the search and summary evaluations (``bench/search_quality.py``,
``bench/summary_quality.py``), the benchmarks' vocabulary and the tests. The
posts are read by the importer's own parser (``bot.notefiles.parse``), so the
evaluations see the sessions exactly as an import would store them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.notefiles.parse import parse_posts

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "samples"
BLOG_FILES = ("blog-notes.txt", "blog-notes-english.txt")


@dataclass(frozen=True, slots=True)
class BlogSession:
    post_date: date
    title: str
    #: Note lines as written, blank lines (paragraph breaks) left out.
    lines: tuple[str, ...]


def read_sessions(path: Path = SAMPLES / "blog-notes.txt") -> list[BlogSession]:
    """Every session of the posts in ``path``, in file order, with its non-blank note lines."""
    parsed = parse_posts(path.read_text(encoding="utf-8"))
    return [
        BlogSession(post.date, session.title, tuple(line for line in session.lines if line.strip()))
        for post in parsed.posts
        for session in post.sessions
    ]


def blog_sessions() -> list[BlogSession]:
    """The sessions of every sample blog file."""
    return [session for name in BLOG_FILES for session in read_sessions(SAMPLES / name)]
