"""Note lines as Markdown that renders as exactly those lines, and reads like them too.

An exported post is read twice: rendered (a blog, a Markdown preview) and as
source (an editor, a diff). The rendering must show each note line as its writer
typed it, on a line of its own; the source should look like the notes, not like
a wall of ``\\-``, ``1\\.`` and ``&#32;``.

So escapes are not decided by rules about which characters might matter.
Every ASCII punctuation character starts out backslash-escaped (which CommonMark
always renders as the character itself), and then each escape is dropped if
the paragraph renders the same without it. The renderer is pyromark
(pulldown-cmark) with the GitHub extensions on (tables, strikethrough, task
lists, footnotes, math), so an escape stays where any of the usual blog
renderers would otherwise make a list, a quote, a heading, a link, emphasis, a
table or a strikethrough of the note. What is left is what the issue asked for:
``1\\. 캐시 분리`` (else a list), ``\\> 결론`` (else a quote), and ``C++``,
``->``, ``2. router``, ``snake_case`` as typed. The checks of one file share a
budget (``Budget``): past it, escapes stay, which is still exact.

Whitespace CommonMark would drop is written so that it stays:

- A line's leading spaces (sub-points, ``  - detail``) become non-breaking
  spaces, which no renderer strips or collapses, so the indent shows in a
  browser too. The first one of a paragraph's first line is written ``&nbsp;``
  (markdown-it trims a paragraph's edges, non-breaking spaces included).
  Leading whitespace other than spaces (a tab, a real non-breaking space) is a
  numeric character reference, ``&#9;`` / ``&#160;``: rare, and exact.
- Trailing whitespace is numeric character references (rendering drops it
  otherwise); the notes of the samples have none.

Lines of a paragraph end with two spaces, CommonMark's hard line break, which
every Markdown renderer shows as a line break and which needs no visible
character; a paragraph's last line needs none. A note line that ends in
backslashes keeps them escaped (``\\\\``), so no backslash there is ever read as a
line break.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyromark

#: The extensions blog renderers (GitHub, most static site generators) turn on: an escape
#: stays wherever one of them would format a note.
_RENDERED_AS = (
    pyromark.Options.ENABLE_TABLES
    | pyromark.Options.ENABLE_STRIKETHROUGH
    | pyromark.Options.ENABLE_TASKLISTS
    | pyromark.Options.ENABLE_FOOTNOTES
    | pyromark.Options.ENABLE_MATH
    | pyromark.Options.ENABLE_GFM
)
#: CommonMark's hard line break that shows no character: two spaces before the line end.
HARD_BREAK = "  \n"
#: What the escape check of one file may render, in characters: a fixed part and a part per
#: character of the file. The samples use about 10 per character (their paragraphs are short);
#: a hostile file of long punctuation-filled paragraphs would use more, quadratically, so past
#: the budget the remaining escapes stay: still exact, just more of them.
BUDGET_BASE = 2_000_000
BUDGET_PER_CHARACTER = 20
#: CommonMark's ASCII punctuation: what a backslash can escape.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_NBSP = "\u00a0"


@dataclass(slots=True)
class Budget:
    """How many more characters the escape check may render for the file being written."""

    characters: int

    @classmethod
    def for_file(cls, characters: int) -> Budget:
        return cls(BUDGET_BASE + BUDGET_PER_CHARACTER * characters)


@dataclass(slots=True)
class _Piece:
    """One character (or a fixed run) of a line as written: ``plain`` when ``escaped`` is
    off, else ``escaped``. A piece whose ``escape`` is None is always written as ``plain``."""

    plain: str
    escape: str | None = None
    escaped: bool = False

    def written(self) -> str:
        return self.escape if self.escaped and self.escape is not None else self.plain


def paragraph(
    lines: Sequence[str], budget: Budget, marked: Callable[[str], bool] = lambda _: False
) -> str:
    """Non-blank ``lines`` as one paragraph: each renders on a line of its own, as written.

    A ``marked`` line keeps an escape on its first punctuation character (else a
    character reference on its first character) even where the rendering does not
    need it: the note-post reader takes an unescaped line that looks like a date or a
    separator for one, and the escape is how it knows the line is a note.
    """
    pieces = [
        _line_pieces(line, first=index == 0, marked=marked(line))
        for index, line in enumerate(lines)
    ]
    return HARD_BREAK.join(_without_needless_escapes(pieces, HARD_BREAK.join, budget))


def heading(level: int, text: str, budget: Budget, before: str = "", after: str = "") -> str:
    """An ATX heading of ``level`` showing ``before + text + after`` as written (``text`` is
    escaped where needed; ``before`` and ``after`` are ours, such as the brackets of
    ``## [Title]``)."""
    prefix = "#" * level + " " + before
    pieces = [[_Piece(prefix), *_body_pieces(text.strip()), _Piece(after)]]
    return "".join(_without_needless_escapes(pieces, "".join, budget))


def _line_pieces(line: str, first: bool, marked: bool) -> list[_Piece]:
    body = line.strip()
    start = len(line) - len(line.lstrip())
    lead, trail = line[:start], line[start + len(body) :]
    pieces = [_Piece(_indent(char, first and index == 0)) for index, char in enumerate(lead)]
    body_pieces = _body_pieces(body)
    if marked and not lead:
        _mark(body_pieces)
    pieces += body_pieces
    pieces += [_Piece(_reference(char)) for char in trail]
    return pieces


def _body_pieces(body: str) -> list[_Piece]:
    """Every ASCII punctuation character escaped to begin with; a trailing run of backslashes
    escaped for good (a backslash before the line end would be a line break)."""
    kept_backslashes = len(body) - len(body.rstrip("\\"))
    parts = _PUNCTUATION.split(body[: len(body) - kept_backslashes])
    # Text between punctuation at even places (a run is one piece), punctuation at odd ones.
    pieces = [
        _Piece(part, "\\" + part, escaped=True) if place % 2 else _Piece(part)
        for place, part in enumerate(parts)
        if part
    ]
    return pieces + [_Piece("\\\\")] * kept_backslashes


def _mark(pieces: list[_Piece]) -> None:
    """Keep one escape in the line: its first punctuation's, else a reference for its start."""
    for piece in pieces:
        if piece.escape is not None:
            piece.plain = piece.escape
            return
    if pieces:
        first = pieces[0].plain
        pieces[0].plain = _reference(first[0]) + first[1:]


def _indent(char: str, paragraph_start: bool) -> str:
    """A leading whitespace character as one no renderer strips (the module docstring)."""
    if char != " ":
        return _reference(char)
    return "&nbsp;" if paragraph_start else _NBSP


def _without_needless_escapes(
    lines: list[list[_Piece]], joined: Callable[[list[str]], str], budget: Budget
) -> list[str]:
    """The lines as written, each piece unescaped where the rendering of the Markdown
    ``joined`` makes of them does not need its escape.

    All at once first (most paragraphs need no escape), then a line at a time, then
    one piece at a time in the lines that need some; while the budget lasts. Only the
    line that changed is written again for each check.
    """
    texts = [_written(line) for line in lines]
    if budget.characters <= 0 or not any(piece.escaped for line in lines for piece in line):
        return texts
    target = _render(joined(texts), budget)

    def unescaped(at: list[int], pieces: list[_Piece]) -> bool:
        """Whether ``pieces`` (of the lines ``at``) render the same unescaped; if not, they
        stay escaped."""
        before = [texts[index] for index in at]
        _set(pieces, False)
        for index in at:
            texts[index] = _written(lines[index])
        if _render(joined(texts), budget) == target:
            return True
        _set(pieces, True)
        for index, text in zip(at, before, strict=True):
            texts[index] = text
        return False

    everywhere = [piece for line in lines for piece in line if piece.escaped]
    if unescaped(list(range(len(lines))), everywhere):
        return texts
    for index, line in enumerate(lines):
        escaped = [piece for piece in line if piece.escaped]
        if budget.characters <= 0:
            break
        if not escaped or unescaped([index], escaped):
            continue
        for piece in escaped:
            if budget.characters <= 0:
                break
            unescaped([index], [piece])
    return texts


def _set(pieces: list[_Piece], escaped: bool) -> None:
    for piece in pieces:
        piece.escaped = escaped


def _written(pieces: list[_Piece]) -> str:
    return "".join(piece.written() for piece in pieces)


def _render(markdown: str, budget: Budget) -> str:
    budget.characters -= len(markdown)
    return pyromark.html(markdown, options=_RENDERED_AS)


def _reference(char: str) -> str:
    """``char`` as a numeric character reference: never Markdown syntax, never stripped."""
    return f"&#{ord(char)};"
