"""The sample blog posts (tests/samples/blog-notes*.txt) as sessions and their note lines.

Shared by the search evaluation (``bench/search_quality.py``), the search
benchmark's vocabulary and the tests. The format is described in
``tests/samples/README.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "samples"

_KOREAN_DATE = re.compile(r"(\d{4})년 (\d{1,2})월 (\d{1,2})일 \S+요일")
_ENGLISH_DATE = re.compile(r"[A-Z][a-z]+day, [A-Z][a-z]+ \d{1,2}, \d{4}")
_SEPARATOR = re.compile(r"ㅡ{19,}|-{80}")
_HEADER = re.compile(r"\[([^\[\]]+)\]|\(([^()]+)\)")


@dataclass
class BlogSession:
    post_date: date
    title: str
    lines: list[str] = field(default_factory=list)


def read_sessions(path: Path = SAMPLES / "blog-notes.txt") -> list[BlogSession]:
    """Every session of the posts in ``path``, in file order, with its non-blank note lines."""
    sessions: list[BlogSession] = []
    current: BlogSession | None = None
    post_date: date | None = None
    expecting_post_title = False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        day = _date(line)
        if day is not None:
            post_date, current, expecting_post_title = day, None, True
            continue
        if not line:
            continue
        if expecting_post_title:
            expecting_post_title = False  # the post's own title
            continue
        if _SEPARATOR.fullmatch(line):
            current = None
            continue
        header = _HEADER.fullmatch(line)
        if header is not None and post_date is not None:
            current = BlogSession(post_date, header.group(1) or header.group(2))
            sessions.append(current)
        elif current is not None:
            current.lines.append(raw.rstrip())
    return sessions


def _date(line: str) -> date | None:
    korean = _KOREAN_DATE.fullmatch(line)
    if korean is not None:
        return date(int(korean.group(1)), int(korean.group(2)), int(korean.group(3)))
    if _ENGLISH_DATE.fullmatch(line):
        return datetime.strptime(line, "%A, %B %d, %Y").date()
    return None
