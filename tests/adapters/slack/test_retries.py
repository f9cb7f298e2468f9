"""How long a rate-limited Slack call waits: the whole Retry-After, whatever shape it comes in."""

from __future__ import annotations

import pytest

from adapters.slack.retries import DEFAULT_WAIT_S, retry_after_seconds


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "30"}, 30.0),  # aiohttp's headers: the value as a string
        ({"retry-after": ["12"]}, 12.0),  # the sync client's headers: a list per name
        ({"Content-Type": "application/json", "RETRY-AFTER": " 7 "}, 7.0),
        ({"Retry-After": "0"}, 0.0),
    ],
)
def test_the_whole_retry_after_value_is_waited(headers: dict[str, object], seconds: float) -> None:
    assert retry_after_seconds(headers) == seconds


@pytest.mark.parametrize("headers", [{}, {"Retry-After": "soon"}, {"Retry-After": []}])
def test_a_missing_or_unreadable_retry_after_waits_a_second(headers: dict[str, object]) -> None:
    assert retry_after_seconds(headers) == DEFAULT_WAIT_S
