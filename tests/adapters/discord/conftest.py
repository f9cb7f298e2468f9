"""The Discord adapter under test: the real discord.py client (sharded, as in production)
connected to the fake Discord (tests/fakes/discord.py), and helpers that act as users."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from adapters.discord import DiscordConfig, DiscordService
from bot.announcing import Announcer
from bot.core import MemoBot
from tests.chat import Chat
from tests.fakes.discord import FakeDiscord, fake_discord  # noqa: F401
from tests.polling import until

GUILD = 1300000000000000001
OTHER_GUILD = 1300000000000000002
CHANNEL = 1300000000000000011
OTHER_CHANNEL = 1300000000000000012
OTHER_GUILD_CHANNEL = 1300000000000000021
ALICE = 1300000000000000101
BOB = 1300000000000000102
MODERATOR = 1300000000000000103
MANAGE_MESSAGES = 1 << 13
CALLBACK = "POST /interactions/{interaction_id}/{token}/callback"


@dataclass
class Discord:
    """Acts as people using /memo; returns the callback bodies the bot sent."""

    fake: FakeDiscord
    bot: MemoBot
    service: DiscordService

    async def memo(self, subcommand: str, **kwargs: Any) -> dict[str, Any]:
        """``/memo <subcommand> option:value ...`` (see ``interaction``), sent; the bot's
        answer (the callback body)."""
        payload = self.interaction(subcommand, **kwargs)
        return await self.fake.async_wait_for_callback(self.fake.send_interaction(payload))

    def interaction(
        self,
        subcommand: str,
        *,
        user: int = ALICE,
        guild: int = GUILD,
        channel: int = CHANNEL,
        permissions: int = 0,
        locale: str = "en-US",
        **options: Any,
    ) -> dict[str, Any]:
        """The INTERACTION_CREATE payload of ``/memo <subcommand> option:value ...``, not sent;
        ``locale`` is the language of the person's Discord client.

        ``subcommand`` may name a group's subcommand too: ``"digest at"``.
        """
        *groups, name = subcommand.split()
        chosen: list[dict[str, Any]] = [{"name": name, "type": 1, "options": _options(options)}]
        for group in reversed(groups):
            chosen = [{"name": group, "type": 2, "options": chosen}]
        payload = self.fake.slash_command(
            guild_id=guild,
            channel_id=channel,
            user_id=user,
            name="memo",
            options=chosen,
            permissions=permissions,
            locale=locale,
        )
        return dict(payload)

    async def deliver_twice(
        self, payload: dict[str, Any], caplog: pytest.LogCaptureFixture, *, at_once: bool
    ) -> dict[str, Any]:
        """Deliver the interaction, then the same again (at once, or after it was answered),
        as Discord does to two processes on one shard; wait until both copies answered and
        the one Discord refused stopped (or something was logged as an error). Returns the
        answer Discord took (the first), the one the person sees."""
        caplog.set_level(logging.INFO, logger="adapters.discord.replies")
        stopped_before = _stopped_copies(caplog)
        interaction_id = self.fake.send_interaction(payload)
        if not at_once:
            await self.fake.async_wait_for_callback(interaction_id)
        self.fake.send_interaction(payload)
        await until(lambda: self.answers_tried(interaction_id) == 2, "both copies to answer")
        await until(
            lambda: _stopped_copies(caplog) > stopped_before or bool(errors(caplog)),
            "the refused copy to stop",
        )
        return await self.fake.async_wait_for_callback(interaction_id)

    def answers_tried(self, interaction_id: int) -> int:
        """How many responses the bot sent to the interaction (Discord takes only the first)."""
        path = f"/interactions/{interaction_id}/"
        return sum(path in call.path for call in self.fake.calls_to(CALLBACK))

    async def choices(
        self, subcommand: str, focused: str, *, user: int = ALICE, **options: Any
    ) -> list[dict[str, Any]]:
        """What autocomplete offers while ``focused`` is being typed in ``/memo <subcommand>``."""
        payload = self.fake.autocomplete(
            guild_id=GUILD,
            channel_id=CHANNEL,
            user_id=user,
            name="memo",
            options=[{"name": subcommand, "type": 1, "options": _options(options)}],
            focused=focused,
        )
        answer = await self.fake.async_wait_for_callback(self.fake.send_interaction(payload))
        assert answer["type"] == 8, answer
        choices: list[dict[str, Any]] = answer["data"]["choices"]
        return choices

    async def content(self, subcommand: str, **kwargs: Any) -> str:
        answer = await self.memo(subcommand, **kwargs)
        assert answer["type"] == 4, answer
        return str(answer["data"]["content"])


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What was logged as an error: a copy that lost the race to answer must not be one."""
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


