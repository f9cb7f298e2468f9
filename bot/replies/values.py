"""What the core hands back: Markdown for every adapter, plus typed data for rich ones.

``Reply.markdown`` is complete on its own (the console prints it as is).
``Reply.data`` carries the same facts as values, so an adapter can build Slack
blocks or a Discord embed, or show a validation problem next to the right field
of a form, without parsing text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from bot.summary.key_points import KeyPoint


class Visibility(StrEnum):
    """Who sees a reply: everyone in the channel, or only the person who asked."""

    PUBLIC = "public"
    PRIVATE = "private"


class ProblemCode(StrEnum):
    """Everything a user can get wrong; each comes back as a short private reply."""

    EMPTY_TEXT = "empty_text"
    TEXT_TOO_LONG = "text_too_long"
    MISSING_TITLE = "missing_title"
    EMPTY_TITLE = "empty_title"
    TITLE_TOO_LONG = "title_too_long"
    UNBALANCED_BRACKETS = "unbalanced_brackets"
    NO_RECENT_SESSION = "no_recent_session"
    NO_SUCH_SESSION = "no_such_session"
    #: The title names sessions of several conferences the channel is not at now.
    AMBIGUOUS_SESSION = "ambiguous_session"
    BAD_MEMO_ID = "bad_memo_id"
    NO_SUCH_MEMO = "no_such_memo"
    MEMO_DELETED = "memo_deleted"
    NOT_ALLOWED = "not_allowed"
    NOTHING_TO_UNDO = "nothing_to_undo"
    BAD_DATE = "bad_date"
    INVALID_TIME_ZONE = "invalid_time_zone"
    NAME_TOO_LONG = "name_too_long"
    BAD_ARGUMENTS = "bad_arguments"
    BAD_TIME = "bad_time"
    EMPTY_QUERY = "empty_query"
    QUERY_TOO_LONG = "query_too_long"
    NO_SUCH_PERSON = "no_such_person"
    UNKNOWN_COMMAND = "unknown_command"
    NO_SUCH_CONFERENCE = "no_such_conference"
    NOTHING_TO_EXPORT = "nothing_to_export"
    NO_FILE = "no_file"
    UNREADABLE_FILE = "unreadable_file"
    NO_POSTS = "no_posts"
    NO_PROGRAMME = "no_programme"
    #: A pick for a note that is not open here: unknown, of another channel, or too old.
    PICK_CLOSED = "pick_closed"
    #: A pick for someone else's note.
    NOT_YOUR_NOTE = "not_your_note"
    #: A pick of a talk the picker did not offer.
    NOT_A_CHOICE = "not_a_choice"
    #: A pick for a note that an earlier pick saved already.
    ALREADY_PICKED = "already_picked"
    INTERNAL_ERROR = "internal_error"


@dataclass(frozen=True, slots=True)
class MemoView:
    number: int
    session_title: str
    author_id: str
    author_name: str
    text: str
    created_at: datetime
    #: ``created_at`` in the conference's time zone.
    local_created_at: datetime
    edited: bool
    source_url: str | None


@dataclass(frozen=True, slots=True)
class SessionRef:
    """Which session something happened in, without its tallies."""

    title: str
    day: date
    conference: str
    #: False when the session belongs to another of the channel's conferences.
    in_current_conference: bool = True


@dataclass(frozen=True, slots=True)
class SessionView:
    title: str
    day: date
    conference: str
    attendees: tuple[str, ...]
    memo_count: int
    #: False when the session belongs to another of the channel's conferences.
    in_current_conference: bool = True


@dataclass(frozen=True, slots=True)
class ConferenceView:
    #: Empty when the channel never named its conference.
    name: str
    time_zone: str
    starts_on: date | None
    ends_on: date | None


@dataclass(frozen=True, slots=True)
class MemoAnnounced:
    """A memo as the channel sees it, posted by the outbox after it was saved."""

    number: int
    author_name: str
    session_title: str
    text: str
    edited: bool = False


@dataclass(frozen=True, slots=True)
class SessionThreadStarted:
    """The message a session's thread in a channel hangs from: the session and its first memo."""

    session_title: str
    day: date
    first: MemoAnnounced


