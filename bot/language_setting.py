"""`/memo language [ko|en|auto]`: which language the bot speaks in this channel.

``ko`` or ``en`` for everyone here; ``auto`` (every channel's start) follows each person's
locale where the platform gives one, else ``MEMO_DEFAULT_LANGUAGE`` (``bot.language``).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.declaration import (
    Command,
    CommandDeclaration,
    InTransaction,
    Option,
    OptionKind,
    Usage,
)
from bot.commands.text import Rejected
from bot.context import Context
from bot.i18n import N_, _, speaking
from bot.language import AUTO, SETTINGS
from bot.replies.values import LanguageShown, ProblemCode, Reply, Visibility
from storage import channels as channel_store

#: What people type for each setting: the codes, and the languages' own names.
_WORDS = {
    "ko": "ko",
    "korean": "ko",
    "한국어": "ko",
    "en": "en",
    "english": "en",
    "영어": "en",
    AUTO: AUTO,
    "자동": AUTO,
}


@dataclass(frozen=True, slots=True)
class SetLanguage(Command):
    """``setting`` None shows the channel's setting."""

    setting: str | None = None


def set_language(ctx: Context, command: SetLanguage) -> Reply:
    """Shows or sets the language; the reply to a change is already in the new language."""
    if command.setting is None:
        setting = channel_store.language_setting(ctx.tx, ctx.channel.id) if ctx.channel else AUTO
        data = LanguageShown(setting, changed=None)
        return Reply(language_shown(data), Visibility.PRIVATE, data)
    changed = channel_store.set_language(ctx.tx, ctx.writable_channel().id, command.setting)
    ctx.language_changed()
    data = LanguageShown(command.setting, changed=changed)
    with speaking(ctx.language):
        return Reply(language_shown(data), Visibility.PUBLIC, data)


def language_shown(data: LanguageShown) -> str:
    name = {
        "ko": _("Korean"),
        "en": _("English"),
        AUTO: _("auto: each person's language where the platform tells it, else the default"),
    }[data.setting]
    if data.changed is None:
        return _(
            "This channel's language: %(name)s. Change it with `/memo language ko|en|auto`."
        ) % {"name": name}
    if data.changed:
        return _("This channel's language is now %(name)s.") % {"name": name}
    return _("This channel's language is already %(name)s.") % {"name": name}


def _parse(rest: str) -> SetLanguage | Rejected:
    word = rest.strip().lower()
    if not word:
        return SetLanguage()
    setting = _WORDS.get(word)
    if setting is None:
        return Rejected(
            ProblemCode.BAD_ARGUMENTS,
            N_("Choose `ko`, `en` or `auto`: `/memo language ko`."),
            "language",
        )
    return SetLanguage(setting)


LANGUAGE = CommandDeclaration(
    "language",
    SetLanguage,
    N_("The language the bot speaks in this channel"),
    InTransaction(set_language),
    lambda language: SetLanguage(language),
    options=(
        Option(
            "language",
            OptionKind.CHOICE,
            N_("ko, en, or auto (each person's own language)"),
            choices=tuple((setting, setting) for setting in SETTINGS),
        ),
    ),
    parse=_parse,
    usage=Usage(
        "/memo language [ko|en|auto]",
        N_(
            "The language of replies and digests here; auto follows each person's language "
            "where the platform tells it."
        ),
    ),
    writes=lambda command: command.setting is not None,
)
