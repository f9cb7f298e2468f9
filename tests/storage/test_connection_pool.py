"""The connection pool keeps a connection for every thread that uses the database at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import event, text

from storage.database import BACKGROUND_CONNECTIONS, DEFAULT_WORKER_THREADS, Database

WAIT_S = 10.0


def _all_at_once(database: Database, threads: int) -> None:
    """``threads`` transactions open at the same moment, as busy worker threads hold them."""
    together = threading.Barrier(threads)

    def hold(_: int) -> None:
        with database.reading() as tx:
            tx.execute(text("SELECT 1"))
            together.wait(WAIT_S)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(hold, range(threads)))


def test_every_worker_busy_at_once_finds_its_connection_open_the_next_time(
    database: Database,
) -> None:
    """A connection closed on its return and opened again is, on PostgreSQL, a new server
    process and every prepared statement lost: under load, that was most of the pool."""
    _all_at_once(database, DEFAULT_WORKER_THREADS)
    opened: list[object] = []
    event.listen(database.engine, "connect", lambda *_: opened.append(True))

    _all_at_once(database, DEFAULT_WORKER_THREADS)

    assert opened == []


def test_the_pool_keeps_one_connection_for_each_worker_and_background_thread(
    database: Database,
) -> None:
    threads = DEFAULT_WORKER_THREADS + BACKGROUND_CONNECTIONS
    _all_at_once(database, threads)
    opened: list[object] = []
    event.listen(database.engine, "connect", lambda *_: opened.append(True))

    _all_at_once(database, threads)

    assert opened == []
