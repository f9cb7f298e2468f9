"""Note posts: the blog-style files people already keep, parsed into posts and sessions.

People arrive with one post per conference day: a date line, a title line, a
few intro lines, then each session as a whole-line ``[Title]`` (or ``(Title)``)
header followed by its notes, sessions separated by a line of ``ㅡ`` or ``-``.
This module turns such a text (or the Markdown our export writes, with
``## [Title]`` headers, ``### author`` sub-headings and CommonMark escapes) into
plain values, with no I/O, so the importer, the exporter's round-trip tests and
``--dry-run`` all read files the same way.

Lines are kept exactly as written (markers, inner spacing, non-breaking spaces,
URLs); only line ends are normalised, and blank lines at a block's ends are
trimmed (inner ones stay, as paragraph breaks).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

from bot.i18n import _

#: Header brackets: the opening character and the one that must end the line.
_CLOSING = {"[": "]", "(": ")"}
_LINE_END = re.compile(r"\r\n|\r|\n")
#: A separator between sessions: a run of one of these characters, nothing else.
_SEPARATOR = re.compile(r"^\s*(?:ㅡ{3,}|-{3,}|─{3,}|={3,}|_{3,}|\*{3,})\s*$")
#: The leading whitespace our Markdown export writes: an indent's spaces as non-breaking spaces
#: (``&nbsp;`` at a paragraph's start), anything else as numeric references.
_INDENT = re.compile(r"^(?:\u00a0|&nbsp;|&#[0-9]{1,7};|&#[xX][0-9a-fA-F]{1,6};)+")
#: A Markdown ATX heading: its level and text.
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
#: A CommonMark backslash escape or character reference, undone in Markdown files.
_ESCAPE = re.compile(
    r"\\([!-/:-@\[-`{-~])|&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)

_WEEKDAYS_KO = "월화수목금토일"
_WEEKDAYS_EN = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS_EN = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_KO_WEEKDAY = rf"(?:[{_WEEKDAYS_KO}]요일|\(?[{_WEEKDAYS_KO}]\)?)"
#: Japanese (月曜日, (木)) and Chinese (星期四, 周四, 週四) weekdays, Monday first.
_WEEKDAYS_JA = "月火水木金土日"
_WEEKDAYS_ZH = "一二三四五六日"
_CJK_WEEKDAY = (
    rf"(?:[{_WEEKDAYS_JA}]曜日?|[(（][{_WEEKDAYS_JA}][)）]|(?:星期|周|週)[{_WEEKDAYS_ZH}天])"
)
_EN_WEEKDAY = r"(?:[A-Za-z]{3,9}\.?,?)"
_EN_MONTH = r"(?P<month_name>[A-Za-z]{3,9})\.?"
#: The date-line forms people write, all as whole lines (a trailing weekday optional).
_DATE_FORMS = (
    # 2019년 10월 31일 목요일, 2019년 10월 31일 (목)
    re.compile(
        rf"^(?P<year>\d{{4}})\s*년\s*(?P<month>\d{{1,2}})\s*월\s*(?P<day>\d{{1,2}})\s*일"
        rf"(?:\s*,?\s*(?P<weekday_ko>{_KO_WEEKDAY}))?$"
    ),
    # 2025年9月25日 木曜日, 2025年9月25日（木）, 2025年9月25日 星期四
    re.compile(
        r"^(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日"
        rf"(?:\s*,?\s*(?P<weekday_cjk>{_CJK_WEEKDAY}))?$"
    ),
    # 2025-08-16, 2025.08.16, 2025/8/16, 2025. 8. 16. (목)
    re.compile(
        rf"^(?P<year>\d{{4}})\s*([-./])\s*(?P<month>\d{{1,2}})\s*\2\s*(?P<day>\d{{1,2}})\.?"
        rf"(?:\s*,?\s*(?:(?P<weekday_ko>{_KO_WEEKDAY})|(?P<weekday_en>[A-Za-z]{{3,9}})))?$"
    ),
    # Saturday, September 6, 2025 / Sep 6, 2025 / September 6th, 2025
    re.compile(
        rf"^(?:(?P<weekday_en>{_EN_WEEKDAY})\s+)?{_EN_MONTH}\s+(?P<day>\d{{1,2}})"
        r"(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})$"
    ),
    # Saturday, 6 September 2025 / 6 Sep 2025
    re.compile(
        rf"^(?:(?P<weekday_en>{_EN_WEEKDAY})\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+"
        rf"{_EN_MONTH},?\s+(?P<year>\d{{4}})$"
    ),
)

#: No date form is longer than this (``Wednesday, September 30th, 2025`` is 31).
_LONGEST_DATE_LINE = 40
_YEAR = re.compile(r"\d{4}")


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """Something in the file the parser placed by a guess or could not place at all."""

    line_number: int
    message: str


@dataclass(frozen=True, slots=True)
class NoteBlock:
    """The notes one person wrote under a session: becomes one memo.

    Plain note posts have one block per session with no author (the importer's);
    our Markdown export names each memo's author in a ``### name`` sub-heading.
    """

    author: str | None
    lines: tuple[str, ...]
    line_number: int

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True, slots=True)
class Session:
    """A ``[Title]`` (or ``(Title)``) header and the notes under it."""

    title: str
    bracket: str
    line_number: int
    blocks: tuple[NoteBlock, ...]
    #: Note lines with something on them (blank paragraph breaks not counted).
    note_line_count: int

    @property
    def lines(self) -> tuple[str, ...]:
        """Every note line of the session, blocks joined by a blank line."""
        joined: list[str] = []
        for block in self.blocks:
            if joined:
                joined.append("")
            joined.extend(block.lines)
        return tuple(joined)


@dataclass(frozen=True, slots=True)
class Post:
    """One day's post: its date, title line, untitled notes and sessions, in file order."""

    date: date
    title: str
    notes: tuple[str, ...]
    sessions: tuple[Session, ...]
    line_number: int


@dataclass(frozen=True, slots=True)
class ParsedFile:
    posts: tuple[Post, ...]
    warnings: tuple[ParseWarning, ...]
    #: The file was our Markdown export (``## [Title]`` headers): escapes were undone.
    markdown: bool

    @property
    def session_count(self) -> int:
        return sum(len(post.sessions) for post in self.posts)

    @property
    def line_count(self) -> int:
        """Note lines placed in sessions or posts (blank lines not counted)."""
        return sum(
            sum(session.note_line_count for session in post.sessions)
            + sum(1 for line in post.notes if line.strip())
            for post in self.posts
        )


def split_lines(text: str) -> list[str]:
    """The text's lines, for LF, CRLF and CR line ends alike, without a leading BOM."""
    lines = _LINE_END.split(text.removeprefix("\ufeff"))
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def parse_date_line(line: str) -> tuple[date, bool] | None:
    """The date a whole line states, and whether its weekday (if any) agrees; else None."""
    stripped = line.strip()
    if len(stripped) > _LONGEST_DATE_LINE or _YEAR.search(stripped) is None:
        return None  # most lines: one cheap check instead of every form
    for form in _DATE_FORMS:
        match = form.match(stripped)
        if match is None:
            continue
        parts = match.groupdict()
        month = int(parts["month"]) if parts.get("month") else _month_number(parts["month_name"])
        if month is None:
            continue
        try:
            day = date(int(parts["year"]), month, int(parts["day"]))
        except ValueError:
            continue
        weekdays = (parts.get("weekday_ko"), parts.get("weekday_en"), parts.get("weekday_cjk"))
        return day, _weekday_agrees(day, *weekdays)
    return None


def _month_number(name: str | None) -> int | None:
    """January is 1; an abbreviation of three letters or more counts (``Sep``, ``Sept``)."""
    if name is None:
        return None
    lowered = name.lower()
    for number, month in enumerate(_MONTHS_EN, start=1):
        if month.startswith(lowered):
            return number
    return None


def _weekday_agrees(
    day: date, korean: str | None, english: str | None, cjk: str | None = None
) -> bool:
    if korean:
        return _WEEKDAYS_KO[day.weekday()] in korean
    if english:
        return english.rstrip(".,").lower()[:3] == _WEEKDAYS_EN[day.weekday()]
    if cjk:
        chinese = cjk[-1] if cjk[-1] != "天" else "日"
        if cjk.startswith(("星期", "周", "週")):
            return _WEEKDAYS_ZH[day.weekday()] == chinese
        return _WEEKDAYS_JA[day.weekday()] == cjk.strip("(（)）")[0]
    return True


def looks_like_structure(line: str) -> bool:
    """Whether the line, unescaped, would be read as a date line or a session separator."""
    return _SEPARATOR.match(line) is not None or parse_date_line(line) is not None


def header_title(line: str) -> tuple[str, str] | None:
    """(title, bracket) when the line is a whole ``[Title]`` or ``(Title)`` header."""
    stripped = line.strip()
    if len(stripped) < 3 or stripped[0] not in _CLOSING:
        return None
    if stripped[-1] != _CLOSING[stripped[0]]:
        return None
    title = stripped[1:-1].strip()
    return (title, stripped[0]) if title else None


def _closes_early(line: str) -> bool:
    """The header's first bracket is closed before the line ends: ``[참고] ... [2부]``."""
    stripped = line.strip()
    opening, closing = stripped[0], _CLOSING[stripped[0]]
    depth = 0
    for index, char in enumerate(stripped):
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return index != len(stripped) - 1
    return False


def unescape_markdown(text: str) -> str:
    """Undo CommonMark backslash escapes and character references (``\\#``, ``&#32;``)."""
    return _ESCAPE.sub(lambda match: match.group(1) or html.unescape(match.group(0)), text)


def _indent_as_spaces(match: re.Match[str]) -> str:
    """A Markdown line's indent: its non-breaking spaces are spaces (a real one is ``&#160;``)."""
    return match.group().replace("\u00a0", " ").replace("&nbsp;", " ")


def parse_posts(text: str, *, markdown: bool | None = None) -> ParsedFile:
    """Posts (newest first, as in the file) with their sessions, and what could not be placed.

    ``markdown`` None means: detect our Markdown export by its ``## [Title]``
    headers. Lines before the first date line belong to no post and are warned about.
    """
    lines = split_lines(text)
    if markdown is None:
        markdown = any(_is_markdown_session_header(line) for line in lines)
    return _Parser(markdown).run(lines)


def _is_markdown_session_header(line: str) -> bool:
    if "#" not in line[:4]:
        return False  # most lines, without the regular expression
    heading = _markdown_header(line)
    return heading is not None and header_title(unescape_markdown(heading[1])) is not None


def _markdown_header(line: str) -> tuple[int, str] | None:
    match = _HEADING.match(line)
    return (len(match.group(1)), match.group(2)) if match else None


class _Parser:
    """A single pass over the lines, building the current post, session and block."""

    def __init__(self, markdown: bool) -> None:
        self.markdown = markdown
        self.posts: list[Post] = []
        self.warnings: list[ParseWarning] = []
        self.post: _PostBuilder | None = None

    def run(self, lines: list[str]) -> ParsedFile:
        awaiting_title = False
        for number, raw in enumerate(lines, start=1):
            line, heading, structural = self._content(raw)
            if not line.strip():
                if self.post is not None:
                    self.post.add_line("")
                continue
            parsed_date = parse_date_line(line) if structural else None
            if parsed_date is not None:
                self._start_post(parsed_date, number)
                awaiting_title = True
                continue
            if self.post is None:
                self.warnings.append(
                    ParseWarning(number, _("line before any date line, not imported"))
                )
                continue
            if awaiting_title:
                awaiting_title = False
                if header_title(line) is None and not _SEPARATOR.match(line):
                    self.post.title = line.strip()
                    continue
                self.warnings.append(ParseWarning(number, _("post has no title line")))
            self._place(raw, line, heading, number, structural=structural)
        self._finish_post()
        return ParsedFile(tuple(self.posts), tuple(self.warnings), self.markdown)

    def _content(self, raw: str) -> tuple[str, int, bool]:
        """The line's text (heading marks removed, escapes undone in Markdown), its heading
        level, and whether it may be a date line or a separator.

        In Markdown an escaped line is always text: that is how an export keeps a note
        that reads like a date (``2025&#45;09&#45;25``) or a separator (``\\---``) a note.
        """
        if not self.markdown:
            return raw, 0, True
        heading = _markdown_header(raw)
        if heading is not None:
            return unescape_markdown(heading[1]), heading[0], True
        # A line break at the end: two spaces (our export) or an odd run of backslashes
        # (earlier exports). Trailing whitespace of a note is written as references.
        body = raw.rstrip(" ")
        trailing = len(body) - len(body.rstrip("\\"))
        body = body[:-1] if trailing % 2 else body
        text = unescape_markdown(_INDENT.sub(_indent_as_spaces, body, count=1))
        return text, 0, text == body

    def _start_post(self, parsed: tuple[date, bool], number: int) -> None:
        self._finish_post()
        day, weekday_agrees = parsed
        if not weekday_agrees:
            self.warnings.append(
                ParseWarning(
                    number,
                    _("the weekday does not match %(day)s; date kept") % {"day": day.isoformat()},
                )
            )
        self.post = _PostBuilder(day, number)

    def _place(self, raw: str, line: str, heading: int, number: int, *, structural: bool) -> None:
        assert self.post is not None
        if structural and not heading and _SEPARATOR.match(line):
            self.post.end_session()
            return
        header = header_title(line)
        if header is not None and (not self.markdown or heading):
            if _closes_early(line):
                self.warnings.append(
                    ParseWarning(
                        number,
                        _("read as a session header, check it: %(line)s") % {"line": line.strip()},
                    )
                )
            self.post.start_session(header[0], header[1], number)
            return
        if self.markdown and heading >= 3 and self.post.session is not None:
            self.post.start_block(line.strip(), number)
            return
        self.post.add_line(line if not heading else raw)

    def _finish_post(self) -> None:
        if self.post is None:
            return
        post, warnings = self.post.build()
        self.posts.append(post)
        self.warnings.extend(warnings)
        self.post = None


class _PostBuilder:
    def __init__(self, day: date, line_number: int) -> None:
        self.day = day
        self.line_number = line_number
        self.title = ""
        self.notes: list[str] = []
        self.sessions: list[Session] = []
        self.session: _SessionBuilder | None = None
        self.warnings: list[ParseWarning] = []

    def add_line(self, line: str) -> None:
        if self.session is not None:
            self.session.add_line(line)
        else:
            self.notes.append(line)

    def start_session(self, title: str, bracket: str, number: int) -> None:
        self.end_session()
        self.session = _SessionBuilder(title, bracket, number)

    def start_block(self, author: str, number: int) -> None:
        assert self.session is not None
        self.session.start_block(author, number)

    def end_session(self) -> None:
        if self.session is None:
            return
        session = self.session.build()
        if session.blocks:
            self.sessions.append(session)
        else:
            self.warnings.append(
                ParseWarning(
                    session.line_number,
                    _("session has no notes, skipped: %(session)s") % {"session": session.title},
                )
            )
        self.session = None
        # Notes after a separator and before the next header belong to the post again.
        if self.notes and self.notes[-1] != "":
            self.notes.append("")

    def build(self) -> tuple[Post, list[ParseWarning]]:
        self.end_session()
        return (
            Post(
                self.day, self.title, _trimmed(self.notes), tuple(self.sessions), self.line_number
            ),
            self.warnings,
        )


class _SessionBuilder:
    def __init__(self, title: str, bracket: str, line_number: int) -> None:
        self.title = title
        self.bracket = bracket
        self.line_number = line_number
        self.blocks: list[tuple[str | None, int, list[str]]] = [(None, line_number, [])]

    def add_line(self, line: str) -> None:
        self.blocks[-1][2].append(line)

    def start_block(self, author: str, number: int) -> None:
        if self.blocks[-1][0] is None and not _trimmed(self.blocks[-1][2]):
            self.blocks.pop()
        self.blocks.append((author, number, []))

    def build(self) -> Session:
        blocks = tuple(
            NoteBlock(author, lines, number)
            for author, number, raw_lines in self.blocks
            if (lines := _trimmed(raw_lines))
        )
        count = sum(1 for block in blocks for line in block.lines if line)
        return Session(self.title, self.bracket, self.line_number, blocks, count)


def _trimmed(lines: list[str]) -> tuple[str, ...]:
    """The lines without blank ones at either end; runs of inner blank lines made one."""
    kept: list[str] = []
    for line in lines:
        blank = not line.strip()
        if blank and (not kept or kept[-1] == ""):
            continue
        kept.append("" if blank else line)
    while kept and kept[-1] == "":
        kept.pop()
    return tuple(kept)
