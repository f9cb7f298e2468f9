"""The core's Markdown as Slack ``rich_text`` blocks: the one place Slack formatting happens.

The core writes CommonMark in which user text is already literal (escaped).
Slack's mrkdwn cannot be escaped that way: ``*bold*``, ``_it_``, ``~strike~``
and backticks in a note, or a display name like ``*Boss*``, would become
formatting. So replies are ``rich_text`` blocks, whose ``text`` elements Slack
shows exactly as written: the core's own emphasis, code and links become the
elements' ``style`` and ``link`` elements, and everything else is text. No
``<!channel>``, ``<@U123>``, ``@here`` or ``<https://evil|docs>`` in a ``text``
element can ping anyone or become a link; the only links are those the core
wrote. A ``:name:`` in text becomes an ``emoji`` element, which is how Slack
sends the emoji people pick (an unknown name shows as the text it was).

The Markdown is parsed with pyromark (pulldown-cmark, the CommonMark parser of
rustdoc and mdBook: 30 times faster than markdown-it-py on our replies, which
made parsing a sixth of a `/memo add`'s time in Slack).

Where Slack takes only strings (a message's notification ``text``, modal errors,
options) the reply is plain text; the notification text is sent with
``mrkdwn: false`` and ``&``, ``<``, ``>`` escaped, as Slack documents, so it is
not read as formatting or mentions either.

Slack's limits are kept here too: 3,000 characters of text per block, 50 blocks
per message and 100 per modal or home tab; anything longer is cut with a note
saying how much was left out, rather than failing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyromark

#: Characters of text in one block (Slack's limit for a section's text, kept for rich_text).
SECTION_LIMIT = 3_000
MESSAGE_BLOCK_LIMIT = 50
SURFACE_BLOCK_LIMIT = 100
#: Slack truncates long notification text; keep the fallback comfortably short.
FALLBACK_LIMIT = 3_000
#: What a thematic break (``---``) is shown as.
RULE = "───"

Block = dict[str, Any]
#: A rich text object (section, list, quote, preformatted) or an inline element in one.
Element = dict[str, Any]

#: How Slack writes an emoji in text: ``:fire:``, ``:+1::skin-tone-2:``. Not right after
#: or before a letter or digit, so times, ratios and ``<t:0:R>`` (``12:30:00``, ``1:2:3``)
#: stay text.
_EMOJI = re.compile(r"(?<![A-Za-z0-9]):([a-z0-9_+'-]+(?:::skin-tone-[2-6])?):(?![A-Za-z0-9])")


def escape(text: str) -> str:
    """Text as Slack shows it literally in mrkdwn: the three characters it parses, as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def message(markdown: str) -> dict[str, Any]:
    """``text`` (the notification fallback) and ``blocks`` for a message or response."""
    objects = _Builder().build(markdown)
    plain = _plain(objects)
    return {
        "text": _cut(escape(plain), FALLBACK_LIMIT),
        "mrkdwn": False,
        "blocks": _blocks(objects, MESSAGE_BLOCK_LIMIT, len(plain)),
    }


def surface_blocks(markdown: str, max_blocks: int = SURFACE_BLOCK_LIMIT) -> list[Block]:
    """The blocks of a modal or the home tab showing ``markdown``."""
    objects = _Builder().build(markdown)
    return _blocks(objects, max_blocks, len(_plain(objects)))


def to_plain_text(markdown: str) -> str:
    """The core's Markdown as plain text (for modal errors and ``plain_text`` fields)."""
    return _plain(_Builder().build(markdown))


def rich_text(objects: Sequence[Element]) -> Block:
    return {"type": "rich_text", "elements": list(objects)}


def section(elements: Sequence[Element]) -> Element:
    """A ``rich_text_section`` object: a run of inline elements."""
    return {"type": "rich_text_section", "elements": list(elements)}


def literal(value: str, **style: bool) -> list[Element]:
    """``value`` as inline elements, shown as written (``:name:`` as the emoji it names)."""
    elements: list[Element] = []
    _append_text(elements, value, style or None)
    return elements


def channel(channel_id: str) -> Element:
    return {"type": "channel", "channel_id": channel_id}


def context(value: str) -> Block:
    """A context block of plain text (shown as written; only emoji codes are read)."""
    return {"type": "context", "elements": [plain(value, SECTION_LIMIT)]}


def plain(value: str, limit: int) -> dict[str, Any]:
    """A ``plain_text`` object, cut to the field's limit."""
    return {"type": "plain_text", "text": _cut(value, limit), "emoji": True}


