"""SQLAlchemy models: the tables Alembic's migrations create, and nothing else.

A chat platform keeps its own state (installs, tokens) in tables it defines in its
own package, on this same ``Base.metadata``, so the migrations create those too.

Every row that holds user content hangs off a channel, and every channel off a
workspace, so isolation is a matter of always filtering by ``channel_id``.
Times are stored in UTC (``UTCDateTime``); local dates (a session's day) are
stored as plain dates in the conference's time zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

#: Longest display name kept for a member; longer ones are cut.
DISPLAY_NAME_LENGTH = 80

#: Constraint names that are the same on every database, so migrations can name them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database.

    SQLite has no time zone type, so values are stored there as naive UTC and
    made aware again on the way out; naive values are refused so local time can
    never be stored by mistake.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing to store a naive datetime; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, date: Date, time: Time}  # noqa: RUF012


class Workspace(Base):
    """A Slack team, a Discord guild or a console: (platform, external id)."""

    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class Channel(Base):
    """A chat channel; memos are shared inside it and nowhere else."""

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    external_id: Mapped[str] = mapped_column(String(64))
    #: The last memo number handed out here: memo ids are per channel (#1, #2, ...).
    last_memo_number: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    #: ``ko``, ``en`` or ``auto`` (`/memo language`): the language of replies and digests here.
    language: Mapped[str] = mapped_column(String(8), server_default="auto")
    #: Announce each session's memos in a thread of its own (``/memo threads on|off``).
    threads: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    #: What the platform last refused when the bot delivered here, for ``/memo threads``.
    delivery_problem: Mapped[str | None] = mapped_column(Text)
    delivery_problem_at: Mapped[datetime | None]
    #: What someone in the channel can do about that problem (``bot.outbound``'s fixes).
    delivery_fix: Mapped[str | None] = mapped_column(String(120))


class Member(Base):
    """A person in a workspace, with the display name they last used."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    external_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_LENGTH))
    created_at: Mapped[datetime]


