"""The local, extractive summary: a session's key points chosen from everyone's note lines.

No model and no network. Each note line is scored by ``bot.summary.salience`` (how much
it looks like a key fact). Near-duplicates, the same fact written by several
people in their own words and spacing, are merged into one fact credited to all
of them, which scores higher for the agreement. Facts are then picked greedily
by score with a redundancy penalty (maximal marginal relevance) and a nudge
towards different kinds of fact (a result, a conclusion, a named system), and
shown in the order they were noted. A point's text is a note line copied as
written (marker removed), so numbers and units are never rewritten.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz
from rapidfuzz.process import extract
from rapidfuzz.utils import default_process

from bot.summary.note_lines import NoteUnit, folded, number_values, read_lines, shorten
from bot.summary.passages import Passage, passages
from bot.summary.salience import fact_kind, heading_score, line_scores

#: Key points in a summary.
MAX_POINTS = 5

#: Two lines whose folded texts are at least this similar (rapidfuzz ratio, 0-100) are one fact.
DUPLICATE_RATIO = 60.0
#: ... or that share at least this many figures (all of the one with fewer) and this much text.
DUPLICATE_FIGURES = 2
DUPLICATE_FIGURES_RATIO = 35.0


@dataclass(frozen=True, slots=True)
class Weights:
    """How the choice of points trades one signal against another.

    The defaults were chosen on one sample set and measured on the other
    (``bench/summary.py`` shows both directions); they are weights of general
    signals, not of any words.
    """

    #: How much a candidate's similarity (0-1) to an earlier pick lowers its score.
    redundancy: float = 3.0
    #: How much each picked fact of the same kind lowers a candidate's score: a summary of
    #: five figures misses the named system and the conclusion a person would also name.
    same_kind: float = 0.6
    #: Extra score per additional author who wrote the same fact.
    agreement: float = 1.2
    #: Share of each further line's score a joined point (a list, a section) adds to its best.
    joined_share: float = 0.7
    #: Share of its heading's score a point shown under its heading adds.
    heading_share: float = 0.5
    #: Extra score of an author's closing lines, where notes of a talk put its conclusion.
    closing: float = 0.0


DEFAULT_WEIGHTS = Weights()
#: Further lines of a joined point that add to its score: a long list is one point, not five.
_MOST_COUNTED_FURTHER = 2
#: An author's last lines, as a share of their lines (at least ``_CLOSING_LINES``), are closing.
_CLOSING_SHARE = 0.15
_CLOSING_LINES = 3


@dataclass(frozen=True, slots=True)
class Note:
    """One memo as the summarizer takes it."""

    number: int
    author: str
    text: str


@dataclass(frozen=True, slots=True)
class KeyPoint:
    """A fact for the summary: a note line as written, and everyone who noted it."""

    text: str
    authors: tuple[str, ...]
    #: The memos it was found in, in the order they were written.
    memo_numbers: tuple[int, ...]


def key_points(
    notes: Sequence[Note], limit: int = MAX_POINTS, weights: Weights = DEFAULT_WEIGHTS
) -> list[KeyPoint]:
    """At most ``limit`` key points of the notes, in the order they were noted."""
    units = _units(notes)
    if not units:
        return []
    keys = [folded(unit.text) for unit in units]
    scores = line_scores(units, keys)
    if weights.closing:
        for index in _closing(units):
            scores[index] += weights.closing
    clusters = _clusters(units, keys)
    cluster_of = {index: number for number, members in enumerate(clusters) for index in members}
    found = passages(units)
    facts = [fact for fact in found if not fact.meta] or found
    people = [len({units[index].author for index in members}) for members in clusters]
    headings = {
        label: max(0.0, heading_score(units[label].text))
        for label in {fact.label for fact in facts if fact.label is not None}
    }
    candidates = [_candidate(fact, scores, cluster_of, people, headings, weights) for fact in facts]
    picked = _pick(candidates, limit, weights)
    picked.sort(key=lambda candidate: candidate.first)
    return [_point(units, clusters, candidate) for candidate in picked]


@dataclass(eq=False)
class _Candidate:
    """A passage with its score, the facts (clusters) it states and what to compare it by."""

    passage: Passage
    score: float
    clusters: frozenset[int]
    #: ... and those it shows (its heading's too): no two points show the same line.
    shown: frozenset[int]

    @cached_property
    def key(self) -> str:
        """The body's folded text, for the redundancy penalty (found only when compared)."""
        return folded(self.passage.body)

    @cached_property
    def kind(self) -> str:
        """Its kind of fact, for the variety penalty (found only when compared)."""
        return "list" if self.passage.listed else fact_kind(self.passage.text)

    @property
    def first(self) -> int:
        """Where it starts in the notes."""
        return self.passage.core[0]


