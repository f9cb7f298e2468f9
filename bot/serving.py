"""Running the configured chat adapters in one event loop until the process is told to stop."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import random
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.service_status import ServiceState, ServiceStatuses

logger = logging.getLogger(__name__)


class ServiceFailed(Exception):
    """The bot cannot run as configured: a service was refused at its first start, or every
    chat platform has been refused since."""


class ServiceRefused(Exception):
    """Raised by a service (from ``start`` or ``stopped``) when trying again cannot help:
    the platform rejected its token or its configuration. It is not restarted."""


class Service(Protocol):
    """Something an adapter runs: an HTTP server, a WebSocket link, a gateway client.

    ``stop`` may be called at any time, also after a failed or cancelled ``start``, and
    more than once; after ``stop`` the service can be started again.
    """

    async def start(self) -> object: ...

    async def stopped(self) -> None:
        """Returns (or raises) only if the service stops by itself after ``start``."""
        ...

    async def stop(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Backoff:
    """How long a service that stopped by itself waits before it is started again.

    Exponential (``first``, doubling, at most ``cap``) with jitter, so services that failed
    together do not all come back in the same instant; a service that then ran for
    ``reset_after`` seconds starts over from ``first`` the next time.
    """

    first: float = 1.0
    cap: float = 300.0
    reset_after: float = 600.0

    def delay(self, attempt: int, draw: Callable[[], float] = random.random) -> float:
        """The pause before restart number ``attempt`` (0 for the first): between half and
        all of ``first * 2**attempt``, capped."""
        ceiling = min(self.cap, self.first * 2.0 ** min(attempt, 64))
        return ceiling * (0.5 + draw() / 2)


async def serve(
    services: list[Service],
    stop: asyncio.Event | None = None,
    *,
    statuses: ServiceStatuses | None = None,
    backoff: Backoff = Backoff(),
    needs_one_of: Sequence[Service] = (),
) -> None:
    """Start every service, run until SIGINT/SIGTERM (or ``stop``), then stop them in reverse.

    A service that stops by itself, or cannot start, is started again after a pause
    (``backoff``) while the others keep serving: Discord going away must not take Slack
    with it. One that raises ``ServiceRefused`` is not retried and shows as failed. At
    the first start, a refusal is a configuration mistake (a wrong token) and raises
    ``ServiceFailed`` before anything is served, so whoever deploys it sees it at once;
    so does losing every service of ``needs_one_of`` (the chat platforms: a bot that
    serves none would look alive while answering no one). Each service's state is in
    ``statuses`` (and the log).
    """
    stop = stop or asyncio.Event()
    statuses = statuses or ServiceStatuses()
    loop = asyncio.get_running_loop()
    # Signals reach the main thread only; in a background thread its owner sets ``stop``.
    signals = (signal.SIGINT, signal.SIGTERM) if _in_main_thread() else ()
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    supervisors: list[_Supervisor] = []
    try:
        for service in services:
            supervisor = _Supervisor(service, statuses, backoff)
            supervisors.append(supervisor)
            # Told to stop during a slow start (a gateway out of reach): stop at once.
            starting = asyncio.create_task(supervisor.first_start())
            told = asyncio.create_task(_wait(stop))
            await asyncio.wait({starting, told}, return_when=asyncio.FIRST_COMPLETED)
            told.cancel()
            if not starting.done():
                starting.cancel()
                break
            try:
                starting.result()
            except ServiceRefused as refused:
                raise ServiceFailed(f"{supervisor.name} could not start: {refused}") from refused
        freeze_startup_objects()
        needed = [s for s in supervisors if any(s.service is n for n in needs_one_of)]
        told = asyncio.create_task(_wait(stop))
        waiting: set[asyncio.Task[None]] = {told}
        if needed:
            waiting.add(asyncio.create_task(_all_refused(needed)))
        done, pending = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        if told not in done:
            reasons = "; ".join(f"{s.name}: {_said(s.refusal)}" for s in needed if s.refusal)
            raise ServiceFailed(f"no chat platform is left ({reasons})")
        logger.info("stopping")
    finally:
        for supervisor in reversed(supervisors):
            await supervisor.stop()
        for signum in signals:
            loop.remove_signal_handler(signum)


class _Supervisor:
    """Runs one service: starts it, waits for it to stop by itself, starts it again."""

    def __init__(self, service: Service, statuses: ServiceStatuses, backoff: Backoff) -> None:
        self.service = service
        self.name = type(service).__name__
        self.statuses = statuses
        self.backoff = backoff
        self._first: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._task: asyncio.Task[None] | None = None
        #: Why it was refused for good, once it was.
        self.refusal: ServiceRefused | None = None
        self.refused = asyncio.Event()

    async def first_start(self) -> None:
        """Returns once the first start is over, whether or not it worked, unless it was
        refused (``ServiceRefused``); a start that failed otherwise is retried in the
        background."""
        self._task = asyncio.create_task(self._run(), name=f"supervising {self.name}")
        await asyncio.wait({self._first, self._task}, return_when=asyncio.FIRST_COMPLETED)
        await self._first

    async def _run(self) -> None:
        attempt = 0
        while True:
            self.statuses.starting(self.name)
            started = asyncio.get_running_loop().time()
            try:
                await self.service.start()
                self.statuses.running(self.name)
                self._settle_first()
                await self.service.stopped()
                problem: str = "it stopped without an error"
            except ServiceRefused as refused:
                self.statuses.failed(self.name, _said(refused))
                await self._stop_service()
                self.refusal = refused
                self.refused.set()
                self._settle_first(refused)
                return
            except Exception as error:
                problem = _said(error)
                logger.debug("%s stopped", self.name, exc_info=True)
            self._settle_first()
            await self._stop_service()
            if asyncio.get_running_loop().time() - started >= self.backoff.reset_after:
                attempt = 0
            delay = self.backoff.delay(attempt)
            attempt += 1
            self.statuses.restarting(self.name, problem, delay)
            await asyncio.sleep(delay)

    def _settle_first(self, error: BaseException | None = None) -> None:
        if self._first.done():
            return
        if error is None:
            self._first.set_result(None)
        else:
            self._first.set_exception(error)

    async def stop(self) -> None:
        """Stop supervising (a restart under way is called off), then stop the service."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._first.cancel()
        await self._stop_service()
        status = self.statuses.get(self.name)
        if status is None or status.state is not ServiceState.FAILED:
            self.statuses.stopped(self.name)

    async def _stop_service(self) -> None:
        """Stop the service; shielded, so calling off the supervisor never cuts a stop short."""
        try:
            await asyncio.shield(self.service.stop())
        except Exception:
            logger.exception("stopping %s failed", self.name)


async def _wait(event: asyncio.Event) -> None:
    await event.wait()


async def _all_refused(supervisors: list[_Supervisor]) -> None:
    await asyncio.gather(*(supervisor.refused.wait() for supervisor in supervisors))


def _said(error: BaseException) -> str:
    """An error as one line for the status and the log: its type (unless it is a refusal,
    which says what happened itself) and the first line of its message."""
    lines = str(error).strip().splitlines()
    if isinstance(error, ServiceRefused) and lines:
        return lines[0]
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


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