class Conference(Base):
    """A conference a channel follows; the most recently activated one is current.

    A channel that never named one gets an unnamed conference (``name == ""``)
    so every session has a conference and a time zone.
    """

    __tablename__ = "conferences"
    __table_args__ = (
        UniqueConstraint("channel_id", "name_key"),
        Index(None, "channel_id", "activated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))
    time_zone: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    activated_at: Mapped[datetime]
    created_at: Mapped[datetime]


class ConferenceSession(Base):
    """A talk at a conference, on one local day.

    ``title_key`` is the case- and whitespace-folded title that matching uses;
    ``channel_id`` is repeated from the conference so every query can filter on it.
    A programme (``bot.agenda``) gives a talk its instants (``start_utc``,
    ``end_utc``: "what runs now" compares them with the clock, whatever the zone)
    and its local ``starts_at``/``ends_at`` for listing a day in order.
    """

    __tablename__ = "sessions"
    __table_args__ = (
        UniqueConstraint("conference_id", "title_key", "day"),
        Index(None, "conference_id", "day"),
        Index(None, "channel_id", "day"),
        Index(None, "conference_id", "start_utc", "end_utc"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"))
    title: Mapped[str] = mapped_column(String(200))
    title_key: Mapped[str] = mapped_column(String(200))
    day: Mapped[date]
    starts_at: Mapped[time | None]
    ends_at: Mapped[time | None]
    start_utc: Mapped[datetime | None]
    end_utc: Mapped[datetime | None]
    room: Mapped[str | None] = mapped_column(String(100))
    track: Mapped[str | None] = mapped_column(String(100))
    speakers: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


#: The partial index's condition: the memo is deleted.
_DELETED = text("deleted_at IS NOT NULL")


class Memo(Base):
    """One note, exactly as typed. Deleting sets ``deleted_at``; nothing is dropped."""

    __tablename__ = "memos"
    __table_args__ = (
        UniqueConstraint("channel_id", "number"),
        Index(None, "session_id", "deleted_at", "created_at"),
        Index(None, "channel_id", "author_id", "created_at"),
        # Only deleted memos are in it (for `/memo undo`), so an add never writes to it.
        Index(
            None,
            "channel_id",
            "deleted_by_id",
            "deleted_at",
            sqlite_where=_DELETED,
            postgresql_where=_DELETED,
        ),
        Index(None, "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    number: Mapped[int]
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    source_url: Mapped[str | None] = mapped_column(Text)


class MemoRevision(Base):
    """The text a memo had before an edit: the edit history."""

    __tablename__ = "memo_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    memo_id: Mapped[int] = mapped_column(ForeignKey("memos.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    replaced_at: Mapped[datetime]
    replaced_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))


class Attendance(Base):
    """A member attended a session: said so, or wrote a memo in it."""

    __tablename__ = "attendances"
    __table_args__ = (Index(None, "member_id", "created_at"),)

    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    #: "memo" when implied by writing a memo, "explicit" after `/memo attend`.
    via: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]


class Plan(Base):
    """A member plans to attend a session (`/memo plan`): shown in the agenda and the digest,
    and it tells which of several talks running at once an untitled note is for."""

    __tablename__ = "plans"
    __table_args__ = (Index(None, "member_id", "session_id"),)

    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    created_at: Mapped[datetime]


class PendingNote(Base):
    """An untitled note written while several talks ran, kept until its author picks one.

    ``choices`` are the ids of the sessions offered (comma-separated: a pick must be one
    of them). ``picked_at`` is set once, by the first pick, in the transaction that stores
    the memo ``memo_id``; a later pick, a copy or a stale button then changes nothing.
    """

    __tablename__ = "pending_notes"
    __table_args__ = (Index(None, "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    text: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    choices: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    picked_at: Mapped[datetime | None]
    memo_id: Mapped[int | None] = mapped_column(ForeignKey("memos.id"))


class NotePost(Base):
    """One person's imported note post (one conference day): its title line and untitled notes.

    Sessions and memos of the post live in their own tables; this keeps what
    belongs to the post itself, so an export can write the post back whole.
    Each importer has at most one post per conference day, and importing it
    again updates only that one: what an import may change or remove is what
    its importer's own earlier imports created (the post's ``ImportedMemo`` links).
    """

    __tablename__ = "note_posts"
    __table_args__ = (
        UniqueConstraint("conference_id", "day", "imported_by_id"),
        Index(None, "channel_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"))
    day: Mapped[date]
    #: The title line as written (``DEVRIVER 2025 Day1 참가 세션 메모``).
    title: Mapped[str] = mapped_column(Text)
    #: Lines under no session header, in order; an empty line is a paragraph break.
    notes: Mapped[str] = mapped_column(Text)
    #: Whose import it is: the person importing, or whom the CLI's ``--author`` named.
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    imported_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ImportedMemo(Base):
    """Which block of which imported post a memo came from, so importing again changes nothing.

    A block is known by (post, session, author, ordinal): the ``ordinal``-th
    block by that author under that session. ``source_text`` is the text the
    file had, so a re-import compares the file with the file (an edit made in
    chat since is kept unless the file changed); ``removed`` marks a memo the
    import deleted because its block left the file.
    """

    __tablename__ = "imported_memos"
    __table_args__ = (UniqueConstraint("post_id", "session_id", "author_id", "ordinal"),)

    memo_id: Mapped[int] = mapped_column(ForeignKey("memos.id"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("note_posts.id"))
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    ordinal: Mapped[int]
    source_text: Mapped[str] = mapped_column(Text)
    removed: Mapped[bool]


class Delivery(Base):
    """A platform request that changed something in a channel, and the answer it got.

    Written in the same transaction as the change, so a copy of the request that the
    platform delivers again (the same ``delivery_id``) finds it and is answered with
    ``answer`` instead of being run twice. Rows are forgotten after a day
    (``storage.deliveries``); ``id`` grows with ``recorded_at``, which lets the purge
    find the old rows without an index of its own.
    """

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("channel_id", "delivery_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    #: The platform's id of the request: a Slack trigger or view id, a Discord interaction id.
    delivery_id: Mapped[str] = mapped_column(String(128))
    #: The database's clock, so no time is converted and bound on every write.
    recorded_at: Mapped[datetime] = mapped_column(server_default=func.now())
    #: The Markdown the request was answered with, and who saw it ("public" or "private").
    answer: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(16))


class DigestSetting(Base):
    """A channel's daily digest: when, in which time zone, on which days; the schedule's source."""

    __tablename__ = "digest_settings"

    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"), primary_key=True)
    enabled: Mapped[bool]
    post_at: Mapped[time]
    time_zone: Mapped[str] = mapped_column(String(64))
    #: "mon-fri", "all" or "conference" (only the conference's dates).
    days: Mapped[str] = mapped_column(String(16))
    #: Why the bot turned it off by itself (removed from the channel), shown in `/memo digest`.
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]


class DigestPost(Base):
    """One channel's digest of one local day: claimed before posting, so it is posted once.

    The unique (channel, day) is the guarantee across processes; ``lease_until``
    lets another process take over a claim whose holder died (its holder renews it
    while it works). The attempt columns are written before the platform is called,
    so whoever tries again knows an earlier attempt may have landed and looks first.
    """

    __tablename__ = "digest_posts"
    __table_args__ = (UniqueConstraint("channel_id", "day"), Index(None, "day"))

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    day: Mapped[date]
    claimed_by: Mapped[str] = mapped_column(String(100))
    claimed_at: Mapped[datetime]
    lease_until: Mapped[datetime]
    attempts: Mapped[int]
    posted_at: Mapped[datetime | None]
    #: The platform's id of the posted message; empty when the day had nothing to post.
    message_id: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    #: Marks this digest's messages on the platform (Slack metadata, Discord nonces).
    delivery_key: Mapped[str | None] = mapped_column(String(32))
    #: When the first attempt to post began: its messages cannot be older.
    first_attempt_at: Mapped[datetime | None]
    #: What the first attempt posted; every later attempt posts the same words.
    markdown: Mapped[str | None] = mapped_column(Text)


#: The partial index's condition: the announcement still has to reach its channel.
_UNDELIVERED = text("delivered_at IS NULL")


class OutboxPost(Base):
    """A message the bot owes a channel about a memo (its announcement), written in the
    memo's own transaction, so a memo is never stored without it nor announced without
    being stored.

    Delivery workers claim a row (``claimed_by`` until ``lease_until``, the way digest
    claims work), record their attempt (``delivery_key``, ``first_attempt_at``) before
    calling the platform, and set ``delivered_at`` with the platform's id of the message
    (``message_id``: Slack's ``ts``, Discord's message id), which later changes to the
    memo find it by. A row whose lease ran out goes to whichever process claims it next,
    which looks for what the earlier attempt posted before posting anything.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        # Only undelivered rows are in it: the workers' queue stays small however long
        # the channel's history is.
        Index(
            None,
            "lease_until",
            "id",
            sqlite_where=_UNDELIVERED,
            postgresql_where=_UNDELIVERED,
        ),
        Index(None, "memo_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    memo_id: Mapped[int] = mapped_column(ForeignKey("memos.id"))
    #: What to do on the platform (``storage.outbox.PostKind``): "announce", "update",
    #: "remove" or "restore" the memo's message.
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    #: No process may claim the row before this (its holder's lease, or a retry's pause).
    lease_until: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(default=0)
    #: Marks the message on the platform (Slack metadata, a Discord nonce) on every attempt.
    delivery_key: Mapped[str | None] = mapped_column(String(32))
    first_attempt_at: Mapped[datetime | None]
    #: What the first attempt posted: every later attempt posts (and looks for) the same words.
    markdown: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(100))
    #: Why the last attempt failed, or why the row was settled without a message.
    last_error: Mapped[str | None] = mapped_column(Text)


class SessionThread(Base):
    """The thread a session's memos are announced in, in one channel: Slack's parent ``ts``
    (``thread_ts``), or the Discord thread started from the session's first message."""

    __tablename__ = "session_threads"
    __table_args__ = (UniqueConstraint("channel_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"))
    thread_id: Mapped[str] = mapped_column(String(100))
    #: The session's message the thread hangs from (its title, day and first memo).
    parent_message_id: Mapped[str] = mapped_column(String(100))
    #: Where the person's confirmation links to (a Slack permalink, a Discord jump URL).
    link: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime]


def table_of(model: type[Base]) -> Table:
    """The model's ``Table``, for Core statements (typed, unlike ``__table__``)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