def _stopped_copies(caplog: pytest.LogCaptureFixture) -> int:
    return sum("answered by another copy" in r.getMessage() for r in caplog.records)


@dataclass(frozen=True)
class UserOption:
    """A user option's value (``/memo search author:@bob``): the user's id."""

    user_id: int


@dataclass(frozen=True)
class AttachmentOption:
    """An attachment option's value (``/memo import file:``): the id ``add_attachment`` gave."""

    attachment_id: str


#: Where a deferred interaction's answer arrives: the edit of its original response.
EDIT_ORIGINAL = "PATCH /webhooks/{application_id}/{token}/messages/@original"


async def import_file(
    discord_bot: Discord, filename: str, content: bytes, user: int = ALICE
) -> dict[str, Any]:
    """``/memo import file:`` with the file attached; the edit that carries the answer."""
    attachment = discord_bot.fake.add_attachment(filename, content)
    edits = len(discord_bot.fake.calls_to(EDIT_ORIGINAL))
    answer = await discord_bot.memo("import", user=user, file=AttachmentOption(attachment))
    assert answer == {"type": 5, "data": {"flags": 64}}, "deferred at once, privately"
    edited = (await discord_bot.fake.async_wait_for(EDIT_ORIGINAL, edits + 1))[-1]
    body: dict[str, Any] = edited.json
    return body


def _options(options: dict[str, Any]) -> list[dict[str, Any]]:
    kinds = {int: 4, str: 3, bool: 5}
    return [
        {"name": name, "type": 6, "value": str(value.user_id)}
        if isinstance(value, UserOption)
        else {"name": name, "type": 11, "value": value.attachment_id}
        if isinstance(value, AttachmentOption)
        else {"name": name, "type": kinds[type(value)], "value": value}
        for name, value in options.items()
    ]


@pytest_asyncio.fixture
async def discord_bot(fake_discord: FakeDiscord, bot: MemoBot) -> AsyncIterator[Discord]:  # noqa: F811
    """Two servers: GUILD with two channels, OTHER_GUILD with one; the bot connected to both."""
    fake_discord.add_guild(GUILD, "Team One", [CHANNEL, OTHER_CHANNEL])
    fake_discord.add_guild(OTHER_GUILD, "Team Two", [OTHER_GUILD_CHANNEL])
    service = DiscordService(bot, DiscordConfig("fake-token", guild_ready_timeout=0.05))
    await service.start()
    yield Discord(fake_discord, bot, service)
    await service.stop()


@pytest_asyncio.fixture
async def announcing(discord_bot: Discord) -> AsyncIterator[Discord]:
    """``discord_bot`` with the outbox's worker beside it, as under `memo-bot run`: memos'
    announcements reach the channels (left out elsewhere, where only replies and digests
    are looked at)."""
    bot = discord_bot.bot
    announcer = Announcer(bot.database, {"discord": discord_bot.service.outbound}, bot)
    await announcer.start()
    yield discord_bot
    await announcer.stop()


def long_digest_day(bot: MemoBot, day: date, channel: int = CHANNEL) -> None:
    """A Seoul conference day whose digest (at 18:30) takes several 2,000-character messages."""
    chat = Chat(
        bot,
        platform="discord",
        workspace=str(GUILD),
        channel=str(channel),
        now=datetime.combine(day, time(10), tzinfo=ZoneInfo("Asia/Seoul")).astimezone(UTC),
    )
    chat.say("alice", f"conference DEVRIVER 2025 Asia/Seoul {day} {day}")
    chat.say("alice", "digest at 18:30")
    for number in range(40):
        title = hashlib.sha256(str(number).encode()).hexdigest()[:16]
        chat.say("alice", f"add [Talk {title}] 캐시를 두 단계로 나눔 {'p99 ' * 30}")
