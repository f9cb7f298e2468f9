"""Retried deliveries: every writing command delivered twice, over Slack and over Discord.

Slack sends a request again when it missed the acknowledgement (a Socket Mode envelope;
over HTTP, a retrying proxy), Discord delivers an interaction to every bot process on
its shard. The copy comes after the first was answered, at the same moment, or (Slack)
at the same moment to another bot process on the same database. The promise: the
request is done once (one memo, one restore, one setting change, one import), both
copies are answered as if it was sent once and the change is announced once, and the
channel then looks exactly like a twin channel that got the request once.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from adapters.slack import build_app
from adapters.slack.server import HttpServer, web_app
from bot.core import MemoBot
from bot.invocation import Invocation
from bot.replies.values import SessionListing
from storage.database import Database
from tests.adapters.discord.conftest import ALICE as DISCORD_ALICE
from tests.adapters.discord.conftest import GUILD, AttachmentOption, Discord, errors
from tests.adapters.slack.conftest import (
    ALICE,
    SIGNING_SECRET,
    TEAM,
    Slack,
    block_text,
    bolt_config,
    import_submission,
)
from tests.polling import logged, until

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
KAFKA = "Kafka 없이 만든 이벤트 파이프라인"
NOTES = (Path(__file__).parents[1] / "samples" / "blog-notes.txt").read_bytes()
EDIT_ORIGINAL = "PATCH /webhooks/{application_id}/{token}/messages/@original"
FOLLOW_UP = "POST /webhooks/{application_id}/{token}"
#: Times of day in what people read (a memo's time) may differ between the twins.
_CLOCK = re.compile(r"\b\d\d:\d\d\b")


@dataclass(frozen=True)
class Writing:
    """A writing command as each platform sends it, and what its person did before it."""

    name: str
    before: tuple[str, ...]
    text: str
    subcommand: str
    options: dict[str, Any] = field(default_factory=dict)


COMMANDS = [
    Writing("add", (), f"add [{ENVOY}] 캐시", "add", {"session": ENVOY, "text": "캐시"}),
    Writing(
        "edit", (f"add [{ENVOY}] 처음",), "edit 1 고침", "edit", {"memo_id": 1, "text": "고침"}
    ),
    Writing("delete", (f"add [{ENVOY}] 지울 메모",), "delete 1", "delete", {"memo_id": 1}),
    Writing(
        "undo", (f"add [{ENVOY}] 하나", f"add [{ENVOY}] 둘", "delete 1", "delete 2"), "undo", "undo"
    ),
    Writing("attend", (f"add [{KAFKA}] 메모",), f"attend [{ENVOY}]", "attend", {"session": ENVOY}),
    Writing(
        "conference",
        (f"add [{ENVOY}] 이름 없는 학회에서",),
        "conference DEVRIVER 2025 Asia/Seoul",
        "conference",
        {"name": "DEVRIVER 2025", "time_zone": "Asia/Seoul"},
    ),
    Writing("digest at", (), "digest at 18:30", "digest at", {"time": "18:30"}),
    Writing(
        "digest days",
        ("digest at 18:30",),
        "digest days mon-fri",
        "digest days",
        {"days": "mon-fri"},
    ),
    Writing("digest off", ("digest at 18:30",), "digest off", "digest off"),
]


@dataclass(frozen=True)
class Place:
    """A channel as the core knows it, with the person who writes there."""

    platform: str
    workspace: str
    channel: str
    user_id: str
    user_name: str

    def prepare(self, bot: MemoBot, command: Writing) -> None:
        """What the person did before the command, straight through the core."""
        for text in command.before:
            reply = bot.handle(self._invocation(self.user_id, self.user_name, text))
            assert reply.ok, reply.markdown

    def seen(self, bot: MemoBot) -> list[str]:
        """What anyone there can look up: the sessions and who went, their memos, the
        conference and the digest setting."""

        def read(text: str) -> Any:
            return bot.handle(self._invocation("UREADER", "reader", text))

        listing = read("sessions all").data
        assert isinstance(listing, SessionListing)
        texts = ["sessions all", "conference", "digest"]
        texts += [f"show [{session.title}]" for session in listing.sessions]
        return [_CLOCK.sub("hh:mm", read(text).markdown) for text in texts]

    def _invocation(self, user_id: str, name: str, text: str) -> Invocation:
        now = datetime.now(UTC)
        return Invocation(self.platform, self.workspace, self.channel, user_id, name, text, now)


def _twins(platform: str, index: int) -> tuple[Place, Place]:
    """The channel that gets two copies, and its twin that gets one."""
    if platform == "slack":
        twice, once = f"C{index:02d}TWICE", f"C{index:02d}ONCE"
        return (
            Place("slack", TEAM, twice, ALICE.id, "Alice"),
            Place("slack", TEAM, once, ALICE.id, "Alice"),
        )
    name = f"User {DISCORD_ALICE}"
    channels = (1300000000000009000 + 2 * index, 1300000000000009001 + 2 * index)
    twice, once = (Place("discord", str(GUILD), str(c), str(DISCORD_ALICE), name) for c in channels)
    return twice, once


# Slack


@pytest_asyncio.fixture
async def second_process(slack: Slack) -> AsyncIterator[Slack]:
    """Another bot process on the same database: its own engine, core and HTTP server."""
    database = Database(slack.bot.database.url)
    bot = MemoBot(database)
    app = build_app(bot, bolt_config(slack.fake), database.engine)
    server = HttpServer(web_app(app, SIGNING_SECRET), "127.0.0.1", 0)
    port = await server.start()
    async with aiohttp.ClientSession() as session:
        yield Slack(f"http://127.0.0.1:{port}", session, slack.fake, bot)
    await server.stop()
    bot.close()
    database.dispose()


async def _twice(at_once: bool, first: Any, second: Any) -> list[Any]:
    """Run the two copies (``first`` and ``second`` make one each): in turn or at once."""
    if at_once:
        return list(await asyncio.gather(first(), second()))
    return [await first(), await second()]


async def _every_command_twice(slack: Slack, other: Slack, *, at_once: bool) -> None:
    """Each command to ``slack``, and a copy (the same trigger id and response_url) to ``other``."""
    for index, command in enumerate(COMMANDS):
        twice, once = _twins("slack", index)
        twice.prepare(slack.bot, command)
        once.prepare(slack.bot, command)
        expected = await slack.command_json(command.text, channel=once.channel)
        copy = {
            "channel": twice.channel,
            "trigger_id": f"trigger-{uuid.uuid4().hex}",
            "response_url": slack.fake.response_url(),
        }

        answers = await _twice(
            at_once,
            partial(slack.command_json, command.text, **copy),
            partial(other.command_json, command.text, **copy),
        )

        assert answers == [expected, expected], command.name
        assert twice.seen(slack.bot) == once.seen(slack.bot), command.name


@pytest.mark.parametrize("at_once", [False, True], ids=["again", "at-once"])
@pytest.mark.asyncio
async def test_every_writing_command_slack_sends_twice_is_done_once(
    slack: Slack, at_once: bool
) -> None:
    await _every_command_twice(slack, slack, at_once=at_once)


@pytest.mark.asyncio
async def test_every_writing_command_sent_to_two_slack_bot_processes_is_done_once(
    slack: Slack, second_process: Slack
) -> None:
    await _every_command_twice(slack, second_process, at_once=True)


async def _open_import_form(slack: Slack, where: Place) -> tuple[dict[str, Any], str]:
    """`/memo import` there: the form's submission with a note file, and where it answers."""
    opened = len(slack.fake.calls_to("views.open"))
    response_url = slack.fake.response_url()
    await slack.command("import", channel=where.channel, response_url=response_url)
    view = (await slack.fake.async_wait_for("views.open", opened + 1))[-1].params["view"]
    file = slack.fake.add_file(TEAM, "notes.txt", NOTES)
    submission = import_submission(view, [file])
    return submission, response_url


