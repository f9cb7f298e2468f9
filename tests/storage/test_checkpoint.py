"""SQLite's WAL checkpointer: under steady writes the WAL still starts over instead of growing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.database import Database, checkpoint_until_caught_up

Round = tuple[int, int, int]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "wal.db"
    path.touch()  # memo-bot opens only an existing file; migrations create it, none run here
    database = Database(f"sqlite:///{path}")  # the bot's settings: WAL, no autocheckpoint
    database.write(lambda tx: tx.exec_driver_sql("CREATE TABLE notes (text TEXT NOT NULL)"))
    database.dispose()
    return path


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA wal_autocheckpoint=0")
    return connection


def _commit(connection: sqlite3.Connection, text: str) -> None:
    connection.execute("INSERT INTO notes (text) VALUES (?)", (text,))


def test_frames_a_round_could_not_copy_are_copied_by_the_next_so_the_wal_starts_over(
    path: Path,
) -> None:
    """Under steady load every round ends with frames it did not copy: the commits that
    landed while it ran. A reader's snapshot leaves a round in the same state, on cue."""
    writer, checkpointer, reader = _connect(path), _connect(path), _connect(path)
    for n in range(20):
        _commit(writer, f"before {n}")
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM notes").fetchone()
    _commit(writer, "not copied by the first round")
    rounds: list[Round] = []

    def round_that_leaves_frames_behind() -> Round:
        result: Round = checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        rounds.append(result)
        if len(rounds) == 1:
            reader.execute("COMMIT")
        return result

    checkpoint_until_caught_up(round_that_leaves_frames_behind)
    _busy, wal_before, copied_first = rounds[0]
    assert copied_first < wal_before  # the case in question

    _commit(writer, "after the checkpoint")
    _busy, wal_after, _copied = checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    # With frames left uncopied the WAL cannot start over: this commit would have been
    # appended after them, and the file would keep growing.
    assert wal_after < wal_before
    assert writer.execute("SELECT count(*) FROM notes").fetchone()[0] == 22
    for connection in (writer, checkpointer, reader):
        connection.close()


def test_a_reader_holding_frames_back_ends_the_rounds_instead_of_spinning(path: Path) -> None:
    writer, checkpointer, reader = _connect(path), _connect(path), _connect(path)
    _commit(writer, "seen by the reader")
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM notes").fetchone()  # pins the WAL as it is now
    _commit(writer, "after the reader began")
    rounds: list[Round] = []

    def counted_round() -> Round:
        result: Round = checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        rounds.append(result)
        return result

    checkpoint_until_caught_up(counted_round)
    assert len(rounds) == 2  # the second found nothing new and stopped
    _busy, frames, copied = rounds[-1]
    assert copied < frames  # the reader's snapshot still needs the rest
    reader.execute("COMMIT")
    for connection in (writer, checkpointer, reader):
        connection.close()
