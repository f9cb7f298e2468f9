"""The state one command runs with: the transaction, who asked, where, and in which time zone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from bot.commands.text import clean_text
from bot.invocation import Invocation
from bot.known import KnownRows
from bot.language import resolve
from bot.replies.values import ConferenceView
from bot.titles import display_title, title_key
from storage import (
    attendance as attendance_store,
)
from storage import (
    channels as channel_store,
)
from storage import (
    conferences as conference_store,
)
from storage.models import DISPLAY_NAME_LENGTH
from storage.records import ChannelRecord, ConferenceRecord, MemberRecord, SessionRecord


@dataclass
class Context:
    """Loads the member and conference on first use, so read-only commands write nothing.

    ``known`` holds rows already known to exist; what this command finds or
    creates is collected in ``learned`` and remembered there once committed.
    """

    tx: Connection
    invocation: Invocation
    #: None only for a read-only command in a channel the bot has never stored anything for.
    channel: ChannelRecord | None
    default_time_zone: str
    known: KnownRows
    learned: list[Callable[[], None]] = field(default_factory=list)
    #: ``MEMO_DEFAULT_LANGUAGE``: the language where neither the channel nor the person says.
    default_language: str = "en"
    #: A write command: its member is named (``member``) in its transaction.
    writes: bool = False
    #: The session title a write command names (``Command.typed_session_title``): on
    #: PostgreSQL its session is read with the channel's state (``titled_session``).
    typed_title: str | None = None
    _member: MemberRecord | None = field(default=None, init=False)
    _conference: ConferenceRecord | None = field(default=None, init=False)
    #: The channel's `/memo language`, once read (``language``).
    _language_setting: str | None = field(default=None, init=False)
    _conferences: dict[int, ConferenceRecord] = field(default_factory=dict, init=False)
    #: (conference id, title key, session) of ``typed_title``, once read with the channel's state.
    _titled: tuple[int, str, SessionRecord | None] | None = field(default=None, init=False)

    @property
    def language(self) -> str:
        """The language of this command's reply (``bot.language``)."""
        if self.channel is not None and self._language_setting is None:
            self._read_channel_state()
        return resolve(self._language_setting, self.invocation.locale, self.default_language)

    def language_changed(self) -> None:
        """The channel's language setting changed in this transaction: read it again."""
        self._language_setting = None

    def _read_channel_state(self) -> None:
        """The channel's language and current conference, in one statement: every command
        with a channel reads the one first and most the other. For a write command, the
        member (when this process knows them) is named in that statement too (see
        ``member``), and the session of the title it names is read (``titled_session``)."""
        assert self.channel is not None
        known = self._known_member() if self.writes and self._member is None else None
        naming = None if known is None else conference_store.Naming(known.id, known.display_name)
        typed_key = title_key(display_title(self.typed_title)) if self.typed_title else None
        state = conference_store.channel_state(
            self.tx, self.channel.id, writes=self.writes, naming=naming, title_key=typed_key or None
        )
        self._language_setting = state.language
        if known is not None:
            self._member = known
        if self._conference is None:
            self._conference = state.current
        if state.title_key is not None and state.current is not None:
            self._titled = (state.current.id, state.title_key, state.titled)

    def titled_session(self, conference_id: int, key: str) -> list[SessionRecord] | None:
        """The conference's session of this title key as ``sessions.sessions_titled`` would
        find it first (``[]``: none), when it was read with the channel's state; else None."""
        if self._titled is None or self._titled[:2] != (conference_id, key):
            return None
        session = self._titled[2]
        return [] if session is None else [session]

    @property
    def now(self) -> datetime:
        return self.invocation.received_at

    def writable_channel(self) -> ChannelRecord:
        assert self.channel is not None, "write commands always run with a stored channel"
        return self.channel

    def member(self) -> MemberRecord:
        """The requesting user, created or renamed as needed (write commands only).

        Another process may have renamed them since: the name is set in every write
        command, with the channel's state when that is read first (``_read_channel_state``).
        """
        if self._member is None:
            known = self._known_member()
            if known is None:
                key = (self.writable_channel().workspace_id, self.invocation.user_id)
                known = channel_store.ensure_member(
                    self.tx, key[0], key[1], self.display_name(), self.now
                )
                self.learn(self.known.members.put, key, known.id)
            else:
                channel_store.name_member(self.tx, known.id, known.display_name)
            self._member = known
        return self._member

    def _known_member(self) -> MemberRecord | None:
        """The requesting user with the platform's name, if this process knows their id."""
        key = (self.writable_channel().workspace_id, self.invocation.user_id)
        member_id = self.known.members.get(key)
        return None if member_id is None else MemberRecord(member_id, key[1], self.display_name())

    def attend(self, session_id: int, via: str) -> bool:
        """Record that the user attended the session; False when they already had."""
        if self.attendance_known(session_id):
            return False
        added = attendance_store.record_attendance(
            self.tx, session_id, self.member().id, via, self.now
        )
        self.attendance_recorded(session_id)
        return added

    def attendance_known(self, session_id: int) -> bool:
        """Whether this process knows (from committed data) that the user attends the session."""
        return bool(self.known.attendances.get((session_id, self.member().id)))

    def attendance_recorded(self, session_id: int) -> None:
        """The user's attendance of the session is recorded in this transaction (by ``attend``
        or with a memo): remembered once it commits."""
        self.learn(self.known.attendances.put, (session_id, self.member().id), True)

    def learn(self, remember: Callable[..., None], *args: object) -> None:
        """Remember a fact in ``known`` once this command's transaction has committed."""
        self.learned.append(lambda: remember(*args))

    def display_name(self) -> str:
        """The platform's name for the user, on one line and cut to fit; the id if it is blank."""
        name = display_title(clean_text(self.invocation.display_name))
        return name[:DISPLAY_NAME_LENGTH] or self.invocation.user_id

    def existing_member(self) -> MemberRecord | None:
        if self._member is None and self.channel is not None:
            self._member = channel_store.find_member(
                self.tx, self.channel.workspace_id, self.invocation.user_id
            )
        return self._member

    def conference(self) -> ConferenceRecord | None:
        """The channel's current conference, if it has one yet."""
        if self._conference is None and self.channel is not None:
            # Read in every command: another process may have switched it a moment ago.
            if self._language_setting is None:
                self._read_channel_state()
            else:
                self._conference = conference_store.current_conference(self.tx, self.channel.id)
        return self._conference

    def working_conference(self) -> ConferenceRecord:
        """The current conference, or the channel's unnamed one, created on first use."""
        current = self.conference()
        if current is None:
            current = conference_store.ensure_conference(
                self.tx,
                self.writable_channel().id,
                name="",
                name_key=conference_store.UNNAMED,
                time_zone=self.default_time_zone,
                now=self.now,
            )
            self.set_conference(current)
        return current

    def set_conference(self, conference: ConferenceRecord) -> None:
        """The channel's conference changed in this transaction."""
        self._conference = conference

    def conference_by_id(self, conference_id: int) -> ConferenceRecord:
        current = self.conference()
        if current is not None and current.id == conference_id:
            return current
        if conference_id not in self._conferences:
            self._conferences[conference_id] = conference_store.get_conference(
                self.tx, conference_id
            )
        return self._conferences[conference_id]

    def zone(self) -> ZoneInfo:
        current = self.conference()
        return ZoneInfo(current.time_zone if current else self.default_time_zone)

    def today(self) -> date:
        return self.now.astimezone(self.zone()).date()

    def conference_view(self) -> ConferenceView:
        current = self.conference()
        if current is None:
            return ConferenceView("", self.default_time_zone, None, None)
        return ConferenceView(current.name, current.time_zone, current.starts_on, current.ends_on)
