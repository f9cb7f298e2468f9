"""Discord and Slack served together by ``serve()``, as `memo-bot run` does: an event
discord.py cannot read, a gateway gone for good, a refused token. Discord trouble is
dropped, retried or reported, and never takes Slack down."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from adapters.discord import DiscordConfig, DiscordService
from adapters.slack import build_app
from adapters.slack.server import HttpServer, web_app
from bot.core import MemoBot
from bot.service_status import ServiceState, ServiceStatus, ServiceStatuses
from bot.serving import Backoff, ServiceFailed, serve
from tests.adapters.discord.conftest import ALICE, CHANNEL, GUILD
from tests.adapters.slack.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM, Slack, bolt_config
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack, fake_slack  # noqa: F401

DISCORD_TOKEN = "discord-secret-token"
SECRET_NOTE = "절대 로그에 남으면 안 되는 메모 secret-note-7731"
QUICK = Backoff(first=0.05, cap=0.2)


async def eventually(check: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    """Poll ``check`` until it holds, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout}s for {what}")
        await asyncio.sleep(0.02)


@dataclass
class Served:
    """`memo-bot run` with Slack over HTTP and Discord, in this test's event loop."""

    fake: FakeDiscord
    slack: Slack
    service: DiscordService
    statuses: ServiceStatuses
    serving: asyncio.Task[None]

    def discord(self) -> ServiceStatus:
        status = self.statuses.get("DiscordService")
        assert status is not None, "serve() reports each service from its start"
        return status

    async def memo_add(self, text: str) -> dict[str, Any]:
        payload = _add_payload(self.fake, text)
        return await self.fake.async_wait_for_callback(self.fake.send_interaction(payload))

    async def slack_answers(self, text: str) -> str:
        """`/memo <text>` on Slack: the answer's text."""
        return str((await self.slack.command_json(text))["text"])


def _add_payload(fake: FakeDiscord, text: str) -> Any:
    """``/memo add session:Keynote text:<text>`` from alice in the team's channel."""
    values = [
        {"name": "session", "type": 3, "value": "Keynote"},
        {"name": "text", "type": 3, "value": text},
    ]
    options: list[Any] = [{"name": "add", "type": 1, "options": values}]
    return fake.slash_command(
        guild_id=GUILD, channel_id=CHANNEL, user_id=ALICE, name="memo", options=options
    )


def _slack_port(caplog: pytest.LogCaptureFixture) -> int:
    found = re.search(r"Slack events served at http://127\.0\.0\.1:(\d+)/", caplog.text)
    assert found, caplog.text
    return int(found.group(1))


