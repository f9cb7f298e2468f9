"""SQLite's batch writer: commands committed together still succeed or fail one by one."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from storage.database import Database
from storage.writes import Discard

WAIT_S = 10.0


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "writes.db"
    path.touch()  # memo-bot opens only an existing file; migrations create it, none run here
    database = Database(f"sqlite:///{path}")
    database.write(lambda tx: tx.exec_driver_sql("CREATE TABLE notes (text TEXT NOT NULL)"))
    yield database
    database.dispose()


def _insert(text: str, then: Callable[[], object] = lambda: None) -> Callable[[Connection], str]:
    def unit(tx: Connection) -> str:
        tx.exec_driver_sql("INSERT INTO notes (text) VALUES (?)", (text,))
        then()
        return text

    return unit


def _refuse() -> None:
    raise Discard("refused")


def _fail() -> None:
    raise RuntimeError("broken")


def _stored(database: Database) -> list[str]:
    with database.reading() as tx:
        return [row[0] for row in tx.exec_driver_sql("SELECT text FROM notes ORDER BY rowid")]


def test_a_refused_or_failed_command_in_a_batch_undoes_only_its_own_changes(
    database: Database,
) -> None:
    started, release = threading.Event(), threading.Event()

    def hold_the_writer() -> None:
        started.set()
        assert release.wait(WAIT_S)

    first = database.submit_write(_insert("first", hold_the_writer))
    assert started.wait(WAIT_S)
    # These queue up while the writer is busy, so they are committed as one batch.
    kept = database.submit_write(_insert("kept"))
    refused = database.submit_write(_insert("refused", _refuse))
    failed = database.submit_write(_insert("failed", _fail))
    also_kept = database.submit_write(_insert("also kept"))
    release.set()

    assert first.result(WAIT_S) == "first"
    assert kept.result(WAIT_S) == "kept"
    assert refused.result(WAIT_S) == "refused"
    with pytest.raises(RuntimeError, match="broken"):
        failed.result(WAIT_S)
    assert also_kept.result(WAIT_S) == "also kept"
    assert _stored(database) == ["first", "kept", "also kept"]


def test_a_refused_command_on_its_own_changes_nothing_and_the_next_one_is_stored(
    database: Database,
) -> None:
    assert database.write(_insert("refused", _refuse)) == "refused"
    with pytest.raises(RuntimeError, match="broken"):
        database.write(_insert("failed", _fail))
    assert database.write(_insert("stored")) == "stored"
    assert _stored(database) == ["stored"]


def test_after_a_batch_that_could_not_be_committed_the_next_write_is_stored(
    database: Database,
) -> None:
    def break_a_deferred_constraint(tx: Connection) -> str:
        tx.exec_driver_sql("CREATE TABLE owners (id INTEGER PRIMARY KEY)")
        tx.exec_driver_sql(
            "CREATE TABLE tags (owner_id INTEGER REFERENCES owners (id)"
            " DEFERRABLE INITIALLY DEFERRED)"
        )
        tx.exec_driver_sql("INSERT INTO tags (owner_id) VALUES (42)")
        return "checked only at COMMIT"

    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        database.write(break_a_deferred_constraint)
    assert database.write(_insert("stored")) == "stored"
    assert _stored(database) == ["stored"]


def test_writes_fail_while_the_file_is_away_and_are_stored_once_it_is_back(
    database: Database, tmp_path: Path
) -> None:
    """A batch that fails while the file is gone must not end the writer: `memo-bot run`
    hung on stop when every later write waited for a writer thread that had died."""
    path, away = tmp_path / "writes.db", tmp_path / "away.db"
    path.rename(away)

    def fail_at_commit(tx: Connection) -> str:  # the writer then opens a new connection
        tx.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        tx.exec_driver_sql("CREATE TABLE owners (id INTEGER PRIMARY KEY)")
        tx.exec_driver_sql("CREATE TABLE tags (owner_id INTEGER REFERENCES owners (id))")
        tx.exec_driver_sql("INSERT INTO tags (owner_id) VALUES (42)")
        return "checked only at COMMIT"

    with pytest.raises(IntegrityError):
        database.submit_write(fail_at_commit).result(WAIT_S)
    with pytest.raises(OperationalError, match="unable to open"):
        database.submit_write(_insert("while away")).result(WAIT_S)

    away.rename(path)
    assert database.submit_write(_insert("back")).result(WAIT_S) == "back"
    assert _stored(database) == ["back"]
