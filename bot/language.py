"""Which language a reply is in: the channel's setting, the person's locale, the default.

A channel set to ``ko`` or ``en`` (``/memo language``) speaks it to everyone; ``auto``
(the default) follows the person's locale where the platform gives one (Discord's
``interaction.locale``, Slack's ``users.info`` locale, the console's ``LANG``), else
``MEMO_DEFAULT_LANGUAGE``. Adapters pass the locale as a plain string on the
``Invocation``; nothing here knows a platform.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.i18n import LANGUAGES

AUTO = "auto"
#: What `/memo language` accepts.
SETTINGS = (*LANGUAGES, AUTO)

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LATIN_OR_HANGUL = re.compile(r"[A-Za-z\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")


def language_of_locale(locale: str | None) -> str | None:
    """``ko`` for ``ko``, ``ko-KR``, ``ko_KR.UTF-8``; ``en`` for any English; None for the rest
    (a language the bot does not speak, or none given)."""
    if not locale:
        return None
    primary = re.split(r"[-_.@]", locale.strip(), maxsplit=1)[0].lower()
    return primary if primary in LANGUAGES else None


def resolve(setting: str | None, locale: str | None, default: str) -> str:
    """The language of a reply to a person with ``locale`` in a channel set to ``setting``."""
    if setting in LANGUAGES:
        return setting
    return language_of_locale(locale) or (default if default in LANGUAGES else "en")


def mostly_hangul(texts: Iterable[str]) -> bool:
    """Whether most of the notes are written in Korean: more than half of the notes with
    letters have more Hangul syllables than Latin letters (English terms in Korean notes
    are common; a Korean word in an English note is not)."""
    korean = letters = 0
    for text in texts:
        found = _LATIN_OR_HANGUL.findall(text)
        if not found:
            continue
        letters += 1
        hangul = sum(1 for char in found if _HANGUL.match(char))
        korean += hangul * 2 > len(found)
    return letters > 0 and korean * 2 > letters


def digest_language(setting: str | None, default: str, notes: Iterable[str]) -> str:
    """The language of a channel's scheduled digest: its setting; for ``auto``, Korean when
    most of the conference's notes are Hangul, else ``default``."""
    if setting in LANGUAGES:
        return setting
    return "ko" if mostly_hangul(notes) else resolve(None, None, default)
