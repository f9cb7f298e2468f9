"""Running the configured chat adapters in one event loop until the process is told to stop."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Protocol

logger = logging.getLogger(__name__)


class ServiceFailed(Exception):
    """A service stopped on its own (a gateway that refused the token, say)."""


class Service(Protocol):
    """Something an adapter runs: an HTTP server, a WebSocket link, a gateway client."""

    async def start(self) -> object: ...

    async def stopped(self) -> None:
        """Returns (or raises) only if the service stops by itself after ``start``."""
        ...

    async def stop(self) -> None: ...


async def serve(services: list[Service], stop: asyncio.Event | None = None) -> None:
    """Start every service, run until SIGINT/SIGTERM (or ``stop``), then stop them in reverse.

    If a service stops by itself, the others are stopped too and ``ServiceFailed``
    is raised: a bot half connected would look alive while missing every command
    on one platform; exiting lets the process manager restart it and tell someone.
    """
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    started: list[Service] = []
    watchers: dict[asyncio.Task[None], Service] = {}
    try:
        for service in services:
            try:
                await service.start()
            except Exception as error:
                name = type(service).__name__
                raise ServiceFailed(f"{name} could not start: {error}") from error
            started.append(service)
            watchers[asyncio.create_task(service.stopped())] = service
        told = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({told, *watchers}, return_when=asyncio.FIRST_COMPLETED)
        ended = next((task for task in watchers if task in done), None)
        if ended is not None:
            told.cancel()
            name = type(watchers[ended]).__name__
            reason = ended.exception() or "it stopped without an error"
            logger.error("%s stopped by itself (%s); stopping", name, reason)
            raise ServiceFailed(f"{name}: {reason}")
        logger.info("stopping")
    finally:
        for watcher in watchers:
            watcher.cancel()
        for service in reversed(started):
            await service.stop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