@dataclass(frozen=True, slots=True)
class ThreadsShown:
    """The channel's `/memo threads` setting, and the platform's last refusal there."""

    on: bool
    #: Whether this command just set it.
    changed: bool
    problem: str | None
    problem_at: datetime | None


@dataclass(frozen=True, slots=True)
class MemoSaved:
    memo: MemoView
    session: SessionRef
    #: What the user typed, when it was matched to an existing title that differs.
    typed_title: str | None
    #: True when the session came from the user's recent activity, not a ``[title]``.
    from_recent_session: bool
    #: Other conferences of the channel with a session of this title (the session is new).
    same_title_elsewhere: tuple[str, ...] = ()
    #: How an untitled note found its talk in the programme: "yours" (the running talk
    #: you attended or planned), "running" (the only one running), "picked" (from a picker).
    running_talk: str | None = None
    #: The session's thread in the channel, when it was started before this memo.
    thread_link: str | None = None
    #: The bot's last post in the channel was refused (see `/memo threads`).
    channel_refused: bool = False
    #: What would fix that, when known (``bot.outbound``'s fixes).
    channel_fix: str | None = None


@dataclass(frozen=True, slots=True)
class TalkChoice:
    """A talk offered for an untitled note; ``session_id`` goes back with the pick."""

    session_id: int
    title: str
    room: str | None
    #: Local to the conference.
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class TalkPickNeeded:
    """Several talks run and nothing tells which one an untitled note is for: the note
    waits (as ``pending``) until its author picks one of ``choices``; nothing is saved yet."""

    pending: int
    choices: tuple[TalkChoice, ...]
    #: Talks running too but not offered (a question offers at most 25).
    more: int = 0


@dataclass(frozen=True, slots=True)
class PlanRecorded:
    session: SessionRef
    typed_title: str | None
    already: bool
    #: The slot, local to the conference, when the programme has the talk.
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    room: str | None = None


@dataclass(frozen=True, slots=True)
class PlanShown:
    """A person's day: the talks they plan or attended, in programme order."""

    conference: ConferenceView
    day: date
    talks: tuple[AgendaTalk, ...]
    #: Planned or attended sessions of the day that have no slot in the programme.
    unscheduled: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AttendanceRecorded:
    session: SessionView
    typed_title: str | None
    already: bool
    #: Other conferences of the channel with a session of this title (the session is new).
    same_title_elsewhere: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConferenceSessions:
    """One conference's sessions, in a listing of several conferences."""

    conference: ConferenceView
    sessions: tuple[SessionView, ...]


@dataclass(frozen=True, slots=True)
class SessionListing:
    #: The conference listed (the current one, unless ``sessions conference "Name"``).
    conference: ConferenceView
    #: None for every day (``sessions all``, ``sessions conference "Name"``).
    day: date | None
    sessions: tuple[SessionView, ...]
    #: With ``sessions all``: the channel's other conferences, most recently current first.
    other_conferences: tuple[ConferenceSessions, ...] = ()
    #: False for ``sessions conference "Name"`` of a conference that is not the current one.
    is_current: bool = True


@dataclass(frozen=True, slots=True)
class ConferenceEntry:
    """A line of `/memo conferences`."""

    conference: ConferenceView
    sessions: int
    memos: int
    #: The days it has sessions on, for a conference whose dates were never set.
    first_day: date | None
    last_day: date | None
    current: bool


@dataclass(frozen=True, slots=True)
class ConferencesListed:
    #: The current conference first, then the others by when they were last current.
    conferences: tuple[ConferenceEntry, ...]


@dataclass(frozen=True, slots=True)
class SessionMemos:
    session: SessionView
    memos: tuple[MemoView, ...]


@dataclass(frozen=True, slots=True)
class MemosShown:
    """Memos asked for by their ids (``/memo show #4 #5``), and the ids with none to show."""

    #: In the order they were asked for.
    memos: tuple[MemoView, ...]
    deleted: tuple[int, ...]
    #: Ids no memo of this channel has.
    missing: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """A session's key points; ``points`` is empty when it has no memos yet."""

    session: SessionView
    points: tuple[KeyPoint, ...]
    #: Who chose the points: "extractive" (local) or "llm" (the configured model).
    source: str


