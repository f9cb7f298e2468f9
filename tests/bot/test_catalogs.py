"""The message catalogs (bot/locales): every message the code says has a Korean translation
that keeps its placeholders, so no reply comes out half English or breaks on a ``%``.

The messages are found as `make catalogs` finds them (Babel's extractor, the same keywords),
so a message wrapped in ``_`` but never translated fails here, not in front of a user.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, catalog_path, counted, speaking, translations

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "counted": (2, 3)}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def code_messages() -> set[str | tuple[str, str]]:
    """Every message in bot/ and adapters/, as `make catalogs` extracts them."""
    found: set[str | tuple[str, str]] = set()
    for folder in ("bot", "adapters"):
        for _name, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, keywords=KEYWORDS, comment_tags=()
        ):
            found.add(message)
    return found


def catalog(language: str) -> Catalog:
    with catalog_path(language).open("rb") as po:
        return read_po(po, locale=language)


def placeholders(text: str) -> list[str]:
    return sorted(match.group(1) or "%" for match in _PLACEHOLDER.finditer(text))


def problems(catalog: Catalog, messages: Iterable[str | tuple[str, str]]) -> list[str]:
    """What is wrong with ``catalog`` for these messages: a message missing or untranslated,
    a translation whose placeholders are not the message's, or any of Babel's checks."""
    found = []
    for message in messages:
        entry = catalog.get(message)
        if entry is None:
            found.append(f"not in the catalog: {message!r}")
            continue
        sources = message if isinstance(message, tuple) else (message,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(strings):
            found.append(f"not translated: {message!r}")
            continue
        expected = placeholders(sources[-1])
        for string in strings:
            if placeholders(string) != expected:
                found.append(f"placeholders {placeholders(string)} != {expected}: {message!r}")
    for entry, errors in catalog.check():
        found.extend(f"{error}: {entry.id!r}" for error in errors)
    return found


def test_every_message_of_the_code_has_a_korean_translation_with_its_placeholders() -> None:
    messages = code_messages()
    assert len(messages) > 200, "the extractor finds the messages"
    assert problems(catalog("ko"), messages) == []


def test_the_english_catalog_lists_every_message_too() -> None:
    """English is the source's language; its catalog must still know every message, so
    `make catalogs` was run after the last change to a message."""
    english = catalog("en")
    assert [message for message in code_messages() if english.get(message) is None] == []


def test_a_translation_that_drops_or_renames_a_placeholder_is_caught() -> None:
    """The check above can fail: a hostile or careless translation is reported."""
    broken = Catalog(locale="ko")
    broken.add("There is no memo #%(number)s in this channel.", "이 채널에 메모가 없어요.")
    broken.add("Sessions of %(day)s", "%(days)s 세션")
    broken.add(("%(count)s memo", "%(count)s memos"), ("메모 개",))
    broken.add("No sessions yet.", "")
    found = problems(
        broken,
        [
            "There is no memo #%(number)s in this channel.",
            "Sessions of %(day)s",
            ("%(count)s memo", "%(count)s memos"),
            "No sessions yet.",
            "Not in the catalog at all.",
        ],
    )
    assert len(found) >= 5, found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_compiles_and_counts_in_its_language(language: str) -> None:
    assert translations(language).gettext("No sessions yet.")
    with speaking(language):
        one, many = (counted(n, "%(count)s memo", "%(count)s memos") for n in (1, 1234))
    expected = {"en": ("1 memo", "1,234 memos"), "ko": ("메모 1개", "메모 1,234개")}[language]
    assert (one, many) == expected
