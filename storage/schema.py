"""Bringing a database to the schema this code expects, through Alembic only."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import migrations
from storage.database import Database, immediate

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent


def alembic_config(database: Database) -> Config:
    """An Alembic config for our migrations, wherever the package is installed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database.url.render_as_string(hide_password=False))
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
    """
    head = head_revision()
    if current_revision(database) == head:
        return head
    config = alembic_config(database)
    with immediate(database.engine).begin() as connection:  # see migrations/env.py
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return head
