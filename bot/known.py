"""Rows this process knows exist, so a `/memo add` need not look them up every time.

Only facts that another process cannot make false: a channel's id, a member's id, a
session's id for a title, an attendance (none of these rows is ever deleted or changes
what it is). They are learned from committed data only (a read, or a write after its
commit), so a rolled-back transaction can never leave an id here that is not in the
database. What can change is read in every command: a channel's current conference
(another process's `/memo conference` or import switches it) and a member's display name
(set to what the platform says, in the database, by whichever process serves them).

Sessions are re-read after a minute: a fresh read prefers the newest day's session of a
title, which another process's import may have added.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from storage.records import ChannelRecord, SessionRecord

V = TypeVar("V")

#: Seconds after which a title's session is read again.
REFRESH_SECONDS = 60.0
#: Entries kept per kind; the least recently used go first.
MAX_ENTRIES = 50_000


class Lru(Generic[V]):
    """A thread-safe LRU map whose entries expire ``ttl`` seconds after they were put."""

    def __init__(self, ttl: float | None, clock: Callable[[], float]) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if self._ttl is not None and self._clock() - entry[0] > self._ttl:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def forget(self, key: Hashable) -> None:
        """Drop what is known of ``key`` (a programme moved a session to another day)."""
        with self._lock:
            self._entries.pop(key, None)

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._entries[key] = (self._clock(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)


class KnownRows:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.channels: Lru[ChannelRecord] = Lru(None, clock)
        #: (workspace id, the platform's user id) -> the member's id
        self.members: Lru[int] = Lru(None, clock)
        self.sessions: Lru[SessionRecord] = Lru(REFRESH_SECONDS, clock)
        self.attendances: Lru[bool] = Lru(None, clock)
