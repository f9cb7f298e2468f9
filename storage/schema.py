"""Bringing a database to the schema this code expects, through Alembic only."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import migrations
from storage.database import Database

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


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(database: Database) -> str:
    """Apply any migrations not yet applied; returns the revision the database is at.

    Cheap when the database is already current, so the bot calls it on every start.
    The migrations run in the database's writing turn: on SQLite the transaction
    holds the write lock from its first statement, and this database's own
    background writers (the search upkeep) wait for the turn instead of giving up
    on the lock after the busy timeout while a long migration holds it (0012
    rebuilds memos).
    """
    head = head_revision()
    if current_revision(database) == head:
        return head
    config = alembic_config(database)
    with database.writing() as connection:  # see migrations/env.py
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return head
