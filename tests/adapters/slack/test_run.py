"""`memo-bot run` with Slack settings: the real process serves signed /memo requests."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import URL

from bot.core import MemoBot
from tests.adapters.slack.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM, posts_of
from tests.adapters.slack.running import MEMO_BOT, environment, running_bot, signed_command
from tests.chat import Chat
from tests.fakes.slack import FakeSlack


def _signed_command(port: int, text: str) -> str:
    body, headers = signed_command(text, trigger_id=f"trigger-{time.monotonic_ns()}")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        return response.read().decode()


def test_run_serves_slack_over_http_and_stops_cleanly(
    fake_slack: FakeSlack, database_url: URL
) -> None:
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    with running_bot(fake_slack, database_url) as bot:
        answer = json.loads(_signed_command(bot.port(), "add [프로세스 세션] 실제 프로세스로 저장"))
        assert "실제 프로세스로 저장" in answer["text"]
        assert answer["response_type"] == "ephemeral"
        [announced] = fake_slack.wait_for("chat.postMessage")
        assert "실제 프로세스로 저장" in json.dumps(announced.params, ensure_ascii=False)
        assert bot.stop() == 0, bot.log
    assert BOT_TOKEN not in bot.log and SIGNING_SECRET not in bot.log


def test_run_explains_an_incomplete_slack_setup(fake_slack: FakeSlack, database_url: URL) -> None:
    env = environment(fake_slack, database_url, SLACK_SIGNING_SECRET="")
    result = subprocess.run(
        [MEMO_BOT, "run"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET" in result.stderr and "SLACK_APP_TOKEN" in result.stderr
    assert BOT_TOKEN not in result.stderr


def _wait_until(ready: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll ``ready`` while the bot process works, failing after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, f"waited {timeout}s for {what}"
        time.sleep(0.02)


def test_run_posts_a_digest_that_came_due_while_it_was_down(
    fake_slack: FakeSlack, database_url: URL, bot: MemoBot
) -> None:
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    now = datetime.now(UTC)
    chat = Chat(bot, now=now - timedelta(minutes=3))  # Slack workspace T1, channel C1
    chat.say("alice", f"digest at {now - timedelta(minutes=1):%H:%M} UTC")
    chat.say("alice", "add [다운타임 세션] 봇이 꺼져 있던 사이의 메모")
    chat.now = now
    chat.say("alice", "add [다운타임 세션] 방금 쓴 메모")  # one of the two is on the due day
    with running_bot(fake_slack, database_url) as bot:
        # The digest, and the two memos' announcements owed since before the start.
        _wait_until(lambda: len(posts_of(fake_slack, "digest")) == 1, "the digest")
        _wait_until(lambda: len(posts_of(fake_slack, "memo")) == 2, "the announcements")
        assert bot.stop() == 0, bot.log
    [post] = posts_of(fake_slack, "digest")
    assert post.params["channel"] == "C1"
    assert "[다운타임 세션]" in str(post.params["text"])
    assert "digest posted: channel=C1" in bot.log, bot.log
