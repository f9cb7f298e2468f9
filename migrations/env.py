"""Alembic environment.

Run by ``memo-bot migrate``, by the bot on start (``storage.schema.upgrade_to_head``,
which hands over its own connection) and by the ``alembic`` command line, which
reads the database URL from ``MEMO_DATABASE_URL`` like the bot does. The models are
storage's and every registered chat platform's own tables (``adapters.cli.registry``).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from adapters.cli.registry import PLATFORMS
from storage.database import Database, immediate
from storage.database_settings import DatabaseSettings
from storage.models import Base
from storage.schema import DATABASE_URL_ATTRIBUTE, create_missing_sqlite_file
from storage.search import SEARCH_TABLES

# Chat platforms keep their own state in tables of their own, on storage's metadata: the
# registry's platforms are imported above, so their tables are part of the comparison.
assert all(table.metadata is Base.metadata for p in PLATFORMS for table in p.tables), (
    "a platform's tables must be on storage.models.Base.metadata for migrations to see them"
)

#: Any fixed number: the PostgreSQL advisory lock that keeps two bot processes
#: starting at once from running the same migration twice.
MIGRATION_LOCK_KEY = 7_310_442_117


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_described_by_models,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            context.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        context.run_migrations()


def _described_by_models(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave the search index out of ``alembic check``: an FTS5 virtual table (and its
    shadow tables) on SQLite, and a GIN-indexed array on PostgreSQL, that no model can
    describe on both databases. Migration 0007 owns them."""
    return not (type_ == "table" and name in SEARCH_TABLES)


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    url = context.config.attributes.get(DATABASE_URL_ATTRIBUTE)
    if url is None:  # the `alembic` command line
        url = DatabaseSettings().database_url
    database = Database(url)
    try:
        create_missing_sqlite_file(database)
        # BEGIN IMMEDIATE on SQLite: a running bot's write between the migration's first read
        # and its first write would otherwise fail it at once with "database is locked".
        with immediate(database.engine).connect() as connection:
            run_migrations(connection)
            connection.commit()
    finally:
        database.dispose()


if context.is_offline_mode():
    raise SystemExit("memo-bot migrations run online only: set MEMO_DATABASE_URL")
main()