def _units(notes: Sequence[Note]) -> list[NoteUnit]:
    units: list[NoteUnit] = []
    for note in notes:
        for line in read_lines(note.text):
            units.append(
                NoteUnit(
                    line.text,
                    note.author,
                    note.number,
                    len(units),
                    line.mark,
                    line.indented,
                    line.after_break,
                    line.marker,
                    line.mood,
                )
            )
    return units


def _closing(units: Sequence[NoteUnit]) -> list[int]:
    """Each author's last lines (``_CLOSING_SHARE`` of them, at least ``_CLOSING_LINES``)."""
    by_author: dict[str, list[int]] = defaultdict(list)
    for index, unit in enumerate(units):
        by_author[unit.author].append(index)
    closing = []
    for lines in by_author.values():
        count = max(_CLOSING_LINES, round(len(lines) * _CLOSING_SHARE))
        closing.extend(lines[-count:])
    return closing


def _candidate(
    passage: Passage,
    scores: Sequence[float],
    cluster_of: dict[int, int],
    people: Sequence[int],
    headings: dict[int, float],
    weights: Weights,
) -> _Candidate:
    """A passage scores as its best line plus a share of each other line's positive score.

    A heading adds a share of its positive score (``headings``: it names the system
    its lines are about); each more person who noted one of its facts (``people``
    per fact) adds ``agreement``.
    """
    own = sorted((scores[index] for index in passage.core), reverse=True)
    further = sum(max(0.0, value) for value in own[1 : 1 + _MOST_COUNTED_FURTHER])
    score = own[0] + weights.joined_share * further
    facts = frozenset(cluster_of[index] for index in passage.core)
    score += weights.agreement * (max(people[fact] for fact in facts) - 1)
    shown = facts
    if passage.label is not None:
        score += weights.heading_share * headings[passage.label]
        shown = facts | {cluster_of[passage.label]}
    return _Candidate(passage, score, facts, shown)


def _clusters(units: Sequence[NoteUnit], keys: Sequence[str]) -> list[list[int]]:
    """Units grouped into facts: each joins the group of the first earlier text it repeats.

    Identical texts join at once. Any other is compared with every distinct
    earlier text in one rapidfuzz call that skips pairs below ``DUPLICATE_RATIO``,
    and with the earlier texts holding the same figures (found in an index of
    figures), which need less similar words.
    """
    clusters: list[list[int]] = []
    distinct: list[str] = []
    distinct_figures: list[frozenset[str]] = []
    by_figure: dict[str, list[int]] = defaultdict(list)
    #: distinct text -> its group
    groups: dict[str, int] = {}
    for index, key in enumerate(keys):
        group = groups.get(key)
        if group is None:
            figures = number_values(units[index].text)
            same = [
                earlier
                for _, similarity, earlier in extract(
                    key, distinct, scorer=fuzz.ratio, score_cutoff=DUPLICATE_RATIO, limit=None
                )
                if _same_fact(similarity, figures, distinct_figures[earlier])
            ]
            same.extend(
                earlier
                for earlier in _same_figures(figures, distinct_figures, by_figure)
                if fuzz.ratio(key, distinct[earlier], score_cutoff=DUPLICATE_FIGURES_RATIO)
            )
            if same:
                group = groups[distinct[min(same)]]
            else:
                group = len(clusters)
                clusters.append([])
            groups[key] = group
            for figure in figures:
                by_figure[figure].append(len(distinct))
            distinct.append(key)
            distinct_figures.append(figures)
        clusters[group].append(index)
    return clusters


