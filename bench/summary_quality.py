"""Judging summaries on the sample notes: key-fact recall, the baselines, and a cross-check.

Used by ``bench/summary.py`` (the figures) and the tests (a floor that must
hold). Two sample sets by two writers (``SAMPLE_SETS``): each has posts read by
the importer's own parser (``bot.notefiles.parse``) and a file of the key facts
a good five-point summary of each judged session mentions.

A summary covers a key fact when it contains one of the fact's strings,
ignoring case (see ``tests/samples/README.md``).

Notes reach the bot in two shapes, and both are judged: one memo per note line
(people typing in chat) and one memo per session with its paragraph breaks (as
``memo-bot import`` stores a blog post).

The summarizer's few weights (``bot.summary.key_points.Weights``) are checked
for fitting one writer: ``cross_check`` chooses them on one set from a small
grid and measures them on the other, in both directions.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from bench.blog_notes import SAMPLES
from bot.notefiles.parse import parse_posts
from bot.summary.key_points import DEFAULT_WEIGHTS, MAX_POINTS, Note, Weights, key_points
from bot.summary.note_lines import folded, shorten, split_units


@dataclass(frozen=True, slots=True)
class SampleSet:
    """Posts by one writer and the key facts of their judged sessions."""

    name: str
    posts: tuple[str, ...]
    keypoints: str


SAMPLE_SETS = (
    SampleSet("blog-notes", ("blog-notes.txt", "blog-notes-english.txt"), "keypoints.json"),
    SampleSet("blog-notes-terse", ("blog-notes-terse.txt",), "keypoints-terse.json"),
)
#: The set the shipped weights (``DEFAULT_WEIGHTS``) were chosen on; the other is held out.
DEVELOPED_ON = "blog-notes"

#: How notes reach the bot: one memo per line, or one memo per session (an import).
SHAPES = ("per_line", "imported")


@dataclass(frozen=True, slots=True)
class JudgedSession:
    post_date: date
    title: str
    #: The session's notes as written, paragraph breaks (blank lines) kept.
    text: str
    #: Each fact: the strings any one of which shows it is covered.
    facts: tuple[tuple[str, ...], ...]

    @property
    def lines(self) -> list[str]:
        return [line for line in self.text.split("\n") if line.strip()]


@cache
def judged_sessions(sample_set: SampleSet = SAMPLE_SETS[0]) -> tuple[JudgedSession, ...]:
    """The sessions the set's key-facts file lists, with their notes and key facts."""
    texts = {}
    for name in sample_set.posts:
        for post in parse_posts((SAMPLES / name).read_text(encoding="utf-8")).posts:
            for session in post.sessions:
                texts[(post.date.isoformat(), session.title)] = "\n".join(session.lines)
    wanted = json.loads((SAMPLES / sample_set.keypoints).read_text(encoding="utf-8"))["sessions"]
    return tuple(
        JudgedSession(
            date.fromisoformat(entry["post_date"]),
            entry["title"],
            texts[(entry["post_date"], entry["title"])],
            tuple(tuple(fact) for fact in entry["keypoints"]),
        )
        for entry in wanted
    )


def notes_of(session: JudgedSession, shape: str = "per_line") -> list[Note]:
    """A judged session as memos by one writer: one per note line, or one for all (imported)."""
    if shape == "imported":
        return [Note(1, "blogger", session.text)]
    return [Note(number, "blogger", line) for number, line in enumerate(session.lines, 1)]


def covered(points: Sequence[str], facts: Sequence[Sequence[str]]) -> int:
    """How many facts the points mention (any of a fact's strings, ignoring case)."""
    summary = "\n".join(points).lower()
    return sum(1 for fact in facts if any(term.lower() in summary for term in fact))


Summarizer = Callable[[Sequence[Note]], list[str]]


