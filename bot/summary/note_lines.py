"""Memo text as the units a summary is made of: lines (or clauses), their marks, their numbers.

People write a memo as one line or as several, each often starting with a
marker: a list mark (``. ``, ``- ``, ``* ``), a number (``1. ``), a highlight
(``> ``), an arrow that says "so" or "which gave" (``=> ``, ``-> ``, ``→ ``,
``ㄴ ``), or ``Q.`` / ``A.``; sub-points are indented. A key point is built from
those lines, so this module reads each line's text without its marker and keeps
what the marker said (the note's structure, used by ``bot.summary.passages``).
The text handling the summarizer shares (numbers exactly as written, a folded
form for comparing) lives here too, kept apart from the search index's
tokenizer on purpose: a summary only needs "are these two notes the same fact".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

#: The longest key point, in characters; longer lines are split into sentences or cut.
POINT_LENGTH = 160


class Mark(Enum):
    """What the marker in front of a note line said."""

    NONE = "none"
    #: ``- ``, ``. ``, ``* ``, ``• ``, ``·``: an item of a list.
    BULLET = "bullet"
    #: ``1. ``, ``2) ``, ``①``: an item of a numbered list (steps, causes, results).
    NUMBER = "number"
    #: ``> ``: note-takers' usual highlight of a result.
    HIGHLIGHT = "highlight"
    #: ``=> ``, ``-> ``, ``→ ``, ``ㄴ ``: follows from the line before (a result, a consequence).
    ARROW = "arrow"
    #: ``Q. ``, ``Q: ``: a question from the audience.
    QUESTION = "question"
    #: ``A. ``, ``A: ``: its answer.
    ANSWER = "answer"


_MARKS = re.compile(
    r"(?P<number>(?:\d{1,2}[.)]|[①-⑳])\s+)"
    r"|(?P<question>Q\s*[.:)]\s*)"
    r"|(?P<answer>A\s*[.:)]\s*)"
    r"|(?P<arrow>(?:=>|->|→|⇒|➡|ㄴ|└)\s*)"
    r"|(?P<highlight>>+\s*)"
    r"|(?P<bullet>(?:[.\-*•·]+\s+|[•·]))"
)
#: A note line that is only a marker, punctuation or spaces.
_WORD = re.compile(r"[^\W_]")
#: Where a long line may be split: after a sentence's end, or at a semicolon ...
_SENTENCE_END = re.compile(r"(?<=[.!?。;])\s+(?=\S)")
#: ... and, when a sentence alone is still too long, after a comma.
_CLAUSE_END = re.compile(r"(?<=,)\s+(?=\S)")
#: A clause shorter than this joins its neighbour: a fragment says nothing on its own.
_SHORTEST_CLAUSE = 25
#: Laughter, crying and emoji at a line's end: the writer's mood, not the talk's facts.
_MOOD = re.compile(
    r"(?:\s*(?:[ㅋㅎㅠㅜ]{2,}|[ㅠㅜ]|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF]\uFE0F?))+\s*$"
)
_LEADING_MOOD = re.compile(r"^[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF]\uFE0F?\s*")
#: A number as written: 3,400 / 1.8 / 210 / 0.008.
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
#: Everything that is not a letter or a digit, for the folded form.
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class NoteLine:
    """One line of a memo (or one sentence or clause of a long line), as the summary reads it."""

    #: The text as written, without its marker and the writer's mood at its end.
    text: str
    mark: Mark
    #: Written further in than the memo's first line: a sub-point of the line above.
    indented: bool
    #: A blank line came before it in the memo: a new paragraph (a new thought).
    after_break: bool
    #: The marker as typed (``=>``, ``ㄴ``, ``1.``), empty when there was none.
    marker: str = ""
    #: The writer's mood was at its end (``ㅋㅋ``, ``ㅠ``, an emoji), now taken off.
    mood: bool = False


@dataclass(frozen=True, slots=True)
class NoteUnit:
    """One line (or piece of one) of one memo, the unit key points are built from."""

    text: str
    author: str
    memo_number: int
    #: Where it came from (the index in all units), for putting points back in the notes' order.
    position: int
    mark: Mark
    indented: bool
    after_break: bool
    #: The marker as typed (``=>``, ``ㄴ``, ``1.``), empty when there was none.
    marker: str = ""
    #: The writer's mood was at its end (``ㅋㅋ``, ``ㅠ``, an emoji), now taken off.
    mood: bool = False

    @property
    def highlighted(self) -> bool:
        return self.mark is Mark.HIGHLIGHT


def read_marker(line: str) -> tuple[Mark, str, str]:
    """What the line's marker says, the marker as typed, and the line's text without it."""
    stripped = line.strip()
    match = _MARKS.match(stripped)
    if match is None or match.lastgroup is None:
        return Mark.NONE, "", stripped
    return Mark(match.lastgroup), match.group().strip(), stripped[match.end() :].strip()


def read_lines(text: str) -> list[NoteLine]:
    """A memo's lines with their marks; long ones split into sentences, then clauses.

    Blank lines, lines of punctuation only and the writer's mood (``ㅋㅋ``, ``ㅠ``,
    emoji) at a line's end are dropped; numbers and words are kept as written.
    """
    lines: list[NoteLine] = []
    base_indent: int | None = None
    after_break = False
    for raw in text.split("\n"):
        if not raw.strip():
            after_break = bool(lines)
            continue
        indent = len(raw) - len(raw.lstrip())
        if base_indent is None:
            base_indent = indent
        mark, marker, body = read_marker(raw)
        calm = _calm(body)
        if not _WORD.search(calm):
            continue
        mood = calm != body
        indented = indent > base_indent
        for piece in _pieces(calm):
            lines.append(NoteLine(piece, mark, indented, after_break, marker, mood))
            # The later sentences or clauses of a long line are sub-points of its first, not
            # more items, arrows or answers; a highlight still holds for all of it.
            if mark is not Mark.HIGHLIGHT:
                mark, marker = Mark.NONE, ""
            indented, after_break = True, False
    return lines


def _calm(text: str) -> str:
    """The text without the writer's mood at its ends (most lines have none: checked first)."""
    if text and not _plain(text[-1]):
        text = _MOOD.sub("", text)
    if text and not _plain(text[0]):
        text = _LEADING_MOOD.sub("", text)
    return text.strip()