@pytest_asyncio.fixture
async def served(
    fake_discord: FakeDiscord,
    fake_slack: FakeSlack,  # noqa: F811
    bot: MemoBot,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[Served]:
    caplog.set_level(logging.INFO)
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    fake_discord.add_guild(GUILD, "Team One", [CHANNEL])
    app = build_app(bot, bolt_config(fake_slack), bot.database.engine)
    http = HttpServer(web_app(app, SIGNING_SECRET), "127.0.0.1", 0)
    config = DiscordConfig(DISCORD_TOKEN, guild_ready_timeout=0.05, stall_after=0.5)
    service = DiscordService(bot, config)
    statuses = ServiceStatuses()
    stop = asyncio.Event()
    serving = asyncio.create_task(serve([http, service], stop, statuses=statuses, backoff=QUICK))
    discord_up = lambda: _state(statuses, "DiscordService") is ServiceState.RUNNING  # noqa: E731
    await eventually(discord_up, "Discord up")
    async with aiohttp.ClientSession() as session:
        slack = Slack(f"http://127.0.0.1:{_slack_port(caplog)}", session, fake_slack, bot)
        yield Served(fake_discord, slack, service, statuses, serving)
        stop.set()
        await asyncio.wait_for(serving, timeout=30)


def _state(statuses: ServiceStatuses, name: str) -> ServiceState | None:
    status = statuses.get(name)
    return status.state if status is not None else None


@pytest.mark.asyncio
async def test_events_discord_py_cannot_read_are_dropped_and_both_platforms_keep_serving(
    fake_discord: FakeDiscord,
    fake_slack: FakeSlack,  # noqa: F811
    bot: MemoBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The reported bug, through `serve()` as `memo-bot run` calls it (no test-only options)."""
    caplog.set_level(logging.INFO)
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    fake_discord.add_guild(GUILD, "Team One", [CHANNEL])
    app = build_app(bot, bolt_config(fake_slack), bot.database.engine)
    http = HttpServer(web_app(app, SIGNING_SECRET), "127.0.0.1", 0)
    service = DiscordService(bot, DiscordConfig(DISCORD_TOKEN, guild_ready_timeout=0.05))
    stop = asyncio.Event()
    serving = asyncio.create_task(serve([http, service], stop))
    await fake_discord.async_wait_for_ready()
    await asyncio.wait_for(service.client.wait_until_ready(), timeout=15)

    unreadable = _add_payload(fake_discord, SECRET_NOTE)
    del unreadable["attachment_size_limit"]  # type: ignore[misc]
    fake_discord.send_interaction(unreadable)
    for event, data in (
        ("CHANNEL_CREATE", {"id": "1300000000000000555", "type": 0, "guild_id": str(GUILD)}),
        ("GUILD_ROLE_CREATE", {"guild_id": str(GUILD)}),
        ("THREAD_CREATE", {"id": "1300000000000000556", "name": SECRET_NOTE}),
        ("MESSAGE_CREATE", {"id": "1300000000000000557", "content": SECRET_NOTE}),
    ):
        fake_discord.dispatch(event, data)

    async with aiohttp.ClientSession() as session:
        slack = Slack(f"http://127.0.0.1:{_slack_port(caplog)}", session, fake_slack, bot)
        served = Served(fake_discord, slack, service, ServiceStatuses(), serving)
        answer = await served.memo_add("읽을 수 있는 다음 명령")
        assert answer["type"] == 4 and "읽을 수 있는 다음 명령" in answer["data"]["content"]
        assert "슬랙도" in await served.slack_answers("add [Keynote] 슬랙도 그대로")
    assert not serving.done(), "serve() kept running"
    stop.set()
    await asyncio.wait_for(serving, timeout=30)

    dropped = [r.getMessage() for r in caplog.records if "could not read" in r.getMessage()]
    assert len(dropped) == 5, dropped
    assert dropped[0].startswith("dropped a Discord INTERACTION_CREATE event")
    assert "KeyError 'attachment_size_limit'" in dropped[0]
    assert [line.split()[3] for line in dropped[1:]] == [
        "CHANNEL_CREATE",
        "GUILD_ROLE_CREATE",
        "THREAD_CREATE",
        "MESSAGE_CREATE",
    ]
    assert "secret-note-7731" not in caplog.text
    assert unreadable["token"] not in caplog.text and DISCORD_TOKEN not in caplog.text
    assert fake_discord.identify_count == 1, "the client was never restarted"


@pytest.mark.asyncio
async def test_the_status_shows_each_service_running(served: Served) -> None:
    statuses = served.statuses.snapshot()
    assert {name: status.state for name, status in statuses.items()} == {
        "HttpServer": ServiceState.RUNNING,
        "DiscordService": ServiceState.RUNNING,
    }
    assert all(status.restarts == 0 and status.last_error is None for status in statuses.values())


@pytest.mark.asyncio
async def test_an_error_outside_the_parsers_restarts_discord_with_a_fresh_login(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    # A READY without its session: discord.py reads it before any parser and gives up.
    served.fake.dispatch("READY", {"v": 10})

    await eventually(lambda: served.fake.identify_count == 2, "a second IDENTIFY")
    await eventually(lambda: served.discord().state is ServiceState.RUNNING, "Discord back")
    status = served.discord()
    assert status.restarts == 1
    assert status.last_error is not None and "KeyError" in status.last_error
    assert len(served.fake.calls_to("GET /users/@me")) == 2, "logged in afresh"
    assert "#1" in (await served.memo_add("재시작 뒤"))["data"]["content"]
    assert "service DiscordService restarting in" in caplog.text


@pytest.mark.asyncio
async def test_a_gateway_gone_for_good_is_retried_with_backoff_while_slack_serves(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    served.fake.refuse_gateway()

    await eventually(lambda: served.discord().restarts >= 2, "two restarts")
    status = served.discord()
    assert status.state is not ServiceState.FAILED
    assert status.last_error is not None
    assert "no progress on Discord's gateway" in status.last_error
    assert "슬랙은 살아 있음" in await served.slack_answers("add [Keynote] 슬랙은 살아 있음")
    restarts = [r for r in caplog.records if "service DiscordService restarting" in r.getMessage()]
    assert restarts and all(r.levelno == logging.WARNING for r in restarts)

    served.fake.accept_gateway()
    await eventually(lambda: served.discord().state is ServiceState.RUNNING, "Discord back")
    assert "게이트웨이 복구" in (await served.memo_add("게이트웨이 복구"))["data"]["content"]


@pytest.mark.asyncio
async def test_a_token_revoked_while_running_fails_discord_for_good_and_slack_keeps_serving(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    served.fake.revoke_token(DISCORD_TOKEN)

    await eventually(lambda: served.discord().state is ServiceState.FAILED, "Discord failed")
    status = served.discord()
    assert status.last_error is not None
    assert "4004" in status.last_error
    assert served.fake.identify_count == 1, "not retried: a new login cannot help"
    assert "토큰 없이도" in await served.slack_answers("add [Keynote] 토큰 없이도")
    failed = [r for r in caplog.records if "service DiscordService failed" in r.getMessage()]
    assert [r.levelno for r in failed] == [logging.ERROR]
    assert DISCORD_TOKEN not in caplog.text
    assert not served.serving.done()


@pytest.mark.asyncio
async def test_a_refused_token_at_the_first_start_stops_the_bot_with_the_reason(
    fake_discord: FakeDiscord, bot: MemoBot, caplog: pytest.LogCaptureFixture
) -> None:
    fake_discord.revoke_token("typo-token")
    service = DiscordService(bot, DiscordConfig("typo-token"))

    with pytest.raises(ServiceFailed) as failure:
        await serve([service], asyncio.Event(), backoff=QUICK)

    assert "DiscordService could not start" in str(failure.value)
    assert "DISCORD_TOKEN" in str(failure.value)
    assert "typo-token" not in str(failure.value) and "typo-token" not in caplog.text
    assert len(fake_discord.calls_to("GET /users/@me")) == 1, "tried once"


@pytest.mark.asyncio
async def test_when_no_chat_platform_is_left_serve_stops_with_the_reasons(
    fake_discord: FakeDiscord, bot: MemoBot
) -> None:
    """Discord alone (the digests need a platform to post to): nothing is left to serve."""
    fake_discord.add_guild(GUILD, "Team One", [CHANNEL])
    service = DiscordService(bot, DiscordConfig(DISCORD_TOKEN, guild_ready_timeout=0.05))
    statuses = ServiceStatuses()
    serving = asyncio.create_task(
        serve([service], asyncio.Event(), statuses=statuses, needs_one_of=[service])
    )
    await eventually(
        lambda: _state(statuses, "DiscordService") is ServiceState.RUNNING, "Discord up"
    )

    fake_discord.revoke_token(DISCORD_TOKEN)

    with pytest.raises(ServiceFailed) as failure:
        await asyncio.wait_for(serving, timeout=30)
    assert str(failure.value).startswith("no chat platform is left (DiscordService: ")
    assert "4004" in str(failure.value) and DISCORD_TOKEN not in str(failure.value)


@pytest.mark.asyncio
async def test_stopping_during_a_start_that_cannot_finish_stops_at_once(
    fake_discord: FakeDiscord, bot: MemoBot
) -> None:
    """SIGTERM while Discord's gateway is out of reach: no waiting out the stall timeout."""
    fake_discord.add_guild(GUILD, "Team One", [CHANNEL])
    fake_discord.refuse_gateway()
    service = DiscordService(bot, DiscordConfig(DISCORD_TOKEN, guild_ready_timeout=0.05))
    statuses = ServiceStatuses()
    stop = asyncio.Event()
    serving = asyncio.create_task(serve([service], stop, statuses=statuses))
    await fake_discord.async_wait_for("GET /gateway/bot")
    assert _state(statuses, "DiscordService") is ServiceState.STARTING

    stop.set()

    await asyncio.wait_for(serving, timeout=30)  # the default stall timeout is 120 s
    assert _state(statuses, "DiscordService") is ServiceState.STOPPED
    assert service.client.is_closed()
