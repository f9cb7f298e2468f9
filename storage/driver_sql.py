"""Statements sent to the database driver's own connection, past SQLAlchemy's per-call machinery.

SQLAlchemy's ``Connection.execute`` costs about 35 us of Python per statement
(building an execution context, a result object, events), and sqlite3's own
``execute`` about 5 us. A `/memo add` runs a BEGIN, four statements and a
COMMIT on the one writer thread, so that overhead was about a fifth of the
writer's time per add, and the writer shares the GIL with the event loop. On
PostgreSQL each statement of a `/memo add` is sent from the worker thread that
runs it, and SQLAlchemy's share of each was about two thirds of the bot's CPU
for it (psycopg's own ``execute`` the rest): the bot process, not the server,
was what bounded adds per second.

- ``driver_execute`` runs parameterless transaction control (BEGIN, SAVEPOINT)
  on SQLite.
- ``Prepared`` wraps a Core statement of the hot path: it is compiled once for
  each dialect by SQLAlchemy (same SQL, same type conversions both ways) and then
  run on the driver's connection (sqlite3's or psycopg's).

Either way errors are still SQLAlchemy's (``IntegrityError`` for a unique
violation, ``OperationalError`` for "database is locked" or a lost server),
without the bound parameters, which may hold memo text, and a connection the
server dropped is invalidated as SQLAlchemy would do it. These statements do not
appear in SQLAlchemy's echo log.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, InvalidRequestError
from sqlalchemy.sql import Executable
from sqlalchemy.sql.elements import TextClause

Processor = Callable[[Any], Any] | None
_REQUIRED = object()


def driver_execute(connection: Connection, statement: str) -> None:
    """Run a parameterless statement (BEGIN, SAVEPOINT ...) on SQLite's own connection."""
    _run(connection, statement, ())


class Prepared:
    """A Core statement for the hot path: compiled once a dialect, then run on the driver.

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
        self._compiled: dict[str, _Compiled] = {}  # by dialect name

    def rows(self, tx: Connection, params: Mapping[str, Any]) -> list[Any]:
        """Every row of the result (none for a statement without RETURNING)."""
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
        compiled, raw = self._fetch(tx, params)  # no row object for one value
        if not raw:
            return None
        process = compiled.results[0] if compiled.results else None
        return raw[0][0] if process is None else process(raw[0][0])

    def _fetch(self, tx: Connection, params: Mapping[str, Any]) -> tuple[_Compiled, list[Any]]:
        """The compiled statement and its raw result rows."""
        compiled = self._compiled.get(tx.dialect.name) or self._compile(tx)
        cursor = _run(tx, compiled.sql, compiled.arguments(params))
        returns_rows = compiled.returns_rows
        if returns_rows is None:  # a text() statement: known only once it ran
            returns_rows = cursor.description is not None
        return compiled, cursor.fetchall() if returns_rows else []

    def _compile(self, tx: Connection) -> _Compiled:
        compiled = _Compiled.of(self.statement, tx, self._column_keys)
        self._compiled[tx.dialect.name] = compiled
        return compiled


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    #: (name, value if not given (``_REQUIRED``: none), bind processor) for each parameter:
    #: each ``?`` in order (SQLite), or each ``%(name)s`` (psycopg, whose values go by name).
    binds: tuple[tuple[str, Any, Processor], ...]
    positional: bool
    #: The row type (None: the statement returns no rows) and each column's result processor.
    row: type[tuple[Any, ...]] | None
    results: tuple[Processor, ...]
    #: Whether running it answers rows; None for text(), whose SQL SQLAlchemy does not read.
    #: (Asking psycopg's cursor builds its column descriptions: a tenth of a statement's CPU.)
    returns_rows: bool | None

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
        if compiled.positional:
            named = [(name, compiled.binds[name]) for name in compiled.positiontup or ()]
        else:
            named = list({name: bind for bind, name in compiled.bind_names.items()}.items())
        for name, bind in named:
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
        returns_rows = (
            None
            if isinstance(statement, TextClause)
            else bool(compiled.effective_returning)
            if compiled.isinsert or compiled.isupdate or compiled.isdelete
            else True
        )
        return cls(compiled.string, tuple(binds), compiled.positional, row, results, returns_rows)

    def arguments(self, params: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        values = []
        for name, default, process in self.binds:
            value = params.get(name, default)
            if value is _REQUIRED:
                raise InvalidRequestError(f"A value is required for bind parameter {name!r}")
            values.append(process(value) if process is not None and value is not None else value)
        if self.positional:
            return tuple(values)
        return {name: value for (name, _, _), value in zip(self.binds, values, strict=True)}

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


def _run(connection: Connection, sql: str, arguments: tuple[Any, ...] | dict[str, Any]) -> Any:
    """The driver's cursor after running ``sql`` (sqlite3's and psycopg's connections both
    have an ``execute`` answering one); its errors as SQLAlchemy would raise them."""
    driver = connection.connection.driver_connection
    dialect = connection.dialect
    driver_error = dialect.loaded_dbapi.Error
    try:
        return driver.execute(sql, arguments)  # type: ignore[union-attr]
    except driver_error as error:
        lost = dialect.is_disconnect(error, driver, None)
        if lost:  # as SQLAlchemy does: the pool must not hand this connection out again
            connection.invalidate(error)
        raise DBAPIError.instance(
            sql, None, error, driver_error, connection_invalidated=lost, dialect=dialect
        ) from error
