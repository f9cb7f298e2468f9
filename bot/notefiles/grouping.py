"""Which conference each post of a note file belongs to: grouped by name, as a person would.

A person groups blog posts by the conference's name (and year), whatever else
a title says: "Day 1", "2일차", "키노트 정리", "Hands-on Lab", "참가기", or words
nobody thought of. So nothing here knows such words; names come from the shape
of the titles and from what the file's titles share:

- **A year ends a name.** ``DEVRIVER 2025 키노트 정리`` is DEVRIVER 2025. The
  year is a word of its own (``2025``, ``2025:``) or ends one (``PyConKR2025``).
- **Without a year, a number ends it**: the words before the first word with a
  digit, and before the word that counts it when the number stands alone
  (``Day 1``, ``Tag 2``): ``PyCon Korea Day 1 후기`` is PyCon Korea.
- **Posts share a name by their leading words.** Titles without a year whose
  names start with the same word are one conference, named by the words they
  all start with: ``Harborline Keynote`` and ``Harborline Workshop`` are
  Harborline. Such a title joins a conference with a year in the file whose
  name it starts with (``DEVRIVER 키노트`` and ``DEVRIVER 2025 Day1``), when
  there is one such edition or one of the post's year; two editions of one
  name (DEVRIVER 2024 and 2025) stay two conferences.
- A title of only a name is that name; a post without a title (or whose title
  is only a day, ``Day 3``) belongs with the post nearest to it in date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.i18n import _
from bot.notefiles.parse import ParseWarning, Post
from bot.titles import title_key

#: A year: 1900 to 2099, alone or at the end of a word's letters (``PyConKR2025``).
_YEAR = re.compile(r"(?:[^\W\d_]*)((?:19|20)\d\d)")
#: Punctuation around a word that does not change which word it is (``2025:``, ``(Day``).
_AROUND = "\"'()[]{}<>:;,.!?·|/\\-–—_~*#"
#: Trimmed from the end of a name: ``DEVRIVER 2025 -`` is DEVRIVER 2025.
_NAME_END = " -–—:;,·|/"


@dataclass(frozen=True, slots=True)
class _Title:
    """A title's words, and the name its shape gives."""

    words: tuple[str, ...]
    #: The words compared: folded, without punctuation around them.
    keys: tuple[str, ...]
    #: How many leading words are the name; 0 when the title names nothing.
    name_length: int
    #: The year that ends the name, if one does.
    year: int | None

    @property
    def name_keys(self) -> tuple[str, ...]:
        return self.keys[: self.name_length]

    @property
    def base_keys(self) -> tuple[str, ...]:
        """The name without its year: what a title without the year starts with."""
        if self.year is None:
            return self.name_keys
        last = self.keys[self.name_length - 1].removesuffix(str(self.year))
        return (*self.keys[: self.name_length - 1], *([last] if last else []))


def conference_from_title(title: str) -> str:
    """The conference one title names on its own: ``KubeCon 2024 2일차 메모`` is KubeCon 2024."""
    read = _read_title(title)
    return _name(read, None) or " ".join(read.words)


def conference_names(
    posts: Sequence[Post],
) -> tuple[tuple[str, ...], tuple[ParseWarning, ...]]:
    """Each post's conference name, and why a post went where its title did not say.

    ``""`` only for an untitled post in a file where no title names a conference:
    the importer puts it in the channel's conference.
    """
    titles = [_read_title(post.title) for post in posts]
    groups: list[int | None] = [None] * len(posts)
    lengths: dict[int, int] = {}
    editions: dict[tuple[str, ...], int] = {}
    for index, title in enumerate(titles):
        if title.year is not None:
            leader = groups[index] = editions.setdefault(title.name_keys, index)
            lengths[leader] = title.name_length
    by_first_word: dict[tuple[str, ...], int] = {}
    for index, title in enumerate(titles):
        if title.year is not None or not title.name_length:
            continue
        edition = _edition_of(title, posts[index].date, titles, editions)
        if edition is not None:
            groups[index] = edition
            continue
        leader = groups[index] = by_first_word.setdefault(_first_word(title), index)
        shared = _shared_length(titles[leader].name_keys, title.name_keys)
        lengths[leader] = min(lengths.get(leader, title.name_length), shared)
    names = {leader: _name(titles[leader], length) for leader, length in lengths.items()}
    named = [names[group] if group is not None else "" for group in groups]
    warnings = _placed_by_date(posts, titles, named)
    return tuple(named), tuple(warnings)