def fit(blocks: Sequence[Block], max_blocks: int) -> list[Block]:
    """At most ``max_blocks`` blocks, the last saying how many were left out."""
    if len(blocks) <= max_blocks:
        return list(blocks)
    return [*blocks[: max_blocks - 1], context(f"… and {len(blocks) - max_blocks + 1:,} more")]


def _cut(value: str, limit: int) -> str:
    if len(value) <= limit:
        return value
    cut = limit - 1
    ampersand = value.rfind("&", max(0, cut - 5), cut)
    if ampersand != -1 and ";" not in value[ampersand:cut]:
        cut = ampersand  # not inside an &amp; entity
    return value[:cut] + "…"


# Building the rich text objects


def _append_text(elements: list[Element], value: str, style: dict[str, bool] | None) -> None:
    """Add ``value`` with ``style``, merged into the last element when that has the same style."""
    if ":" in value and _EMOJI.search(value):
        position = 0
        for match in _EMOJI.finditer(value):
            _append_plain(elements, value[position : match.start()], style)
            elements.append({"type": "emoji", "name": match.group(1)})
            position = match.end()
        value = value[position:]
    _append_plain(elements, value, style)


def _append_plain(elements: list[Element], value: str, style: dict[str, bool] | None) -> None:
    if not value:
        return
    last = elements[-1] if elements else None
    if last is not None and last["type"] == "text" and last.get("style") == style:
        last["text"] += value
        return
    element: Element = {"type": "text", "text": value}
    if style:
        element["style"] = style
    elements.append(element)


@dataclass
class _List:
    """A Markdown list being read: Slack's lists do not nest, so each level is its own object."""

    style: str
    indent: int
    border: bool
    #: The number the next item would have (ordered lists); also counted for bullets.
    next_number: int
    items: list[Element] = field(default_factory=list)
    #: How many items came before the first one in ``items``.
    offset: int = 0

    def flush(self, objects: list[Element]) -> None:
        """Emit the items read so far as one ``rich_text_list``; later items start a new one."""
        if not self.items:
            return
        listed: Element = {"type": "rich_text_list", "style": self.style, "elements": self.items}
        if self.indent:
            listed["indent"] = self.indent
        if self.offset:
            listed["offset"] = self.offset
        if self.border:
            listed["border"] = 1
        objects.append(listed)
        self.items = []
        self.offset = self.next_number - 1 if self.style == "ordered" else 0


def _style_for(bold: bool, italic: bool, code: bool) -> dict[str, bool] | None:
    names = [name for name, on in (("bold", bold), ("italic", italic), ("code", code)) if on]
    return dict.fromkeys(names, True) or None


#: The style of text by (bold, italic, code): made once, shared by the elements (never changed).
_STYLES = {
    (bold, italic, code): _style_for(bold, italic, code)
    for bold in (False, True)
    for italic in (False, True)
    for code in (False, True)
}


