"""Posting on the bot's own initiative (the daily digest, memos' announcements), implemented
by each adapter.

A post whose outcome is unknown (the process died, the answer timed out, the bot
was stopped in the middle) may have landed. So every post carries a ``Delivery``:
a key that marks its messages on the platform the same way on every attempt,
and, on a later attempt, the word to look for them before posting anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.replies.values import Reply

#: How far before an attempt's start its messages are looked for: platforms' clocks and
#: ours agree (NTP) to well within this.
CLOCK_SKEW = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Delivery:
    """Which post this is, so that posting it again never shows it twice."""

    #: The same on every attempt of one post: adapters mark each message with it
    #: (and the part number, for posts split into several messages).
    key: str
    #: When the first attempt began: its messages cannot be older.
    started_at: datetime
    #: An earlier attempt may have landed: find its messages before posting any.
    resumed: bool = False
    #: What is posted ("digest", "memo"): platforms that label messages tell them apart.
    what: str = "digest"

    def marker(self, part: int) -> str:
        """The mark of one message of the post (at most 25 characters: a Discord nonce)."""
        return f"{self.key}.{part}"

    @property
    def search_from(self) -> datetime:
        return self.started_at - CLOCK_SKEW


@dataclass(frozen=True, slots=True)
class Delivered:
    """A post that is in the channel."""

    #: The platform's id of its (first) message; None if it is known to have landed
    #: but not under which id (a moderator deleted it since).
    message_id: str | None
    #: An earlier attempt had posted all of it: nothing was sent this time.
    found: bool = False


@dataclass(frozen=True, slots=True)
class StartedThread:
    """A thread started from a posted message, where later posts about it go."""

    #: What ``post`` takes as ``thread_id``: Slack's parent ``ts``, a Discord thread's id.
    thread_id: str
    #: A link people can open it from (a Slack permalink, a Discord jump URL), if known.
    link: str | None


class ThreadGone(Exception):
    """The thread cannot take posts any more (deleted, archived, its parent message deleted):
    whoever posts starts a new one."""


#: The fix of a refusal to post: someone invites the bot to the channel (Slack's
#: ``/invite``); otherwise ``PERMISSION_FIX`` and the platform's name of the permission.
INVITE_FIX = "invite"
PERMISSION_FIX = "permission:"


class Refused(Exception):
    """The platform refused a post; ``fix``, when known, says what someone in the channel
    can do about it: ``INVITE_FIX``, or ``PERMISSION_FIX`` + the permission's name."""

    def __init__(self, reason: str, fix: str | None = None) -> None:
        super().__init__(reason)
        self.fix = fix


def lacking(permission: str) -> str:
    """The fix of a refusal for want of ``permission`` (the platform's name of it)."""
    return PERMISSION_FIX + permission


class ThreadRefused(Refused):
    """The bot may not post in the channel's threads (Discord without Send Messages in
    Threads), though the channel itself may still take the post."""


class ChannelGone(Refused):
    """The bot can no longer post in the channel (removed, archived, deleted, token revoked).

    Retrying will not help, so whoever posts should stop trying there.
    """


class Unverifiable(Exception):
    """An earlier attempt may have landed and the platform will not say (the bot may not
    read the channel's history): posting again could show it twice, so it is not posted."""


class Outbound(Protocol):
    async def post(
        self,
        workspace_id: str,
        channel_id: str,
        reply: Reply,
        delivery: Delivery,
        thread_id: str | None = None,
    ) -> Delivered:
        """Post ``reply`` in the channel for everyone, marked with ``delivery``; in the
        thread ``thread_id`` (from ``start_thread``) if given, which raises ``ThreadGone``
        when that thread cannot take it, ``ThreadRefused`` when the bot may not post in threads.

        With ``delivery.resumed``, first find what an earlier attempt posted and send
        only what is missing. Raises ``ChannelGone`` when posting there cannot succeed,
        ``Unverifiable`` when it cannot tell what an earlier attempt did, anything else
        for trouble that may pass (rate limits past the client's own retries, outages,
        timeouts: the post may have landed, and the next attempt looks first).
        """
        ...

    async def edit(self, workspace_id: str, channel_id: str, message_id: str, reply: Reply) -> None:
        """Show ``reply`` in the message ``post`` posted as ``message_id``.

        Doing it twice does no harm; a message someone deleted is left alone. Raises
        ``ChannelGone`` when the channel cannot be changed, anything else to try later.
        """
        ...

    async def remove(self, workspace_id: str, channel_id: str, message_id: str) -> None:
        """Delete the message ``post`` posted as ``message_id`` (gone already: done)."""
        ...

    async def start_thread(
        self, workspace_id: str, channel_id: str, message_id: str, name: str
    ) -> StartedThread:
        """Start a thread named ``name`` from the message ``post`` posted as ``message_id``
        (again for the same message: the same thread). Raises ``ChannelGone`` when the bot
        may not start threads there, ``ThreadGone`` when the message is gone."""
        ...
