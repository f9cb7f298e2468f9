"""How much a note line looks like a key fact of its talk, by signals that hold for any notes.

The signals are chosen to work whatever the talk and the language of the notes,
rather than from words of any one sample:

- results: numbers with units, and transitions between them (``850ms -> 120ms``,
  ``210ms에서 45ms로``, ``from 24h to 30s``); lines marked ``>``, the usual
  highlight of a result;
- named systems: Latin-script terms inside Korean text, CamelCase, acronyms,
  terms with digits or symbols (``AVX-512``, ``p99``, ``SKIP LOCKED``);
- conclusions and rules: cue words in Korean and English (결론, 핵심, 교훈,
  takeaway, must, 금지 ...), result verbs (감소, 절감, reduced ...), quoted mottos;
- what the session keeps coming back to: terms that many of its lines share;
- and against: questions, links, fragments too short to say anything, and
  lines about the note-taking rather than the talk (``META_MARKERS``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from bot.summary.note_lines import NoteUnit

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
#: Cue words by what they signal: (score, substrings, whole English words). Looked up as one
#: literal pattern and a word set per kind, not one big regex: this runs for every line of
#: every digest, and that is the fastest of the ways measured.
_CUE_WORDS: dict[str, tuple[float, tuple[str, ...], frozenset[str]]] = {
    "conclusion": (
        2.0,
        (
            *("결론", "결국", "핵심", "교훈", "정답", "요점", "중요", "강조"),
            *("확실", "bottom line", "the real"),
        ),
        frozenset({"conclusion", "takeaway", "lesson", "key", "main", "win"}),
    ),
    "rule": (
        0.8,
        (
            *("필수", "금지", "주의", "안 됨", "하면 안", "말 것", "해야", "먼저"),
            *("only if", "don't", "do not"),
        ),
        frozenset({"must", "never", "always", "should", "avoid"}),
    ),
    "result": (
        1.0,
        (
            *("감소", "절감", "증가", "상승", "개선", "단축", "향상", "줄", "늘", "사라", "해결"),
            *("없음", "0건", "무중단", "무장애", "went from", "no longer"),
        ),
        frozenset(
            {"reduce", "reduced", "cut", "drop", "dropped", "improve", "improved", "faster"}
            | {"save", "saved", "remove", "removed", "fixed", "caught", "found", "zero", "flat"}
        ),
    ),
}
_CUES = {
    kind: (score, re.compile("|".join(map(re.escape, phrases))), words)
    for kind, (score, phrases, words) in _CUE_WORDS.items()
}
_QUOTED = re.compile(r"[\"“”].{4,}?[\"“”]")
#: A quoted name: one word (or two) in quotes, the way notes introduce a system's name.
_QUOTED_NAME = re.compile(r"[\"“][^\"“”\s]{3,}(?: [^\"“”\s]+)?[\"”]")
#: What a line naming a system in quotes scores for it.
NAME_BONUS = 1.5
#: A number becoming another: ``1.3 → 11``, ``200 -> 5000`` (units or not).
_NUMBER_TRANSITION = re.compile(r"\d\S*\s*(?:→|->|=>|⇒)\s*\S*\d")

#: Words that mark a line as being about the note-taking, not about the talk. A line
#: with one of them and no figure says nothing a summary needs. Each entry names the
#: material, the writer's situation or the writer's plans, in words any talk's notes
#: use; none names a topic. Looked up as lower-case substrings.
META_MARKERS: tuple[str, ...] = (
    # The talk's material, pointed at instead of noted: "see the slides", "slides later".
    *("발표자료", "슬라이드", "장표", "slides", "slide deck"),
    # The writer's camera: "photo taken" stands for what the photo shows, which is not here.
    *("사진", "photo", "picture"),
    # The writer could not keep up: what follows or precedes is missing, not a fact.
    *("못 따라", "못 적", "받아 적", "놓침", "lost track", "couldn't follow", "could not follow"),
    # What the writer skipped.
    *("생략", "스킵", "skipped"),
    # The writer's own plans. Borderline: "later" can be part of a fact ("two weeks
    # later"), which is why a line with a figure is never taken for a meta line.
    *("나중에", "later", "다시 볼", "올라오면", "to read", "todo"),
)
#: A bare heading or item is at most this many letters (twice as many in up to three words).
_BARE_LETTERS = 12
#: How much lower a line with the writer's mood and no figure scores (``is_filler``).
FILLER_PENALTY = 1.0
_META = re.compile("|".join(map(re.escape, META_MARKERS)))


def heading_score(text: str) -> float:
    """What a heading adds to the lines under it: its own signals, short as headings are."""
    return line_score(text, False, _LATIN_TERM.findall(text), heading=True)


def line_score(
    text: str, highlighted: bool, latin: Sequence[str], *, heading: bool = False
) -> float:
    """How much a line looks like a key fact on its own (see the module docstring).

    ``latin`` is the line's Latin-script terms (``_LATIN_TERM``), found once by the caller.
    """
    lower = text.lower()
    score = 0.0
    figures = len(_FIGURE.findall(text)) if _DIGIT.search(text) else 0
    score += min(figures, 3) * 1.0
    if (figures and (_ARROW.search(text) or ("에서" in text and _TRANSITION_KO.search(text)))) or (
        _NUMBER_TRANSITION.search(text)
    ):
        score += 1.5
    elif "from" in lower and _TRANSITION_EN.search(lower):
        score += 1.2
    if highlighted:
        score += 2.0
    if _HANGUL.search(text):
        score += min(len(latin), 2) * 0.5
    score += min(sum(1 for term in latin if _CAMEL.search(term)), 2) * 0.7
    score += sum(_CUES[cue][0] for cue in _cues(lower, latin))
    if ('"' in text or "“" in text) and _QUOTED.search(text):
        # A name in quotes is a system being introduced ("Mulgyeol"); longer, a motto.
        score += NAME_BONUS if _QUOTED_NAME.search(text) else 0.8
    if text.rstrip().endswith("?"):
        score -= 2.0
    elif "?" in text:
        score -= 1.0
    if "://" in text:
        score -= 2.5
    if _META.search(lower):
        score -= 1.5 if figures else 3.0
    if len(text) - text.count(" ") < 8 and not heading:
        score -= 1.5
    elif len(text) > 160:
        score -= 1.0
    return score


def is_meta(text: str) -> bool:
    """A line about the note-taking (slides, photos, missed parts, plans) with no figure in it."""
    return bool(_META.search(text.lower())) and not _FIGURE.search(text)


def is_filler(unit: NoteUnit) -> bool:
    """The writer's reaction (``좋았음 ㅋㅋ``, ``👍 ...``): mood at its end and no figure."""
    return unit.mood and not _FIGURE.search(unit.text)


