"""Discord's localizations of `/memo`: command and option descriptions, and choices, in
``ko`` and ``en-US``, from the core's catalogs (``bot.i18n``).

Discord shows each person the text of their client's language, so the descriptions go
up once per language with `memo-bot discord sync`; the replies follow the person's
``interaction.locale`` through the core.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n import translate

#: Discord's locales the bot has a catalog for, and the catalog of each.
LANGUAGES = {discord.Locale.korean: "ko", discord.Locale.american_english: "en"}


class CatalogTranslator(app_commands.Translator):
    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        """The catalog's text for ``locale``; None (Discord shows the default) for the others,
        and for what is no message of ours (command names, a conference's name)."""
        language = LANGUAGES.get(locale)
        if language is None or not string.extras.get("catalog"):
            return None
        return translate(string.message, language)


def described(text: str) -> app_commands.locale_str:
    """A description (or a context menu's name) Discord gets in every language of
    ``LANGUAGES``."""
    return app_commands.locale_str(text, catalog=True)
