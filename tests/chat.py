"""Talking to the core the way an adapter does, with a clock the test controls."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.commands.declaration import Command
from bot.core import MemoBot
from bot.invocation import Invocation
from bot.replies.values import Reply

#: Where every test conversation starts, unless it says otherwise.
START = datetime(2025, 9, 25, 1, 0, tzinfo=UTC)


@dataclass
class Chat:
    """One channel of one workspace. Each message is one second after the previous one."""

    bot: MemoBot
    platform: str = "slack"
    workspace: str = "T1"
    channel: str = "C1"
    now: datetime = START
    admins: set[str] = field(default_factory=set)

    def say(self, user: str, text: str, *, delivery_id: str | None = None) -> Reply:
        """``user`` types ``/memo <text>``."""
        return self.bot.handle(self.invocation(user, text, delivery_id=delivery_id))

    def run(self, user: str, command: Command, *, delivery_id: str | None = None) -> Reply:
        """``user`` sends a command an adapter built from typed options."""
        return self.bot.execute(self.invocation(user, "", delivery_id=delivery_id), command)

    def invocation(self, user: str, text: str, *, delivery_id: str | None = None) -> Invocation:
        self.now += timedelta(seconds=1)
        return Invocation(
            platform=self.platform,
            workspace_id=self.workspace,
            channel_id=self.channel,
            user_id=f"U-{user}",
            display_name=user,
            text=text,
            received_at=self.now,
            is_admin=user in self.admins,
            delivery_id=delivery_id,
        )

    def wait(self, **duration: float) -> None:
        self.now += timedelta(**duration)

    def elsewhere(
        self,
        *,
        workspace: str | None = None,
        channel: str | None = None,
        platform: str | None = None,
    ) -> Chat:
        """Another channel on the same bot and clock."""
        return Chat(
            self.bot,
            platform=platform or self.platform,
            workspace=workspace or self.workspace,
            channel=channel or self.channel,
            now=self.now,
            admins=self.admins,
        )
