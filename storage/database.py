"""Connecting to SQLite or PostgreSQL, and the two kinds of transaction the core uses.

SQLite is the embedded default, so it gets the settings a multi-threaded bot
needs: WAL (readers never wait for the writer), foreign keys, a busy timeout,
``synchronous=FULL`` (a memo acknowledged is a memo on disk, at about 0.2 ms a
commit), and ``BEGIN IMMEDIATE`` for writing transactions. The last one matters:
a deferred transaction that reads and then writes can fail at once with
SQLITE_BUSY when another writer committed in between, and the busy timeout does
not help there. Taking the write lock up front makes writers queue instead.

Checkpoints (copying the WAL back into the database file, with an fsync) run
on a background thread instead of inside whichever commit crosses SQLite's
threshold: measured on 1M memos, that moved `/memo add` p99 from ~9 ms to ~2 ms.
The search index is kept up the same way, off the request path
(``storage.search_upkeep``). On both databases a thread forgets deliveries
older than a day (``storage.deliveries``).

Engines hide bound parameters from logs and error messages: they carry memo
text, which must never reach a log.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.pool import ConnectionPoolEntry

from storage import deliveries, pending_notes
from storage.chores import PeriodicChore
from storage.driver_sql import driver_execute
from storage.search_upkeep import SearchUpkeep
from storage.writes import BatchWriter, Discard

T = TypeVar("T")

#: Milliseconds a SQLite connection waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_MS = 10_000
#: Seconds between background WAL checkpoints: the WAL holds about this much writing. Each
#: checkpoint writes back and fsyncs the pages changed since the last (at 100 adds a second,
#: about 14 WAL frames an add, 33 ms for 5 s of them), and commits that land meanwhile wait
#: on the disk: in the slowest 1% of Discord adds, 4 in 10 overlapped a checkpoint. Pages
#: changed again within the interval are written back once, so longer intervals write less:
#: 15 s instead of 5 s took that benchmark's p99 from 6.0 to 5.4 ms (5 paired runs, all
#: lower), and 5 s instead of 1 s from ~5.3 to ~4.3 ms. Under that load the WAL then peaks
#: near 90 MB (21,000 frames by the counts above; the file size was not measured); at a
#: conference's pace it stays small.
SQLITE_CHECKPOINT_INTERVAL_S = 15.0

#: Seconds a pooled PostgreSQL connection may sit unused and still be trusted without a ping.
PING_AFTER_IDLE_S = 1.0
_IDLE_SINCE = "memo_bot_idle_since"

#: Passive checkpoints in a row at most, each copying what was committed during the last.
CHECKPOINT_CATCH_UP_ROUNDS = 10

#: Seconds between rounds of forgetting deliveries older than ``deliveries.KEEP_FOR``.
FORGET_DELIVERIES_INTERVAL_S = 600.0

#: Threads besides the core's workers that may hold a connection at the same moment: the
#: digest runner, the announcer, the periodic chores and the readiness probe.
BACKGROUND_CONNECTIONS = 4
#: The core's worker threads by default (``MEMO_WORKER_THREADS``).
DEFAULT_WORKER_THREADS = 8

logger = logging.getLogger(__name__)

_WRITE_OPTION = "memo_bot_write"


def normalize_database_url(url: str | URL) -> URL:
    """Parse a database URL, choosing psycopg 3 for a bare ``postgresql://`` URL.

    SQLAlchemy's default PostgreSQL driver is psycopg2, which we do not ship.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def safe_url(url: URL) -> str:
    """The URL as text with any password hidden, for messages and logs."""
    return url.render_as_string(hide_password=True)