def _plain(char: str) -> bool:
    """ASCII or a Hangul syllable: no mood (laughter, crying, an emoji) ends or starts here."""
    return char.isascii() or "가" <= char <= "힣"


def split_units(text: str) -> list[tuple[str, bool]]:
    """A memo's lines without markers (each with "was highlighted"), long ones split."""
    return [(line.text, line.mark is Mark.HIGHLIGHT) for line in read_lines(text)]


def _pieces(line: str) -> list[str]:
    """A line that fits as it is; a longer one as its sentences, too long ones as clauses."""
    if len(line) <= POINT_LENGTH:
        return [line]
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(line):
        if len(sentence) <= POINT_LENGTH:
            pieces.append(sentence)
            continue
        clauses: list[str] = []
        for clause in _CLAUSE_END.split(sentence):
            if clauses and (len(clause) < _SHORTEST_CLAUSE or len(clauses[-1]) < _SHORTEST_CLAUSE):
                clauses[-1] = f"{clauses[-1]} {clause}"
            else:
                clauses.append(clause)
        pieces.extend(clauses)
    return [piece.strip() for piece in pieces if _WORD.search(piece)]


def folded(text: str) -> str:
    """Lower case, compatibility forms unified, no spaces or punctuation: ``210 ms`` = ``210ms``."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


def numbers_in(text: str) -> list[str]:
    """The numbers in ``text`` as written (``3,400``, ``1.8``), in order."""
    return _NUMBER.findall(unicodedata.normalize("NFKC", text))


def number_values(text: str) -> frozenset[str]:
    """The numbers in ``text`` without thousands separators, for "same figures" comparisons."""
    return frozenset(number.replace(",", "") for number in numbers_in(text))


def shorten(text: str, limit: int = POINT_LENGTH) -> str:
    """``text`` within ``limit`` characters, cut at a space so no number or word is cut in half."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:(") + "…"