def recall(
    summarize: Summarizer,
    judged: Sequence[JudgedSession] | None = None,
    shape: str = "per_line",
) -> float:
    """Mean share of each judged session's key facts that its summary covers."""
    judged = judged if judged is not None else judged_sessions()
    shares = [
        covered(summarize(notes_of(item, shape)), item.facts) / len(item.facts) for item in judged
    ]
    return sum(shares) / len(shares)


# ---------------------------------------------------------------- summarizers compared


def memo_bot(notes: Sequence[Note], weights: Weights = DEFAULT_WEIGHTS) -> list[str]:
    """memo-bot's extractive summary (``bot.summary.key_points``)."""
    return [point.text for point in key_points(notes, weights=weights)]


def _lines(notes: Sequence[Note]) -> list[str]:
    return [text for note in notes for text, _ in split_units(note.text)]


def first_lines(notes: Sequence[Note]) -> list[str]:
    """Baseline: the first five note lines, as the digest showed before summaries."""
    return [shorten(line) for line in _lines(notes)[:MAX_POINTS]]


def _tfidf(lines: Sequence[str]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors of the lines' character bigrams.

    Character bigrams rather than words so Korean words with particles still match.
    """
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
    return vectors


def textrank(notes: Sequence[Note]) -> list[str]:
    """Baseline: TextRank over note lines, TF-IDF cosine similarity of character bigrams.

    The five highest-ranked lines, in note order.
    """
    lines = _lines(notes)
    if not lines:
        return []
    vectors = _tfidf(lines)
    total = len(lines)
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


def centroid(notes: Sequence[Note]) -> list[str]:
    """Baseline: the five lines closest to the session's TF-IDF centroid, in note order."""
    lines = _lines(notes)
    if not lines:
        return []
    vectors = _tfidf(lines)
    middle: Counter[str] = Counter()
    for vector in vectors:
        middle.update(vector)
    closeness = [sum(value * middle[gram] for gram, value in vector.items()) for vector in vectors]
    best = sorted(range(len(lines)), key=lambda i: -closeness[i])[:MAX_POINTS]
    return [shorten(lines[i]) for i in sorted(best)]


def _bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)] or [text]


SUMMARIZERS: dict[str, Summarizer] = {
    "memo_bot": memo_bot,
    "first_5_lines": first_lines,
    "textrank_tfidf": textrank,
    "centroid_tfidf": centroid,
}


# ---------------------------------------------------------------- cross-check


#: The weights tried when choosing on one set: each around its default, a few steps each way.
GRID: dict[str, tuple[float, ...]] = {
    "same_kind": (0.3, 0.6, 1.2),
    "joined_share": (0.3, 0.5, 0.7),
    "closing": (0.0, 0.5, 1.0),
}


def grid() -> list[Weights]:
    return [
        replace(DEFAULT_WEIGHTS, **dict(zip(GRID, values, strict=True)))
        for values in itertools.product(*GRID.values())
    ]


@dataclass(frozen=True, slots=True)
class CrossCheck:
    """Weights chosen on one set (the best mean recall over both shapes), measured on all."""

    chosen_on: str
    weights: Weights
    #: set name -> shape -> recall
    recall: dict[str, dict[str, float]]


def _mean_recall(weights: Weights, sample_set: SampleSet) -> float:
    judged = judged_sessions(sample_set)
    return sum(
        recall(lambda notes: memo_bot(notes, weights), judged, shape) for shape in SHAPES
    ) / len(SHAPES)


def cross_check() -> list[CrossCheck]:
    """For each set: the grid's best weights on it, and what they get on every set."""
    checks = []
    candidates = grid()
    for chosen_on in SAMPLE_SETS:
        best = max(candidates, key=lambda weights: _mean_recall(weights, chosen_on))
        checks.append(
            CrossCheck(
                chosen_on.name,
                best,
                {
                    sample_set.name: {
                        shape: recall(
                            lambda notes, w=best: memo_bot(notes, w),
                            judged_sessions(sample_set),
                            shape,
                        )
                        for shape in SHAPES
                    }
                    for sample_set in SAMPLE_SETS
                },
            )
        )
    return checks
