"""Handlers for sessions: matching typed titles, attending, listing and showing them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot import titles
from bot.commands.declaration import (
    Command,
    CommandDeclaration,
    InTransaction,
    Option,
    OptionKind,
    Usage,
)
from bot.commands.text import (
    Rejected,
    clean_text,
    name_argument,
    not_a_date,
    parse_day,
    parse_memo_numbers,
    title_argument,
)
from bot.conferences import MAX_CONFERENCE_NAME_LENGTH, named_conference
from bot.context import Context
from bot.i18n import N_, _
from bot.memo_lookup import SHOW_MEMOS, ShowMemos
from bot.replies import markdown as md
from bot.replies import render
from bot.replies.from_records import conference_view, memo_view, session_view, session_views
from bot.replies.values import (
    AttendanceRecorded,
    ConferenceSessions,
    ProblemCode,
    Reply,
    SessionChoice,
    SessionListing,
    SessionMemos,
    Visibility,
    refuse,
)
from bot.running_now import GRACE
from storage import conferences as conference_store
from storage import memos as memo_store
from storage import programme as programme_store
from storage import sessions as session_store
from storage.records import SessionRecord

#: How long after your last memo or attendance a title-less `/memo add` still goes there.
RECENT_SESSION_WINDOW = timedelta(hours=3)


@dataclass(frozen=True, slots=True)
class SessionId:
    """A session picked from a list an adapter showed (a Slack select, Discord autocomplete).

    Option values on those platforms are too short for a 200-character title,
    so pickers carry this id instead; it only ever resolves inside the channel
    the command comes from.
    """

    value: int


@dataclass(frozen=True, slots=True)
class Attend(Command):
    session: str | SessionId


@dataclass(frozen=True, slots=True)
class ListSessions(Command):
    #: None: today in the conference's time zone (or every day with ``all_days``).
    day: date | None = None
    #: Every session of the channel, grouped by conference (``sessions all``).
    all_days: bool = False
    #: Every session of the conference with this name (``sessions conference "Name"``).
    conference: str | None = None


@dataclass(frozen=True, slots=True)
class ShowSession(Command):
    #: None: the session the user was active in recently.
    session: str | SessionId | None


@dataclass(frozen=True, slots=True)
class Found:
    session: SessionRecord
    #: What the user typed, when it differs from the session's title beyond case and spacing.
    typed_title: str | None
    #: The channel's other conferences that have a session of this title, when this one of
    #: the current conference was just created (so the reply can say where the others are).
    same_title_elsewhere: tuple[str, ...] = ()


def check_title(typed: str) -> str | Reply:
    """The title to store and show (on one line), or a refusal saying what is wrong with it.

    Every path checks titles here, typed commands from adapters included; their
    text was cleaned once already, when the command reached the core.
    """
    title = titles.display_title(typed)
    if not title:
        return refuse(
            ProblemCode.EMPTY_TITLE,
            _("The session title is empty: write it between the brackets, like `[Session title]`."),
            "title",
        )
    # The folded key can be longer than the title (NFKC expands some characters).
    if max(len(title), len(titles.title_key(title))) > titles.MAX_TITLE_LENGTH:
        return refuse(
            ProblemCode.TITLE_TOO_LONG,
            _(
                "Session titles can be at most %(max_title_length)s characters; this "
                "one has %(title_count)s. Nothing was saved."
            )
            % {"max_title_length": titles.MAX_TITLE_LENGTH, "title_count": f"{len(title):,}"},
            "title",
        )
    return title


def find_or_create(ctx: Context, title: str) -> Found:
    """The current conference's session with this title (or a near one), else a new one today.

    Writing never goes to another conference by title: each year's conference has its
    `[Keynote]`, and a new one must not land in last year's. A new session's reply names
    the other conferences that have the title, for someone who meant one of those.
    """
    conference = ctx.working_conference()
    key = titles.title_key(title)
    known = ctx.known.sessions.get((conference.id, key))
    if known is not None:
        return Found(known, None)
    exact = ctx.titled_session(conference.id, key)
    if exact is None:
        exact = session_store.sessions_titled(ctx.tx, conference.id, key)
    if exact:
        ctx.learn(ctx.known.sessions.put, (conference.id, key), exact[0])
        return Found(exact[0], None)
    near = titles.closest_title(key, session_store.title_keys(ctx.tx, conference.id))
    if near is not None:
        return Found(session_store.get_session(ctx.tx, near), title)
    created = session_store.ensure_session(
        ctx.tx,
        channel_id=ctx.writable_channel().id,
        conference_id=conference.id,
        title=title,
        title_key=key,
        day=ctx.today(),
        now=ctx.now,
    )
    ctx.learn(ctx.known.sessions.put, (conference.id, key), created)
    return Found(created, None, _other_conferences_titled(ctx, key))


def find_existing(ctx: Context, title: str) -> Found | Reply | None:
    """A session with this title: in the current conference first, then in the channel's
    others (asking which when several have it), then a near title of the current one."""
    if ctx.channel is None:
        return None
    key = titles.title_key(title)
    current = ctx.conference()
    if current is not None:
        exact = session_store.sessions_titled(ctx.tx, current.id, key)
        if exact:
            return Found(exact[0], None)
    elsewhere = _in_other_conferences(ctx, title)
    if elsewhere is not None:
        return elsewhere
    if current is not None:
        near = titles.closest_title(key, session_store.title_keys(ctx.tx, current.id))
        if near is not None:
            return Found(session_store.get_session(ctx.tx, near), title)
    return None


def _titled_in_other_conferences(ctx: Context, key: str) -> list[SessionRecord]:
    """Sessions with this title key in the channel's conferences but the current one, latest
    day first."""
    if ctx.channel is None:
        return []
    current = ctx.conference()
    return [
        row
        for row in session_store.channel_sessions_titled(ctx.tx, ctx.channel.id, key)
        if current is None or row.conference_id != current.id
    ]


def _other_conferences_titled(ctx: Context, key: str) -> tuple[str, ...]:
    conference_ids = dict.fromkeys(
        row.conference_id for row in _titled_in_other_conferences(ctx, key)
    )
    return tuple(ctx.conference_by_id(conference_id).name for conference_id in conference_ids)


def _in_other_conferences(ctx: Context, title: str) -> Found | Reply | None:
    """The session titled exactly so in one of the channel's other conferences, a question
    when several of them have one, or None."""
    rows = _titled_in_other_conferences(ctx, titles.title_key(title))
    if not rows:
        return None
    latest_by_conference = {row.conference_id: row for row in reversed(rows)}
    if len(latest_by_conference) > 1:
        return _which_conference(ctx, title, list(latest_by_conference.values()))
    return Found(rows[0], None)


def _which_conference(ctx: Context, title: str, rows: list[SessionRecord]) -> Reply:
    """A question, not a guess: the same title is a session of several other conferences."""
    newest_first = sorted(rows, key=lambda row: (row.day, row.id), reverse=True)
    places = "\n".join(
        f"- {render.conference_name(ctx.conference_by_id(row.conference_id).name)} · "
        f"{render.day_label(row.day)}"
        for row in newest_first
    )
    return refuse(
        ProblemCode.AMBIGUOUS_SESSION,
        _(
            "%(title)s is a session of %(rows_count)s other conferences of this "
            "channel:\n%(places)s\n\nWhich one? Make it the current conference with "
            "`/memo conference` and its name, then ask again; `/memo conferences` "
            "lists them."
        )
        % {"title": md.title(title), "rows_count": len(rows), "places": places},
        "title",
    )


def recent_session(ctx: Context) -> SessionRecord | None:
    """The session the user wrote in or attended within ``RECENT_SESSION_WINDOW``."""
    member = ctx.existing_member()
    if member is None or ctx.channel is None:
        return None
    session_id = session_store.last_active_session(
        ctx.tx, ctx.channel.id, member.id, ctx.now - RECENT_SESSION_WINDOW
    )
    return session_store.get_session(ctx.tx, session_id) if session_id is not None else None


def no_such_session(title: str) -> Reply:
    return refuse(
        ProblemCode.NO_SUCH_SESSION,
        _("No session called %(title)s in this channel. `/memo sessions all` lists them.")
        % {"title": md.title(title)},
        "title",
    )


def picked_session(ctx: Context, picked: SessionId) -> Found | Reply:
    """A session chosen from a picker, if it belongs to this channel."""
    row = None
    if ctx.channel is not None:
        row = session_store.channel_session(ctx.tx, ctx.channel.id, picked.value)
    if row is None:
        return refuse(
            ProblemCode.NO_SUCH_SESSION,
            _("That session is not in this channel. Pick another one or type a new title."),
            "title",
        )
    return Found(row, None)


def session_to_write(ctx: Context, session: str | SessionId) -> Found | Reply:
    """The session a memo or attendance goes to, created when the title is new."""
    if isinstance(session, SessionId):
        return picked_session(ctx, session)
    title = check_title(session)
    if isinstance(title, Reply):
        return title
    return find_or_create(ctx, title)


def session_to_read(ctx: Context, session: str | SessionId | None, usage: str) -> Found | Reply:
    """An existing session: picked, titled, or (None) the one the user was recently active in."""
    if isinstance(session, SessionId):
        return picked_session(ctx, session)
    if session is None:
        row = recent_session(ctx)
        if row is None:
            return refuse(
                ProblemCode.MISSING_TITLE,
                _("Which session? Write `%(usage)s`.") % {"usage": usage},
                "title",
            )
        return Found(row, None)
    title = check_title(session)
    if isinstance(title, Reply):
        return title
    return find_existing(ctx, title) or no_such_session(title)


def suggest(ctx: Context, typed: str, limit: int) -> tuple[SessionChoice, ...]:
    """Sessions of the channel's current conference for a picker: the programme's running
    and next talks first, then the newest; with typed text, by fit, those talks first among
    equally fitting ones."""
    conference = ctx.conference()
    if conference is None:
        return ()
    newest_first = sorted(
        session_store.sessions_on(ctx.tx, conference.id, None),
        key=lambda row: (row.day, row.id),
        reverse=True,
    )
    running = programme_store.running_or_just_ended(ctx.tx, conference.id, ctx.now, GRACE)
    following = programme_store.next_after(ctx.tx, conference.id, ctx.now)
    soon = {
        session_id: order
        for order, session_id in enumerate([*running, *(talk.id for talk in following)])
    }
    in_order = _soon_first(newest_first, soon)
    query = titles.title_key(clean_text(typed))  # typed so far: no command, so not cleaned yet
    if query:
        candidates = [(row, titles.title_key(row.title)) for row in in_order]
        picked = titles.rank_titles(query, candidates, limit)
    else:
        picked = in_order[:limit]
    return tuple(SessionChoice(row.id, row.title, row.day) for row in picked)


def _soon_first(rows: list[SessionRecord], soon: dict[int, int]) -> list[SessionRecord]:
    """The running and next talks first (in programme order), the rest in the order given."""
    return sorted(rows, key=lambda row: soon.get(row.id, len(soon)))


def attend(ctx: Context, command: Attend) -> Reply:
    found = session_to_write(ctx, command.session)
    if isinstance(found, Reply):
        return found
    recorded = ctx.attend(found.session.id, "explicit")
    data = AttendanceRecorded(
        session_view(ctx, found.session),
        found.typed_title,
        not recorded,
        same_title_elsewhere=found.same_title_elsewhere,
    )
    return Reply(render.attendance_recorded(data), Visibility.PRIVATE, data)


def list_sessions(ctx: Context, command: ListSessions) -> Reply:
    if command.conference is not None:
        return _conference_sessions(ctx, command.conference)
    day = None if command.all_days else (command.day or ctx.today())
    conference = ctx.conference()
    rows = session_store.sessions_on(ctx.tx, conference.id, day) if conference is not None else []
    others: tuple[ConferenceSessions, ...] = ()
    if command.all_days and ctx.channel is not None and conference is not None:
        others = tuple(
            ConferenceSessions(
                conference_view(other),
                tuple(session_views(ctx, session_store.sessions_on(ctx.tx, other.id, None))),
            )
            for other in conference_store.channel_conferences(ctx.tx, ctx.channel.id)
            if other.id != conference.id
        )
    data = SessionListing(
        ctx.conference_view(), day, tuple(session_views(ctx, rows)), other_conferences=others
    )
    return Reply(render.session_listing(data), Visibility.PRIVATE, data)


def _conference_sessions(ctx: Context, name: str) -> Reply:
    """Every session of one of the channel's conferences, by its name."""
    found = named_conference(ctx, name)
    if isinstance(found, Reply):
        return found
    rows = session_store.sessions_on(ctx.tx, found.id, None)
    current = ctx.conference()
    data = SessionListing(
        conference_view(found),
        None,
        tuple(session_views(ctx, rows)),
        is_current=current is not None and current.id == found.id,
    )
    return Reply(render.session_listing(data), Visibility.PRIVATE, data)