def _answers_at(slack: Slack, response_url: str) -> list[str]:
    calls = slack.fake.calls_to("response_url")
    return [block_text(c.params) for c in calls if c.params["_response_url"] == response_url]


async def _import_twice(
    slack: Slack, other: Slack, caplog: pytest.LogCaptureFixture, *, at_once: bool
) -> None:
    """The import form submitted to ``slack``, and a copy of the submission to ``other``."""
    caplog.set_level(logging.INFO, logger="bot.core")
    twice, once = _twins("slack", 0)
    form, answers_to = await _open_import_form(slack, once)
    await slack.interactive(form)
    await until(lambda: bool(_answers_at(slack, answers_to)), "the import's answer")
    expected = _answers_at(slack, answers_to)
    form, answers_to = await _open_import_form(slack, twice)

    def answered() -> bool:
        return bool(_answers_at(slack, answers_to))

    async def first() -> None:
        await slack.interactive(form)
        if not at_once:  # the copy comes once the first was answered
            await until(answered, "the import's answer")

    await _twice(at_once, first, partial(other.interactive, form))
    caplog.set_level(logging.INFO, logger="adapters.slack.listeners")
    copy_done = logged(caplog, "not answered again", 1)
    await until(
        lambda: len(_answers_at(slack, answers_to)) == 2 or (copy_done() and answered()),
        "one copy to answer and the other to stop",
    )

    assert _answers_at(slack, answers_to) == expected
    assert twice.seen(slack.bot) == once.seen(slack.bot)


