"""Asking a running `memo-bot` process for /healthz, /readyz and /metrics over loopback HTTP."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from prometheus_client.parser import text_string_to_metric_families


def get(port: int, path: str) -> tuple[int, str]:
    """The status and body of ``GET path`` (an error status is an answer too)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def readiness_becomes(port: int, status: int, timeout: float = 60.0) -> dict[str, Any]:
    """Poll ``/readyz`` until it answers ``status``; its body then."""
    deadline = time.monotonic() + timeout
    while True:
        answered, body = get(port, "/readyz")
        if answered == status:
            parsed: dict[str, Any] = json.loads(body)
            return parsed
        assert time.monotonic() < deadline, f"/readyz stayed {answered} ({body}), not {status}"
        time.sleep(0.05)  # poll, with the deadline above


def sample(port: int, name: str, **labels: str) -> float:
    """The value of one sample of ``/metrics`` (0 when it was never counted)."""
    status, body = get(port, "/metrics")
    assert status == 200, body
    for family in text_string_to_metric_families(body):
        for each in family.samples:
            if each.name == name and each.labels == labels:
                return float(each.value)
    return 0.0
