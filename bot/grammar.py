"""The `/memo` command grammar: text in, a command object (or a rejection) out.

This is the only parser of `/memo` text. Adapters with typed options (Discord)
build the same command objects directly, so every rule that is not pure syntax
(length limits, title rules, time zones) lives in the handlers, not here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time

from bot.replies.values import ProblemCode


@dataclass(frozen=True, slots=True)
class SessionId:
    """A session picked from a list an adapter showed (a Slack select, Discord autocomplete).

    Option values on those platforms are too short for a 200-character title,
    so pickers carry this id instead; it only ever resolves inside the channel
    the command comes from.
    """

    value: int


@dataclass(frozen=True, slots=True)
class AddMemo:
    #: The typed title, a picked session, or None: the session the user was active in recently.
    session: str | SessionId | None
    text: str
    #: Link to the chat message the memo came from (a "Save as memo" shortcut).
    source_url: str | None = None


@dataclass(frozen=True, slots=True)
class Attend:
    session: str | SessionId


@dataclass(frozen=True, slots=True)
class ListSessions:
    #: None: today in the conference's time zone (or every day with ``all_days``).
    day: date | None = None
    all_days: bool = False


@dataclass(frozen=True, slots=True)
class ShowSession:
    #: None: the session the user was active in recently.
    session: str | SessionId | None


@dataclass(frozen=True, slots=True)
class ShowMemos:
    """Memos of the channel by the ids the bot prints (``/memo show #4 #5``)."""

    numbers: tuple[int, ...]


#: The most memo ids one `/memo show` takes: a day's session in a digest, with room to spare.
MAX_SHOWN_MEMOS = 50


@dataclass(frozen=True, slots=True)
class Summarize:
    """The key points of a session, from everyone's memos."""

    #: None: the session the user was active in recently.
    session: str | SessionId | None


@dataclass(frozen=True, slots=True)
class EditMemo:
    number: int
    text: str


@dataclass(frozen=True, slots=True)
class DeleteMemo:
    number: int


@dataclass(frozen=True, slots=True)
class UndoDelete:
    pass


@dataclass(frozen=True, slots=True)
class SetConference:
    #: None: show the current conference instead of changing it.
    name: str | None
    time_zone: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True, slots=True)
class ShowHelp:
    unknown: str | None = None


#: The file formats of `/memo export`: Markdown (the default) or plain text.
EXPORT_FORMATS = ("md", "txt")


@dataclass(frozen=True, slots=True)
class Export:
    """A day or a conference of the channel as a note-post file, for the person who asked."""

    #: None: every day (of ``conference``, else of the channel's current conference).
    day: date | None = None
    #: None: the channel's current conference (or, with ``day``, whichever has that day).
    conference: str | None = None
    post_format: str = "md"


@dataclass(frozen=True, slots=True)
class ImportPosts:
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


#: Which days a channel's digest is posted on.
DIGEST_DAYS = ("mon-fri", "all", "conference")


@dataclass(frozen=True, slots=True)
class ShowDigest:
    pass


@dataclass(frozen=True, slots=True)
class SetDigestTime:
    post_at: time
    #: None: the conference's time zone (or, without one, the default).
    time_zone: str | None = None


@dataclass(frozen=True, slots=True)
class SetDigestDays:
    days: str


@dataclass(frozen=True, slots=True)
class DisableDigest:
    pass


@dataclass(frozen=True, slots=True)
class PreviewDigest:
    """The digest that would be posted for ``day`` (None: today), shown only to the asker."""

    day: date | None = None


@dataclass(frozen=True, slots=True)
class Author:
    """Whose memos: a platform user id (a mention, a Discord user option) or a name as typed."""

    external_id: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class SearchMemos:
    """``/memo search``: the query as typed (quoted phrases keep their quotes), and filters."""

    query: str
    session: str | SessionId | None = None
    author: Author | None = None
    #: A local day (the conference's time zone) the memos were written on.
    day: date | None = None