@pytest.mark.parametrize("at_once", [False, True], ids=["again", "at-once"])
@pytest.mark.asyncio
async def test_an_import_slack_sends_twice_imports_once_and_answers_once(
    slack: Slack, caplog: pytest.LogCaptureFixture, at_once: bool
) -> None:
    await _import_twice(slack, slack, caplog, at_once=at_once)


@pytest.mark.asyncio
async def test_an_import_sent_to_two_slack_bot_processes_imports_once_and_answers_once(
    slack: Slack, second_process: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    await _import_twice(slack, second_process, caplog, at_once=True)


# Discord


def _private(answer: dict[str, Any]) -> bool:
    return bool(answer["data"].get("flags", 0) & 64)


@pytest.mark.parametrize("at_once", [False, True], ids=["again", "at-once"])
@pytest.mark.asyncio
async def test_every_writing_command_discord_delivers_twice_is_done_once(
    discord_bot: Discord, caplog: pytest.LogCaptureFixture, at_once: bool
) -> None:
    bot = discord_bot.bot
    for index, command in enumerate(COMMANDS):
        twice, once = _twins("discord", index)
        twice.prepare(bot, command)
        once.prepare(bot, command)
        expected = await discord_bot.memo(
            command.subcommand, channel=int(once.channel), **command.options
        )
        payload = discord_bot.interaction(
            command.subcommand, channel=int(twice.channel), **command.options
        )

        answer = await discord_bot.deliver_twice(payload, caplog, at_once=at_once)

        assert answer["data"]["content"] == expected["data"]["content"], command.name
        assert _private(answer) == _private(expected), command.name
        assert twice.seen(bot) == once.seen(bot), command.name
    assert discord_bot.fake.calls_to(FOLLOW_UP) == [], "the losing copy sends nothing"
    assert errors(caplog) == []


def _edits_of(discord_bot: Discord, payload: dict[str, Any]) -> list[str]:
    edits = discord_bot.fake.calls_to(EDIT_ORIGINAL)
    return [call.json["content"] for call in edits if payload["token"] in call.path]


@pytest.mark.parametrize("at_once", [False, True], ids=["again", "at-once"])
@pytest.mark.asyncio
async def test_an_import_discord_delivers_twice_imports_once_and_answers_once(
    discord_bot: Discord, caplog: pytest.LogCaptureFixture, at_once: bool
) -> None:
    caplog.set_level(logging.INFO, logger="bot.core")
    fake = discord_bot.fake
    twice, once = _twins("discord", 0)

    def importing(where: Place) -> dict[str, Any]:
        attached = AttachmentOption(fake.add_attachment("notes.txt", NOTES))
        return discord_bot.interaction("import", channel=int(where.channel), file=attached)

    alone = importing(once)
    await fake.async_wait_for_callback(fake.send_interaction(alone))
    await until(lambda: bool(_edits_of(discord_bot, alone)), "the import's answer")
    payload = importing(twice)

    await discord_bot.deliver_twice(payload, caplog, at_once=at_once)
    await until(logged(caplog, "command=ImportPosts outcome=", 3), "both copies in the core")
    await until(lambda: bool(_edits_of(discord_bot, payload)), "the import's answer")

    assert _edits_of(discord_bot, payload) == _edits_of(discord_bot, alone)
    assert twice.seen(discord_bot.bot) == once.seen(discord_bot.bot)
    assert fake.calls_to(FOLLOW_UP) == []
    assert errors(caplog) == []
