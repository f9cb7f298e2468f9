"""Memo text as the units a summary is made of: lines (or sentences), their numbers, their shape.

People write a memo as one line or as several, each starting with a marker
(``. ``, ``> ``, ``- ``); a key point is one of those lines, not a whole memo.
The summarizer compares and scores these units, so the text handling they
share (markers, numbers exactly as written, a folded form for comparing) lives
here, kept apart from the search index's tokenizer on purpose: a summary only
needs "are these two notes the same fact", not retrieval.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: The longest key point, in characters; longer lines are split into sentences or cut.
POINT_LENGTH = 160

#: The marker a note line starts with: ". ", "> ", "- ", "* ", "• ", "·".
_MARKER = re.compile(r"^\s*(?:[.>\-*•·]+\s+|[•·])")
#: Where a long line may be split: after a sentence's end, or at a semicolon.
_SENTENCE_END = re.compile(r"(?<=[.!?。;])\s+(?=\S)")
#: A number as written: 3,400 / 1.8 / 210 / 0.008.
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
#: Everything that is not a letter or a digit, for the folded form.
_NOT_WORD = re.compile(r"[\W_]+")
_WORD = re.compile(r"[^\W_]")


@dataclass(frozen=True, slots=True)
class NoteUnit:
    """One line (or sentence) of one memo, the unit key points are chosen from."""

    #: The text as written, without its marker.
    text: str
    #: Who wrote the memo (a display name) and which memo it was (its number).
    author: str
    memo_number: int
    #: Where it came from, for putting chosen points back in the notes' order.
    position: int
    #: The line started with ``>``: note-takers' usual highlight of a result.
    highlighted: bool


def strip_marker(line: str) -> str:
    """A note line without the list or quote marker typed in front of it."""
    return _MARKER.sub("", line, count=1).strip()


def split_units(text: str) -> list[tuple[str, bool]]:
    """A memo's lines without markers (each with "was highlighted"), long ones split in sentences.

    Blank lines and lines of punctuation only are dropped.
    """
    units: list[tuple[str, bool]] = []
    for raw in text.split("\n"):
        line = raw.strip()
        highlighted = line.startswith(">")
        line = strip_marker(line)
        if not _WORD.search(line):
            continue
        pieces = _SENTENCE_END.split(line) if len(line) > POINT_LENGTH else [line]
        units.extend((piece.strip(), highlighted) for piece in pieces if _WORD.search(piece))
    return units


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
