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
from sqlalchemy import inspect, text

from storage.database import Database
from storage.models import Base
from storage.schema import alembic_config, current_revision, head_revision, upgrade_to_head
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
        database = Database(f"sqlite:///{tmp_path / 'empty.db'}")
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
    assert _tables(empty_database) == set(Base.metadata.tables)
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