def show(ctx: Context, command: ShowSession) -> Reply:
    found = session_to_read(ctx, command.session, "/memo show [Session title]")
    if isinstance(found, Reply):
        return found
    zone = ctx.zone()
    data = SessionMemos(
        session_view(ctx, found.session),
        tuple(
            memo_view(memo, found.session.title, zone)
            for memo in memo_store.live_memos(ctx.tx, found.session.id)
        ),
    )
    return Reply(render.session_memos(data), Visibility.PRIVATE, data)


# ---------------------------------------------------------------- grammar


def _parse_attend(rest: str) -> Attend | Rejected:
    return attend_from_options(title_argument(rest))


def attend_from_options(session: str | SessionId | Rejected | None) -> Attend | Rejected:
    if isinstance(session, Rejected):
        return session
    if session is None:
        return Rejected(
            ProblemCode.MISSING_TITLE,
            N_("Which session? Write `/memo attend [Session title]`."),
            "title",
        )
    return Attend(session=session)


def _parse_show(rest: str) -> ShowSession | ShowMemos | Rejected:
    memos = _memo_ids(rest)
    if memos is not None:
        return memos
    title = title_argument(rest)
    return title if isinstance(title, Rejected) else ShowSession(session=title)


def show_from_option(session: str | SessionId | None) -> ShowSession | ShowMemos | Rejected:
    """``show`` from a session option (Discord), which may hold memo ids instead: ``#4 #5``."""
    memos = _memo_ids(session) if isinstance(session, str) else None
    return memos if memos is not None else ShowSession(session)


