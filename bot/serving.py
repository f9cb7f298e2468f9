"""Running the configured chat adapters in one event loop until the process is told to stop."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Protocol

logger = logging.getLogger(__name__)


class Service(Protocol):
    """Something an adapter runs: an HTTP server, a WebSocket link, a gateway client."""

    async def start(self) -> object: ...

    async def stop(self) -> None: ...


async def serve(services: list[Service], stop: asyncio.Event | None = None) -> None:
    """Start every service, wait for SIGINT/SIGTERM (or ``stop``), then stop them in reverse."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    started: list[Service] = []
    try:
        for service in services:
            await service.start()
            started.append(service)
        await stop.wait()
        logger.info("stopping")
    finally:
        for service in reversed(started):
            await service.stop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
