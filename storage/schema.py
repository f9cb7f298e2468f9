"""Bringing a database to the schema this code expects, through Alembic only."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import URL, Engine, create_engine
from sqlalchemy.pool import NullPool

import migrations
from storage.database import Database, connect_existing_sqlite, sqlite_path

#: Seconds a probe waits for PostgreSQL to accept its connection.
PROBE_CONNECT_TIMEOUT_S = 5

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent
#: Where ``alembic_config`` puts the database's URL for ``migrations/env.py``.
DATABASE_URL_ATTRIBUTE = "memo_bot_database_url"


def alembic_config(database: Database) -> Config:
    """An Alembic config for our migrations, wherever the package is installed.

    Alembic keeps its options in a configparser, which reads ``%`` as the start of an
    interpolation; a URL is full of them (``memo (1).db`` is ``memo %281%29.db``, a
    password with ``@`` has ``%40``). So the database URL never goes in as text: it
    travels as the URL object in ``attributes`` (``migrations/env.py`` reads it there),
    and the folder's ``%`` is doubled, which is how configparser spells it.
    """
    config = Config(attributes={DATABASE_URL_ATTRIBUTE: database.url})
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return config


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


class UnknownRevision(Exception):
    """The database is at a revision these migrations do not have: a newer memo-bot
    migrated it, and this one cannot know what its schema looks like."""

    def __init__(self, revision: str) -> None:
        super().__init__(revision)
        self.revision = revision


def is_known_revision(revision: str) -> bool:
    try:
        return ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(revision) is not None
    except CommandError:
        return False


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def create_missing_sqlite_file(database: Database) -> None:
    """Start a new, empty SQLite file (and its folder) where there is none yet.

    Migrating is the one moment a new database is meant to appear: everywhere else
    memo-bot opens only a file that exists (``storage.database.connect_existing_sqlite``).
    An empty file is an empty SQLite database. Nothing to do on PostgreSQL.
    """
    if database.dialect != "sqlite":
        return
    path = sqlite_path(database.url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


def upgrade_to_head(database: Database) -> str:
    """Apply any migrations not yet applied; returns the revision the database is at.

    Cheap when the database is already current, so the bot calls it on every start.
    A SQLite file that does not exist yet is created first (``create_missing_sqlite_file``).
    The migrations run in the database's writing turn: on SQLite the transaction
    holds the write lock from its first statement, and this database's own
    background writers (the search upkeep) wait for the turn instead of giving up
    on the lock after the busy timeout while a long migration holds it (0012
    rebuilds memos).
    """
    create_missing_sqlite_file(database)
    head = head_revision()
    current = current_revision(database)
    if current == head:
        return head
    if current is not None and not is_known_revision(current):
        raise UnknownRevision(current)
    config = alembic_config(database)
    with database.writing() as connection:  # see migrations/env.py
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return head


class SchemaProbe:
    """The database's schema revision, read through a connection opened for each look.

    For readiness checks, which must see the database as a new connection would: a
    pooled one goes on answering for a SQLite file that was moved or deleted (it keeps
    the file open), and a PostgreSQL database dropped under it is only noticed on use.
    A SQLite file is opened read-write without being created: a missing file is an error
    here, never a new empty database.
    """

    def __init__(self, url: URL) -> None:
        self._engine = _probe_engine(url)

    def revision(self) -> str | None:
        """The revision (None: no schema at all); raises when the database is out of reach."""
        with self._engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def dispose(self) -> None:
        self._engine.dispose()


def _probe_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        return create_engine(
            "sqlite://", creator=lambda: connect_existing_sqlite(path), poolclass=NullPool
        )
    return create_engine(
        url,
        poolclass=NullPool,
        hide_parameters=True,
        connect_args={"connect_timeout": PROBE_CONNECT_TIMEOUT_S},
    )
