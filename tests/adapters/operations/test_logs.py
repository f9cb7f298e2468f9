"""MEMO_LOG_FORMAT=json: every line of the real `memo-bot run` is a JSON object, a command's
line carries where it came from and how it ended, and none holds note text or a secret.
Libraries' routine INFO lines are DEBUG."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from typing import Any

from sqlalchemy import URL

from tests.adapters.slack.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM
from tests.adapters.slack.running import running_bot, signed_command
from tests.fakes.slack import FakeSlack

SECRET_NOTE = "사내 비밀 로드맵 projected-revenue-42"


def _command(port: int, text: str, trigger_id: str) -> None:
    body, headers = signed_command(text, trigger_id=trigger_id)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        assert SECRET_NOTE in json.loads(response.read())["text"], "stored and shown"


def test_json_lines_carry_each_commands_fields_and_never_its_text(
    fake_slack: FakeSlack, database_url: URL
) -> None:
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    with running_bot(fake_slack, database_url, MEMO_LOG_FORMAT="json") as bot:
        _command(bot.port(), f"add [로드맵 세션] {SECRET_NOTE}", "trigger-json-1")
        bot.wait_for_log(re.compile(r'"command": "AddMemo"'))
        assert bot.stop() == 0, bot.log
    lines: list[dict[str, Any]] = [json.loads(line) for line in bot.log.splitlines() if line]
    [added] = [line for line in lines if line.get("command") == "AddMemo"]
    assert added["outcome"] == "ok"
    assert (added["platform"], added["workspace_id"], added["channel_id"]) == ("slack", TEAM, "C1")
    assert added["request_id"] == "command:trigger-json-1"
    assert isinstance(added["duration_ms"], float) and added["duration_ms"] >= 0
    assert {"time", "level", "logger", "message"} <= added.keys()
    for secret in ("projected-revenue-42", "로드맵", BOT_TOKEN, SIGNING_SECRET):
        assert secret not in bot.log


_SCHEDULED_JOB = """
import logging, threading
from apscheduler.schedulers.background import BackgroundScheduler
from adapters.operations.logs import configure_logging
from bot.settings import Settings

configure_logging(Settings(), "INFO")
ran = threading.Event()
scheduler = BackgroundScheduler()
scheduler.start()
scheduler.add_job(ran.set)
assert ran.wait(30)
scheduler.shutdown(wait=True)
logging.getLogger("memo").info("the job ran")
"""


def _run_a_scheduled_job(level: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", _SCHEDULED_JOB],
        env={"PATH": "/usr/bin:/bin", "MEMO_LOG_LEVEL": level},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stderr


def test_apschedulers_lines_for_each_run_of_a_job_are_debug() -> None:
    at_info = _run_a_scheduled_job("INFO")
    at_debug = _run_a_scheduled_job("DEBUG")

    assert "the job ran" in at_info
    assert "Running job" not in at_info and "executed successfully" not in at_info
    assert "DEBUG apscheduler.executors.default: Running job" in at_debug
    assert "executed successfully" in at_debug