Command = (
    AddMemo
    | Attend
    | ListSessions
    | ShowSession
    | ShowMemos
    | Summarize
    | EditMemo
    | DeleteMemo
    | UndoDelete
    | SetConference
    | ShowDigest
    | SetDigestTime
    | SetDigestDays
    | DisableDigest
    | PreviewDigest
    | Export
    | SearchMemos
    | ImportPosts
    | ShowHelp
)


#: Commands that change data.
_WRITES = (
    AddMemo,
    Attend,
    EditMemo,
    DeleteMemo,
    UndoDelete,
    SetConference,
    SetDigestTime,
    SetDigestDays,
    DisableDigest,
    ImportPosts,
)


def changes_data(command: Command) -> bool:
    """Whether running the command may change data (``/memo conference`` alone only shows it).

    Adapters use it to decide whether the author's display name and admin flag
    are worth looking up before calling the core.
    """
    if isinstance(command, SetConference):
        return command.name is not None
    return isinstance(command, _WRITES)


@dataclass(frozen=True, slots=True)
class Rejected:
    """Text that is not a valid command, with the message the user sees."""

    code: ProblemCode
    message: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    usage: str
    summary: str
    parse: Callable[[str], Command | Rejected]


# ---------------------------------------------------------------- cleaning

# Unicode's control characters (category Cc) but tab and newline, lone surrogates (Cs),
# bidirectional embeddings, overrides and isolates, and the byte order mark.
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Drop control characters that could hide or reorder text; keep newlines and tabs.

    Line ends become ``\\n``. Bidirectional overrides go too: they can make a
    memo display as something other than what is stored.
    """
    return _UNWANTED.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


# ---------------------------------------------------------------- pieces

_MEMO_ID = re.compile(r"#?(\d{1,9})")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: What someone meant as a date, even if it is not a valid one (2025-9-31).
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def split_bracketed_title(text: str) -> tuple[str | None, str] | Rejected:
    """Split ``[Title] rest`` into the title and the rest.

    Brackets nest, so a title may contain ``[...]`` itself. Text that does not
    start with ``[`` has no title. The title comes back as typed; the rest
    without the whitespace that separates it from the title.
    """
    stripped = text.lstrip()
    if not stripped.startswith("["):
        return None, stripped
    depth = 0
    for index, char in enumerate(stripped):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return stripped[1:index], stripped[index + 1 :].lstrip()
    return Rejected(
        ProblemCode.UNBALANCED_BRACKETS,
        "The session title is missing its closing `]`. "
        "Write it as `/memo add [Session title] note`. Nothing was saved.",
        "title",
    )


def parse_memo_number(token: str) -> int | None:
    match = _MEMO_ID.fullmatch(token.strip())
    return int(match.group(1)) if match else None


def parse_day(token: str) -> date | None:
    """A ``YYYY-MM-DD`` date, or None when the token is not one the bot can use.

    The calendar's first and last days (0001-01-01, 9999-12-31) are not: a day is
    its 24 hours in the channel's time zone, and away from UTC those reach past
    what a ``datetime`` can hold.
    """
    if not _ISO_DATE.fullmatch(token):
        return None
    try:
        day = date.fromisoformat(token)
    except ValueError:
        return None
    return day if date.min < day < date.max else None


def parse_clock(token: str) -> time | None:
    """A 24-hour ``HH:MM`` time of day, or None."""
    match = _CLOCK.fullmatch(token.strip())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return time(hour, minute) if hour < 24 and minute < 60 else None


def looks_like_time_zone(token: str) -> bool:
    """IANA names have a slash (``Asia/Seoul``); ``UTC`` is the one we accept without."""
    return "/" in token or token.upper() in ("UTC", "GMT")


# ---------------------------------------------------------------- subcommands


def _parse_add(rest: str) -> Command | Rejected:
    split = split_bracketed_title(rest)
    if isinstance(split, Rejected):
        return split
    title, text = split
    return AddMemo(session=title, text=text.rstrip())


def _parse_attend(rest: str) -> Command | Rejected:
    title = _title_argument(rest)
    if isinstance(title, Rejected):
        return title
    if title is None:
        return Rejected(
            ProblemCode.MISSING_TITLE,
            "Which session? Write `/memo attend [Session title]`.",
            "title",
        )
    return Attend(session=title)


def _parse_show(rest: str) -> Command | Rejected:
    memos = _memo_ids(rest)
    if memos is not None:
        return memos
    title = _title_argument(rest)
    if isinstance(title, Rejected):
        return title
    return ShowSession(session=title)


def show_from_option(session: str | SessionId | None) -> Command | Rejected:
    """``show`` from a session option (Discord), which may hold memo ids instead: ``#4 #5``."""
    memos = _memo_ids(session) if isinstance(session, str) else None
    return memos if memos is not None else ShowSession(session)


def _memo_ids(text: str) -> ShowMemos | Rejected | None:
    """Memo ids alone (``#4 #5``, ``4, 5``), or None: a title made of numbers is bracketed."""
    tokens = text.replace(",", " ").split()
    numbers = [parse_memo_number(token) for token in tokens]
    if not tokens or None in numbers:
        return None
    if len(numbers) > MAX_SHOWN_MEMOS:
        return Rejected(
            ProblemCode.BAD_ARGUMENTS,
            f"Show at most {MAX_SHOWN_MEMOS} memos at a time; that was {len(numbers)}.",
            "memo_id",
        )
    return ShowMemos(tuple(dict.fromkeys(number for number in numbers if number is not None)))


def _parse_summary(rest: str) -> Command | Rejected:
    title = _title_argument(rest)
    if isinstance(title, Rejected):
        return title
    return Summarize(session=title)


def _title_argument(rest: str) -> str | Rejected | None:
    """A title given as ``[Title]`` or, for convenience, bare."""
    split = split_bracketed_title(rest)
    if isinstance(split, Rejected):
        return split
    title, remainder = split
    if title is None:
        return remainder.strip() or None
    return title


def _parse_sessions(rest: str) -> Command | Rejected:
    argument = rest.strip().lower()
    if argument in ("", "today"):
        return ListSessions()
    if argument == "all":
        return ListSessions(all_days=True)
    day = parse_day(argument)
    if day is None:
        return Rejected(
            ProblemCode.BAD_DATE,
            f"`{_code(argument)}` is not a date. Use `/memo sessions 2025-09-25`, "
            "`/memo sessions today` or `/memo sessions all`.",
            "date",
        )
    return ListSessions(day=day)


def _parse_edit(rest: str) -> Command | Rejected:
    parts = rest.strip().split(maxsplit=1)
    number = parse_memo_number(parts[0]) if parts else None
    if number is None:
        return _bad_memo_id("/memo edit 12 corrected note")
    return EditMemo(number=number, text=parts[1].rstrip() if len(parts) > 1 else "")


def _parse_delete(rest: str) -> Command | Rejected:
    parts = rest.split()
    number = parse_memo_number(parts[0]) if len(parts) == 1 else None
    if number is None:
        return _bad_memo_id("/memo delete 12")
    return DeleteMemo(number=number)


def _bad_memo_id(example: str) -> Rejected:
    return Rejected(
        ProblemCode.BAD_MEMO_ID,
        f"Which memo? Memo ids are numbers, like `{example}`. "
        "The id is shown when a memo is saved and in `/memo show`.",
        "memo_id",
    )


def _parse_undo(rest: str) -> Command | Rejected:
    return UndoDelete()


def _parse_conference(rest: str) -> Command | Rejected:
    split = split_bracketed_title(rest)
    if isinstance(split, Rejected):
        return split
    bracketed, remainder = split
    tokens = remainder.split()
    dates: list[date] = []
    while tokens and len(dates) < 2 and _DATE_LIKE.fullmatch(tokens[-1]):
        day = parse_day(tokens[-1])
        if day is None:  # meant as a date: refused, not taken into the name
            return _not_a_date(tokens[-1])
        dates.insert(0, day)
        tokens.pop()
    time_zone = tokens.pop() if tokens and looks_like_time_zone(tokens[-1]) else None
    name = bracketed if bracketed is not None else " ".join(tokens)
    if bracketed is not None and tokens:
        return Rejected(
            ProblemCode.BAD_ARGUMENTS,
            "After the name, give only a time zone and dates: "
            "`/memo conference [DEVRIVER 2025] Asia/Seoul 2025-09-25 2025-09-26`.",
        )
    if not name.strip():
        if time_zone or dates:
            return Rejected(
                ProblemCode.MISSING_TITLE,
                "Give the conference a name: `/memo conference DEVRIVER 2025 Asia/Seoul`.",
                "name",
            )
        return SetConference(name=None)
    starts_on = dates[0] if dates else None
    ends_on = dates[-1] if dates else None
    return SetConference(name=name, time_zone=time_zone, starts_on=starts_on, ends_on=ends_on)


def _not_a_date(typed: str) -> Rejected:
    return Rejected(
        ProblemCode.BAD_DATE,
        f"`{_code(typed)}` is not a date. Write dates like 2025-09-25.",
        "date",
    )


# ---------------------------------------------------------------- typed options
# Adapters whose platform has typed options (Discord) build commands here, so the
# rules for dates and names are the ones the text grammar uses.


def sessions_from_option(when: str | None) -> Command | Rejected:
    """``sessions`` from an optional date option: ``today`` (default), ``all`` or a date."""
    return _parse_sessions(when or "")


def conference_from_options(
    name: str | None,
    time_zone: str | None = None,
    first_day: str | None = None,
    last_day: str | None = None,
) -> Command | Rejected:
    """``conference`` from separate options; no options at all shows the current one."""
    if not (name and name.strip()):
        if time_zone or first_day or last_day:
            return Rejected(
                ProblemCode.MISSING_TITLE,
                "Give the conference a name: `/memo conference DEVRIVER 2025 Asia/Seoul`.",
                "name",
            )
        return SetConference(name=None)
    days = []
    for typed in (first_day, last_day):
        if typed is None:
            continue
        day = parse_day(typed.strip())
        if day is None:
            return _not_a_date(typed)
        days.append(day)
    return SetConference(
        name=name,
        time_zone=time_zone,
        starts_on=days[0] if days else None,
        ends_on=days[-1] if days else None,
    )


_DIGEST_USAGE = (
    "`/memo digest`, `/memo digest at 18:30 [Area/City]`, `/memo digest off`, "
    "`/memo digest days mon-fri|all|conference` or `/memo digest now [YYYY-MM-DD]`"
)


def _parse_digest(rest: str) -> Command | Rejected:
    words = rest.split()
    action = words[0].lower() if words else ""
    if action == "":
        return ShowDigest()
    if action == "off" and len(words) == 1:
        return DisableDigest()
    if action == "at" and len(words) <= 3:
        return digest_time_from_options(
            words[1] if len(words) > 1 else None, words[2] if len(words) > 2 else None
        )
    if action == "days" and len(words) == 2:
        return digest_days_from_option(words[1])
    if action == "now" and len(words) <= 2:
        return digest_preview_from_option(words[1] if len(words) == 2 else None)
    return Rejected(ProblemCode.BAD_ARGUMENTS, f"Write {_DIGEST_USAGE}.")


def digest_time_from_options(clock: str | None, time_zone: str | None = None) -> Command | Rejected:
    post_at = parse_clock(clock or "")
    if post_at is None:
        return Rejected(
            ProblemCode.BAD_TIME,
            "Give the time of day as HH:MM, like `/memo digest at 18:30 Asia/Seoul`.",
            "time",
        )
    return SetDigestTime(post_at, time_zone)


def digest_days_from_option(days: str) -> Command | Rejected:
    if days.lower() not in DIGEST_DAYS:
        return Rejected(
            ProblemCode.BAD_ARGUMENTS,
            "Choose `mon-fri`, `all` or `conference` (only the conference's own dates).",
            "days",
        )
    return SetDigestDays(days.lower())


def digest_preview_from_option(day: str | None) -> Command | Rejected:
    if day is None or day.lower() == "today":
        return PreviewDigest()
    parsed = parse_day(day)
    if parsed is None:
        return Rejected(
            ProblemCode.BAD_DATE,
            f"`{_code(day)}` is not a date. Use `/memo digest now 2025-09-25`.",
            "date",
        )
    return PreviewDigest(parsed)


def _parse_export(rest: str) -> Command | Rejected:
    words = rest.split()
    post_format = words.pop().lower() if words and words[-1].lower() in EXPORT_FORMATS else "md"
    return export_from_options(" ".join(words), post_format)


def export_from_options(what: str | None, post_format: str = "md") -> Command | Rejected:
    """``export`` from a date or a conference name (either may be bracketed), and a format."""
    if post_format not in EXPORT_FORMATS:
        return Rejected(ProblemCode.BAD_ARGUMENTS, "Choose the format `md` or `txt`.", "format")
    split = split_bracketed_title(what or "")
    if isinstance(split, Rejected):
        return split
    bracketed, remainder = split
    typed = (bracketed if bracketed is not None else remainder).strip()
    if not typed:
        return Export(post_format=post_format)
    if _DATE_LIKE.fullmatch(typed):
        day = parse_day(typed)
        if day is None:
            return Rejected(
                ProblemCode.BAD_DATE,
                f"`{_code(typed)}` is not a date. Use `/memo export 2025-09-25`.",
                "date",
            )
        return Export(day=day, post_format=post_format)
    return Export(conference=typed, post_format=post_format)


#: Longest search query, in characters: enough for a sentence, short enough to stay cheap.
MAX_QUERY_LENGTH = 200
_SEARCH_USAGE = '`/memo search 캐시 in:"Session title" by:@alice day:2025-09-25`'
# A filter (its value quoted, bracketed or bare), a quoted phrase, or a word. Filters are
# recognised only at the start of a word, so `1:N` or `login:` stay part of the query.
_SEARCH_PART = re.compile(
    r'(?<!\S)(?P<key>in|by|day):(?:"(?P<quoted>[^"]*)"?|\[(?P<bracketed>[^\]]*)\]?|(?P<bare>\S*))'
    r'|(?P<phrase>"[^"]*"?)|(?P<word>\S+)',
    re.IGNORECASE,
)
# <@U123>, <@U123|alice> (Slack), <@123>, <@!123> (Discord).
_MENTION = re.compile(r"<@!?([^<>|\s]+)(?:\|[^<>]*)?>")


def _parse_search(rest: str) -> Command | Rejected:
    query: list[str] = []
    filters: dict[str, str] = {}
    for match in _SEARCH_PART.finditer(rest):
        key = match.group("key")
        if key is None:
            query.append(match.group())
            continue
        value = next(
            (group for group in match.group("quoted", "bracketed", "bare") if group is not None), ""
        )
        filters[key.lower()] = value
    return search_from_options(
        " ".join(query), filters.get("in"), _author(filters.get("by")), filters.get("day")
    )


def _author(typed: str | None) -> Author | str | None:
    """``by:`` as a mention (a platform id) or a name; ``""`` when the filter was left empty."""
    if typed is None:
        return None
    mention = _MENTION.fullmatch(typed.strip())
    if mention is not None:
        return Author(external_id=mention.group(1))
    name = typed.strip().removeprefix("@").strip()
    return Author(name=name) if name else ""


def search_from_options(
    query: str,
    session: str | SessionId | None = None,
    author: Author | str | None = None,
    day: str | None = None,
) -> Command | Rejected:
    """``search`` from its parts; an empty filter (``by:`` with nothing after it) is refused."""
    if not query.replace('"', "").strip():
        return Rejected(
            ProblemCode.EMPTY_QUERY, f"What should I look for? Write {_SEARCH_USAGE}.", "query"
        )
    if len(query) > MAX_QUERY_LENGTH:
        return Rejected(
            ProblemCode.QUERY_TOO_LONG,
            f"Search for at most {MAX_QUERY_LENGTH} characters; this query has {len(query):,}.",
            "query",
        )
    if author == "" or session == "" or day == "":
        return Rejected(
            ProblemCode.BAD_ARGUMENTS,
            f"A filter needs a value after its colon: {_SEARCH_USAGE}.",
        )
    parsed_day = None
    if day is not None:
        parsed_day = parse_day(day.strip())
        if parsed_day is None:
            return Rejected(
                ProblemCode.BAD_DATE,
                f"`{_code(day)}` is not a date. Write `day:2025-09-25`.",
                "date",
            )
    return SearchMemos(
        query=query.strip(),
        session=session,
        author=author if isinstance(author, Author) else None,
        day=parsed_day,
    )


def _parse_import(rest: str) -> Command | Rejected:
    """Typed text carries no file: the adapter attaches one (Discord option, Slack form)."""
    return ImportPosts()


def _parse_help(rest: str) -> Command | Rejected:
    return ShowHelp()


def _code(text: str) -> str:
    """Text safe to put inside a Markdown code span."""
    return text.replace("`", "'")[:40]


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "add",
        "/memo add [Session title] note",
        "Save a note. Without `[...]` it goes to the session you wrote to or attended "
        "in the last 3 hours.",
        _parse_add,
    ),
    CommandSpec(
        "attend", "/memo attend [Session title]", "Note that you went to a session.", _parse_attend
    ),
    CommandSpec(
        "sessions",
        "/memo sessions [YYYY-MM-DD|all]",
        "Sessions of a day (today by default): who went and how many notes.",
        _parse_sessions,
    ),
    CommandSpec(
        "show",
        "/memo show [Session title]",
        "Every note of a session; `/memo show #4 #5` shows memos by their ids.",
        _parse_show,
    ),
    CommandSpec(
        "summary",
        "/memo summary [Session title]",
        "The key points of a session, merged from everyone's notes.",
        _parse_summary,
    ),
    CommandSpec("edit", "/memo edit <id> note", "Replace the text of a memo.", _parse_edit),
    CommandSpec(
        "delete", "/memo delete <id>", "Delete a memo (`/memo undo` brings it back).", _parse_delete
    ),
    CommandSpec("undo", "/memo undo", "Restore the memo you deleted last.", _parse_undo),
    CommandSpec(
        "conference",
        "/memo conference [name] [Area/City] [YYYY-MM-DD [YYYY-MM-DD]]",
        "Show or set this channel's conference, its time zone and dates.",
        _parse_conference,
    ),
    CommandSpec(
        "digest",
        "/memo digest [at HH:MM [Area/City] | off | days mon-fri|all|conference | now [date]]",
        "The daily digest of this channel's sessions: show, schedule, stop or preview it.",
        _parse_digest,
    ),
    CommandSpec(
        "search",
        '/memo search words ["a phrase"] [in:"Session"] [by:@person] [day:YYYY-MM-DD]',
        "Find this channel's memos that mention the words, best matches first.",
        _parse_search,
    ),
    CommandSpec(
        "import",
        "/memo import (with a note file)",
        "Import notes you already have: blog-style posts, one per conference day.",
        _parse_import,
    ),
    CommandSpec(
        "export",
        "/memo export [YYYY-MM-DD|conference] [md|txt]",
        "A day or a whole conference as a blog-ready post, as a file only you get.",
        _parse_export,
    ),
    CommandSpec("help", "/memo help", "This list.", _parse_help),
)

_SPECS: dict[str, Callable[[str], Command | Rejected]] = {
    spec.name: spec.parse for spec in COMMANDS
}


def parse(text: str) -> Command | Rejected:
    """Parse what follows `/memo` (already passed through ``clean_text``)."""
    stripped = text.strip()
    if not stripped:
        return ShowHelp()
    head, *rest = re.split(r"\s", stripped, maxsplit=1)
    parse_rest = _SPECS.get(head.lower())
    if parse_rest is None:
        return ShowHelp(unknown=head[:40])
    return parse_rest(rest[0] if rest else "")
