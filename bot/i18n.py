"""What the bot says, in the language of whoever it says it to.

The catalogs are gettext ``.po`` files under ``bot/locales`` (``pybabel extract`` and
``update`` keep them in step with the code, see the Makefile), read and compiled once at
load time, so a checkout and a wheel work without a build step. English is the language
of the source: a message without an English translation is its own ``msgid``.

The core renders replies inside ``speaking(language)``; the language is a plain value the
adapters resolve (``bot.language``), so nothing here knows a platform. It is held in a
context variable, set around each handler on the thread that runs it.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

#: The languages the bot speaks, English (the source's) first.
LANGUAGES = ("en", "ko")
DOMAIN = "memo_bot"
LOCALES = Path(__file__).parent / "locales"

_active: ContextVar[str] = ContextVar("memo_bot_language", default="en")


def catalog_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of ``language`` (an unknown one speaks the source's English)."""
    if language not in LANGUAGES:
        return gettext.NullTranslations()
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Render everything said inside in ``language``."""
    token = _active.set(language if language in LANGUAGES else "en")
    try:
        yield
    finally:
        _active.reset(token)


def current_language() -> str:
    return _active.get()


def _(message: str) -> str:
    """``message`` in the current language."""
    return translations(_active.get()).gettext(message)


def N_(message: str) -> str:
    """Marks ``message`` for the catalogs where it is declared; ``_`` translates it where shown."""
    return message


def translate(message: str, language: str) -> str:
    """``message`` in ``language``, for a platform that asks for every language at once
    (Discord's command localizations)."""
    return translations(language).gettext(message)


def counted(count: int, singular: str, plural: str, **values: object) -> str:
    """``1 memo`` / ``12 memos`` (``메모 12개``): ``singular`` and ``plural`` take
    ``%(count)s``, the count formatted for the current language, and ``values``."""
    language = _active.get()
    message = translations(language).ngettext(singular, plural, count)
    return message % {"count": format_number(count), **values}


def format_number(number: int) -> str:
    """``1,234`` in both languages today, but said by Babel so a third one is right too."""
    return format_decimal(number, locale=_babel_locale(_active.get()))


@cache
def _babel_locale(language: str) -> Locale:
    """Parsed once: Babel would parse the name on every number."""
    return Locale.parse({"en": "en_US", "ko": "ko_KR"}.get(language, "en_US"))


def day_label(day: date) -> str:
    """``Thu 2025-09-25`` / ``2025년 9월 25일 (목)``: the weekday helps at a long conference."""
    return _day_label(_active.get(), day)


@lru_cache(maxsize=4096)
def _day_label(language: str, day: date) -> str:
    """Cached: a list of sessions names the same few days many times, and Babel parses the
    pattern on each call."""
    if language == "ko":
        return format_date(day, "y년 M월 d일 (E)", locale="ko")
    return f"{format_date(day, 'EEE', locale='en')} {day.isoformat()}"