def _memo_ids(text: str) -> ShowMemos | Rejected | None:
    numbers = parse_memo_numbers(text)
    return numbers if numbers is None or isinstance(numbers, Rejected) else ShowMemos(numbers)


def _parse_sessions(rest: str) -> ListSessions | Rejected:
    word, *name = rest.split(maxsplit=1) or [""]
    if word.lower() == "conference":
        return sessions_from_options(conference=name[0] if name else "")
    return sessions_from_option(rest)


def sessions_from_options(
    date: str | None = None, conference: str | None = None
) -> ListSessions | Rejected:
    """``sessions`` from its options: a day (or ``all``), or a conference's name."""
    if conference is None:
        return sessions_from_option(date)
    if date:
        return Rejected(
            ProblemCode.BAD_ARGUMENTS,
            N_(
                "Give a date or a conference, not both: `/memo sessions conference "
                '"DEVRIVER 2025"` lists all of its sessions.'
            ),
            "conference",
        )
    name = name_argument(conference)
    if isinstance(name, Rejected):
        return name
    if name is None:
        return Rejected(
            ProblemCode.MISSING_TITLE,
            N_(
                'Which conference? Write `/memo sessions conference "DEVRIVER 2025"`; '
                "`/memo conferences` lists them."
            ),
            "conference",
        )
    return ListSessions(conference=name)