def is_bare(text: str) -> bool:
    """A heading or list item that states no fact: short, and no digit, quote or named thing.

    ``결과``, ``2. 모니터링``, ``Rollout steps``: such a line means something only with
    its items. A named thing is a Latin term in Hangul text, or in Latin text one
    that looks technical (an acronym, CamelCase, a digit: ``HPA``, ``preStop``).
    """
    letters = len(text) - text.count(" ")
    if letters > _BARE_LETTERS and (letters > 2 * _BARE_LETTERS or text.count(" ") >= 3):
        return False
    if _DIGIT.search(text) or _QUOTED.search(text):
        return False
    latin = _LATIN_TERM.findall(text)
    if _HANGUL.search(text):
        return not latin
    return not any(_CAMEL.search(term) for term in latin)


def _terms(text: str, latin: Sequence[str]) -> set[str]:
    """Terms for "what the session keeps coming back to": Latin words, Korean word stems."""
    return {term.lower() for term in latin} | {word[:2] for word in _HANGUL_WORD.findall(text)}


def line_scores(units: Sequence[NoteUnit], keys: Sequence[str]) -> list[float]:
    """Each unit's own score plus how central its terms are in the session.

    ``keys`` are the units' folded texts (``note_lines.folded``): lines that fold
    alike (people typing the same thing with other spacing or case) are scored once.
    """
    seen: dict[tuple[str, bool, bool], tuple[float, set[str]]] = {}
    scored = []
    for unit, key in zip(units, keys, strict=True):
        found = seen.get((key, unit.highlighted, unit.mood))
        if found is None:
            latin = _LATIN_TERM.findall(unit.text)
            own = line_score(unit.text, unit.highlighted, latin) - FILLER_PENALTY * is_filler(unit)
            found = (own, _terms(unit.text, latin))
            seen[(key, unit.highlighted, unit.mood)] = found
        scored.append(found)
    frequency = Counter(term for _, unit_terms in scored for term in unit_terms)
    #: A term in n lines weighs log(n); a term in one line only says nothing about the session.
    weight = {term: math.log(count) for term, count in frequency.items() if count > 1}
    scale = math.log(1 + len(units))
    scores = []
    for own, unit_terms in scored:
        shared = sum(weight.get(term, 0.0) for term in unit_terms)
        centrality = shared / (len(unit_terms) ** 0.5 * scale) if shared else 0.0
        scores.append(own + min(centrality, 1.5))
    return scores


def fact_kind(text: str) -> str:
    """ "result" (has figures), "conclusion" (a cue or a quote) or "other" (systems, methods)."""
    if _FIGURE.search(text) or _NUMBER_TRANSITION.search(text):
        return "result"
    if _QUOTED.search(text) or "conclusion" in _cues(text.lower(), _LATIN_TERM.findall(text)):
        return "conclusion"
    return "other"


def _cues(lower: str, latin: Sequence[str]) -> set[str]:
    """The kinds of cue words in a line (given in lower case, with its Latin terms)."""
    words = {term.lower() for term in latin}
    return {
        kind
        for kind, (_, phrases, whole_words) in _CUES.items()
        if not words.isdisjoint(whole_words) or phrases.search(lower)
    }
