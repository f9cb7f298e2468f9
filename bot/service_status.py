"""What each running service (Slack's HTTP server, the Discord gateway, the digests) is doing.

``bot.serving`` reports every change here and this module logs it, so an operator
reading the log sees a platform go down, come back, or give up; a health check
(``/healthz`` and ``/readyz``) reads ``snapshot()`` for the same answer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

logger = logging.getLogger(__name__)


class ServiceState(StrEnum):
    #: A start is under way (the first, or one after a pause).
    STARTING = "starting"
    RUNNING = "running"
    #: It stopped or could not start, and is started again after a pause.
    RESTARTING = "restarting"
    #: Refused for good (a token the platform rejects): only new settings and a restart help.
    FAILED = "failed"
    #: Stopped because the process is stopping.
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    name: str
    state: ServiceState
    #: When it entered this state.
    since: datetime
    #: Why it last stopped or failed to start (never a token or a user's text).
    last_error: str | None = None
    #: How many times it stopped by itself or could not start, and so was (or is) started again.
    restarts: int = 0
    #: While restarting: seconds from ``since`` until the next start.
    retry_in: float | None = None


class ServiceStatuses:
    """The status of every service, safe to read from any thread."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._statuses: dict[str, ServiceStatus] = {}

    def snapshot(self) -> dict[str, ServiceStatus]:
        with self._lock:
            return dict(self._statuses)

    def get(self, name: str) -> ServiceStatus | None:
        with self._lock:
            return self._statuses.get(name)

    def starting(self, name: str) -> None:
        self._set(name, ServiceState.STARTING, logging.INFO)

    def running(self, name: str) -> None:
        self._set(name, ServiceState.RUNNING, logging.INFO)

    def restarting(self, name: str, error: str, retry_in: float) -> None:
        self._set(name, ServiceState.RESTARTING, logging.WARNING, error, retry_in)

    def failed(self, name: str, error: str) -> None:
        self._set(name, ServiceState.FAILED, logging.ERROR, error)

    def stopped(self, name: str) -> None:
        self._set(name, ServiceState.STOPPED, logging.INFO)

    def _set(
        self,
        name: str,
        state: ServiceState,
        level: int,
        error: str | None = None,
        retry_in: float | None = None,
    ) -> None:
        with self._lock:
            before = self._statuses.get(name)
            restarts = before.restarts if before is not None else 0
            last_error = before.last_error if before is not None else None
            if state is ServiceState.RESTARTING:
                restarts += 1
            status = ServiceStatus(
                name, state, self._clock(), error or last_error, restarts, retry_in
            )
            self._statuses[name] = status
        logger.log(level, "service %s", _describe(status))


def _describe(status: ServiceStatus) -> str:
    line = f"{status.name} {status.state.value}"
    if status.state is ServiceState.RESTARTING:
        line += f" in {status.retry_in:.1f} s (restart {status.restarts})"
    if status.state in (ServiceState.RESTARTING, ServiceState.FAILED) and status.last_error:
        line += f": {status.last_error}"
    return line
