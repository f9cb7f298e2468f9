"""Note-post files in tests: parsed posts as the exporter's values, and the stated normalisation.

The README's "Export" section states what an export of an imported file may
change; ``normalised`` is that statement as code, so the tests check exactly it.
"""

from __future__ import annotations

import re

from bot.note_posts import ParsedFile, conference_from_title, header_title, split_lines
from bot.post_writer import AuthorNotes, Post, PostSession

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
