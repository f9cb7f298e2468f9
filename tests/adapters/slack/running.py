"""`memo-bot run` as a real process serving Slack over HTTP, for tests of the whole program.

The process logs every command on stderr; a thread drains it as it comes, so a busy bot
never blocks on a full pipe, and tests wait for a log line with a deadline.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier
from sqlalchemy import URL

from tests.adapters.slack.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM
from tests.fakes.slack import FakeSlack

MEMO_BOT = str(Path(sys.executable).with_name("memo-bot"))
_SERVED = re.compile(r"Slack events served at http://127\.0\.0\.1:(\d+)/slack/events")


def environment(fake: FakeSlack, database_url: URL, **extra: str) -> dict[str, str]:
    """`memo-bot run`'s settings: the database, a free loopback port, the fake Slack."""
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


class RunningBot:
    """A started `memo-bot run` and everything it has logged so far."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self._lines: list[str] = []
        self._logged = threading.Condition()
        self._reader = threading.Thread(target=self._drain, name="memo-bot-log", daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._logged:
                self._lines.append(line)
                self._logged.notify_all()
        with self._logged:
            self._lines.append("")  # end of the log: the process has gone
            self._logged.notify_all()

    @property
    def log(self) -> str:
        """Everything logged so far (all of it once ``stop`` or ``kill`` returned)."""
        with self._logged:
            return "".join(self._lines)

    def wait_for_log(self, pattern: re.Pattern[str], timeout: float = 60.0) -> re.Match[str]:
        """The first log line matching ``pattern``, waiting for it until the deadline."""
        deadline = time.monotonic() + timeout
        with self._logged:
            while True:
                found = next(filter(None, map(pattern.search, self._lines)), None)
                if found is not None:
                    return found
                ended = bool(self._lines) and self._lines[-1] == ""
                remaining = deadline - time.monotonic()
                if ended or remaining <= 0:
                    raise AssertionError(f"the bot never logged {pattern.pattern!r}:\n{self.log}")
                self._logged.wait(remaining)

    def port(self) -> int:
        """Where it serves Slack events, once it says so."""
        return int(self.wait_for_log(_SERVED).group(1))

    def stop(self) -> int:
        """SIGTERM, the way systemd stops it; its exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.reap()

    def kill(self) -> int:
        """SIGKILL: no clean-up of any kind, as in a crash or an OOM kill."""
        self.process.kill()
        return self.reap()

    def reap(self) -> int:
        """Wait for the process to end; its exit code (its log is complete then)."""
        code = self.process.wait(timeout=60)
        self._reader.join(timeout=60)
        assert self.process.stderr is not None
        self.process.stderr.close()
        return code


@contextlib.contextmanager
def running_process(
    argv: list[str], env: dict[str, str], cwd: Path | None = None
) -> Iterator[RunningBot]:
    """A `memo-bot` command as a real process; killed at the end if the test did not stop it."""
    process = subprocess.Popen(
        argv,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    running = RunningBot(process)
    try:
        yield running
    finally:
        if process.poll() is None:
            process.kill()
        running.reap()


def running_bot(
    fake: FakeSlack, database_url: URL, **extra: str
) -> contextlib.AbstractContextManager[RunningBot]:
    """`memo-bot run` serving Slack (the fake) as a real process."""
    return running_process([MEMO_BOT, "run"], environment(fake, database_url, **extra))


def signed_command(
    text: str, *, trigger_id: str, user: str = "UALICE", channel: str = "C1"
) -> tuple[bytes, dict[str, str]]:
    """A `/memo <text>` request body as Slack posts it, and its signed headers."""
    body = urlencode(
        {
            "team_id": TEAM,
            "channel_id": channel,
            "user_id": user,
            "user_name": user.lower(),
            "command": "/memo",
            "text": text,
            "trigger_id": trigger_id,
            "response_url": "http://127.0.0.1:9/unused",
        }
    ).encode()
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stamp, body=body)
    return body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }
