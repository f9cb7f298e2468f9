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

from rapidfuzz import fuzz
from rapidfuzz.process import extract
from rapidfuzz.utils import default_process

from bot.summary.note_lines import NoteUnit, folded, number_values, shorten, split_units
from bot.summary.salience import fact_kind, line_scores

#: Key points in a summary.
MAX_POINTS = 5

#: Two lines whose folded texts are at least this similar (rapidfuzz ratio, 0-100) are one fact.
DUPLICATE_RATIO = 60.0
#: ... or that share at least this many figures (all of the one with fewer) and this much text.
DUPLICATE_FIGURES = 2
DUPLICATE_FIGURES_RATIO = 35.0
#: How much a picked point's similarity (0-1) to an earlier pick lowers its score.
REDUNDANCY_WEIGHT = 3.0
#: How much each picked fact of the same kind lowers a candidate's score: a summary of
#: five figures misses the named system and the conclusion a person would also name.
SAME_KIND_PENALTY = 0.6
#: Extra score per additional author who wrote the same fact.
AGREEMENT_BONUS = 1.2


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


def key_points(notes: Sequence[Note], limit: int = MAX_POINTS) -> list[KeyPoint]:
    """At most ``limit`` key points of the notes, in the order they were noted."""
    units = _units(notes)
    if not units:
        return []
    keys = [folded(unit.text) for unit in units]
    scores = line_scores(units, keys)
    facts = [_fact(units, scores, members) for members in _clusters(units, keys)]
    picked = _pick(facts, units, keys, limit) if len(facts) > limit else facts
    picked.sort(key=lambda fact: fact.members[0])
    return [_point(units, fact) for fact in picked]


@dataclass(frozen=True, slots=True)
class _Fact:
    """Near-duplicate units: indexes in note order, the best-scored one, the fact's score."""

    members: list[int]
    best: int
    score: float


def _units(notes: Sequence[Note]) -> list[NoteUnit]:
    units: list[NoteUnit] = []
    for note in notes:
        for text, highlighted in split_units(note.text):
            units.append(NoteUnit(text, note.author, note.number, len(units), highlighted))
    return units


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


def _fact(units: Sequence[NoteUnit], scores: Sequence[float], members: list[int]) -> _Fact:
    """A fact scores as its best line, plus a bonus for each more person who noted it."""
    best = max(members, key=lambda index: (scores[index], -len(units[index].text)))
    authors = {units[index].author for index in members}
    return _Fact(members, best, scores[best] + AGREEMENT_BONUS * (len(authors) - 1))


def _pick(
    facts: list[_Fact], units: Sequence[NoteUnit], keys: Sequence[str], limit: int
) -> list[_Fact]:
    """Greedy maximal marginal relevance: the best fact, then the best that repeats it least.

    A fact's marginal value is at most its score, so candidates are visited best
    score first and the visit stops once no later one can win; overlaps with the
    facts picked so far are computed only for the candidates visited.
    """
    remaining = sorted(facts, key=lambda fact: -fact.score)
    picked: list[_Fact] = []
    kinds: Counter[str] = Counter()
    #: fact (by its best unit) -> its kind, for the candidates visited
    kind_of: dict[int, str] = {}
    #: fact (by its best unit) -> (how many picks it was compared with, its largest overlap)
    overlaps: dict[int, tuple[int, float]] = {}
    while remaining and len(picked) < limit:
        best_index, best_value = 0, -math.inf
        for index, fact in enumerate(remaining):
            if fact.score <= best_value:
                break
            compared, overlap = overlaps.get(fact.best, (0, 0.0))
            for chosen in picked[compared:]:
                overlap = max(overlap, _overlap(units, keys, fact.best, chosen.best))
            overlaps[fact.best] = (len(picked), overlap)
            if fact.best not in kind_of:
                kind_of[fact.best] = fact_kind(units[fact.best].text)
            kind = kind_of[fact.best]
            value = fact.score - REDUNDANCY_WEIGHT * overlap - SAME_KIND_PENALTY * kinds[kind]
            if value > best_value:
                best_index, best_value = index, value
        chosen = remaining.pop(best_index)
        picked.append(chosen)
        kinds[kind_of[chosen.best]] += 1
    return picked


def _overlap(units: Sequence[NoteUnit], keys: Sequence[str], a: int, b: int) -> float:
    """How much two facts say the same (0-1): as folded text, or as words in any order."""
    in_order = fuzz.ratio(keys[a], keys[b])
    any_order = fuzz.token_set_ratio(units[a].text, units[b].text, processor=default_process)
    return max(in_order, any_order) / 100


def _point(units: Sequence[NoteUnit], fact: _Fact) -> KeyPoint:
    authors = tuple(dict.fromkeys(units[index].author for index in fact.members))
    numbers = tuple(sorted({units[index].memo_number for index in fact.members}))
    return KeyPoint(shorten(units[fact.best].text), authors, numbers)
