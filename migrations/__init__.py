"""Alembic migrations: the only way memo-bot's schema changes (see ``storage.schema``)."""
