"""Waiting for what the bot does in the background: poll with a deadline, never sleep it out."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest


async def until(ready: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """Poll ``ready`` until it holds (or fail after ``timeout``) while the bot's loop runs."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, f"waited {timeout}s for {what}"
        await asyncio.sleep(0.01)


def wait_until(ready: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """``until`` for code without an event loop: poll ``ready`` until it holds."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, f"waited {timeout}s for {what}"
        time.sleep(0.01)


def logged(caplog: pytest.LogCaptureFixture, words: str, count: int) -> Callable[[], bool]:
    """Whether at least ``count`` captured log lines hold ``words`` (for ``until``)."""
    return lambda: sum(words in record.getMessage() for record in caplog.records) >= count
