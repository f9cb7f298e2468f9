"""The schema comes only from migrations: they match the models, reverse cleanly,
and several bot processes starting at once on one PostgreSQL apply them once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, insert, inspect, select, text, update

from bot.core import MemoBot
from bot.notefiles.reading import ImportPosts
from bot.replies.values import SearchResults
from storage.database import Database
from storage.models import (
    Base,
    Channel,
    Conference,
    ConferenceSession,
    ImportedMemo,
    Member,
    Memo,
    MemoRevision,
    NotePost,
    Workspace,
    table_of,
)
from storage.schema import alembic_config, current_revision, head_revision, upgrade_to_head
from storage.search import SEARCH_TABLES
from tests.chat import START, Chat
from tests.conftest import (
    BACKENDS,
    POSTGRES_ENV,
    POSTGRES_SERVER,
    create_postgres_database,
    drop_postgres_database,
)

MEMO_BOT = str(Path(sys.executable).with_name("memo-bot"))


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database with no tables at all."""
    if request.param == "sqlite":
        path = tmp_path / "empty.db"
        path.touch()  # an empty file is an empty SQLite database
        database = Database(f"sqlite:///{path}")
        yield database
        database.dispose()
        return
    url = create_postgres_database()
    database = Database(url)
    yield database
    database.dispose()
    drop_postgres_database(url)


def _tables(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names()) - {"alembic_version"}


def test_migrations_create_exactly_the_models_tables(empty_database: Database) -> None:
    upgrade_to_head(empty_database)
    # Plus the search index, which no model can describe (see storage/search.py).
    assert _tables(empty_database) - set(SEARCH_TABLES) == set(Base.metadata.tables)
    assert "memo_search" in _tables(empty_database)
    # `alembic check`: autogenerate finds nothing the migrations do not already do.
    command.check(alembic_config(empty_database))


def test_upgrade_downgrade_upgrade(empty_database: Database) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    assert _tables(empty_database) == set()
    command.upgrade(config, "head")
    assert current_revision(empty_database) == head_revision()
    command.check(config)


def test_memo_bot_migrate_brings_a_new_database_to_head(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'dir' / 'memo.db'}"
    for _ in range(2):  # the second run finds nothing to do
        result = subprocess.run(
            [MEMO_BOT, "migrate", "--db", url], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        assert f"is at revision {head_revision()}, the latest" in result.stdout
    database = Database(url)
    assert current_revision(database) == head_revision()
    database.dispose()


def _memos_written_at_0006(database: Database) -> None:
    """Rows as the bot stored them before search existed: one live memo, one deleted."""
    now = START
    rows = [
        (Workspace, {"id": 1, "platform": "slack", "external_id": "T1", "created_at": now}),
        (Channel, {"id": 1, "workspace_id": 1, "external_id": "C1", "created_at": now}),
        (
            Member,
            {
                "id": 1,
                "workspace_id": 1,
                "external_id": "U-alice",
                "display_name": "alice",
                "created_at": now,
            },
        ),
        (
            Conference,
            {
                "id": 1,
                "channel_id": 1,
                "name": "",
                "name_key": "",
                "time_zone": "UTC",
                "activated_at": now,
                "created_at": now,
            },
        ),
        (
            ConferenceSession,
            {
                "id": 1,
                "channel_id": 1,
                "conference_id": 1,
                "title": "Redis 설계",
                "title_key": "redis 설계",
                "day": now.date(),
                "created_at": now,
            },
        ),
    ]
    memo = {"channel_id": 1, "session_id": 1, "author_id": 1, "created_at": now}
    with database.engine.begin() as tx:
        for model, values in rows:
            tx.execute(insert(table_of(model)), values)
        tx.execute(
            insert(table_of(Memo)),
            [
                {
                    **memo,
                    "id": 1,
                    "number": 1,
                    "text": "캐시를 두 단계로",
                    "deleted_at": None,
                    "deleted_by_id": None,
                },
                {
                    **memo,
                    "id": 2,
                    "number": 2,
                    "text": "지워진 캐시 메모",
                    "deleted_at": now,
                    "deleted_by_id": 1,
                },
            ],
        )
        tx.execute(update(table_of(Channel)).values(last_memo_number=2))


def test_the_search_migration_indexes_the_memos_written_before_it(
    empty_database: Database,
) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "0006")
    _memos_written_at_0006(empty_database)

    command.upgrade(config, "head")

    bot = MemoBot(empty_database)
    chat = Chat(bot)
    found = chat.say("alice", "search 캐시")
    assert isinstance(found.data, SearchResults), found.markdown
    assert [hit.snippet for hit in found.data.hits] == ["캐시를 두 단계로"], "not the deleted one"
    chat.say("alice", "undo")
    assert len(chat.say("alice", "search 지워진").data.hits) == 1  # type: ignore[union-attr]
    bot.close()


