"""Running the configured chat adapters in one event loop until the process is told to stop."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import threading
from collections.abc import Iterator
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
    # Signals reach the main thread only; in a background thread its owner sets ``stop``.
    signals = (signal.SIGINT, signal.SIGTERM) if _in_main_thread() else ()
    for signum in signals:
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
        freeze_startup_objects()
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
        for signum in signals:
            loop.remove_signal_handler(signum)


def freeze_startup_objects() -> None:
    """Keep what start-up loaded (modules, SQLAlchemy's tables, Bolt's and discord.py's state)
    out of every later garbage collection.

    Each full collection walked all of it: 55 to 85 ms with the event loop and the
    writer stopped, every few thousand commands, and every command in flight waited.
    ``gc.freeze`` (CPython 3.7+) moves the objects alive now to a generation the
    collector never scans; they are freed normally once unreferenced.
    """
    gc.collect()
    gc.freeze()


@contextlib.contextmanager
def serving_in_background(services: list[Service]) -> Iterator[None]:
    """Run ``services`` on an event loop in a thread while the caller keeps the main thread.

    The console reads the terminal in the main thread; its digests run here.
    Leaving the block stops the services and waits for them.
    """
    started = threading.Event()
    stop: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    async def run() -> None:
        stop.append((asyncio.get_running_loop(), asyncio.Event()))
        started.set()
        try:
            await serve(services, stop[0][1])
        except ServiceFailed as failure:
            logger.error("stopped in the background: %s", failure)

    thread = threading.Thread(target=asyncio.run, args=(run(),), name="services", daemon=True)
    thread.start()
    started.wait()
    try:
        yield
    finally:
        loop, event = stop[0]
        with contextlib.suppress(RuntimeError):  # the loop is closed: it stopped by itself
            loop.call_soon_threadsafe(event.set)
        thread.join()


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()
