"""``INSERT ... ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL alike.

Get-or-create of workspaces, channels, members, sessions and attendance must be
safe when two bot processes on one PostgreSQL do it at the same moment; this
lets the database settle the race instead of an exception and a retry.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, Insert, Table
from sqlalchemy.dialects import postgresql, sqlite

from storage.driver_sql import Prepared


@cache
def _statement(
    table: Table, conflict: tuple[str, ...], dialect: str, columns: tuple[str, ...]
) -> Prepared:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # RETURNING tells whether a row went in; rowcount is not reliable on every driver.
    return Prepared(  # attendance is recorded on every `/memo add`
        insert(table)
        .on_conflict_do_nothing(index_elements=conflict)
        .returning(table.c[conflict[0]]),
        column_keys=columns,
    )


def insert_or_ignore(
    connection: Connection, table: Table, values: dict[str, Any], conflict: Sequence[str]
) -> bool:
    """Insert one row unless ``conflict`` columns clash; True when a row was inserted."""
    statement = _statement(table, tuple(conflict), connection.dialect.name, tuple(values))
    return statement.scalar(connection, values) is not None


@cache
def _statement_without_returning(table: Table, conflict: tuple[str, ...], dialect: str) -> Insert:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=conflict)


def insert_many_or_ignore(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], conflict: Sequence[str]
) -> None:
    """Insert the rows in one executemany, skipping those whose ``conflict`` columns clash."""
    if rows:
        statement = _statement_without_returning(table, tuple(conflict), connection.dialect.name)
        connection.execute(statement, list(rows))
