"""The local, extractive summary: a session's key points chosen from everyone's note lines.

No model and no network: each note line gets a score from signals that hold
for conference notes in general, whatever the talk and the language, rather
than from words of any one sample:

- results: numbers with units, and transitions between them (``850ms -> 120ms``,
  ``210ms에서 45ms로``, ``from 24h to 30s``);
- named systems: Latin-script terms inside Korean text, CamelCase, acronyms,
  terms with digits or symbols (``AVX-512``, ``p99``, ``SKIP LOCKED``);
- conclusions and rules: cue words in Korean and English (결론, 핵심, 교훈,
  takeaway, must, 금지 ...), result verbs (감소, 절감, reduced ...), quoted mottos;
- what the session keeps coming back to: terms that many of its lines share;
- agreement: the same fact written by several people (near-duplicates are
  merged into one point, credited to all of them, and score higher);
- and against: questions, links, fragments too short to say anything.

Points are picked greedily by score with a redundancy penalty (maximal marginal
relevance), then shown in the order they were noted. Point text is a note line
copied as written (marker removed), so numbers and units are never rewritten.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.process import extract

from bot.note_lines import NoteUnit, folded, number_values, shorten, split_units

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

_ARROW = re.compile(r"(?:→|->|=>|⇒|⟶|➡)")
#: A figure with its unit (``45ms``, ``3,400개``, ``$600``) or a multiplier (``x3``, ``3배``).
_FIGURE = re.compile(
    r"[$€£₩]\d+(?:[.,]\d+)*|\bx\d+|×\d+|\d+x\b|\d+(?:[.,]\d+)*\s?"
    r"(?:%p?|[kKmMgGtT]?[bB]\b|ms|µs|ns|s\b|sec|min|h\b|배|초|분|시간|일|주|개월|년|건|개|대|명|장|"
    r"만|억|천|원|번|회|점|k\b|K\b|M\b|TB|GB|MB|KB|kW|[a-zA-Z]+/s)"
)
_DIGIT = re.compile(r"\d")
_TRANSITION_KO = re.compile(r"\d[^\s]*\s?에서\s.*?\d[^\s]*\s?(?:으로|로)")
_TRANSITION_EN = re.compile(r"\bfrom\b.*?\d.*?\bto\b.*?\d")
_LATIN_TERM = re.compile(r"[A-Za-z][A-Za-z0-9+#.\-_/]*[A-Za-z0-9+#]|[A-Za-z]{2,}")
_CAMEL = re.compile(r"[a-z][A-Z]|[A-Z]{2,}|[A-Za-z]+-?\d|\d+[A-Za-z]|[a-z]_[a-z]|\+\+")
_HANGUL = re.compile(r"[가-힣]")
_HANGUL_WORD = re.compile(r"[가-힣]{2,}")
#: Cue words, matched in lower case in one pass; the group that matched names the cue.
_CUES = re.compile(
    r"(?P<conclusion>결론|결국|핵심|교훈|정답|요점|중요|강조|가장|제일|확실|"
    r"\b(?:conclusion|takeaway|lesson|key|bottom line|the real|main|most|win)\b)"
    r"|(?P<rule>필수|금지|주의|안 됨|하면 안|말 것|해야|먼저|"
    r"\b(?:must|never|always|only if|should|don't|do not|avoid)\b)"
    r"|(?P<result>감소|절감|증가|상승|개선|단축|향상|줄|늘|사라|해결|없음|0건|무중단|무장애|"
    r"\b(?:reduced?|cut|drop(?:ped)?|improved?|faster|saved?|removed?|fixed|caught|found|"
    r"went from|no longer|zero|flat)\b)"
)
_CUE_SCORES = {"conclusion": 2.0, "rule": 0.8, "result": 1.0}
_QUOTED = re.compile(r"[\"“”].{4,}?[\"“”]")


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
    scores = _scores(units)
    facts = [_fact(units, scores, members) for members in _clusters(units, keys)]
    words = [unit.text.lower() for unit in units]
    picked = _pick(facts, keys, words, limit)
    picked.sort(key=lambda fact: fact.members[0])
    return [_point(units, fact) for fact in picked]


@dataclass(frozen=True, slots=True)
class _Fact:
    """Near-duplicate units: indexes in note order, the best-scored one, the fact's score."""

    members: list[int]
    best: int
    score: float
    #: "result" (has figures), "conclusion" (a cue or a quote) or "other" (systems, methods).
    kind: str


def _units(notes: Sequence[Note]) -> list[NoteUnit]:
    units: list[NoteUnit] = []
    for note in notes:
        for text, highlighted in split_units(note.text):
            units.append(NoteUnit(text, note.author, note.number, len(units), highlighted))
    return units


