"""Keeping SQLite's search index current and compact, on a thread, off `/memo add`'s path.

Two chores, each done in small steps (a millisecond or two of writing) that
go through the database's batch writer like any command: a step joins the
queue in turn, shares its batch's commit, and a `/memo add` waits behind one
step at most. (With a lock of their own, steps taken back to back could keep
the writer waiting: `/memo add` p99 at 1M memos was 9 ms that way, 5 to 6 ms
this way, on the same machine.)

- **Index pending memos.** New memos are not indexed by their add (see
  ``storage.search``); this indexes them ``INDEX_BATCH`` at a time, reading
  and tokenizing them before the write.
- **Merge segments.** FTS5 writes each transaction's tokens as a new segment
  and by default merges segments inside the writing transaction: on 1M memos
  that put a 40 ms merge into 1 write in 50. Migration 0007 turns that off
  (``automerge=0``; FTS5 still merges by itself past 64 segments of one size,
  so a stopped upkeep only makes searches slower, never wrong), and this
  merges ``MERGE_STEP_PAGES`` pages at a time.

Started with every SQLite ``Database``, like its WAL checkpointer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import partial
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from storage.chores import PeriodicChore
from storage.driver_sql import Prepared
from storage.search import read_pending, write_pending

logger = logging.getLogger(__name__)

#: Seconds between rounds of upkeep: about how long a new memo waits to be indexed.
UPKEEP_INTERVAL_S = 1.0
#: Memos indexed, and FTS5 pages merged, per step (a millisecond or two each).
INDEX_BATCH = 8
MERGE_STEP_PAGES = 4
#: At most this many steps of each chore in one round, so stopping is never slow.
MAX_STEPS = 200

_MERGE = Prepared(text("INSERT INTO memo_search (memo_search, rank) VALUES ('merge', :pages)"))
_CHANGES = Prepared(text("SELECT total_changes()"))


def merge_step(tx: Connection) -> bool:
    """One bounded step of merging the index's segments; False when none was needed."""
    before = int(_CHANGES.scalar(tx, {}))
    _MERGE.run(tx, {"pages": MERGE_STEP_PAGES})
    return int(_CHANGES.scalar(tx, {})) - before > 1  # the command itself is 1


class SearchUpkeep:
    """The chores above, every ``UPKEEP_INTERVAL_S`` on a thread of their own."""

    def __init__(
        self,
        write: Callable[[Callable[[Connection], Any]], Any],
        reading: Callable[[], AbstractContextManager[Connection]],
    ) -> None:
        self._write = write
        self._reading = reading
        self._chore = PeriodicChore(
            "search-upkeep",
            UPKEEP_INTERVAL_S,
            self._round,
            "search index upkeep failed; it is tried again shortly",
        )

    def stop(self) -> None:
        self._chore.stop()

    def run_once(self, stopped: threading.Event | None = None) -> None:
        """Index every pending memo, then merge until nothing is left to merge (or stopped)."""
        stopped = stopped or threading.Event()
        self._repeat(self._index_step, stopped)
        self._repeat(self._merge_step, stopped)

    def _round(self, stopped: threading.Event) -> None:
        try:
            self.run_once(stopped)
        except OperationalError:
            logger.debug("no search index to keep up yet (database not migrated)")

    def _index_step(self) -> bool:
        # Read and tokenize outside the writer; only the inserts are a write.
        with self._reading() as tx:
            batch = read_pending(tx, INDEX_BATCH)
        if not batch.memos:
            return False
        self._write(partial(write_pending, batch=batch))
        return len(batch.memos) == INDEX_BATCH

    def _merge_step(self) -> bool:
        return bool(self._write(merge_step))

    @staticmethod
    def _repeat(step: Callable[[], bool], stopped: threading.Event) -> None:
        for _ in range(MAX_STEPS):
            if stopped.is_set() or not step():
                return
