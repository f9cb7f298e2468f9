"""What every fake chat service shares: an aiohttp app on a free loopback port, served from
its own thread and event loop, with one condition guarding what tests read and wait for.

Its own loop means sync tests can block on the fake while async tests run the bot on theirs.

It also shares the two ways a real platform answers late or not at all after it has done
what was asked (a message posted): ``answer_late`` keeps the answer back until the test
releases it (a slow platform, a client that times out meanwhile), ``drop_next`` closes the
connection instead of answering (a connection lost in the middle). Either way the call has
taken effect, unlike a request the fake Discord's ``hold_next`` keeps from being handled.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from aiohttp import web

T = TypeVar("T")
CallT = TypeVar("CallT")


@dataclass
class _Late:
    """Which calls of a name are answered late (or not at all): the next ``after`` go through,
    then ``count`` of them (None: all) are held, or dropped when ``drop``."""

    after: int
    count: int | None
    drop: bool

    def applies(self) -> bool:
        """Whether the call now being answered is one to hold or drop (and count it)."""
        if self.after:
            self.after -= 1
            return False
        if self.count is None:
            return True
        self.count -= 1
        return self.count >= 0

    def used_up(self) -> bool:
        return self.count is not None and self.count <= 0


class LoopbackServer(Generic[CallT]):
    """Subclasses add their routes in ``_add_routes``, record requests in ``_calls`` and keep
    their state under ``_condition``; ``_call_name`` says what ``calls_to`` matches on."""

    #: Used in thread names and in the messages of failed waits ("fake Slack: waited ...").
    label = "fake"

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name=self.label, daemon=True)
        self._runner: web.AppRunner | None = None
        self._port = 0
        # One condition guards all state shared between the server thread and the tests.
        self._condition = threading.Condition()
        # WebSockets the server holds open; only the server thread touches this.
        self._open_sockets: set[web.WebSocketResponse] = set()
        self._calls: list[CallT] = []
        # Late answers and dropped connections, by call name.
        self._late: dict[str, _Late] = {}
        # Held answers wait for these events (created and set on the server loop).
        self._held: list[asyncio.Event] = []
        self._held_count = 0

    def _add_routes(self, app: web.Application) -> None:
        raise NotImplementedError

    @staticmethod
    def _call_name(call: CallT) -> str:
        raise NotImplementedError

    @property
    def calls(self) -> list[CallT]:
        with self._condition:
            return list(self._calls)

    def calls_to(self, name: str) -> list[CallT]:
        with self._condition:
            return [call for call in self._calls if self._call_name(call) == name]

    def wait_for(self, name: str, count: int = 1, timeout: float = 10.0) -> list[CallT]:
        """Block until ``count`` requests to ``name`` arrived; return all requests to it."""
        self._wait(
            lambda: len(self.calls_to(name)) >= count,
            timeout,
            lambda: f"{count} call(s) to {name}; calls so far: {self._calls}",
        )
        return self.calls_to(name)

    async def async_wait_for(self, name: str, count: int = 1, timeout: float = 10.0) -> list[CallT]:
        """``wait_for`` on a worker thread, so the caller's loop (running the bot) keeps going."""
        return await asyncio.to_thread(self.wait_for, name, count, timeout)

    def answer_late(self, name: str, *, after: int = 0, count: int | None = 1) -> None:
        """Answer calls to ``name`` late: the next ``after`` are answered at once, then ``count``
        of them (None: every one until ``release_late_answers``) take effect at once (a message
        is posted, and seen by later calls) but are answered only on ``release_late_answers``.
        """
        with self._condition:
            self._late[name] = _Late(after, count, drop=False)

    def drop_next(self, name: str, *, after: int = 0) -> None:
        """Let ``after`` calls to ``name`` through, then carry out the next one and close its
        connection without an answer."""
        with self._condition:
            self._late[name] = _Late(after, 1, drop=True)

    @property
    def late_answers(self) -> int:
        """How many calls have taken effect and waited (or wait) for their answer."""
        with self._condition:
            return self._held_count

    def wait_late_answers(self, count: int = 1, timeout: float = 10.0) -> None:
        """Block until ``count`` answers were kept back (in all, since the fake started)."""
        self._wait(lambda: self._held_count >= count, timeout, lambda: f"{count} late answer(s)")

    async def async_wait_late_answers(self, count: int = 1, timeout: float = 10.0) -> None:
        await asyncio.to_thread(self.wait_late_answers, count, timeout)

    def release_late_answers(self) -> None:
        """Answer every held call now, and hold no more."""
        with self._condition:
            self._late = {name: late for name, late in self._late.items() if late.drop}
        self._run(self._release_all())

    async def _maybe_late(self, name: str, request: web.Request) -> None:
        """Called once a call has taken effect, before it is answered: keeps its answer back,
        or closes its connection (the answer then goes nowhere), as the test asked."""
        with self._condition:
            late = self._late.get(name)
            act = late is not None and late.applies()
            if late is not None and late.used_up():
                del self._late[name]
            if act and late is not None and not late.drop:
                self._held_count += 1
                self._condition.notify_all()
        if not act or late is None:
            return
        if late.drop:
            assert request.transport is not None
            request.transport.close()
            return
        released = asyncio.Event()
        self._held.append(released)
        await released.wait()

    async def _release_all(self) -> None:
        for released in self._held:
            released.set()
        self._held.clear()

    def start(self) -> Self:
        """Serve on a free loopback port; returns once requests can be made."""
        self._thread.start()
        self._run(self._serve())
        return self

    def stop(self) -> None:
        """Close WebSockets first (shutdown waits for their handlers), then stop serving."""
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=60)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()
        self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        self._loop.close()

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the server loop and wait for it."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _serve(self) -> None:
        app = web.Application()
        self._add_routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        await self._release_all()  # their handlers finish before the server stops
        for socket in list(self._open_sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def _wait_for_value(
        self, find: Callable[[], T | None], timeout: float, wanted: Callable[[], str]
    ) -> T:
        """Block until ``find()`` (called under the condition) has something; return it."""
        self._wait(lambda: find() is not None, timeout, wanted)
        with self._condition:
            found = find()
        assert found is not None
        return found

    def _wait(self, ready: Callable[[], bool], timeout: float, wanted: Callable[[], str]) -> None:
        """Block until ``ready()`` (checked under the condition) or fail saying what was awaited."""
        with self._condition:
            if not self._condition.wait_for(ready, timeout):
                raise AssertionError(f"{self.label}: waited {timeout}s for {wanted()}")
