"""Rows this process knows exist, so a `/memo add` need not look them up every time.

Mostly facts that cannot become false: a channel's id, a member's id (with the
name it had), a session's id for a title, an attendance. They are learned from
committed data only (a read, or a write after its commit), so a rolled-back
transaction can never leave an id here that is not in the database. Members and
sessions are re-read after a minute, which bounds how long another process's
change (a new display name, a newer session with the same title) goes unseen.

A channel's current conference can change; this process forgets it as soon as
it changes it itself, and another process's change (an import, a second bot
sharing PostgreSQL) is seen within ``CONFERENCE_SECONDS``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from storage.records import ChannelRecord, ConferenceRecord, MemberRecord, SessionRecord

V = TypeVar("V")

#: Seconds after which members and sessions are read again.
REFRESH_SECONDS = 60.0
#: Seconds a channel's current conference is trusted without reading it again.
CONFERENCE_SECONDS = 10.0
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
        self.members: Lru[MemberRecord] = Lru(REFRESH_SECONDS, clock)
        self.sessions: Lru[SessionRecord] = Lru(REFRESH_SECONDS, clock)
        self.attendances: Lru[bool] = Lru(None, clock)
        #: channel id -> its current conference
        self.conferences: Lru[ConferenceRecord] = Lru(CONFERENCE_SECONDS, clock)
