"""Prepared statements store and read what SQLAlchemy would, and fail as it would, on both."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from storage.database import Database
from storage.driver_sql import Prepared
from storage.models import Channel, Conference, ConferenceSession, Workspace

SEOUL = timezone(timedelta(hours=9))
CREATED = datetime(2026, 11, 27, 18, 30, 15, 250_000, tzinfo=SEOUL)


@pytest.fixture
def sqlite_database(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """For what only SQLite has: the driver-level path, its file locks."""
    path = tmp_path / "memo.db"
    shutil.copyfile(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


_ADD_WORKSPACE = Prepared(
    insert(Workspace).returning(Workspace.id),
    column_keys=("platform", "external_id", "created_at"),
)
_WORKSPACE = Prepared(
    select(Workspace.id, Workspace.external_id.label("team"), Workspace.created_at).where(
        Workspace.external_id == bindparam("team")
    )
)
_ADD_SESSION = Prepared(
    insert(ConferenceSession).returning(ConferenceSession.id),
    column_keys=(
        "channel_id",
        "conference_id",
        "title",
        "title_key",
        "day",
        "starts_at",
        "ends_at",
        "created_at",
    ),
)
_SESSION = select(
    ConferenceSession.title,
    ConferenceSession.day,
    ConferenceSession.starts_at,
    ConferenceSession.ends_at,
    ConferenceSession.track,
    ConferenceSession.created_at,
).where(ConferenceSession.id == bindparam("session_id"))


def _session_in_a_channel(database: Database) -> int:
    with database.writing() as tx:
        workspace_id = _ADD_WORKSPACE.scalar(
            tx, {"platform": "slack", "external_id": "T1", "created_at": CREATED}
        )
        channel_id = tx.execute(
            insert(Channel).returning(Channel.id),
            {"workspace_id": workspace_id, "external_id": "C1", "created_at": CREATED},
        ).scalar_one()
        conference_id = tx.execute(
            insert(Conference).returning(Conference.id),
            {
                "channel_id": channel_id,
                "name": "",
                "name_key": "",
                "time_zone": "Asia/Seoul",
                "activated_at": CREATED,
                "created_at": CREATED,
            },
        ).scalar_one()
        session_id = _ADD_SESSION.scalar(
            tx,
            {
                "channel_id": channel_id,
                "conference_id": conference_id,
                "title": "대규모 트래픽 & <!channel>",
                "title_key": "대규모 트래픽",
                "day": date(2026, 11, 27),
                "starts_at": time(14, 30),
                "ends_at": None,
                "created_at": CREATED,
            },
        )
    assert isinstance(session_id, int)
    return session_id


def test_rows_read_and_written_through_prepared_match_sqlalchemy(database: Database) -> None:
    session_id = _session_in_a_channel(database)
    with database.reading() as tx:
        prepared = Prepared(_SESSION).first(tx, {"session_id": session_id})
        expected = tx.execute(_SESSION, {"session_id": session_id}).one()
        workspace = _WORKSPACE.first(tx, {"team": "T1"})
    assert prepared is not None and tuple(prepared) == tuple(expected)
    assert prepared.day == date(2026, 11, 27) and prepared.starts_at == time(14, 30)
    assert prepared.created_at == CREATED and prepared.created_at.tzinfo is not None
    assert dict(prepared._mapping) == dict(expected._mapping)
    assert workspace is not None and workspace.team == "T1"
    assert workspace.created_at.astimezone(UTC) == CREATED.astimezone(UTC)
    with database.reading() as tx:
        day = Prepared(_SESSION.with_only_columns(ConferenceSession.day)).scalar(
            tx, {"session_id": session_id}
        )
    assert day == date(2026, 11, 27)


def test_a_statement_without_rows_answers_none(database: Database) -> None:
    with database.reading() as tx:
        assert _WORKSPACE.rows(tx, {"team": "nobody"}) == []
        assert _WORKSPACE.first(tx, {"team": "nobody"}) is None
        assert _WORKSPACE.scalar(tx, {"team": "nobody"}) is None


def test_a_unique_violation_is_sqlalchemys_integrity_error_without_the_parameters(
    database: Database,
) -> None:
    # The core retries a command on IntegrityError (a redelivered request, a race).
    values = {"platform": "slack", "external_id": "T1", "created_at": CREATED}
    with database.writing() as tx:
        _ADD_WORKSPACE.scalar(tx, values)
    with pytest.raises(IntegrityError) as raised, database.writing() as tx:
        _ADD_WORKSPACE.scalar(tx, values)
    assert "[parameters:" not in str(raised.value)  # they may hold memo text
    with database.reading() as tx:
        assert len(_WORKSPACE.rows(tx, {"team": "T1"})) == 1


def test_a_missing_value_or_a_naive_time_is_refused_before_anything_is_stored(
    database: Database,
) -> None:
    with (
        pytest.raises(SQLAlchemyError),  # SQLite: no value given; PostgreSQL: NOT NULL
        database.writing() as tx,
    ):
        _ADD_WORKSPACE.scalar(tx, {"platform": "slack", "created_at": CREATED})
    naive = {"platform": "slack", "external_id": "T2", "created_at": datetime(2026, 11, 27)}
    with pytest.raises(Exception, match="naive"), database.writing() as tx:
        _ADD_WORKSPACE.scalar(tx, naive)
    with database.reading() as tx:
        assert _WORKSPACE.rows(tx, {"team": "T2"}) == []


def test_a_locked_sqlite_database_is_sqlalchemys_operational_error(
    sqlite_database: Database,
) -> None:
    other = sqlite3.connect(sqlite_database.url.database or "", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with sqlite_database.reading() as tx:
            tx.connection.driver_connection.execute("PRAGMA busy_timeout=0")  # type: ignore[union-attr]
            with pytest.raises(OperationalError, match="locked"):
                _ADD_WORKSPACE.scalar(
                    tx, {"platform": "slack", "external_id": "T3", "created_at": CREATED}
                )
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_statements_prepared_cannot_run_are_refused(sqlite_database: Database) -> None:
    expanding = Prepared(
        select(Workspace.id).where(Workspace.id.in_(bindparam("ids", expanding=True)))
    )
    with sqlite_database.reading() as tx, pytest.raises(ValueError, match="ids"):
        expanding.rows(tx, {"ids": [1, 2]})
    # channels.last_memo_number has a Python-side default SQLAlchemy would fill in.
    defaulted = Prepared(insert(Channel), column_keys=("workspace_id", "external_id", "created_at"))
    with sqlite_database.writing() as tx, pytest.raises(ValueError, match="Python default"):
        defaulted.run(tx, {"workspace_id": 1, "external_id": "C1", "created_at": CREATED})