def _placed_by_date(
    posts: Sequence[Post], titles: list[_Title], named: list[str]
) -> list[ParseWarning]:
    """Name the posts whose titles name nothing after the post nearest in date; say so."""
    warnings = []
    for index, post in enumerate(posts):
        if named[index]:
            continue
        nearest = _nearest_named(index, posts, named)
        if nearest is None:
            # Nothing in the file names a conference: a title is the best name there is.
            named[index] = " ".join(titles[index].words)
            continue
        named[index] = named[nearest]
        if not post.title.strip():
            message = _(
                "the post of %(day)s has no title; imported with %(name)s, the post "
                "nearest to it in date"
            )
        else:
            message = _(
                "the post of %(day)s has a title without a name; imported with %(name)s, "
                "the post nearest to it in date"
            )
        shown = {"day": post.date.isoformat(), "name": named[nearest]}
        warnings.append(ParseWarning(post.line_number, message % shown))
    return warnings


def _read_title(title: str) -> _Title:
    words = tuple(title.split())
    keys = tuple(title_key(word).strip(_AROUND) for word in words)
    for position, key in enumerate(keys):
        match = _YEAR.fullmatch(key)
        if match is not None and (position or match.start(1)):
            return _Title(words, keys, position + 1, int(match.group(1)))
    leading_year = 1 if keys and _YEAR.fullmatch(keys[0]) else 0
    length = len(keys)
    for position in range(leading_year, len(keys)):
        if any(char.isdigit() for char in keys[position]):
            counted = keys[position].isdigit() and position > leading_year
            length = position - 1 if counted else position
            break
    if not any(any(char.isalpha() for char in key) for key in keys[:length]):
        length = 0
    return _Title(words, keys, length, None)


def _edition_of(
    title: _Title, day: date, titles: list[_Title], editions: dict[tuple[str, ...], int]
) -> int | None:
    """The conference with a year that a title without one starts with, if only one fits."""
    fitting = [
        leader
        for leader in editions.values()
        if (base := titles[leader].base_keys) and title.keys[: len(base)] == base
    ]
    if len(fitting) > 1:
        fitting = [leader for leader in fitting if titles[leader].year == day.year]
    return fitting[0] if len(fitting) == 1 else None


def _first_word(title: _Title) -> tuple[str, ...]:
    """What titles without a year must share to be one conference: the first word, and the
    next one too when the first is a year (``2025 DEVRIVER``, ``2025 KODECON``)."""
    keys = title.name_keys
    return keys[:2] if _YEAR.fullmatch(keys[0]) else keys[:1]


def _shared_length(first: tuple[str, ...], second: tuple[str, ...]) -> int:
    shared = 0
    for one, other in zip(first, second, strict=False):
        if one != other:
            break
        shared += 1
    return shared


def _name(title: _Title, length: int | None) -> str:
    words = title.words[: title.name_length if length is None else length]
    return " ".join(words).rstrip(_NAME_END)


def _nearest_named(index: int, posts: Sequence[Post], named: list[str]) -> int | None:
    """The named post nearest in date to an unnamed one; of two as near, the one before it
    in the file."""
    candidates = [other for other in range(len(posts)) if named[other]]
    if not candidates:
        return None
    day = posts[index].date
    return min(candidates, key=lambda other: (abs((posts[other].date - day).days), other))
