"""The core's Markdown as Slack mrkdwn in Block Kit: the one place Slack formatting happens.

The core writes CommonMark in which user text is already literal (escaped).
This module parses it (markdown-it-py, the parser rich and Jupyter use) and
writes mrkdwn. Every piece of text is escaped for Slack (``&``, ``<``, ``>``),
so a memo containing ``<!channel>``, ``<@U123>`` or ``<https://evil|docs>`` is
shown as those characters and can never ping anyone or become a link. The only
``<...>`` this module emits are links the core itself wrote.

Slack's limits are kept here too: 3,000 characters per section, 50 blocks per
message and 100 per modal or home tab; anything longer is cut with a note saying
how much was left out, rather than failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from adapters.limits import split_lines

SECTION_LIMIT = 3_000
MESSAGE_BLOCK_LIMIT = 50
SURFACE_BLOCK_LIMIT = 100
#: Slack truncates long notification text; keep the fallback comfortably short.
FALLBACK_LIMIT = 3_000

Block = dict[str, Any]

_PARSER = MarkdownIt("commonmark")


def escape(text: str) -> str:
    """Text as Slack shows it literally: the three characters Slack parses, as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(markdown: str) -> str:
    """The core's Markdown as Slack mrkdwn."""
    return "\n".join(_Renderer(plain=False).render(_PARSER.parse(markdown)))


def to_plain_text(markdown: str) -> str:
    """The core's Markdown as plain text (for modal errors and ``plain_text`` fields)."""
    return "\n".join(_Renderer(plain=True).render(_PARSER.parse(markdown)))


def message(markdown: str) -> dict[str, Any]:
    """``text`` (the notification fallback) and ``blocks`` for a message or response."""
    mrkdwn = to_mrkdwn(markdown)
    return {"text": _cut(mrkdwn, FALLBACK_LIMIT), "blocks": sections(mrkdwn, MESSAGE_BLOCK_LIMIT)}


def sections(mrkdwn: str, max_blocks: int) -> list[Block]:
    """Section blocks holding ``mrkdwn`` within Slack's limits, the overflow summarised."""
    chunks = split_lines(mrkdwn, SECTION_LIMIT, _safe_cut)
    if len(chunks) <= max_blocks:
        return [section(chunk) for chunk in chunks]
    kept = chunks[: max_blocks - 1]
    left_out = sum(chunk.count("\n") + 1 for chunk in chunks[max_blocks - 1 :])
    return [*(section(chunk) for chunk in kept), context(f"… and {left_out:,} more lines")]


def fit(blocks: Sequence[Block], max_blocks: int) -> list[Block]:
    """At most ``max_blocks`` blocks, the last saying how many were left out."""
    if len(blocks) <= max_blocks:
        return list(blocks)
    return [*blocks[: max_blocks - 1], context(f"… and {len(blocks) - max_blocks + 1:,} more")]


def section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn}]}


def plain(text: str, limit: int) -> dict[str, Any]:
    """A ``plain_text`` object, cut to the field's limit."""
    return {"type": "plain_text", "text": _cut(text, limit), "emoji": True}


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = _safe_cut(text, limit - 1)
    return text[:cut] + "…"


def _safe_cut(text: str, limit: int) -> int:
    """A cut position at or before ``limit`` that does not split an ``&...;`` entity."""
    ampersand = text.rfind("&", max(0, limit - 5), limit)
    if ampersand != -1 and ";" not in text[ampersand:limit]:
        return ampersand
    return limit


class _Renderer:
    """Walks markdown-it's block tokens, keeping the quote and list prefixes of each line."""

    def __init__(self, *, plain: bool) -> None:
        self.plain = plain
        self.lines: list[str] = []
        self.quote_depth = 0
        self.lists: list[int | None] = []  # None: bullet list; int: next number
        self.item_prefix: str | None = None
        self.in_heading = False

    def render(self, tokens: Sequence[Token]) -> list[str]:
        for token in tokens:
            self._block(token)
        return self.lines

    def _block(self, token: Token) -> None:
        kind = token.type
        if kind == "blockquote_open":
            self.quote_depth += 1
        elif kind == "blockquote_close":
            self.quote_depth -= 1
        elif kind == "bullet_list_open":
            self.lists.append(None)
        elif kind == "ordered_list_open":
            self.lists.append(int(token.attrGet("start") or 1))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "list_item_open":
            number = self.lists[-1]
            self.item_prefix = "• " if number is None else f"{number}. "
            if number is not None:
                self.lists[-1] = number + 1
        elif kind == "heading_open":
            self.in_heading = True
        elif kind == "heading_close":
            self.in_heading = False
        elif kind == "inline":
            text = self._inline(token.children or [])
            self._emit(f"*{text}*" if self.in_heading and not self.plain else text)
        elif kind in ("code_block", "fence"):
            fence = "" if self.plain else "```"
            body = token.content.rstrip("\n")
            self._emit(f"{fence}{body if self.plain else escape(body)}{fence}")
        elif kind == "hr":
            self._emit("───")

    def _emit(self, text: str) -> None:
        quote = "" if self.plain else "> " * self.quote_depth
        indent = "   " * max(0, len(self.lists) - 1)
        for index, line in enumerate(text.split("\n")):
            if index == 0 and self.item_prefix is not None:
                prefix = indent + self.item_prefix
                self.item_prefix = None
            else:
                prefix = indent + ("   " if self.lists else "")
            self.lines.append(f"{quote}{prefix}{line}" if line or prefix else quote.rstrip())

    def _inline(self, children: Sequence[Token]) -> str:
        parts: list[str] = []
        link_stack: list[tuple[str, int]] = []
        for token in children:
            kind = token.type
            if kind == "text":
                parts.append(token.content if self.plain else escape(token.content))
            elif kind in ("softbreak", "hardbreak"):
                parts.append("\n")
            elif kind == "code_inline":
                content = token.content if self.plain else escape(token.content)
                parts.append(content if self.plain else f"`{content}`")
            elif kind in ("strong_open", "strong_close"):
                parts.append("" if self.plain else "*")
            elif kind in ("em_open", "em_close"):
                parts.append("" if self.plain else "_")
            elif kind == "html_inline":
                parts.append(token.content if self.plain else escape(token.content))
            elif kind == "link_open":
                link_stack.append((str(token.attrGet("href") or ""), len(parts)))
            elif kind == "link_close" and link_stack:
                href, start = link_stack.pop()
                label = "".join(parts[start:])
                del parts[start:]
                parts.append(label if self.plain else f"<{escape(href)}|{label}>")
            elif kind == "image":
                parts.append(token.content)
        return "".join(parts)