def sessions_from_option(when: str | None) -> ListSessions | Rejected:
    """``sessions`` from its text or an optional date option: ``today`` (default), ``all``
    or a date."""
    argument = (when or "").strip().lower()
    if argument in ("", "today"):
        return ListSessions()
    if argument == "all":
        return ListSessions(all_days=True)
    day = parse_day(argument)
    if day is None:
        return not_a_date(
            argument,
            "Use `/memo sessions 2025-09-25`, `/memo sessions today` or `/memo sessions all`.",
        )
    return ListSessions(day=day)


#: A session to write to: one picked, or a new title.
SESSION_OPTION = Option(
    "session", OptionKind.SESSION, N_("The session (pick one, or type a new title)")
)
#: A session to read; left out, the one the person was last active in.
RECENT_SESSION_OPTION = Option(
    "session", OptionKind.SESSION, N_("The session (default: the one you were last active in)")
)

ATTEND = CommandDeclaration(
    "attend",
    Attend,
    N_("Note that you went to a session"),
    InTransaction(attend),
    attend_from_options,
    options=(replace(SESSION_OPTION, required=True),),
    parse=_parse_attend,
    usage=Usage("/memo attend [Session title]", N_("Note that you went to a session.")),
    writes=True,
)
SESSIONS = CommandDeclaration(
    "sessions",
    ListSessions,
    N_("Sessions of a day: who went, how many notes"),
    InTransaction(list_sessions),
    sessions_from_options,
    options=(
        Option("date", OptionKind.DAY, N_("today (default), all, or a date like 2025-09-25")),
        Option(
            "conference",
            OptionKind.TEXT,
            N_("Every session of this conference of the channel (instead of a date)"),
            max_length=MAX_CONFERENCE_NAME_LENGTH,
        ),
    ),
    parse=_parse_sessions,
    usage=Usage(
        '/memo sessions [YYYY-MM-DD | all | conference "Name"]',
        N_(
            "Sessions of a day (today by default), of every conference of the channel (all) "
            "or of one: who went and how many notes."
        ),
    ),
)
SHOW = CommandDeclaration(
    "show",
    ShowSession,
    N_("Every note of a session"),
    InTransaction(show),
    lambda session=None: show_from_option(session),
    options=(RECENT_SESSION_OPTION,),
    parse=_parse_show,
    usage=Usage(
        "/memo show [Session title]",
        N_("Every note of a session; `/memo show #4 #5` shows memos by their ids."),
    ),
    variants=(SHOW_MEMOS,),
)
