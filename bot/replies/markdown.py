"""Putting user text into the core's Markdown so it stays text.

Replies are Markdown, and memo text is typed by people. A memo that contains
``[site](https://evil.example)``, ``**`` or a line starting with ``> `` must show
those characters, not become a disguised link or a quote. ``escape`` backslash-
escapes exactly the characters that could start Markdown syntax (CommonMark,
plus Discord's ``||`` spoilers and ``~~``), and leaves the rest alone so notes
stay readable where Markdown is shown raw (the console).

Mentions (``@everyone``, Slack's ``<!channel>``) are a platform matter: the
``<`` is escaped here, and each adapter also disables mentions its own way.
"""

from __future__ import annotations

import re

# Anywhere in a line: characters that open code, emphasis, HTML/autolinks,
# strikethrough and spoilers; a backslash, so it cannot escape what we add.
_ALWAYS = re.compile(r"[\\`*<~|]")
# `_` opens emphasis only at a word edge; inside snake_case it is plain.
_UNDERSCORE_AT_EDGE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
# `]` closes link text only when `(`, `[` or `:` follows it.
_LINK_CLOSE = re.compile(r"\](?=[(\[:])")
# `&name;` and `&#123;` would be decoded as character references.
_ENTITY = re.compile(r"&(?=#?\w+;)")
# At the start of a line: headings, quotes, list items, thematic breaks, setext underlines.
_LINE_START = re.compile(r"^([ \t]*)([#>+=-]|\d+(?=[.)]))", re.MULTILINE)
# A line's leading spaces.
_INDENT = re.compile(r"^ +", re.MULTILINE)
# Anything any rule above could act on; most titles and names have none of it.
_MAY_NEED_ESCAPING = re.compile(r"[\\`*<~|_\]&]|^[ \t]*(?:[#>+=-]|\d+[.)])", re.MULTILINE)


def escape(text: str) -> str:
    """``text`` as literal Markdown: renders as exactly these characters."""
    if _MAY_NEED_ESCAPING.search(text) is None:
        return text  # one scan instead of five substitutions, on every reply's title and name
    text = _ALWAYS.sub(r"\\\g<0>", text)
    text = _UNDERSCORE_AT_EDGE.sub(r"\\_", text)
    text = _LINK_CLOSE.sub(r"\\]", text)
    text = _ENTITY.sub(r"\\&", text)
    return _LINE_START.sub(_escape_line_start, text)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    if marker.isdigit():
        # "1." starts a list; escaping the dot (added below) is what CommonMark needs.
        return f"{indent}{marker}\\"
    return f"{indent}\\{marker}"


def note(text: str) -> str:
    """A whole note (every line of it) as literal Markdown that keeps each line's indent.

    Renderers strip a line's leading spaces, which flattens a note's sub-points
    (``  - detail``) into the line above; non-breaking spaces stay. Only for whole
    texts: a piece of a line (a search snippet) has no indent of its own.
    """
    return _INDENT.sub(lambda indent: "\u00a0" * len(indent.group()), escape(text))


def bold(text: str) -> str:
    return f"**{escape(text)}**"


def title(text: str) -> str:
    """A session title the way notes write it: ``[Title]``."""
    return f"[{escape(text)}]"


def link(text: str, url: str) -> str:
    """A link of the bot's own (a URL the platform gave it, never a user's): ``[text](url)``,
    with the characters that would end the URL early percent-encoded."""
    safe_url = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{escape(text)}]({safe_url})"


def indent_continuation(text: str, prefix: str = "  ") -> str:
    """Indent every line after the first, to keep multi-line text inside a list item."""
    return text.replace("\n", "\n" + prefix)


def quote(text: str) -> str:
    """Each line of ``text`` as a Markdown block quote line."""
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))


def file_name(name: str) -> str:
    """A file's name (an upload's, as the person or their platform gave it) as text on one
    line: whitespace runs, newlines too, become one space, and Markdown is escaped."""
    return escape(" ".join(name.split()))
