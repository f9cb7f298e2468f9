"""Connecting to SQLite or PostgreSQL, and the two kinds of transaction the core uses.

SQLite is the embedded default, so it gets the settings a multi-threaded bot
needs: WAL (readers never wait for the writer), foreign keys, a busy timeout,
``synchronous=FULL`` (a memo acknowledged is a memo on disk, at about 0.2 ms a
commit), and ``BEGIN IMMEDIATE`` for writing transactions. The last one matters:
a deferred transaction that reads and then writes can fail at once with
SQLITE_BUSY when another writer committed in between, and the busy timeout does
not help there. Taking the write lock up front makes writers queue instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

#: Milliseconds a SQLite connection waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_MS = 10_000

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
    """An engine plus the read and write transactions the core runs in."""

    def __init__(self, url: str | URL, *, echo: bool = False) -> None:
        self.url = normalize_database_url(url)
        self.engine: Engine = _create_engine(self.url, echo=echo)
        self._write_engine = self.engine.execution_options(**{_WRITE_OPTION: True})
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(self._write_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A transaction for queries; rolled back at the end, so it can never write."""
        with self._read_sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A transaction that commits when the block ends without an exception.

        The block may call ``rollback()`` to drop its changes instead (a refused
        command). On SQLite it holds the write lock from its first statement.
        """
        with self._write_sessions() as session:
            yield session
            if session.in_transaction():
                session.commit()

    def dispose(self) -> None:
        self.engine.dispose()


def _create_engine(url: URL, *, echo: bool) -> Engine:
    if url.get_backend_name() == "sqlite":
        return _create_sqlite_engine(url, echo=echo)
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _create_sqlite_engine(url: URL, *, echo: bool) -> Engine:
    if url.database in (None, "", ":memory:"):
        raise ValueError("memo-bot needs a SQLite file, e.g. sqlite:///memo-bot.db")
    Path(url.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
        ):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        writing = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine
