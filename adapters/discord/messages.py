"""The core's Markdown as Discord messages: Discord reads Markdown, so only limits matter.

The core's escaping (``\\[``, ``\\*``, ``\\<``) is Discord's too, so user text
stays literal; mentions are switched off by ``AllowedMentions.none()`` on
every message. What is left is Discord's 2,000 characters per message: a
reply is cut at line ends into at most ``MAX_MESSAGES`` messages, the last one
saying how many lines were left out.
"""

from __future__ import annotations

from adapters.limits import split_lines

MESSAGE_LIMIT = 2_000
MAX_MESSAGES = 5


def split(
    markdown: str, *, limit: int = MESSAGE_LIMIT, max_messages: int = MAX_MESSAGES
) -> list[str]:
    """``markdown`` in pieces of at most ``limit`` characters, at most ``max_messages`` of them."""
    pieces = split_lines(markdown, limit, _safe_cut)
    if len(pieces) <= max_messages:
        return pieces
    kept = pieces[:max_messages]
    left_out = sum(piece.count("\n") + 1 for piece in pieces[max_messages:])
    note = f"\n… and {left_out:,} more lines"
    last = kept[-1]
    if len(last) + len(note) > limit:
        last = last[: _safe_cut(last, limit - len(note))]
    kept[-1] = last + note
    return kept


def _safe_cut(line: str, limit: int) -> int:
    """A cut at or before ``limit`` that does not separate a backslash from what it escapes."""
    cut = limit
    while cut > 1 and line[cut - 1] == "\\":
        cut -= 1
    return cut
