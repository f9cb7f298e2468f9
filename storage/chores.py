"""Background chores of a database: a daemon thread that runs one task every so often.

SQLite's WAL checkpoint and search index upkeep, and forgetting old deliveries
on both databases, belong off the request path; each must survive a failed
round (it is tried again next round) and stop promptly when the database is
disposed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)


class PeriodicChore:
    """Calls ``task(stopped)`` every ``interval_s`` seconds on a daemon thread until ``stop``.

    ``task`` gets the stop event so a long round can end early. An exception is
    logged with ``failure`` and the chore carries on.
    """

    def __init__(
        self,
        name: str,
        interval_s: float,
        task: Callable[[threading.Event], None],
        failure: str,
    ) -> None:
        self._interval_s = interval_s
        self._task = task
        self._failure = failure
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stopped.wait(self._interval_s):
            try:
                self._task(self._stopped)
            except Exception:
                logger.exception(self._failure)