def unit_score(text: str, highlighted: bool, latin: Sequence[str]) -> float:
    """How much a line looks like a key fact on its own (see the module docstring).

    ``latin`` is the line's Latin-script terms (``_LATIN_TERM``), found once by the caller.
    """
    lower = text.lower()
    score = 0.0
    figures = len(_FIGURE.findall(text)) if _DIGIT.search(text) else 0
    score += min(figures, 3) * 1.0
    if figures and (_ARROW.search(text) or ("에서" in text and _TRANSITION_KO.search(text))):
        score += 1.5
    elif "from" in lower and _TRANSITION_EN.search(lower):
        score += 1.2
    if highlighted:
        score += 2.0
    if _HANGUL.search(text):
        score += min(len(latin), 2) * 0.5
    score += min(sum(1 for term in latin if _CAMEL.search(term)), 2) * 0.7
    cues = {match.lastgroup for match in _CUES.finditer(lower)}
    score += sum(_CUE_SCORES[cue] for cue in cues if cue)
    if ('"' in text or "“" in text) and _QUOTED.search(text):
        score += 0.8
    if text.rstrip().endswith("?"):
        score -= 2.0
    elif "?" in text:
        score -= 1.0
    if "://" in text:
        score -= 2.5
    if len(text) - text.count(" ") < 8:
        score -= 1.5
    elif len(text) > 160:
        score -= 1.0
    return score


def _terms(text: str, latin: Sequence[str]) -> set[str]:
    """Terms for "what the session keeps coming back to": Latin words, Korean word stems."""
    return {term.lower() for term in latin} | {word[:2] for word in _HANGUL_WORD.findall(text)}


def _scores(units: Sequence[NoteUnit]) -> list[float]:
    """Each unit's own score plus how central its terms are in the session.

    Lines several people typed identically are scored once.
    """
    own: dict[tuple[str, bool], float] = {}
    terms = []
    for unit in units:
        latin = _LATIN_TERM.findall(unit.text)
        terms.append(_terms(unit.text, latin))
        key = (unit.text, unit.highlighted)
        if key not in own:
            own[key] = unit_score(unit.text, unit.highlighted, latin)
    frequency = Counter(term for unit_terms in terms for term in unit_terms)
    #: A term in n lines weighs log(n); a term in one line only says nothing about the session.
    weight = {term: math.log(count) for term, count in frequency.items() if count > 1}
    scale = math.log(1 + len(units))
    scores = []
    for unit, unit_terms in zip(units, terms, strict=True):
        shared = sum(weight.get(term, 0.0) for term in unit_terms)
        centrality = shared / (len(unit_terms) ** 0.5 * scale) if shared else 0.0
        scores.append(own[(unit.text, unit.highlighted)] + min(centrality, 1.5))
    return scores


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
    score = scores[best] + AGREEMENT_BONUS * (len(authors) - 1)
    return _Fact(members, best, score, _kind(units[best].text))


def _kind(text: str) -> str:
    if _FIGURE.search(text):
        return "result"
    if _QUOTED.search(text) or any(
        match.lastgroup == "conclusion" for match in _CUES.finditer(text.lower())
    ):
        return "conclusion"
    return "other"


def _pick(facts: list[_Fact], keys: Sequence[str], words: Sequence[str], limit: int) -> list[_Fact]:
    """Greedy maximal marginal relevance: the best fact, then the best that repeats it least.

    A fact's marginal value is at most its score, so candidates are visited best
    score first and the visit stops once no later one can win; overlaps with the
    facts picked so far are computed only for the candidates visited.
    """
    remaining = sorted(facts, key=lambda fact: -fact.score)
    picked: list[_Fact] = []
    kinds: Counter[str] = Counter()
    #: fact (by its best unit) -> (how many picks it was compared with, its largest overlap)
    overlaps: dict[int, tuple[int, float]] = {}
    while remaining and len(picked) < limit:
        best_index, best_value = 0, -math.inf
        for index, fact in enumerate(remaining):
            if fact.score <= best_value:
                break
            compared, overlap = overlaps.get(fact.best, (0, 0.0))
            for chosen in picked[compared:]:
                overlap = max(overlap, _overlap(keys, words, fact.best, chosen.best))
            overlaps[fact.best] = (len(picked), overlap)
            value = fact.score - REDUNDANCY_WEIGHT * overlap - SAME_KIND_PENALTY * kinds[fact.kind]
            if value > best_value:
                best_index, best_value = index, value
        chosen = remaining.pop(best_index)
        picked.append(chosen)
        kinds[chosen.kind] += 1
    return picked


def _overlap(keys: Sequence[str], words: Sequence[str], a: int, b: int) -> float:
    """How much two facts say the same (0-1): as folded text, or as words in any order."""
    return max(fuzz.ratio(keys[a], keys[b]), fuzz.token_set_ratio(words[a], words[b])) / 100


def _point(units: Sequence[NoteUnit], fact: _Fact) -> KeyPoint:
    authors = tuple(dict.fromkeys(units[index].author for index in fact.members))
    numbers = tuple(sorted({units[index].memo_number for index in fact.members}))
    return KeyPoint(shorten(units[fact.best].text), authors, numbers)
