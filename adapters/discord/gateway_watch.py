"""Noticing that the Discord gateway has been out of reach for too long.

discord.py reconnects by itself, for ever, with its own backoff; while it does,
the client looks alive but no command arrives. ``GatewayWatch`` follows its shard
events (connected, resumed, disconnected) and says when the bot has been
without a full connection, making no progress, for ``stall_after`` seconds, so the
service can report it and start afresh (a new login, the gateway's address and
shard count asked for again).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

#: Long enough for discord.py's own reconnects (a RESUME takes a second or two) and for
#: a big bot's start (each shard connects within seconds of the last); short enough that
#: a gateway gone for good shows within minutes.
STALL_AFTER_SECONDS = 120.0


class GatewayWatch:
    def __init__(
        self,
        stall_after: float = STALL_AFTER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stall_after = stall_after
        self._clock = clock
        self._ready = False
        self._down: set[int] = set()
        #: Since when the bot has waited for the gateway (connecting, or a shard down).
        self._waiting_since: float | None = clock()
        self._changed = asyncio.Event()

    def connected(self, shard_id: int) -> None:
        """A shard got READY or RESUMED."""
        self._down.discard(shard_id)
        self._progress()

    def ready(self) -> None:
        """Every shard is connected and its servers have arrived."""
        self._ready = True
        self._progress()

    @property
    def all_connected(self) -> bool:
        """Every shard is connected now (and was ready once): commands arrive."""
        return self._ready and not self._down

    def disconnected(self, shard_id: int) -> None:
        self._down.add(shard_id)
        if self._waiting_since is None:
            self._waiting_since = self._clock()
        self._changed.set()

    def _progress(self) -> None:
        self._waiting_since = None if self._ready and not self._down else self._clock()
        self._changed.set()

    async def stalled(self) -> str:
        """Returns (saying why) once the gateway made no progress for ``stall_after``
        seconds while the bot was not fully connected."""
        while True:
            self._changed.clear()
            since = self._waiting_since
            if since is None:
                await self._changed.wait()
                continue
            left = since + self.stall_after - self._clock()
            if left <= 0:
                down = ", ".join(str(shard) for shard in sorted(self._down))
                what = f"shard(s) {down} disconnected" if down else "not connected yet"
                return f"no progress on Discord's gateway for {self.stall_after:g} s ({what})"
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)