def _same_figures(
    figures: frozenset[str],
    distinct_figures: Sequence[frozenset[str]],
    by_figure: dict[str, list[int]],
) -> list[int]:
    """Earlier texts whose figures contain these, or are contained in them (two at least)."""
    if len(figures) < DUPLICATE_FIGURES:
        return []
    shared = Counter(earlier for figure in figures for earlier in by_figure.get(figure, ()))
    return [
        earlier
        for earlier, count in shared.items()
        if count >= DUPLICATE_FIGURES and count in (len(figures), len(distinct_figures[earlier]))
    ]


def _same_fact(similarity: float, figures_a: frozenset[str], figures_b: frozenset[str]) -> bool:
    """Near-identical text with no conflicting figures, or the same figures in similar text.

    "p99 210ms → 45ms" and "p99 250ms → 45ms" differ in one character and are
    different facts; "1.9MB → 860KB" and "1.9 MB → 860 KB (gzip 전)" are one.
    """
    fewer, more = sorted((figures_a, figures_b), key=len)
    if fewer and not fewer <= more:
        return False
    return similarity >= DUPLICATE_RATIO or len(fewer) >= DUPLICATE_FIGURES


def _pick(candidates: list[_Candidate], limit: int, weights: Weights) -> list[_Candidate]:
    """Greedy maximal marginal relevance: the best candidate, then the best that repeats it least.

    Candidates that state a fact already picked (a line of it, or a near-duplicate
    of one) are out. A candidate's marginal value is at most its score, so they are
    visited best score first and the visit stops once no later one can win;
    overlaps with the picks so far are computed only for the candidates visited.
    """
    # Best score first; of equal scores, the one stating more lines (a list over its item).
    remaining = sorted(
        candidates, key=lambda candidate: (-candidate.score, -len(candidate.passage.core))
    )
    picked: list[_Candidate] = []
    stated: set[int] = set()
    kinds: Counter[str] = Counter()
    #: candidate (by id) -> (how many picks it was compared with, its largest overlap)
    overlaps: dict[int, tuple[int, float]] = {}
    while remaining and len(picked) < limit:
        best_index, best_value = -1, -math.inf
        for index, candidate in enumerate(remaining):
            if candidate.score <= best_value:
                break
            if not stated.isdisjoint(candidate.shown):
                continue
            compared, overlap = overlaps.get(id(candidate), (0, 0.0))
            for chosen in picked[compared:]:
                overlap = max(overlap, _overlap(candidate, chosen))
            overlaps[id(candidate)] = (len(picked), overlap)
            value = (
                candidate.score
                - weights.redundancy * overlap
                - weights.same_kind * kinds[candidate.kind]
            )
            if value > best_value:
                best_index, best_value = index, value
        if best_index < 0:
            break
        chosen = remaining.pop(best_index)
        picked.append(chosen)
        stated.update(chosen.shown)
        kinds[chosen.kind] += 1
    return picked


def _overlap(a: _Candidate, b: _Candidate) -> float:
    """How much two candidates say the same (0-1): as folded text, or as words in any order."""
    in_order = fuzz.ratio(a.key, b.key)
    any_order = fuzz.token_set_ratio(a.passage.body, b.passage.body, processor=default_process)
    return max(in_order, any_order) / 100


def _point(
    units: Sequence[NoteUnit], clusters: Sequence[list[int]], chosen: _Candidate
) -> KeyPoint:
    """The passage's text, credited to everyone who noted one of its facts."""
    members = sorted(index for fact in chosen.clusters for index in clusters[fact])
    if chosen.passage.label is not None:
        members.append(chosen.passage.label)
    authors = tuple(dict.fromkeys(units[index].author for index in members))
    numbers = tuple(sorted({units[index].memo_number for index in members}))
    return KeyPoint(shorten(chosen.passage.text), authors, numbers)
