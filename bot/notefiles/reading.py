"""Reading an import's file before anything is stored: decoded, parsed, checked.

What comes out is what the importer stores: one post per conference day (two
posts of one day in a file are one), within bounds that keep every memo and
the channel's show, search, summaries and digests usable. Anything else is a
refusal naming the file, and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from itertools import groupby
from operator import itemgetter

from bot.commands.declaration import Command
from bot.commands.text import clean_text
from bot.conferences import MAX_CONFERENCE_NAME_LENGTH
from bot.i18n import _, counted, format_number
from bot.memos import MAX_MEMO_LENGTH
from bot.notefiles.decode import Unreadable, decode_note_file
from bot.notefiles.grouping import conference_names
from bot.notefiles.parse import ParsedFile, ParseWarning, Post, parse_posts
from bot.replies import markdown as md
from bot.replies import render
from bot.replies.values import ProblemCode, Reply, refuse
from bot.titles import display_title

#: The most one imported memo (a session's notes by one person) may hold: ten chat memos.
MAX_IMPORTED_MEMO_LENGTH = 10 * MAX_MEMO_LENGTH
#: The most posts, and sessions, one file may bring: years of daily posts, and a bound on
#: how long one import holds the database (a file of 10 MB of tiny sessions would not be).
MAX_POSTS = MAX_SESSIONS = 10_000


@dataclass(frozen=True, slots=True)
class ImportPosts(Command):
    """Import a note file (blog-style posts, or our Markdown export) into the channel.

    Adapters fill in the file an attachment or upload brought; typed text alone
    (``/memo import``) has none, and is answered with how to attach one.
    """

    file_name: str = ""
    content: bytes | None = None
    #: Whose memos they become (the CLI's ``--author``); None: the importing user.
    author: str | None = None
    #: The conference to import into; None: named by each post's title line.
    conference: str | None = None
    #: Only say what would be imported.
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class ReadFile:
    """A file read and parsed, before anything is stored."""

    name: str
    parsed: ParsedFile
    #: The conference of each post of ``parsed``, in order (``""``: the channel's). Each
    #: conference's posts are together, conferences in the order the file names them.
    conferences: tuple[str, ...]

    def grouped(self) -> Iterator[tuple[str, list[Post]]]:
        """Each conference and its posts."""
        pairs = zip(self.conferences, self.parsed.posts, strict=True)
        for conference, together in groupby(pairs, key=itemgetter(0)):
            yield conference, [post for _, post in together]


def read(command: ImportPosts, max_bytes: int) -> ReadFile | Reply:
    """The parsed file, or a refusal saying why it cannot be imported (nothing is stored)."""
    if command.content is None:
        return refuse(
            ProblemCode.NO_FILE,
            _(
                "Attach the note file to import: on Discord `/memo import file:`, on "
                "Slack `/memo import` opens a form to upload it, or run `memo-bot "
                "import FILE`."
            ),
            "file",
        )
    name = command.file_name or _("the file")
    decoded = decode_note_file(name, command.content, max_bytes)
    if isinstance(decoded, Unreadable):
        return refuse(ProblemCode.UNREADABLE_FILE, decoded.message, "file")
    parsed = parse_posts(decoded.text)
    if not parsed.posts:
        return refuse(
            ProblemCode.NO_POSTS,
            _(
                "%(name)s has no post: a post starts with a date line (`2025-09-25` or "
                "`2025년 9월 25일 목요일`), then its title line. Nothing was imported."
            )
            % {"name": md.file_name(name)},
            "file",
        )
    named = _grouped(name, parsed, command)
    too_much = _too_much(name, named.parsed)
    if too_much is not None:
        return refuse(
            ProblemCode.TEXT_TOO_LONG, too_much + " " + _("Nothing was imported."), "file"
        )
    return named


def _too_much(name: str, parsed: ParsedFile) -> str | None:
    """Why a file is more than an import takes, if it is: every memo, and the channel's
    show, search, summaries and digests, must stay usable (one 10 MB line is no note)."""
    shown = md.file_name(name)
    if len(parsed.posts) > MAX_POSTS or parsed.session_count > MAX_SESSIONS:
        return _(
            "%(file)s has %(posts)s and %(sessions)s; a file can have at most "
            "%(most)s of each. Split it and import the parts."
        ) % {
            "file": shown,
            "posts": counted(len(parsed.posts), "%(count)s post", "%(count)s posts"),
            "sessions": render.session_count(parsed.session_count),
            "most": format_number(MAX_POSTS),
        }
    for post in parsed.posts:
        notes = "\n".join(post.notes)
        if len(notes) > MAX_IMPORTED_MEMO_LENGTH:
            what = _("the post's own notes")
            return _too_long(shown, post.line_number, what, len(notes))
        for session in post.sessions:
            for block in session.blocks:
                if len(block.text) > MAX_IMPORTED_MEMO_LENGTH:
                    where = _("the notes of %(session)s") % {
                        "session": md.title(session.title[:80])
                    }
                    return _too_long(shown, block.line_number, where, len(block.text))
    return None


def _too_long(shown: str, line: int, what: str, length: int) -> str:
    return _(
        "%(file)s, line %(line)s: %(what)s are %(length)s characters; an import takes at "
        "most %(most)s in one place. Split them under two headers."
    ) % {
        "file": shown,
        "line": line,
        "what": what,
        "length": format_number(length),
        "most": format_number(MAX_IMPORTED_MEMO_LENGTH),
    }


def _grouped(name: str, parsed: ParsedFile, command: ImportPosts) -> ReadFile:
    """The file's posts with their conferences (``--conference``, else named by the titles
    as ``bot.notefiles.grouping`` says), each conference day's posts made one.

    Each conference's posts come together, in file order. A person has one post per
    conference day; two posts of one day in a file
    (a morning and an afternoon post) are imported together, in file order,
    instead of the second replacing the first.
    """
    names: tuple[str, ...] = (command.conference or "",) * len(parsed.posts)
    grouping_warnings: tuple[ParseWarning, ...] = ()
    if command.conference is None:
        names, grouping_warnings = conference_names(parsed.posts)
    days: dict[tuple[str, date], list[Post]] = {}
    for post, conference in sorted(
        zip(parsed.posts, map(_shown, names), strict=True), key=_first_named_by(names)
    ):
        days.setdefault((conference, post.date), []).append(post)
    warnings = [*parsed.warnings, *grouping_warnings]
    posts = []
    for (_conference, day), same_day in days.items():
        first = same_day[0]
        warnings.extend(
            ParseWarning(
                later.line_number,
                _("a second post of %(day)s, imported with the one at line %(line)s")
                % {"day": day.isoformat(), "line": first.line_number},
            )
            for later in same_day[1:]
        )
        notes = [line for post in same_day for line in (*post.notes, "") if post.notes]
        posts.append(
            replace(
                first,
                title=next((post.title for post in same_day if post.title), ""),
                notes=tuple(notes[:-1]),
                sessions=tuple(session for post in same_day for session in post.sessions),
            )
            if len(same_day) > 1
            else first
        )
    merged = replace(parsed, posts=tuple(posts), warnings=tuple(warnings))
    return ReadFile(name, merged, tuple(conference for conference, _ in days))


def _first_named_by(names: tuple[str, ...]) -> Callable[[tuple[Post, str]], int]:
    """A sort key that puts each conference's posts together (``sorted`` keeps their order)."""
    first: dict[str, int] = {}
    for position, name in enumerate(map(_shown, names)):
        first.setdefault(name, position)
    return lambda pair: first[pair[1]]


def _shown(name: str) -> str:
    """A conference name as stored: one line, spaces made one, within the longest name."""
    return display_title(clean_text(name))[:MAX_CONFERENCE_NAME_LENGTH]
