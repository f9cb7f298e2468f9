"""What the outbox holds, read from the database the way an operator would look."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from storage.database import Database
from storage.models import OutboxPost


def undelivered(database: Database) -> int:
    """Announcements still owed to a channel (not posted, not given up)."""
    with database.reading() as tx:
        return tx.scalar(select(func.count()).where(OutboxPost.delivered_at.is_(None))) or 0


def all_delivered(database: Database) -> Callable[[], bool]:
    """Whether the outbox owes nothing (for ``tests.polling.until``): no post can follow."""
    return lambda: undelivered(database) == 0
