"""The state one command runs with: the transaction, who asked, where, and in which time zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.invocation import Invocation
from bot.reply import ConferenceView
from storage import channels, conferences
from storage.models import Channel, Conference, Member


@dataclass
class Context:
    """Lazily loads the member and conference, so read-only commands write nothing."""

    tx: Session
    invocation: Invocation
    #: None only for a read-only command in a channel the bot has never stored anything for.
    channel: Channel | None
    default_time_zone: str
    _member: Member | None = field(default=None, init=False)
    _conference: Conference | None = field(default=None, init=False)

    @property
    def now(self) -> datetime:
        return self.invocation.received_at

    def member(self) -> Member:
        """The requesting user, created or renamed as needed (write commands only)."""
        if self._member is None:
            channel = self.writable_channel()
            self._member = channels.ensure_member(
                self.tx,
                channel.workspace_id,
                self.invocation.user_id,
                self.invocation.display_name,
                self.now,
            )
        return self._member

    def existing_member(self) -> Member | None:
        if self._member is None and self.channel is not None:
            self._member = channels.find_member(
                self.tx, self.channel.workspace_id, self.invocation.user_id
            )
        return self._member

    def writable_channel(self) -> Channel:
        assert self.channel is not None, "write commands always run with a stored channel"
        return self.channel

    def conference(self) -> Conference | None:
        """The channel's current conference, if it has one yet."""
        if self._conference is None and self.channel is not None:
            self._conference = conferences.current_conference(self.tx, self.channel.id)
        return self._conference

    def working_conference(self) -> Conference:
        """The current conference, or the channel's unnamed one created on first use."""
        current = self.conference()
        if current is None:
            current = conferences.ensure_conference(
                self.tx,
                self.writable_channel().id,
                name="",
                name_key=conferences.UNNAMED,
                time_zone=self.default_time_zone,
                now=self.now,
            )
            self._conference = current
        return current

    def set_conference(self, conference: Conference) -> None:
        self._conference = conference

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