@dataclass(frozen=True, slots=True)
class MemoChanged:
    """A memo was edited, deleted or restored; ``memo`` shows it afterwards."""

    action: str
    memo: MemoView


@dataclass(frozen=True, slots=True)
class ConferenceSet:
    conference: ConferenceView
    #: None when only showing the current conference.
    created: bool | None
    #: Sessions taken over from the channel's unnamed conference.
    adopted_sessions: int


@dataclass(frozen=True, slots=True)
class CommandHelp:
    usage: str
    summary: str
    #: Other words for the command (``추가`` for ``add``), listed next to it.
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LanguageShown:
    """`/memo language`: the channel's setting (``ko``, ``en``, ``auto``); ``changed`` None
    when it was only shown."""

    setting: str
    changed: bool | None


@dataclass(frozen=True, slots=True)
class HelpShown:
    commands: tuple[CommandHelp, ...]
    #: The subcommand the user typed that does not exist, if that is why help is shown.
    unknown: str | None


@dataclass(frozen=True, slots=True)
class ChannelMemoView:
    #: The platform's id of the channel the memo is in.
    channel_id: str
    memo: MemoView


@dataclass(frozen=True, slots=True)
class ChannelSessionView:
    channel_id: str
    session: SessionView


@dataclass(frozen=True, slots=True)
class HomeShown:
    """A person's own recent memos and sessions, across the channels of their workspace."""

    memos: tuple[ChannelMemoView, ...]
    sessions: tuple[ChannelSessionView, ...]


@dataclass(frozen=True, slots=True)
class SessionChoice:
    """One entry of a session picker: the id to send back, what to show."""

    id: int
    title: str
    day: date


@dataclass(frozen=True, slots=True)
class DigestSession:
    title: str
    attendees: tuple[str, ...]
    #: Memos written that day.
    memo_count: int
    #: What mattered: the key points of that day's memos (``bot.summary.key_points``).
    points: tuple[str, ...]
    #: The ids of that day's memos, to find the rest with `/memo show`.
    numbers: tuple[int, ...]
    #: The session's thread in the channel (every memo of it), once one was started.
    thread_link: str | None = None


@dataclass(frozen=True, slots=True)
class DigestShown:
    """A channel's digest of one local day (empty ``sessions``: nothing happened)."""

    #: The conference the day's sessions belong to (none yet: the channel's current one);
    #: None when they belong to several.
    conference: ConferenceView | None
    day: date
    #: 1 for the conference's first day, when its dates are known.
    day_number: int | None
    sessions: tuple[DigestSession, ...]
    people: int
    memos: int
    #: The day's programme talks nobody attended or noted, by time and room (times local).
    not_covered: tuple[AgendaTalk, ...] = ()
    #: How many talks the day's programme has (0: no programme imported).
    programme_talks: int = 0
    #: The day's programme talks someone plans to attend, with who (times local).
    planned: tuple[AgendaTalk, ...] = ()


@dataclass(frozen=True, slots=True)
class DigestSettingShown:
    enabled: bool
    post_at: time | None
    time_zone: str | None
    days: str | None
    #: The next post, in the digest's time zone; None when off.
    next_post: datetime | None
    #: Why the bot turned the digest off by itself, if it did.
    disabled_reason: str | None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that goes with a reply; adapters upload it, the console writes it to a folder."""

    name: str
    content: bytes
    mime_type: str


@dataclass(frozen=True, slots=True)
class ExportReady:
    """An export was written: what it holds (the file itself is ``Reply.attachment``)."""

    conference: str
    #: None when the export covers every day of the conference.
    day: date | None
    posts: int
    sessions: int
    memos: int
    post_format: str
    #: The channel's conferences that have memos but were not asked for (by name).
    not_exported: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One memo found by `/memo search`, with the part of it worth showing."""

    number: int
    session_title: str
    author_id: str
    author_name: str
    #: When it was written, in the conference's time zone.
    local_created_at: datetime
    edited: bool
    #: One line of the memo around the first match (``…`` where it was cut).
    snippet: str
    #: Where the query matched in ``snippet``: (start, end) character offsets, in order.
    marks: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class SearchResults:
    query: str
    #: The best hits, at most ``bot.search.MAX_HITS``.
    hits: tuple[SearchHit, ...]
    #: Every memo that matched, shown or not.
    total: int