class Database:
    """An engine plus the read and write transactions the core runs in.

    Transactions are plain Core ``Connection`` objects: the queries in
    ``storage`` are prebuilt statements with bound parameters, which costs a
    fraction of the ORM's per-statement overhead on the hot path of `/memo add`.
    """

    def __init__(
        self,
        url: str | URL,
        *,
        echo: bool = False,
        pool_size: int = DEFAULT_WORKER_THREADS + BACKGROUND_CONNECTIONS,
    ) -> None:
        """``pool_size``: connections kept open, one for each thread that may use one at the
        same moment (the core's workers plus ``BACKGROUND_CONNECTIONS``). SQLAlchemy's pool
        closes a connection returned while it holds that many idle ones: with fewer kept
        than threads, busy workers kept opening new ones (on PostgreSQL a server process
        each, and prepared statements lost: 249 in 9,000 adds at 16 in flight with the
        default of 5)."""
        self.url = normalize_database_url(url)
        self.engine: Engine = _create_engine(self.url, echo=echo, pool_size=pool_size)
        self._write_engine = immediate(self.engine)
        sqlite = self.engine.dialect.name == "sqlite"
        # PostgreSQL has row locks; only SQLite needs writers to take turns.
        self._writer_turn: AbstractContextManager[object] = (
            threading.Lock() if sqlite else nullcontext()
        )
        self._checkpointer = (
            PeriodicChore(
                "sqlite-checkpoint",
                SQLITE_CHECKPOINT_INTERVAL_S,
                lambda _stopped: _checkpoint(self.engine),
                "SQLite WAL checkpoint failed; it is tried again shortly",
            )
            if sqlite
            else None
        )
        self._search_upkeep = SearchUpkeep(self.write, self.reading) if sqlite else None
        # SQLite commits in batches (see storage.writes); PostgreSQL commits each command
        # on its own, because batches holding row locks across processes could deadlock.
        self._batches = (
            BatchWriter(self._write_engine.connect, self._writer_turn) if sqlite else None
        )
        self._forgetter: PeriodicChore | None = PeriodicChore(
            "forget-deliveries",
            FORGET_DELIVERIES_INTERVAL_S,
            self._forget_old_deliveries,
            "forgetting old deliveries failed; it is tried again later",
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A transaction for queries; rolled back at the end, so it can never write."""
        with self.engine.connect() as connection:
            try:
                yield connection
            finally:
                connection.rollback()

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A transaction that commits when the block ends, or rolls back on an exception.

        On SQLite it holds the write lock from its first statement, and writers of
        this process queue on a lock first: SQLite makes a waiting writer sleep and
        poll (1, 2, 5, 10 ... 100 ms), which under concurrent adds turned a 2 ms
        commit into a 500 ms p99. The busy timeout still covers other processes.
        """
        with self._writer_turn, self._write_engine.begin() as connection:
            yield connection

    def write(self, unit: Callable[[Connection], T]) -> T:
        """Run ``unit`` in a writing transaction; its result comes back once committed.

        ``unit`` may raise ``Discard(value)`` to undo its changes and answer ``value``.
        On SQLite it runs on the writer thread, batched with other writes.
        """
        if self._batches is not None:
            return self._batches.submit(unit).result()
        with self._write_engine.connect() as connection:
            transaction = connection.begin()
            try:
                value = unit(connection)
            except Discard as discarded:
                transaction.rollback()
                result: T = discarded.value
                return result
            transaction.commit()
            return value

    def _forget_old_deliveries(self, stopped: threading.Event) -> None:
        now = datetime.now(UTC)
        deliveries.forget_old(self.write, now, stopped)
        self.write(partial(pending_notes.forget_old, now=now))

    @property
    def batches_writes(self) -> bool:
        """Whether writes go through the batch writer (SQLite), so ``submit_write`` can be used."""
        return self._batches is not None

    def submit_write(self, unit: Callable[[Connection], T]) -> Future[T]:
        """Queue ``unit`` for the batch writer; lets asyncio callers await the commit.

        Only where ``batches_writes``; like ``write``, the result comes once committed.
        """
        assert self._batches is not None, "writes are batched on SQLite only"
        return self._batches.submit(unit)

    def dispose(self) -> None:
        """Close every connection (the last one to close checkpoints SQLite's WAL)."""
        if self._search_upkeep is not None:
            self._search_upkeep.stop()  # first: its writes go through the batch writer
            self._search_upkeep = None
        if self._forgetter is not None:
            self._forgetter.stop()  # its writes too
            self._forgetter = None
        if self._batches is not None:
            self._batches.stop()
            self._batches = None
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        self.engine.dispose()


def immediate(engine: Engine) -> Engine:
    """The engine for transactions that write: on SQLite they take the write lock with their
    first statement (``BEGIN IMMEDIATE``), so one that reads and then writes waits its turn
    instead of failing when another writer committed in between. Elsewhere: ``engine``."""
    return engine.execution_options(**{_WRITE_OPTION: True})


def _create_engine(url: URL, *, echo: bool, pool_size: int) -> Engine:
    if url.get_backend_name() == "sqlite":
        return _create_sqlite_engine(url, echo=echo, pool_size=pool_size)
    engine = create_engine(url, echo=echo, hide_parameters=True, pool_size=pool_size)
    _ping_when_idle(engine, PING_AFTER_IDLE_S)
    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection before use only when it sat unused for ``idle_seconds``.

    A server restart, or a proxy's idle timeout, may have closed it meanwhile: a failed
    ping discards every pooled connection and the pool opens a new one (SQLAlchemy's
    ``InvalidatePoolError`` from a checkout listener). ``pool_pre_ping`` pings on every
    checkout: one more round trip for every command, 1 in 10 of a `/memo add`'s on
    PostgreSQL, for connections that were in use a moment ago. A restart while commands
    run fails those commands either way; SQLAlchemy then discards the pool too.
    """

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since <= idle_seconds:
            return  # new, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise InvalidatePoolError("the pooled connection failed its ping") from error


def _create_sqlite_engine(url: URL, *, echo: bool, pool_size: int) -> Engine:
    if url.database in (None, "", ":memory:"):
        raise ValueError("memo-bot needs a SQLite file, e.g. sqlite:///memo-bot.db")
    path = sqlite_path(url)
    engine = create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        pool_size=pool_size,
        creator=lambda: connect_existing_sqlite(path),
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
            "wal_autocheckpoint=0",  # _checkpoint does it off the request path
        ):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        writing = connection.get_execution_options().get(_WRITE_OPTION, False)
        driver_execute(connection, "BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine


def sqlite_path(url: URL) -> Path:
    """The absolute path of the SQLite file ``url`` names."""
    assert url.database, "a SQLite URL without a file is refused by Database"
    return Path(url.database).expanduser().resolve()


def connect_existing_sqlite(path: Path) -> sqlite3.Connection:
    """Open the SQLite file at ``path`` read-write, failing if it does not exist.

    A plain connect creates a missing file: where the database was moved away or
    deleted (or its volume is not mounted), a poll would leave a new empty database,
    readiness would find it reachable, and writes would fail against no tables, or
    worse, land in a database nobody backs up. Only migrations create the file
    (``storage.schema.create_missing_sqlite_file``).
    """
    uri = f"file:{quote(str(path))}?mode=rw"
    return sqlite3.connect(uri, uri=True, check_same_thread=False)


def _checkpoint(engine: Engine) -> None:
    """Copy the WAL into the database file (see ``checkpoint_until_caught_up``)."""
    connection = engine.raw_connection()
    try:
        driver = connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        checkpoint_until_caught_up(
            lambda: driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        )
    finally:
        connection.close()


def checkpoint_until_caught_up(checkpoint_round: Callable[[], tuple[int, int, int]]) -> None:
    """Run checkpoint rounds until one finds nothing committed since the last.

    ``checkpoint_round`` is one PASSIVE checkpoint, answering SQLite's (busy,
    frames in the WAL, frames copied). PASSIVE never blocks readers or
    writers, so commits go on while it copies (25 ms for 5 s of adds) and a
    round is never quite complete. The WAL starts over from its beginning only
    when a write finds it all copied: without the follow-up rounds (each
    copying what the last one let through) it never did under steady load, and
    grew by 6 MB a second at 100 adds a second, every commit extending the file.
    """
    frames_before = None
    for _ in range(CHECKPOINT_CATCH_UP_ROUNDS):
        busy, frames, _copied = checkpoint_round()
        if busy or frames == frames_before:  # nothing was committed during the last round
            return
        frames_before = frames