class _Builder:
    """Walks pulldown-cmark's events into rich text objects.

    Inline content goes into the open *container*: the top-level section (where
    consecutive paragraphs are lines of one section), a quote, or a list item.
    Paragraphs inside a quote or an item are separated by a blank line. It runs
    on every reply, so the state it needs per text event is kept ready.
    """

    def __init__(self) -> None:
        self.objects: list[Element] = []
        self.container: list[Element] | None = None
        self.kind = "rich_text_section"  # of the open container: section, quote or item
        self.where = "rich_text_section"  # the kind of container text goes into now
        self.paragraphs = 0  # paragraphs in the container so far
        self.lists: list[_List] = []
        self.quote_depth = 0
        self.bold = 0
        self.italic = 0
        self.style: dict[str, bool] | None = None  # of plain text here
        self.links: list[str] = []
        self.code: str | None = None  # the text of the code block being read

    def build(self, markdown: str) -> list[Element]:
        for event in pyromark.events(markdown):
            if isinstance(event, str):
                self._marker(event)
                continue
            ((kind, value),) = event.items()
            if kind == "Text" and self.code is None and not self.links:
                container = self.container
                if container is None or self.kind != self.where:
                    container = self._open(self.where)
                _append_text(container, str(value), self.style)
            elif kind == "Start":
                if isinstance(value, str):
                    self._start(value, None)
                else:
                    self._start(*_tag(value))
            elif kind == "End":
                self._end(value if isinstance(value, str) else _tag(value)[0])
            elif not isinstance(value, str):
                continue  # no other event carries anything to show in our Markdown
            elif self.code is not None:
                self.code += value
            else:  # Text in a link, Code, InlineHtml, Html: shown as written
                self._inline(value, code=kind == "Code")
        self._close_container()
        return self.objects

    # Containers

    def _open(self, kind: str) -> list[Element]:
        if self.container is None or self.kind != kind:
            self._close_container()
            self.container, self.kind, self.paragraphs = [], kind, 0
        return self.container

    def _moved(self) -> None:
        """A list or quote began or ended: where text goes from now on."""
        if self.lists:
            self.where = "item"
        else:
            self.where = "rich_text_quote" if self.quote_depth else "rich_text_section"

    def _restyled(self) -> None:
        self.style = _STYLES[self.bold > 0, self.italic > 0, False]

    def _close_container(self) -> None:
        elements, self.container = self.container, None
        if not elements:
            return
        _strip_trailing_newlines(elements)
        if not elements:
            return
        if self.kind == "item":
            self.lists[-1].items.append(section(elements))
            return
        self.objects.append({"type": self.kind, "elements": elements})

    def _paragraph(self) -> None:
        """A paragraph starts: on a new line of the open container (blank line inside one)."""
        container = self._open(self.where)
        if self.paragraphs and container:
            _strip_trailing_newlines(container)
            _append_plain(container, "\n" if self.kind == "rich_text_section" else "\n\n", None)
        self.paragraphs += 1

    # Events

    def _marker(self, event: str) -> None:
        if event in ("SoftBreak", "HardBreak"):
            _append_plain(self._open(self.where), "\n", None)
        elif event == "Rule":
            self._paragraph()
            _append_plain(self._open(self.where), RULE, None)

    def _start(self, name: str, detail: Any) -> None:
        if name in ("Paragraph", "HtmlBlock"):
            self._paragraph()
        elif name in ("Strong", "Heading"):
            if name == "Heading":
                self._paragraph()
            self.bold += 1
            self._restyled()
        elif name == "Emphasis":
            self.italic += 1
            self._restyled()
        elif name == "BlockQuote":
            if not self.lists and not self.quote_depth:
                self._close_container()
            self.quote_depth += 1
            self._moved()
        elif name == "List":
            self._start_list(detail)
        elif name == "Item":
            self._close_container()
            self.lists[-1].next_number += 1
            self._open("item")
        elif name == "CodeBlock":
            self._close_container()
            self.code = ""
        elif name == "Link":
            self.links.append(str(detail["dest_url"]))

    def _end(self, name: str) -> None:
        if name in ("Strong", "Heading"):
            self.bold -= 1
            self._restyled()
        elif name == "Emphasis":
            self.italic -= 1
            self._restyled()
        elif name == "BlockQuote":
            self.quote_depth -= 1
            self._moved()
            if not self.lists and not self.quote_depth:
                self._close_container()
        elif name == "Item":
            self._close_container()
        elif name == "List":
            self._close_container()
            self.lists.pop().flush(self.objects)
            self._moved()
        elif name == "CodeBlock":
            self._code_block()
        elif name == "Link" and self.links:
            self.links.pop()

    def _start_list(self, start: int | None) -> None:
        self._close_container()
        if self.lists:
            self.lists[-1].flush(self.objects)  # the levels above continue after this one
        number = 1 if start is None else start
        self.lists.append(
            _List(
                style="bullet" if start is None else "ordered",
                indent=len(self.lists),
                border=self.quote_depth > 0,
                next_number=number,
                offset=max(0, number - 1),
            )
        )
        self._moved()

    def _code_block(self) -> None:
        body = (self.code or "").rstrip("\n")
        self.code = None
        if body:
            pre: Element = {
                "type": "rich_text_preformatted",
                "elements": [{"type": "text", "text": body}],
            }
            if self.quote_depth:
                pre["border"] = 1
            self.objects.append(pre)

    def _inline(self, value: str, *, code: bool) -> None:
        """Text with a style or a link of the core's own (plain text takes the fast path)."""
        container = self._open(self.where)
        style = _STYLES[self.bold > 0, self.italic > 0, code]
        if self.links:
            link: Element = {"type": "link", "url": self.links[-1], "text": value}
            if style:
                link["style"] = style
            container.append(link)
        elif code:
            container.append({"type": "text", "text": value, "style": style})
        else:
            _append_text(container, value, style)


def _strip_trailing_newlines(elements: list[Element]) -> None:
    while elements and elements[-1]["type"] == "text":
        stripped = elements[-1]["text"].rstrip("\n")
        if stripped:
            elements[-1]["text"] = stripped
            return
        elements.pop()


def _tag(tag: object) -> tuple[str, Any]:
    """A pulldown-cmark tag's name and detail: ``"Paragraph"`` or ``{"List": 3}``."""
    if isinstance(tag, dict):
        ((name, detail),) = tag.items()
        return str(name), detail
    return str(tag), None


# Text of the objects: the plain rendering, and sizes for Slack's limits


