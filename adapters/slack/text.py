"""Text as Slack sends it, turned back into what the person typed."""

from __future__ import annotations

import re

# <@U123>, <@U123|alice>, <#C123|general>, <!here>, <!subteam^S1|@team>, <https://x|label>
_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def unescape(text: str) -> str:
    """Undo Slack's escaping of ``&``, ``<`` and ``>`` (slash command text, message text)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def message_to_plain(text: str) -> str:
    """A Slack message's text as a person would write it down.

    Mentions and links are stored in messages as ``<...>`` markup; a memo saved
    from a message keeps them readable (``@alice``, ``#general``, ``label (url)``)
    instead of as ids in angle brackets.
    """

    def readable(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("@"):
            return f"@{label}" if label else target
        if target.startswith("#"):
            return f"#{label}" if label else target
        if target.startswith("!"):
            special = target[1:].split("^", 1)[0]
            return label if label else f"@{special}"
        return f"{label} ({target})" if label and label != target else target

    return unescape(_MARKUP.sub(readable, text))
