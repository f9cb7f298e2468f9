"""Judging summaries on the sample notes: key-fact recall, and the baselines to compare with.

Used by ``bench/summary.py`` (the figures) and the tests (a floor that must
hold). The blog posts are read into sessions by ``bench/blog_notes.py``.

A summary covers a key fact when it contains one of the fact's strings,
ignoring case (see ``tests/samples/README.md``).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.blog_notes import SAMPLES, BlogSession, blog_sessions
from bot.summary.key_points import MAX_POINTS, Note, key_points
from bot.summary.note_lines import folded, shorten, split_units


@dataclass(frozen=True, slots=True)
class KeyFacts:
    session: BlogSession
    #: Each fact: the strings any one of which shows it is covered.
    facts: tuple[tuple[str, ...], ...]


def judged_sessions() -> list[KeyFacts]:
    """The sessions ``keypoints.json`` lists, with their notes and key facts."""
    wanted = json.loads((SAMPLES / "keypoints.json").read_text(encoding="utf-8"))["sessions"]
    by_key = {(s.post_date.isoformat(), s.title): s for s in blog_sessions()}
    judged = []
    for entry in wanted:
        session = by_key[(entry["post_date"], entry["title"])]
        judged.append(KeyFacts(session, tuple(tuple(fact) for fact in entry["keypoints"])))
    return judged


def notes_of(session: BlogSession) -> list[Note]:
    """A blog session as memos: one memo per note line, all by the post's author."""
    return [Note(number, "blogger", line) for number, line in enumerate(session.lines, 1)]


def covered(points: Sequence[str], facts: Sequence[Sequence[str]]) -> int:
    """How many facts the points mention (any of a fact's strings, ignoring case)."""
    summary = "\n".join(points).lower()
    return sum(1 for fact in facts if any(term.lower() in summary for term in fact))


Summarizer = Callable[[Sequence[Note]], list[str]]


def recall(summarize: Summarizer, judged: Sequence[KeyFacts] | None = None) -> float:
    """Mean share of each judged session's key facts that its summary covers."""
    judged = judged if judged is not None else judged_sessions()
    shares = [
        covered(summarize(notes_of(item.session)), item.facts) / len(item.facts) for item in judged
    ]
    return sum(shares) / len(shares)


# ---------------------------------------------------------------- summarizers compared


def memo_bot(notes: Sequence[Note]) -> list[str]:
    """memo-bot's extractive summary (``bot.summary.key_points``)."""
    return [point.text for point in key_points(notes)]


def first_lines(notes: Sequence[Note]) -> list[str]:
    """Baseline: the first five note lines, as the digest showed before summaries."""
    lines = [text for note in notes for text, _ in split_units(note.text)]
    return [shorten(line) for line in lines[:MAX_POINTS]]


def textrank(notes: Sequence[Note]) -> list[str]:
    """Baseline: TextRank over note lines, TF-IDF cosine similarity of character bigrams.

    Character bigrams rather than words so Korean words with particles still
    match; the five highest-ranked lines, in note order.
    """
    lines = [text for note in notes for text, _ in split_units(note.text)]
    if not lines:
        return []
    grams = [Counter(_bigrams(folded(line))) for line in lines]
    document_frequency = Counter(gram for counts in grams for gram in counts)
    total = len(lines)
    vectors = []
    for counts in grams:
        vector = {
            gram: count * math.log((1 + total) / (1 + document_frequency[gram])) + 1
            for gram, count in counts.items()
        }
        norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
        vectors.append({gram: value / norm for gram, value in vector.items()})
    weights = [
        [
            (j, sum(v * vectors[j].get(g, 0.0) for g, v in vectors[i].items()))
            for j in range(total)
            if j != i
        ]
        for i in range(total)
    ]
    out = [sum(w for _, w in row) or 1.0 for row in weights]
    # Similarity is symmetric: what flows into i comes from every j, in proportion to w_ji.
    incoming = [[(j, w / out[j]) for j, w in row if w] for row in weights]
    rank = [1.0 / total] * total
    for _ in range(30):
        rank = [
            0.15 / total + 0.85 * sum(share * rank[j] for j, share in incoming[i])
            for i in range(total)
        ]
    best = sorted(range(total), key=lambda i: -rank[i])[:MAX_POINTS]
    return [shorten(lines[i]) for i in sorted(best)]


def _bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)] or [text]


SUMMARIZERS: dict[str, Summarizer] = {
    "memo_bot": memo_bot,
    "first_5_lines": first_lines,
    "textrank_tfidf": textrank,
}
