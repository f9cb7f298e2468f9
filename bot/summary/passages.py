"""Candidate key points built the way a person reads notes: each line with the lines it belongs to.

A line of notes often means little alone. ``2. 모니터링`` is an item of a list,
``→ 지금 81%`` is the outcome of the line above, ``A. 4명 중 2명`` answers the
question before it, and ``. 노드 12만 대`` belongs to the heading above it that
names the system. From the marks people type (``bot.summary.note_lines.Mark``),
indentation and paragraph breaks, this module finds, per author:

- sections: a heading line followed by its marked or indented lines (or, for a
  bare heading such as ``결과``, by the lines up to the next paragraph);
- enumerations: runs of numbered items (or of short list items), shown as one
  point that names every item;
- continuations: a line starting with an arrow (``=>``, ``->``, ``ㄴ``) joined
  to the line it follows;
- questions with their answers.

Every candidate copies words as written and joins them with ``: ``, `` · `` or
the arrow the writer typed; it is at most ``POINT_LENGTH`` characters, or it is
not offered (a single line is cut by the caller instead). Which candidates win
is ``bot.summary.key_points``' job.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bot.summary.note_lines import POINT_LENGTH, Mark, NoteUnit
from bot.summary.salience import is_bare, is_filler, is_meta

#: A section (a heading's lines) or a list longer than this is not looked at further down.
_MOST_SECTION_LINES = 12
#: A heading longer than this is a sentence, not a heading.
_LONGEST_HEADING = 40
#: A list item at most this long is a list of names ("- 급가속", "- 모니터링"), not of statements.
_SHORT_ITEM = 25
#: Lines joined to a line that leads them with arrows, at most.
_MOST_CONTINUATIONS = 2
#: Lines of a section shown together in one point, at most, and the longest such line:
#: a few short lines of one thought, not a paragraph squeezed into a bullet.
_MOST_JOINED = 3
_LONGEST_JOINED = 80
_ITEM_SEPARATOR = " · "
#: The arrows a continuation is joined with as typed; other marks (``ㄴ``) join with ``→``.
_ITEM_MARKS = frozenset({Mark.NUMBER, Mark.BULLET})
#: How a numbered list starts again (``1.``, ``①``): a second list right after the first.
_FIRST_NUMBERS = frozenset({"1.", "1)", "①"})
_ARROWS = frozenset({"=>", "->", "→", "⇒", "➡"})
#: Where an item's head ends: a colon, a comma (not one inside ``1,400``) or a parenthesis.
_HEAD_END = re.compile(r"\s*:\s|,\s| \(")


@dataclass(frozen=True, slots=True)
class Passage:
    """A candidate point: the units whose facts it states, a heading for context, its text."""

    #: Indexes of the units it states, in note order.
    core: tuple[int, ...]
    #: The heading shown in front of it, when there is one (context, not a fact of its own).
    label: int | None
    #: The point as shown.
    text: str
    #: The text without the heading, for comparing what two points say.
    body: str
    #: Only the writer's remarks about the note-taking: offered only when nothing else is.
    meta: bool = False
    #: A list shown as one point: the talk's steps or causes, a kind of fact of its own.
    listed: bool = False


def passages(units: Sequence[NoteUnit]) -> list[Passage]:
    """Every candidate point of the notes, author by author (one person's lines form a text)."""
    by_author: dict[str, list[int]] = defaultdict(list)
    for index, unit in enumerate(units):
        by_author[unit.author].append(index)
    # People retype the same lines: each distinct text is looked at once.
    texts = {unit.text for unit in units}
    bare = {text: is_bare(text) for text in texts}
    meta = {text: is_meta(text) for text in texts}
    found: list[Passage] = []
    for stream in by_author.values():
        found.extend(_Stream(units, stream, bare, meta).passages())
    return found


class _Stream:
    """One author's units in order, read for their structure."""

    def __init__(
        self,
        units: Sequence[NoteUnit],
        stream: list[int],
        bare: dict[str, bool],
        meta: dict[str, bool],
    ) -> None:
        self.index = stream
        self.units = [units[index] for index in stream]
        count = len(self.units)
        self.bare = [bare[unit.text] for unit in self.units]
        #: A new thought starts here: a paragraph break, or another person's memo came between.
        self.breaks = [
            unit.after_break or (k > 0 and unit.memo_number - self.units[k - 1].memo_number > 1)
            for k, unit in enumerate(self.units)
        ]
        self.meta = [meta[unit.text] for unit in self.units]
        self.heading = [self._opens_section(k) if k + 1 < count else False for k in range(count)]
        #: position -> the position of its nearest heading
        self.label_of: dict[int, int] = {}
        #: heading position -> positions of its lines
        self.sections: dict[int, list[int]] = {}
        for k in range(count):
            if self.heading[k]:
                self.sections[k] = self._section(k)
                for child in self.sections[k]:
                    self.label_of[child] = k
        self.lists = self._lists()
        self.in_list = {item for items in self.lists for item in items}
        self.pairs = self._questions_and_answers()
        self.in_pair = {k for pair in self.pairs for k in pair}

    # ------------------------------------------------------------------ structure

    def _opens_section(self, k: int) -> bool:
        """A plain, short line whose next line is one of its items or sub-points."""
        line, next_line = self.units[k], self.units[k + 1]
        if line.mark is not Mark.NONE or line.indented or self.breaks[k + 1]:
            return False
        if len(line.text) > _LONGEST_HEADING or line.text.endswith("?") or self.meta[k]:
            return False
        if self._is_item(k + 1):
            return True
        return self.bare[k] and next_line.mark in (Mark.NONE, Mark.ARROW)

    def _is_item(self, k: int) -> bool:
        """Line ``k`` is marked as an item, a sub-point or a highlight of the line above."""
        line = self.units[k]
        return line.indented or line.mark in (Mark.BULLET, Mark.NUMBER, Mark.HIGHLIGHT)

    def _section(self, k: int) -> list[int]:
        bare = self.bare[k]
        lines: list[int] = []
        listed = False
        for j in range(k + 1, min(len(self.units), k + 1 + _MOST_SECTION_LINES)):
            line = self.units[j]
            if self.breaks[j] or line.mark in (Mark.QUESTION, Mark.ANSWER):
                break
            if bare:
                # A bare heading (``결과``) heads the plain lines after it, up to its list's end.
                plain = line.mark is Mark.NONE and not line.indented
                if plain and (self.heading[j] or listed):
                    break
                listed = listed or line.mark in (Mark.BULLET, Mark.NUMBER)
            elif not (self._is_item(j) or (lines and line.mark is Mark.ARROW)):
                break
            lines.append(j)
        return lines

    def _lists(self) -> list[list[int]]:
        """Runs of numbered items (sub-points between them allowed) and of short list items."""
        runs: list[list[int]] = []
        run: list[int] = []
        kind: Mark | None = None
        for k, line in enumerate(self.units):
            if line.indented and run:
                continue
            restarts = line.marker in _FIRST_NUMBERS
            if line.mark is kind and kind in _ITEM_MARKS and not (self.breaks[k] or restarts):
                run.append(k)
                continue
            runs.append(run)
            run, kind = ([k], line.mark) if line.mark in _ITEM_MARKS else ([], None)
        runs.append(run)
        return [
            items[:_MOST_SECTION_LINES]
            for items in runs
            if len(items) >= 2
            and (
                self.units[items[0]].mark is Mark.NUMBER
                or (len(items) >= 3 and all(len(self.units[k].text) <= _SHORT_ITEM for k in items))
            )
        ]

    def _questions_and_answers(self) -> list[tuple[int, int]]:
        pairs = []
        for k in range(len(self.units) - 1):
            question, answer = self.units[k], self.units[k + 1]
            asks = question.mark is Mark.QUESTION or (
                question.text.endswith("?") and question.mark in (Mark.NONE, Mark.BULLET)
            )
            if asks and answer.mark is Mark.ANSWER and not self.breaks[k + 1]:
                pairs.append((k, k + 1))
        return pairs

    # ------------------------------------------------------------------ candidates

    def passages(self) -> list[Passage]:
        found = [
            passage
            for k in range(len(self.units))
            if self._stands_alone(k)
            for passage in self._line(k)
        ]
        found.extend(self._continuations())
        found.extend(self._list_points())
        found.extend(self._section_points())
        found.extend(self._pair_points())
        return found

    def _stands_alone(self, k: int) -> bool:
        if k in self.in_pair or self.units[k].mark is Mark.ANSWER:
            return False
        return not (self.bare[k] and (self.heading[k] or k in self.in_list))

    def _line(self, k: int) -> list[Passage]:
        """The line, and the line after its heading when the heading names something."""
        text = self.units[k].text
        found = [self._passage((k,), None, text, text)]
        label = self.label_of.get(k)
        if label is not None and not self.bare[label]:
            with_label = f"{self._heading(label)}: {text}"
            if len(with_label) <= POINT_LENGTH:
                found.append(self._passage((k,), label, with_label, text))
        return found

    def _continuations(self) -> list[Passage]:
        """A line with the arrow lines that follow from it (``action items 34% → 지금 81%``)."""
        found = []
        for k, line in enumerate(self.units):
            if not self._stands_alone(k) or line.mark is Mark.ARROW or self.meta[k]:
                continue
            core, text = [k], line.text
            for j in range(k + 1, min(len(self.units), k + 1 + _MOST_CONTINUATIONS)):
                follower = self.units[j]
                if follower.mark is not Mark.ARROW or self.breaks[j]:
                    break
                arrow = follower.marker if follower.marker in _ARROWS else "→"
                joined = f"{text} {arrow} {follower.text}"
                if len(joined) > POINT_LENGTH:
                    break
                core.append(j)
                text = joined
            if len(core) > 1:
                found.append(self._passage(tuple(core), None, text, text))
        return found

    def _list_points(self) -> list[Passage]:
        """A list as one point naming its items: whole items when they fit, else their heads."""
        found = []
        for items in self.lists:
            label = self.label_of.get(items[0])
            texts = [self.units[k].text for k in items]
            for shown in (texts, [_head(text) for text in texts]):
                body = _ITEM_SEPARATOR.join(shown)
                text = f"{self._heading(label)}: {body}" if label is not None else body
                if len(text) <= POINT_LENGTH:
                    found.append(self._passage(tuple(items), label, text, body, listed=True))
                    break
        return found

    def _section_points(self) -> list[Passage]:
        """A heading with its few lines, when they fit in one point (``결론: A · B``)."""
        found = []
        for heading, lines in self.sections.items():
            shown = [
                k
                for k in lines
                if not self.units[k].indented
                and k not in self.in_list
                and not self.meta[k]
                and not is_filler(self.units[k])
            ]
            if any(len(self.units[k].text) > _LONGEST_JOINED for k in shown):
                continue
            if not 2 <= len(shown) <= _MOST_JOINED:
                continue
            body = _ITEM_SEPARATOR.join(self.units[k].text for k in shown)
            text = f"{self._heading(heading)}: {body}"
            if len(text) <= POINT_LENGTH:
                found.append(self._passage(tuple(shown), heading, text, body))
        return found

    def _pair_points(self) -> list[Passage]:
        found = []
        for question, answer in self.pairs:
            text = f"Q. {self.units[question].text} A. {self.units[answer].text}"
            found.append(self._passage((question, answer), None, text, text))
        return found

    def _heading(self, k: int) -> str:
        return self.units[k].text.rstrip(" :")

    def _passage(
        self,
        core: tuple[int, ...],
        label: int | None,
        text: str,
        body: str,
        *,
        listed: bool = False,
    ) -> Passage:
        return Passage(
            tuple(self.index[k] for k in core),
            None if label is None else self.index[label],
            text,
            body,
            all(self.meta[k] for k in core),
            listed,
        )


def _head(item: str) -> str:
    """An item's head: what comes before its first ``: ``, ``, `` or `` (``, else the item."""
    found = _HEAD_END.search(item)
    return item[: found.start()].strip() if found and found.start() > 0 else item