def _element_text(element: Element) -> str:
    kind = element["type"]
    if kind == "emoji":
        return f":{element['name']}:"
    if kind == "channel":
        return f"#{element['channel_id']}"
    if kind == "link":
        return str(element.get("text") or element["url"])
    return str(element.get("text", ""))


def _inline_text(elements: Sequence[Element]) -> str:
    return "".join(
        element["text"] if element["type"] == "text" else _element_text(element)
        for element in elements
    )


def _object_lines(obj: Element) -> Iterator[str]:
    if obj["type"] != "rich_text_list":
        yield _inline_text(obj["elements"])
        return
    indent = "   " * obj.get("indent", 0)
    number = obj.get("offset", 0)
    for item in obj["elements"]:
        number += 1
        marker = f"{number}. " if obj["style"] == "ordered" else "• "
        yield indent + marker + _inline_text(item["elements"]).replace("\n", "\n" + indent + "   ")


def _plain(objects: Sequence[Element]) -> str:
    return "\n".join(line for obj in objects for line in _object_lines(obj))


def _size(obj: Element) -> int:
    return sum(len(line) + 1 for line in _object_lines(obj))


# Blocks within Slack's limits


def _blocks(objects: Sequence[Element], max_blocks: int, length: int) -> list[Block]:
    """The objects in ``rich_text`` blocks of at most ``SECTION_LIMIT`` characters each.

    ``length`` is the length of the objects' plain text: most replies fit one block.
    """
    if not objects:
        return []
    if length < SECTION_LIMIT:
        return [rich_text(objects)]
    groups: list[list[Element]] = []
    size = SECTION_LIMIT
    for piece in _pieces(objects):
        piece_size = _size(piece)
        if size + piece_size > SECTION_LIMIT:
            groups.append([])
            size = 0
        groups[-1].append(piece)
        size += piece_size
    if len(groups) <= max_blocks:
        return [rich_text(group) for group in groups]
    left_out = sum(
        line.count("\n") + 1
        for group in groups[max_blocks - 1 :]
        for obj in group
        for line in _object_lines(obj)
    )
    kept = [rich_text(group) for group in groups[: max_blocks - 1]]
    return [*kept, context(f"… and {left_out:,} more lines")]


def _pieces(objects: Sequence[Element]) -> Iterator[Element]:
    """The objects, each one too long for a block cut into pieces that fit."""
    for obj in objects:
        if _size(obj) <= SECTION_LIMIT:
            yield obj
        elif obj["type"] == "rich_text_list":
            yield from _list_pieces(obj)
        else:
            for elements in _cut_elements(obj["elements"], SECTION_LIMIT - 1):
                yield {**obj, "elements": elements}


#: Room for a list item's indent and marker ("   " per level, "999. ") in a block's text.
_ITEM_ROOM = 100


def _list_pieces(listed: Element) -> Iterator[Element]:
    """A long list as shorter lists; an item too long on its own goes on as sections."""
    number = listed.get("offset", 0)  # items before the next one
    first, items, size = number, list[Element](), 0
    for item in listed["elements"]:
        item_size = len(_inline_text(item["elements"])) + _ITEM_ROOM
        if items and size + item_size > SECTION_LIMIT:
            yield _part(listed, items, first)
            first, items, size = number, [], 0
        number += 1
        if item_size <= SECTION_LIMIT:
            items.append(item)
            size += item_size
            continue
        head, *rest = _cut_elements(item["elements"], SECTION_LIMIT - _ITEM_ROOM)
        yield _part(listed, [section(head)], first)
        yield from (section(elements) for elements in rest)
        first = number
    if items:
        yield _part(listed, items, first)


def _part(listed: Element, items: list[Element], first: int) -> Element:
    """Some of a list's items, numbered on from the ``first`` items before them."""
    part = {key: value for key, value in listed.items() if key != "offset"}
    part["elements"] = items
    if listed["style"] == "ordered" and first:
        part["offset"] = first
    return part


def _cut_elements(elements: Sequence[Element], limit: int) -> Iterator[list[Element]]:
    """Inline elements in runs of at most ``limit`` characters, text cut where needed."""
    run: list[Element] = []
    size = 0
    for element in elements:
        value = _element_text(element)
        if element["type"] in ("text", "link"):
            while size + len(value) > limit:
                room = limit - size
                run.append({**element, "text": value[:room]})
                value = value[room:]
                yield run
                run, size = [], 0
            if value:
                run.append({**element, "text": value})
                size += len(value)
            continue
        if run and size + len(value) > limit:
            yield run
            run, size = [], 0
        run.append(element)
        size += len(value)
    if run:
        yield run
