"""The core's Markdown as Slack mrkdwn in Block Kit: the one place Slack formatting happens.

The core writes CommonMark in which user text is already literal (escaped).
This module parses it with pyromark (pulldown-cmark, the CommonMark parser of
rustdoc and mdBook: 30 times faster than markdown-it-py on our replies, which
made parsing a sixth of a `/memo add`'s time in Slack) and writes mrkdwn.
Every piece of text is escaped for Slack (``&``, ``<``, ``>``), so a memo
containing ``<!channel>``, ``<@U123>`` or ``<https://evil|docs>`` is shown as
those characters and can never ping anyone or become a link. The only ``<...>``
this module emits are links the core itself wrote.

Slack's limits are kept here too: 3,000 characters per section, 50 blocks per
message and 100 per modal or home tab; anything longer is cut with a note saying
how much was left out, rather than failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyromark

from adapters.limits import split_lines

SECTION_LIMIT = 3_000
MESSAGE_BLOCK_LIMIT = 50
SURFACE_BLOCK_LIMIT = 100
#: Slack truncates long notification text; keep the fallback comfortably short.
FALLBACK_LIMIT = 3_000

Block = dict[str, Any]


def escape(text: str) -> str:
    """Text as Slack shows it literally: the three characters Slack parses, as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(markdown: str) -> str:
    """The core's Markdown as Slack mrkdwn."""
    return "\n".join(_Renderer(plain=False).render(markdown))


def to_plain_text(markdown: str) -> str:
    """The core's Markdown as plain text (for modal errors and ``plain_text`` fields)."""
    return "\n".join(_Renderer(plain=True).render(markdown))


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


#: Block tags that end the inline text gathered so far (a tight list item's text before them).
_BLOCKS = frozenset({"Paragraph", "Heading", "BlockQuote", "List", "CodeBlock", "HtmlBlock"})


class _Renderer:
    """Walks pulldown-cmark's events, keeping the quote and list prefixes of each line."""

    def __init__(self, *, plain: bool) -> None:
        self.plain = plain
        self.lines: list[str] = []
        self.quote_depth = 0
        self.lists: list[int | None] = []  # None: bullet list; int: next number
        self.item_prefix: str | None = None
        self.in_heading = False
        self.code: str | None = None  # the text of the code block being read
        self.parts: list[str] = []  # inline text of the current block, rendered
        self.links: list[tuple[str, int]] = []  # (href, index in parts where its label starts)

    def render(self, markdown: str) -> list[str]:
        for event in pyromark.events(markdown):
            if isinstance(event, str):
                self._marker(event)
                continue
            ((kind, value),) = event.items()
            if kind == "Start":
                self._start(*_tag(value))
            elif kind == "End":
                self._end(_tag(value)[0])
            elif not isinstance(value, str):
                continue  # no other event carries anything to show in our Markdown
            elif kind == "Text" and self.code is not None:
                self.code += value
            elif kind == "Code":
                self.parts.append(self._text(value) if self.plain else f"`{self._text(value)}`")
            else:  # Text, InlineHtml, Html: shown as written
                self.parts.append(self._text(value))
        self._flush()
        return self.lines

    def _marker(self, event: str) -> None:
        if event in ("SoftBreak", "HardBreak"):
            self.parts.append("\n")
        elif event == "Rule":
            self._flush()
            self._emit("───")

    def _start(self, name: str, detail: Any) -> None:
        if name in _BLOCKS:
            self._flush()
        if name == "BlockQuote":
            self.quote_depth += 1
        elif name == "List":
            self.lists.append(detail)
        elif name == "Item":
            number = self.lists[-1]
            self.item_prefix = "• " if number is None else f"{number}. "
            if number is not None:
                self.lists[-1] = number + 1
        elif name == "Heading":
            self.in_heading = True
        elif name == "CodeBlock":
            self.code = ""
        elif name in ("Strong", "Emphasis"):
            self.parts.append(self._style(name))
        elif name == "Link":
            self.links.append((str(detail["dest_url"]), len(self.parts)))

    def _end(self, name: str) -> None:
        if name in ("Paragraph", "Heading", "HtmlBlock", "Item"):
            self._flush()
            self.in_heading = False
        elif name == "BlockQuote":
            self._flush()
            self.quote_depth -= 1
        elif name == "List":
            self._flush()
            self.lists.pop()
        elif name == "CodeBlock":
            body = (self.code or "").rstrip("\n")
            self.code = None
            self._emit(body if self.plain else f"```{escape(body)}```")
        elif name in ("Strong", "Emphasis"):
            self.parts.append(self._style(name))
        elif name == "Link" and self.links:
            href, start = self.links.pop()
            label = "".join(self.parts[start:])
            del self.parts[start:]
            self.parts.append(label if self.plain else f"<{escape(href)}|{label}>")

    def _flush(self) -> None:
        """Emit the inline text gathered for the block that just ended."""
        if not self.parts:
            return
        text = "".join(self.parts).rstrip("\n")
        self.parts.clear()
        self._emit(f"*{text}*" if self.in_heading and not self.plain else text)

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

    def _text(self, text: str) -> str:
        return text if self.plain else escape(text)

    def _style(self, name: str) -> str:
        if self.plain:
            return ""
        return "*" if name == "Strong" else "_"


def _tag(tag: object) -> tuple[str, Any]:
    """A pulldown-cmark tag's name and detail: ``"Paragraph"`` or ``{"List": 3}``."""
    if isinstance(tag, dict):
        ((name, detail),) = tag.items()
        return str(name), detail
    return str(tag), None
