"""Session titles: how they are tidied, compared and matched to existing sessions.

People type the same title differently: other case, a double space, a typo,
``30억 row 테이블`` with or without the colon before it. Matching must merge
those and must not merge two different talks whose titles differ in a number
(``Day1 키노트`` and ``Day2 키노트``), so near matches keep every digit equal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TypeVar

from rapidfuzz import fuzz

MAX_TITLE_LENGTH = 200

#: Similarity (0-100, rapidfuzz's normalized Indel ratio) a near match needs.
NEAR_MATCH_SCORE = 90
#: Lowest rapidfuzz WRatio for a picker to offer a title that does not contain the query.
TYPE_AHEAD_SCORE = 60
#: Shorter titles only match exactly: one character is too much of a short title.
NEAR_MATCH_MIN_LENGTH = 8

_WHITESPACE = re.compile(r"\s+")

T = TypeVar("T")


@lru_cache(maxsize=4096)  # a session's title is typed again with every memo
def display_title(typed: str) -> str:
    """The title as shown: as typed, with runs of whitespace made one space."""
    return _WHITESPACE.sub(" ", typed).strip()


@lru_cache(maxsize=4096)
def title_key(title: str) -> str:
    """The form two titles are compared in: width-, case- and whitespace-folded.

    Invisible format characters (a zero-width space pasted from a web page)
    are dropped so they cannot make a second session with the same visible title.
    """
    folded = unicodedata.normalize("NFKC", title).casefold()
    visible = "".join(char for char in folded if unicodedata.category(char) != "Cf")
    return _WHITESPACE.sub(" ", visible).strip()


def _loose_key(key: str) -> str:
    """The key without spaces and punctuation (``-``, ``:``, ``,``), symbols kept."""
    return "".join(
        char
        for char in key
        if not char.isspace() and not unicodedata.category(char).startswith("P")
    )


def _digits(key: str) -> str:
    return "".join(char for char in key if char.isdigit())


def rank_titles(query_key: str, candidates: Sequence[tuple[T, str]], limit: int) -> list[T]:
    """Candidates that fit what was typed so far, best first, for a picker's type-ahead.

    A title starting with the query beats one containing it, which beats a fuzzy
    match (typos, spacing); ties keep the candidates' order (callers pass newest first).
    """
    scored = []
    for index, (value, key) in enumerate(candidates):
        if key.startswith(query_key):
            score = 300.0
        elif query_key in key or _loose_key(query_key) in _loose_key(key):
            score = 200.0
        else:
            score = fuzz.WRatio(query_key, key, score_cutoff=TYPE_AHEAD_SCORE)
        if score:
            scored.append((-score, index, value))
    return [value for _, _, value in sorted(scored, key=lambda item: item[:2])[:limit]]


def closest_title(key: str, candidates: Iterable[tuple[T, str]]) -> T | None:
    """The candidate whose key is a near match for ``key``, best first.

    ``candidates`` are (value, title_key) pairs, in order of preference for ties.
    Exact key matches are the caller's job (they are an indexed lookup).
    """
    loose = _loose_key(key)
    digits = _digits(key)
    best: T | None = None
    best_score = 0.0
    for value, candidate in candidates:
        if _loose_key(candidate) == loose:
            return value
        if len(key) < NEAR_MATCH_MIN_LENGTH or _digits(candidate) != digits:
            continue
        score = fuzz.ratio(key, candidate, score_cutoff=NEAR_MATCH_SCORE)
        if score > best_score:
            best, best_score = value, score
    return best
