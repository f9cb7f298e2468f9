"""Handler for `/memo export`: a day or a conference of the channel as a note-post file.

The file is built here, inside the read transaction, and travels with the reply
as an ``Attachment``: adapters upload it (Slack, Discord) or write it to a
folder (the console, the CLI). Only the person who asked gets it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from bot.commands.declaration import (
    Command,
    CommandDeclaration,
    InTransaction,
    Option,
    OptionKind,
    Usage,
)
from bot.commands.text import DATE_LIKE, Rejected, not_a_date, parse_day, split_bracketed_title
from bot.conferences import named_conference
from bot.context import Context
from bot.i18n import N_, _, counted
from bot.notefiles import write as post_writer
from bot.notefiles.write import AuthorNotes, Post, PostFormat, PostSession
from bot.replies import render
from bot.replies.values import Attachment, ExportReady, ProblemCode, Reply, Visibility, refuse
from storage import conferences as conference_store
from storage import exports as export_store
from storage.exports import ExportedMemo, PostText

MIME_TYPES = {
    PostFormat.MARKDOWN: "text/markdown; charset=utf-8",
    PostFormat.TEXT: "text/plain; charset=utf-8",
}
#: The file formats of `/memo export`: Markdown (the default) or plain text.
EXPORT_FORMATS = ("md", "txt")
#: What `/memo export` and `memo-bot export --conference` take for every conference; a
#: conference really named so is written in brackets: `/memo export [All]`.
ALL_CONFERENCES = "all"


@dataclass(frozen=True, slots=True)
class Export(Command):
    """A day or a conference of the channel as a note-post file, for the person who asked."""

    #: None: every day (of ``conference``, else of the channel's current conference).
    day: date | None = None
    #: None: the channel's current conference (or, with ``day``, whichever has that day).
    conference: str | None = None
    post_format: str = "md"
    #: Every conference of the channel (``export all``), every day of each.
    all_conferences: bool = False


_NOT_IN_NAME = re.compile(r"[^\w.]+")
#: Between paragraphs of a post's untitled notes (stored with one empty line each).
_PARAGRAPH_BREAK = re.compile(r"\n\n+")


def export(ctx: Context, command: Export) -> Reply:
    """The channel's memos of the chosen day or conference as a file, for the one who asked.

    Without a conference name: the current conference's days, or with a date,
    that day of whichever conferences the channel has sessions on then. An
    export of one conference names the channel's others that it left out.
    """
    channel = ctx.channel
    conference_id = _conference_to_export(ctx, command)
    if isinstance(conference_id, Reply):
        return conference_id
    if channel is None:
        return _nothing_to_export(command.day)
    rows = export_store.channel_memos(
        ctx.tx, channel.id, conference_id=conference_id, day=command.day
    )
    if not rows:
        others = _left_out(ctx, channel.id, conference_id) if command.day is None else ()
        return _nothing_in_this_conference(others) if others else _nothing_to_export(command.day)
    posts = build_posts(
        rows,
        export_store.session_days(ctx.tx, channel.id),
        export_store.post_texts(ctx.tx, channel.id, conference_id=conference_id, day=command.day),
    )
    post_format = PostFormat(command.post_format)
    attachment = Attachment(
        file_name(posts, command.day, post_format),
        post_writer.write(posts, post_format).encode(),
        MIME_TYPES[post_format],
    )
    names = sorted({post.conference for post in posts})
    data = ExportReady(
        conference=", ".join(names),
        day=command.day,
        posts=len(posts),
        sessions=sum(len(post.sessions) for post in posts),
        memos=len(rows),
        post_format=post_format.value,
        not_exported=_left_out(ctx, channel.id, conference_id),
    )
    return Reply(render.export_ready(data, attachment.name), Visibility.PRIVATE, data, attachment)


def _conference_to_export(ctx: Context, command: Export) -> int | Reply | None:
    """The conference asked for (None: every conference, or the day's) or why there is none."""
    if command.all_conferences:
        return None
    if command.conference is not None:
        found = named_conference(ctx, command.conference)
        return found if isinstance(found, Reply) else found.id
    if command.day is not None:
        return None
    current = ctx.conference()
    return current.id if current is not None else _nothing_to_export(None)


def _left_out(ctx: Context, channel_id: int, exported: int | None) -> tuple[str, ...]:
    """The channel's other conferences with memos, when only one conference was exported."""
    if exported is None:
        return ()
    with_memos = conference_store.conference_tallies(ctx.tx, channel_id)
    return tuple(
        conference.name
        for conference in conference_store.channel_conferences(ctx.tx, channel_id)
        if conference.id != exported and with_memos.get(conference.id, _NO_MEMOS).memos
    )


_NO_MEMOS = conference_store.ConferenceTally(0, 0, None, None)


def _nothing_in_this_conference(others: tuple[str, ...]) -> Reply:
    """The conference asked for has no memos, but the channel's others do: name them."""
    names = ", ".join(render.conference_name(name) for name in others)
    return refuse(
        ProblemCode.NOTHING_TO_EXPORT,
        counted(
            len(others),
            "No memos in this conference yet, so there is no file; %(names)s has some. "
            "`/memo export all` writes every conference of this channel.",
            "No memos in this conference yet, so there is no file; %(names)s have some. "
            "`/memo export all` writes every conference of this channel.",
            names=names,
        ),
    )


def _nothing_to_export(day: date | None) -> Reply:
    """No file at all rather than an empty one, and where to look instead."""
    if day:
        message = _(
            "No memos on %(day)s in this channel, so there is no file. "
            "`/memo sessions all` lists the days that have some."
        ) % {"day": render.day_label(day)}
    else:
        message = _(
            "No memos to export yet in this channel, so there is no file. "
            "`/memo sessions all` lists the days that have some."
        )
    return refuse(
        ProblemCode.NOTHING_TO_EXPORT,
        message,
        "date" if day else None,
    )


@dataclass
class _Session:
    row: ExportedMemo
    #: author id -> (name, note lines), in the order people first wrote.
    authors: dict[int, tuple[str, list[str]]] = field(default_factory=dict)

    def order(self) -> tuple[bool, time, datetime, int]:
        """The programme's order when start times are known, else the first memo's."""
        starts = self.row.starts_at
        return (starts is None, starts or time(), self.row.created_at, self.row.session_id)


def build_posts(
    rows: Sequence[ExportedMemo],
    days: dict[int, list[date]],
    imported: dict[tuple[int, date], list[PostText]],
) -> list[Post]:
    """One post per (conference, day), newest day first; memos come oldest first.

    A day that was imported gets its posts' own title line and untitled notes back.
    """
    grouped: dict[tuple[int, date], dict[int, _Session]] = {}
    for row in rows:
        sessions = grouped.setdefault((row.conference_id, row.day), {})
        session = sessions.setdefault(row.session_id, _Session(row))
        _, lines = session.authors.setdefault(row.author_id, (row.author_name, []))
        lines.extend(row.text.split("\n"))
    posts = []
    for (conference_id, day), sessions in grouped.items():
        first = next(iter(sessions.values())).row
        post_text = _one_post_text(imported.get((conference_id, day), []))
        posts.append(
            Post(
                day=day,
                conference=first.conference_name,
                day_number=_day_number(first, days[conference_id]),
                intro=tuple(post_text.notes.split("\n")) if post_text and post_text.notes else (),
                sessions=tuple(
                    PostSession(
                        session.row.session_title,
                        tuple(
                            AuthorNotes(name, tuple(lines))
                            for name, lines in session.authors.values()
                        ),
                    )
                    for session in sorted(sessions.values(), key=_Session.order)
                ),
                title=post_text.title if post_text else None,
            )
        )
    return sorted(posts, key=lambda post: (-post.day.toordinal(), post.conference))


def _one_post_text(texts: Sequence[PostText]) -> PostText | None:
    """The day's post when several people imported one: the first importer's title line, and
    every paragraph of untitled notes once, in the order they were imported.

    Each person's import keeps a post of its own, so one import never overwrites
    another's; a paragraph that is already there (someone imported an export of
    the day back) is not repeated.
    """
    if not texts:
        return None
    title = next((text.title for text in texts if text.title), "")
    paragraphs: list[str] = []
    in_earlier_posts: set[str] = set()
    for text in texts:
        own = [paragraph for paragraph in _PARAGRAPH_BREAK.split(text.notes) if paragraph]
        paragraphs.extend(paragraph for paragraph in own if paragraph not in in_earlier_posts)
        in_earlier_posts.update(own)
    return PostText(title=title, notes="\n\n".join(paragraphs))


def _day_number(row: ExportedMemo, session_days: list[date]) -> int | None:
    """Day N of the conference: counted from its first day when its dates are known, else
    among the days it has sessions on. None for a day outside the conference's dates."""
    starts_on, ends_on = row.conference_starts_on, row.conference_ends_on
    if starts_on is None or ends_on is None:
        return session_days.index(row.day) + 1
    return (row.day - starts_on).days + 1 if starts_on <= row.day <= ends_on else None


def file_name(posts: Sequence[Post], day: date | None, post_format: PostFormat) -> str:
    """``DEVRIVER-2025-2025-09-25.md``: the conference, the day if one, safe on every platform."""
    names = sorted({post.conference for post in posts if post.conference})
    stem = _NOT_IN_NAME.sub("-", names[0] if len(names) == 1 else "memos").strip("-.")
    parts = [stem or "memos"] + ([day.isoformat()] if day else [])
    return "-".join(parts)[:100] + f".{post_format.value}"


# ---------------------------------------------------------------- grammar


def _parse(rest: str) -> Export | Rejected:
    words = rest.split()
    post_format = words.pop().lower() if words and words[-1].lower() in EXPORT_FORMATS else "md"
    return export_from_options(" ".join(words), post_format)


def export_from_options(what: str | None = None, format: str | None = None) -> Export | Rejected:
    """``export`` from a date or a conference name (either may be bracketed), and a format."""
    post_format = format or "md"
    if post_format not in EXPORT_FORMATS:
        return Rejected(ProblemCode.BAD_ARGUMENTS, N_("Choose the format `md` or `txt`."), "format")
    split = split_bracketed_title(what or "")
    if isinstance(split, Rejected):
        return split
    bracketed, remainder = split
    typed = (bracketed if bracketed is not None else remainder).strip()
    if not typed:
        return Export(post_format=post_format)
    if bracketed is None and typed.lower() == ALL_CONFERENCES:
        return Export(post_format=post_format, all_conferences=True)
    if DATE_LIKE.fullmatch(typed):
        day = parse_day(typed)
        if day is None:
            return not_a_date(typed, "Use `/memo export 2025-09-25`.")
        return Export(day=day, post_format=post_format)
    return Export(conference=typed, post_format=post_format)


EXPORT = CommandDeclaration(
    "export",
    Export,
    N_("A day or a conference as a post file, for you"),
    InTransaction(export),
    export_from_options,
    options=(
        Option(
            "what",
            OptionKind.TEXT,
            N_("A day like 2025-09-25, or a conference's name (default: the current one)"),
        ),
        Option(
            "format",
            OptionKind.CHOICE,
            N_("Markdown (default) or plain text with every line as written"),
            choices=(("Markdown", "md"), ("Text", "txt")),
        ),
    ),
    parse=_parse,
    usage=Usage(
        "/memo export [YYYY-MM-DD|all|conference] [md|txt]",
        N_(
            "A day, the current conference, a named one or all of them as a blog-ready post, "
            "as a file only you get."
        ),
    ),
    slow=True,
)
