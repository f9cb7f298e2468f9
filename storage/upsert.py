"""``INSERT ... ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL alike.

Get-or-create of workspaces, channels, members, sessions and attendance must be
safe when two bot processes on one PostgreSQL do it at the same moment; this
lets the database settle the race instead of an exception and a retry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import Base


def insert_or_ignore(
    session: Session, model: type[Base], values: dict[str, Any], conflict: Sequence[str]
) -> bool:
    """Insert one row unless ``conflict`` columns clash; True when a row was inserted."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # RETURNING, not rowcount: an ORM-enabled insert does not report rowcount on every driver.
    statement = (
        insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=conflict)
        .returning(model.__table__.c[conflict[0]])
    )
    return session.execute(statement).first() is not None
