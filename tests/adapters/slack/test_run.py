"""`memo-bot run` with Slack settings: the real process serves signed /memo requests."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier
from sqlalchemy import URL

from bot.core import MemoBot
from tests.adapters.slack.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM
from tests.chat import Chat
from tests.fakes.slack import FakeSlack

MEMO_BOT = str(Path(sys.executable).with_name("memo-bot"))


def _environment(fake: FakeSlack, database_url: URL, **extra: str) -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("MEMO_", "SLACK_"))
    }
    env.update(
        {
            "MEMO_DATABASE_URL": database_url.render_as_string(hide_password=False),
            "MEMO_HTTP_HOST": "127.0.0.1",
            "MEMO_HTTP_PORT": "0",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_BASE_URL": fake.base_url,
            **extra,
        }
    )
    return env


class _BotProcess(subprocess.Popen[str]):
    #: Everything it logged, once it has stopped.
    stderr_text: str = ""


@contextlib.contextmanager
def _running_bot(fake: FakeSlack, database_url: URL) -> Iterator[_BotProcess]:
    """`memo-bot run` as a real process; stopped with SIGTERM (the way systemd does) after."""
    process = _BotProcess(
        [MEMO_BOT, "run"],
        env=_environment(fake, database_url),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
        process.send_signal(signal.SIGTERM)
        _, process.stderr_text = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def _served_port(process: subprocess.Popen[str], deadline: float) -> tuple[int, list[str]]:
    """Read the log until the bot says where it serves Slack events."""
    assert process.stderr is not None
    seen = []
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        seen.append(line)
        found = re.search(r"Slack events served at http://127\.0\.0\.1:(\d+)/slack/events", line)
        if found:
            return int(found.group(1)), seen
    raise AssertionError("the bot never started serving:\n" + "".join(seen))


def _signed_command(port: int, text: str) -> str:
    body = urlencode(
        {
            "team_id": TEAM,
            "channel_id": "C1",
            "user_id": "UALICE",
            "user_name": "alice",
            "command": "/memo",
            "text": text,
            "trigger_id": f"trigger-{time.monotonic_ns()}",
            "response_url": "http://127.0.0.1:9/unused",
        }
    ).encode()
    stamp = str(int(time.time()))
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events",
        data=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": SignatureVerifier(SIGNING_SECRET).generate_signature(
                timestamp=stamp, body=body
            ),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        return response.read().decode()


def test_run_serves_slack_over_http_and_stops_cleanly(
    fake_slack: FakeSlack, database_url: URL
) -> None:
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    with _running_bot(fake_slack, database_url) as process:
        port, _ = _served_port(process, time.monotonic() + 60)
        answer = json.loads(_signed_command(port, "add [프로세스 세션] 실제 프로세스로 저장"))
        assert "실제 프로세스로 저장" in answer["text"]
        assert answer["response_type"] == "in_channel"
    stderr = process.stderr_text
    assert process.returncode == 0, stderr
    assert BOT_TOKEN not in stderr and SIGNING_SECRET not in stderr


def test_run_explains_an_incomplete_slack_setup(fake_slack: FakeSlack, database_url: URL) -> None:
    env = _environment(fake_slack, database_url, SLACK_SIGNING_SECRET="")
    result = subprocess.run(
        [MEMO_BOT, "run"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET" in result.stderr and "SLACK_APP_TOKEN" in result.stderr
    assert BOT_TOKEN not in result.stderr


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
    with _running_bot(fake_slack, database_url) as process:
        [post] = fake_slack.wait_for("chat.postMessage", timeout=60)
    stderr = process.stderr_text
    assert post.params["channel"] == "C1"
    assert "[다운타임 세션]" in str(post.params["text"])
    assert "digest posted: channel=C1" in stderr, stderr
    assert process.returncode == 0, stderr