def _memos_and_history(database: Database) -> list[tuple[object, ...]]:
    with database.engine.connect() as tx:
        memos = tx.execute(
            text("SELECT id, number, text, deleted_at IS NULL FROM memos ORDER BY id")
        ).all()
        history = tx.execute(text("SELECT memo_id, text FROM memo_revisions ORDER BY id")).all()
    return [tuple(row) for row in [*memos, *history]]


def test_memos_and_their_history_are_kept_when_delivery_ids_move_out_and_back(
    empty_database: Database,
) -> None:
    """0012 rebuilds memos on SQLite while memo_revisions point at it: nothing may be lost."""
    config = alembic_config(empty_database)
    command.upgrade(config, "0009")
    _memos_written_at_0006(empty_database)
    with empty_database.engine.begin() as tx:
        revision = {"memo_id": 1, "text": "처음", "replaced_at": START, "replaced_by_id": 1}
        tx.execute(insert(table_of(MemoRevision)), revision)
    before = _memos_and_history(empty_database)

    command.upgrade(config, "head")
    assert _memos_and_history(empty_database) == before
    bot = MemoBot(empty_database)
    chat = Chat(bot)
    assert chat.say("alice", "edit 1 고친 캐시 메모").ok
    assert "Restored #2" in chat.say("alice", "undo", delivery_id="command:undo").markdown
    assert chat.say("alice", "undo", delivery_id="command:undo").replayed
    bot.close()
    after = _memos_and_history(empty_database)

    command.downgrade(config, "0009")
    assert "delivery_id" in {c["name"] for c in inspect(empty_database.engine).get_columns("memos")}
    assert _memos_and_history(empty_database) == after
    command.upgrade(config, "head")
    assert _memos_and_history(empty_database) == after
    command.check(config)


@pytest.mark.postgres_only
@pytest.mark.skipif(POSTGRES_SERVER is None, reason="needs MEMO_TEST_DATABASE_URL")
def test_two_processes_starting_at_once_migrate_once() -> None:
    url = create_postgres_database()
    try:
        target = url.set(password="never-printed").render_as_string(hide_password=False)
        processes = [
            subprocess.Popen(
                [MEMO_BOT, "migrate", "--db", target],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        outputs = [process.communicate(timeout=120) for process in processes]
        for process, (stdout, stderr) in zip(processes, outputs, strict=True):
            assert process.returncode == 0, stderr
            assert "never-printed" not in stdout + stderr
        database = Database(url)
        assert current_revision(database) == head_revision()
        database.dispose()
    finally:
        drop_postgres_database(url)


@pytest.mark.postgres_only
@pytest.mark.skipif(POSTGRES_SERVER is None, reason="needs MEMO_TEST_DATABASE_URL")
def test_a_plain_postgresql_url_works_as_users_write_it() -> None:
    typed = os.environ[POSTGRES_ENV]  # postgresql://..., no driver named
    database = Database(typed)
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    database.dispose()


def test_going_back_to_one_note_post_per_day_keeps_every_memo(empty_database: Database) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "head")
    bot = MemoBot(empty_database)
    chat = Chat(bot)
    for person in ("alice", "bob"):
        day = f"2025-09-25\nConf 2025 Day 1\n{person}의 소개\n[{person} talk]\n{person} 메모\n"
        assert chat.run(person, ImportPosts("day.txt", day.encode())).ok
    bot.close()

    command.downgrade(config, "0011-1")  # before note posts were kept per importer

    with empty_database.reading() as tx:
        assert tx.scalar(select(func.count()).select_from(NotePost)) == 1
        assert tx.scalar(select(func.count()).select_from(Memo)) == 2
    command.upgrade(config, "head")
    command.check(config)
    with empty_database.reading() as tx:  # the kept post's link came through both ways
        assert tx.scalar(select(func.count()).select_from(ImportedMemo)) == 1
