"""The search analyzer: text to the terms the search index holds, and to its tokens.

One analyzer serves both databases and both sides (indexing a memo, looking up
a query), so what is found never depends on the engine.

- Text is NFKC-normalized and case-folded (``KUBERNETES`` finds ``Kubernetes``).
- Korean (and other CJK) runs become character unigrams and bigrams, as
  Lucene's CJK analyzer does: ``캐시를`` holds ``캐시`` and ``시를``, so a
  2-syllable word is found inside any longer word with a particle or compound
  (``인식`` in ``얼굴인식``), and a 1-syllable query (``큐``) uses the unigrams.
  Two runs separated only by spaces also give the bigram across the space, so
  ``장애대응`` finds ``장애 대응`` too. Measured against a morphological analyzer
  (kiwipiepy) in ``bench/search_quality.py``: the bigrams find every sample
  query's sessions, at no model memory.
- Other letters and digits form words (``avx``, ``512``, ``p99``).
- Every other character (``-``, ``:``, ``+``, ``<``) is a term of its own, so
  ``C++`` or ``<->`` narrow the candidates instead of being dropped.

Terms are scoped to a channel and hashed to 64-bit tokens: the index's posting
lists are per channel (a query never reads another channel's postings), and
tokens are plain ``[0-9a-f]`` words that no engine's query language can
misread. User text never reaches the engine; only these tokens do.

Changing what ``terms`` yields changes the tokens of stored memos: that needs a
migration that rebuilds the index (``storage.search.rebuild_index``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

#: Scripts written without spaces between words, searched by character n-grams.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff"
_PIECES = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<word>[^\W_{CJK}]+)|(?P<space>\s+)|(?P<symbol>.)")


def normalize(text: str) -> str:
    """The form text is compared in: NFKC (full-width letters, ligatures) and case-folded."""
    return folded(text)[0]


def folded(text: str) -> tuple[str, range | list[int]]:
    """``normalize``'s result, and for each of its characters the index it came from.

    Text is composed first (NFC: decomposed jamo become syllables), then each
    character is folded on its own, so a match found in the folded text can be
    shown (and emphasised) in the composed text, which looks the same as typed.
    """
    composed_text = composed(text)
    simple = composed_text.casefold()
    # The usual case, checked fast: already NFKC, and folding case keeps every character
    # one character (case folding maps characters one by one, never to nothing).
    if len(simple) == len(composed_text) and unicodedata.is_normalized("NFKC", composed_text):
        return simple, range(len(simple))
    pieces: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(composed_text):
        fold = unicodedata.normalize("NFKC", char).casefold()
        pieces.append(fold)
        origins.extend([index] * len(fold))
    return "".join(pieces), origins


def composed(text: str) -> str:
    """The text ``folded`` maps back into: as typed, with decomposed characters composed."""
    return unicodedata.normalize("NFC", text)


def terms(text: str) -> set[str]:
    """Every term of a memo's text: what the index holds for it."""
    return _terms(normalize(text), unigrams_of_long_runs=True)


def query_terms(piece: str) -> set[str]:
    """The terms a query piece needs: a memo lacking any of them cannot contain the piece.

    A run of two or more syllables needs only its bigrams (its unigrams add no
    precision), which keeps the lookup to the rarest postings.
    """
    return _terms(normalize(piece), unigrams_of_long_runs=False)


def _terms(text: str, *, unigrams_of_long_runs: bool) -> set[str]:
    found: set[str] = set()
    previous_cjk = ""  # the CJK run just before, if only spaces came after it
    for match in _PIECES.finditer(text):
        kind, value = match.lastgroup, match.group()
        if kind == "space":
            continue
        if kind == "cjk":
            if previous_cjk:
                found.add(previous_cjk[-1] + value[0])
            if unigrams_of_long_runs or len(value) == 1:
                found.update(value)
            found.update(value[index : index + 2] for index in range(len(value) - 1))
            previous_cjk = value
            continue
        found.add(value)
        previous_cjk = ""
    return found


_MASK = (1 << 64) - 1
#: Spreads channel ids over all 64 bits (the golden ratio's fraction, Fibonacci hashing).
_CHANNEL_MIX = 0x9E37_79B9_7F4A_7C15


@lru_cache(maxsize=65_536)
def _term_hash(term: str) -> int:
    """A term's 64-bit hash, remembered: notes reuse a small vocabulary (about 10 MB when full)."""
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "big")


def token(channel_id: int, term: str) -> int:
    """A term of one channel as a signed 64-bit number (PostgreSQL's ``bigint``).

    The term's hash mixed with the channel's: two terms of one channel collide
    with a chance of about 1 in 2^64, and a collision could only add a
    candidate that the core's exact check then drops (candidates are also
    filtered by channel, so other channels' tokens never add any).
    """
    mixed = _term_hash(term) ^ ((channel_id * _CHANNEL_MIX) & _MASK)
    return mixed - (1 << 64) if mixed >> 63 else mixed


def tokens(channel_id: int, found: Iterable[str]) -> list[int]:
    """The tokens of these terms in a channel, sorted (stable for tests and for GIN)."""
    return sorted({token(channel_id, term) for term in found})


def fts_word(value: int) -> str:
    """A token as an FTS5 word: 16 hex digits, which no FTS5 tokenizer splits."""
    return format(value & _MASK, "016x")
