"""Statements sent to SQLite's own connection, past SQLAlchemy's per-call machinery.

SQLAlchemy's ``Connection.execute`` costs about 35 us of Python per statement
(building an execution context, a result object, events), and sqlite3's own
``execute`` about 5 us. A `/memo add` runs a BEGIN, four statements and a
COMMIT on the one writer thread, so that overhead was about a fifth of the
writer's time per add, and the writer shares the GIL with the event loop.

- ``driver_execute`` runs parameterless transaction control (BEGIN, SAVEPOINT).
- ``Prepared`` wraps a Core statement of the hot path: on SQLite it is compiled
  once by SQLAlchemy (same SQL, same type conversions both ways) and then run on
  sqlite3's cursor; on PostgreSQL it is simply ``Connection.execute``.

Either way errors are still SQLAlchemy's (``IntegrityError`` for a unique
violation, ``OperationalError`` for "database is locked"), without the bound
parameters, which may hold memo text. These statements do not appear in
SQLAlchemy's echo log.
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, InvalidRequestError
from sqlalchemy.sql import Executable
from sqlalchemy.sql.elements import BindParameter

Processor = Callable[[Any], Any] | None
_REQUIRED = object()


def driver_execute(connection: Connection, statement: str) -> None:
    """Run a parameterless statement (BEGIN, SAVEPOINT ...) on SQLite's own connection."""
    _run(connection, statement, ())


class Prepared:
    """A Core statement for the hot path: compiled once, then run on sqlite3's cursor.

    ``rows`` answers rows with attribute access and ``_mapping`` on both
    databases, like SQLAlchemy's ``Row`` (a ``text()`` SELECT on SQLite, which
    declares no columns: plain tuples). ``column_keys`` names the columns an
    INSERT is given (its SQL depends on them). Statements with expanding
    ``IN`` parameters, or that leave a column with a Python-side default to
    SQLAlchemy, are not supported: they are refused when first compiled.
    """

    def __init__(self, statement: Executable, *, column_keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self._column_keys = list(column_keys) if column_keys is not None else None
        self._sqlite: _Compiled | None = None

    def rows(self, tx: Connection, params: Mapping[str, Any]) -> list[Any]:
        """Every row of the result (none for a statement without RETURNING)."""
        if tx.dialect.name != "sqlite":
            result = tx.execute(self.statement, dict(params))
            return list(result.all()) if result.returns_rows else []
        compiled, raw = self._fetch(tx, params)
        # A text() SELECT declares no columns: plain tuples, read by position.
        return compiled.convert(raw) if compiled.row is not None else raw

    def run(self, tx: Connection, params: Mapping[str, Any]) -> None:
        """Run a statement whose rows, if any, nobody needs."""
        self.rows(tx, params)

    def first(self, tx: Connection, params: Mapping[str, Any]) -> Any | None:
        rows = self.rows(tx, params)
        return rows[0] if rows else None

    def scalar(self, tx: Connection, params: Mapping[str, Any]) -> Any:
        """The first column of the first row; None when there is no row."""
        if tx.dialect.name != "sqlite":
            row = self.first(tx, params)
            return None if row is None else row[0]
        compiled, raw = self._fetch(tx, params)  # no row object for one value
        if not raw:
            return None
        process = compiled.results[0] if compiled.results else None
        return raw[0][0] if process is None else process(raw[0][0])

    def _fetch(self, tx: Connection, params: Mapping[str, Any]) -> tuple[_Compiled, list[Any]]:
        """SQLite: the compiled statement and its raw result rows."""
        compiled = self._sqlite or self._compile(tx)
        cursor = _run(tx, compiled.sql, compiled.arguments(params))
        return compiled, cursor.fetchall() if cursor.description is not None else []

    def _compile(self, tx: Connection) -> _Compiled:
        self._sqlite = _Compiled.of(self.statement, tx, self._column_keys)
        return self._sqlite


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    #: (name, value if not given (``_REQUIRED``: none), bind processor) for each ``?`` in order.
    binds: tuple[tuple[str, Any, Processor], ...]
    #: The row type (None: the statement returns no rows) and each column's result processor.
    row: type[tuple[Any, ...]] | None
    results: tuple[Processor, ...]

    @classmethod
    def of(cls, statement: Executable, tx: Connection, keys: list[str] | None) -> _Compiled:
        dialect = tx.dialect
        compiled = statement.compile(dialect=dialect, column_keys=keys)  # type: ignore[attr-defined]
        if "POSTCOMPILE" in compiled.string:
            raise ValueError(f"Prepared cannot run a statement rendered at execution: {compiled}")
        if compiled.insert_prefetch or compiled.update_prefetch:
            # SQLAlchemy fills these in at execution; here they would silently be NULL.
            raise ValueError(f"Prepared needs every column with a Python default given: {compiled}")
        binds = []
        for name in compiled.positiontup or ():
            bind: BindParameter[Any] = compiled.binds[name]
            if bind.expanding or bind.callable is not None:
                raise ValueError(f"Prepared cannot run {name!r} of: {compiled.string}")
            default = _REQUIRED if bind.required else bind.value
            binds.append((name, default, bind.type.dialect_impl(dialect).bind_processor(dialect)))
        columns = list(getattr(statement, "exported_columns", ()))
        row = None
        if columns:
            names = [column.key for column in columns]
            row = type("PreparedRow", (namedtuple("Row", names),), {"_mapping": _mapping})
        results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )
        return cls(compiled.string, tuple(binds), row, results)

    def arguments(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        values = []
        for name, default, process in self.binds:
            value = params.get(name, default)
            if value is _REQUIRED:
                raise InvalidRequestError(f"A value is required for bind parameter {name!r}")
            values.append(process(value) if process is not None and value is not None else value)
        return tuple(values)

    def convert(self, rows: list[tuple[Any, ...]]) -> list[Any]:
        assert self.row is not None
        make, results = self.row._make, self.results  # type: ignore[attr-defined]
        if not any(results):
            return [make(raw) for raw in rows]
        return [
            make(
                value if process is None else process(value)
                for process, value in zip(results, raw, strict=True)
            )
            for raw in rows
        ]


@property  # type: ignore[misc]
def _mapping(row: tuple[Any, ...]) -> dict[str, Any]:
    """Column name to value, as SQLAlchemy's ``Row._mapping`` (``RowRecord.from_row`` uses it)."""
    return row._asdict()  # type: ignore[attr-defined,no-any-return]


def _run(connection: Connection, sql: str, arguments: tuple[Any, ...]) -> sqlite3.Cursor:
    driver = connection.connection.driver_connection
    try:
        return driver.execute(sql, arguments)  # type: ignore[union-attr,no-any-return]
    except sqlite3.Error as error:
        dialect = connection.dialect
        raise DBAPIError.instance(sql, None, error, sqlite3.Error, dialect=dialect) from error
