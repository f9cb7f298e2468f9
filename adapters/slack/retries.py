"""Retrying Slack's 429 answers for as long as Slack asks.

slack_sdk's async rate-limit handler reads ``int(headers["Retry-After"][0])``:
right for the sync client's headers (a list per name), but aiohttp gives the value
as a string, so ``Retry-After: 30`` waited 3 seconds and met another 429 (seen in
slack_sdk 3.48). This handler reads the whole value.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from typing import Any

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

#: Seconds waited when a 429 carries no usable Retry-After (Slack always sends one).
DEFAULT_WAIT_S = 1.0


def retry_after_seconds(headers: Mapping[str, Any]) -> float:
    """The wait a 429's ``Retry-After`` asks for, in seconds (a string or a list of strings)."""
    for name, value in headers.items():
        if name.lower() != "retry-after":
            continue
        first = value[0] if isinstance(value, list | tuple) and value else value
        try:
            return max(0.0, float(int(str(first).strip())))
        except ValueError:
            return DEFAULT_WAIT_S
    return DEFAULT_WAIT_S


class RateLimitRetryHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's handler for 429s, waiting the whole ``Retry-After`` (plus jitter)."""

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error or RuntimeError("a 429 retry without a response")
        state.next_attempt_requested = True
        await asyncio.sleep(retry_after_seconds(response.headers) + random.random())  # noqa: S311 jitter
        state.increment_current_attempt()
