"""Replies and digest posts as the console prints them: rendered at a terminal, Markdown in a pipe.

At a terminal, rich renders the core's Markdown (bold, lists, quotes, no visible
escapes). The core writes every line break to be seen as one, the way Slack and
Discord show them, so two things are made explicit for CommonMark first:

- a single line break is a hard break (CommonMark would join the lines);
- a line after a list or a quote that is neither (a footer, ``_3 more._``)
  starts a block of its own; CommonMark would join it to the last item.

Links show their address next to their text (``text (https://…)``): terminals
that cannot show hyperlinks would hide it, and a link's text alone may lie.

Piped, the Markdown is printed as it is, each message followed by a blank line,
so scripts and tests read exactly what the core wrote.
"""

from __future__ import annotations

import re
from typing import TextIO

from rich.console import Console as RichConsole
from rich.markdown import Markdown

#: A list item (``- x``, ``* x``, ``1. x``, ``2) x``) or a line indented under one.
_LIST_LINE = re.compile(r"^(?:\s{0,3}(?:[-*+]|\d{1,9}[.)])(?:\s|$)|\s+\S)")
_QUOTE_LINE = re.compile(r"^\s{0,3}>")
_FENCE = re.compile(r"^\s{0,3}(?:```|~~~)")


def for_terminal(markdown: str) -> str:
    """The core's Markdown with its line breaks as CommonMark needs them to show as written."""
    lines: list[str] = []
    previous = "blank"
    in_fence = False
    for line in markdown.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        kind = _kind(line) if not in_fence else "code"
        if kind == "text" and previous in ("list", "quote"):
            lines.append("")  # a footer after a list or quote is its own paragraph
        elif kind != "blank" and previous not in ("blank", "code") and lines and kind != "code":
            lines[-1] += "  "  # a hard line break: the core's line break is one
        lines.append(line)
        previous = kind
    return "\n".join(lines)


def _kind(line: str) -> str:
    if not line.strip():
        return "blank"
    if _QUOTE_LINE.match(line):
        return "quote"
    if _LIST_LINE.match(line):
        return "list"
    return "text"


def rendered(markdown: str) -> Markdown:
    """The Markdown as rich shows it at a terminal."""
    return Markdown(for_terminal(markdown), hyperlinks=False)


def show(out: TextIO, markdown: str) -> None:
    """Print one reply or post: rendered at a terminal, else its Markdown and a blank line."""
    if out.isatty():
        RichConsole(file=out).print(rendered(markdown))
    else:
        out.write(markdown + "\n\n")
    out.flush()