@dataclass(frozen=True, slots=True)
class ImportedSession:
    title: str
    #: Note lines (blank paragraph breaks not counted).
    lines: int


@dataclass(frozen=True, slots=True)
class ImportedPost:
    day: date
    conference: str
    title: str
    sessions: tuple[ImportedSession, ...]


@dataclass(frozen=True, slots=True)
class ImportDone:
    """What an import of one file did (or, for a dry run, would do)."""

    file_name: str
    dry_run: bool
    #: Each conference's posts together, conferences in the order the file names them.
    posts: tuple[ImportedPost, ...]
    lines: int
    #: "line 12: ..." each: lines placed by a guess or not placed at all.
    warnings: tuple[str, ...]
    #: Memos created, changed (the file's text changed), removed (gone from the file),
    #: and left as they were. All zero for a dry run.
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    #: The channel's current conference after the import (None for a dry run, which
    #: reads nothing), and whether this import made it current.
    current_conference: str | None = None
    became_current: bool = False

    @property
    def session_count(self) -> int:
        return sum(len(post.sessions) for post in self.posts)


@dataclass(frozen=True, slots=True)
class AgendaImported:
    """What importing a programme did (or, for a dry run, would do) to a conference."""

    file_name: str
    dry_run: bool
    conference: ConferenceView
    talks: int
    #: Sessions made new, existing sessions given (new) slots, and ones already in line.
    created: int
    filled_in: int
    unchanged: int
    #: (title the session has, title the programme gives) for each near-title match.
    near_titles: tuple[tuple[str, str], ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AgendaTalk:
    """One talk of a day's programme, with who attended it and how many memos it has."""

    title: str
    starts_at: datetime
    ends_at: datetime
    room: str | None
    speakers: str | None
    attendees: tuple[str, ...]
    memo_count: int
    #: Who plans to attend it (`/memo plan`).
    planned_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AgendaShown:
    """A day's programme (``when`` "day"), or the running and next slots ("now", "next")."""

    conference: ConferenceView
    when: str
    day: date
    #: Times are local to the conference.
    talks: tuple[AgendaTalk, ...]
    #: For "now": the next slot's talks too (shown when nothing runs).
    upcoming: tuple[AgendaTalk, ...] = ()


@dataclass(frozen=True, slots=True)
class Replayed:
    """The answer to a request the platform delivered again, which was done already.

    ``Reply.markdown`` and ``Reply.visibility`` are what the first delivery was
    answered; the facts behind them are not kept. An adapter sends it as this
    delivery's answer (the platform may never have got the first one) but repeats
    nothing else the first delivery did, such as announcing a memo in the channel.
    """


@dataclass(frozen=True, slots=True)
class Problem:
    code: ProblemCode
    #: The form field the problem is about ("title", "text", "memo_id", ...), if any.
    field: str | None = None


ReplyData = (
    MemoSaved
    | TalkPickNeeded
    | PlanRecorded
    | PlanShown
    | MemoAnnounced
    | ThreadsShown
    | AttendanceRecorded
    | SessionListing
    | ConferencesListed
    | SessionMemos
    | MemosShown
    | SessionSummary
    | MemoChanged
    | ConferenceSet
    | HelpShown
    | LanguageShown
    | HomeShown
    | DigestShown
    | DigestSettingShown
    | ExportReady
    | SearchResults
    | ImportDone
    | AgendaImported
    | AgendaShown
    | Replayed
    | Problem
)


@dataclass(frozen=True, slots=True)
class Reply:
    markdown: str
    visibility: Visibility
    data: ReplyData
    attachment: Attachment | None = None

    @property
    def ok(self) -> bool:
        return not isinstance(self.data, Problem)

    @property
    def replayed(self) -> bool:
        """Whether this repeats the answer to an earlier delivery of the same request."""
        return isinstance(self.data, Replayed)


def refuse(code: ProblemCode, message: str, field: str | None = None) -> Reply:
    """A private reply to input the core will not act on; nothing was changed."""
    return Reply(message, Visibility.PRIVATE, Problem(code, field))
