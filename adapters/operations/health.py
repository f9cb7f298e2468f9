"""``/healthz``, ``/readyz`` and ``/metrics``: on Slack's HTTP server, or a listener of their own.

``/healthz`` answers 200 while the process's event loop runs (a liveness probe restarts a
process that stops answering). ``/readyz`` answers 200 only when the database takes a new
connection, its schema is at the migrations' head, and every chat platform's service is
running and connected (Slack's token checked, every Discord shard on the gateway); 503
otherwise, naming which check fails. Why it fails is logged when it starts failing, not
shown: these routes may be public.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from aiohttp import web
from sqlalchemy import URL

from adapters.http_service import AiohttpService
from adapters.operations.metrics import exposition, refresh_outbox_depth
from bot.service_status import ServiceState, ServiceStatuses
from bot.serving import Service
from storage.schema import SchemaProbe, head_revision

logger = logging.getLogger(__name__)

#: Seconds ``/readyz`` waits for the database before calling it unreachable.
DATABASE_CHECK_TIMEOUT_S = 10.0


@runtime_checkable
class ReportsConnection(Protocol):
    """A service that can be running yet cut off from its platform (a gateway reconnecting)."""

    def connected(self) -> bool: ...


class Readiness:
    """Whether this process can serve requests now, check by check."""

    def __init__(
        self, database_url: URL, statuses: ServiceStatuses, services: Sequence[Service]
    ) -> None:
        self._probe = SchemaProbe(database_url)
        self._head = head_revision()
        self._statuses = statuses
        # Named as bot.serving names them in the statuses: by their type.
        self._services = {type(service).__name__: service for service in services}
        self._failing: dict[str, str] = {}

    async def check(self) -> dict[str, bool]:
        """Each check's name and whether it passes: ``database``, ``migrations``, then each
        chat platform's service by name."""
        problems: dict[str, str] = {}
        try:
            revision = await asyncio.wait_for(
                asyncio.to_thread(self._probe.revision), DATABASE_CHECK_TIMEOUT_S
            )
        except Exception as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
            problems["database"] = f"unreachable ({type(error).__name__}: {reason})"
            problems["migrations"] = "unknown while the database is unreachable"
        else:
            if revision != self._head:
                problems["migrations"] = f"at {revision}, the code needs {self._head}"
        snapshot = self._statuses.snapshot()
        for name, service in self._services.items():
            status = snapshot.get(name)
            if status is None or status.state is not ServiceState.RUNNING:
                problems[name] = status.state.value if status is not None else "not started"
            elif isinstance(service, ReportsConnection) and not service.connected():
                problems[name] = "disconnected from its platform"
        self._log_changes(problems)
        checks = ["database", "migrations", *self._services]
        return {name: name not in problems for name in checks}

    def _log_changes(self, problems: dict[str, str]) -> None:
        for name, problem in problems.items():
            if self._failing.get(name) != problem:
                logger.warning("not ready: %s %s", name, problem)
        for name in self._failing.keys() - problems.keys():
            logger.info("ready again: %s", name)
        self._failing = problems

    def close(self) -> None:
        self._probe.dispose()


def add_health_routes(app: web.Application, readiness: Readiness) -> None:
    """Serve ``/healthz``, ``/readyz`` and ``/metrics`` from ``app`` (before it starts)."""

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"alive": True})

    async def readyz(_request: web.Request) -> web.Response:
        checks = await readiness.check()
        ready = all(checks.values())
        body = {
            "ready": ready,
            "checks": {n: "ok" if ok else "failing" for n, ok in checks.items()},
        }
        return web.json_response(body, status=200 if ready else 503)

    async def metrics(_request: web.Request) -> web.Response:
        await refresh_outbox_depth()
        body, content_type = exposition()
        return web.Response(body=body, headers={"Content-Type": content_type})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)


class HealthServer(AiohttpService):
    """The health routes on a port of their own (``MEMO_HEALTH_PORT``): for Socket Mode,
    Discord or the console, which serve no HTTP, or to keep ``/metrics`` off the public port."""

    def __init__(self, readiness: Readiness, host: str, port: int) -> None:
        app = web.Application()
        add_health_routes(app, readiness)
        super().__init__(app, host, port)

    def listening(self, host: str, port: int) -> None:
        logger.info("health and metrics served at http://%s:%s", host, port)
