"""Transaction-control statements sent to SQLite's own connection, past SQLAlchemy.

They carry no parameters and return no rows, so SQLAlchemy's statement machinery
buys them nothing but its cost.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError


def driver_execute(connection: Connection, statement: str) -> None:
    """Run a parameterless statement (BEGIN, SAVEPOINT ...) on SQLite's own connection.

    SQLAlchemy's ``exec_driver_sql`` costs about 25 us of Python a call, and every
    write pays for a BEGIN (and, in a batch, a SAVEPOINT and a RELEASE): about a tenth
    of the writer thread's time per `/memo add`. Errors are still SQLAlchemy's, so
    "database is locked" stays an ``OperationalError`` to the callers.
    """
    try:
        connection.connection.driver_connection.execute(statement)  # type: ignore[union-attr]
    except sqlite3.Error as error:
        raise DBAPIError.instance(
            statement, None, error, sqlite3.Error, dialect=connection.dialect
        ) from error
