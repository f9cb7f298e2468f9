"""``serve()``: a service that cannot start yet is retried with backoff, and its state shows it.

(Discord's own cases, an unreadable event, a gateway gone, a refused token, are in
tests/adapters/discord/test_service.py.)
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Callable

import aiohttp
import pytest

from adapters.slack import build_app
from adapters.slack.server import HttpServer, web_app
from bot.core import MemoBot
from bot.service_status import ServiceState, ServiceStatuses
from bot.serving import Backoff, serve
from tests.adapters.slack.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM, Slack, bolt_config
from tests.fakes.slack import FakeSlack, fake_slack  # noqa: F401


@pytest.mark.parametrize(
    ("attempt", "low", "high"),
    [(0, 0.5, 1.0), (1, 1.0, 2.0), (8, 128.0, 256.0), (9, 150.0, 300.0), (5000, 150.0, 300.0)],
)
def test_the_pause_doubles_up_to_the_cap_and_is_jittered(
    attempt: int, low: float, high: float
) -> None:
    backoff = Backoff(first=1.0, cap=300.0)

    assert backoff.delay(attempt, draw=lambda: 0.0) == low
    assert backoff.delay(attempt, draw=lambda: 1.0) == high
    assert low < backoff.delay(attempt, draw=lambda: 0.5) < high


async def _eventually(check: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout}s for {what}")
        await asyncio.sleep(0.02)


@pytest.mark.asyncio
async def test_a_port_still_taken_at_start_is_retried_until_it_is_free(
    fake_slack: FakeSlack,  # noqa: F811
    bot: MemoBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """As when the previous process is still shutting down during a deploy."""
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    app = build_app(bot, bolt_config(fake_slack), bot.database.engine)
    server = HttpServer(web_app(app, SIGNING_SECRET), "127.0.0.1", port)
    statuses = ServiceStatuses()
    stop = asyncio.Event()
    caplog.set_level(logging.INFO)

    serving = asyncio.create_task(
        serve([server], stop, statuses=statuses, backoff=Backoff(first=0.05, cap=0.2))
    )
    try:
        await _eventually(lambda: _restarts(statuses) >= 2, "two attempts")
        status = statuses.get("HttpServer")
        assert status is not None and status.state is not ServiceState.RUNNING
        assert status.last_error is not None and "OSError" in status.last_error
        assert "service HttpServer restarting in" in caplog.text

        taken.close()
        await _eventually(lambda: _state(statuses) is ServiceState.RUNNING, "the server to start")
        async with aiohttp.ClientSession() as session:
            slack = Slack(f"http://127.0.0.1:{port}", session, fake_slack, bot)
            answer = await slack.command_json("add [Keynote] 포트가 풀린 뒤")
        assert "포트가 풀린 뒤" in answer["text"]
    finally:
        taken.close()
        stop.set()
        await asyncio.wait_for(serving, timeout=30)
    assert _state(statuses) is ServiceState.STOPPED


def _restarts(statuses: ServiceStatuses) -> int:
    status = statuses.get("HttpServer")
    return status.restarts if status is not None else 0


def _state(statuses: ServiceStatuses) -> ServiceState | None:
    status = statuses.get("HttpServer")
    return status.state if status is not None else None
