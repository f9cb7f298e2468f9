"""What the outbox holds, read from the database the way an operator would look."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.announcing import Announcer
from storage.database import Database
from storage.models import OutboxPost


def undelivered(database: Database) -> int:
    """Announcements still owed to a channel (not posted, not given up)."""
    with database.reading() as tx:
        return tx.scalar(select(func.count()).where(OutboxPost.delivered_at.is_(None))) or 0


def all_delivered(database: Database) -> Callable[[], bool]:
    """Whether the outbox owes nothing (for ``tests.polling.until``): no post can follow."""
    return lambda: undelivered(database) == 0


class SteppingClock:
    """The announcer's clock, moved on by the test: a channel takes a message a second."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


async def deliver_everything(announcer: Announcer, clock: SteppingClock, seconds: int = 30) -> None:
    """Run ``announcer`` (built with ``clock``) over ``seconds`` seconds of its clock, until
    the outbox owes nothing: posts a channel must wait for go out a second later."""
    for _ in range(seconds):
        while await announcer.deliver_due():
            pass
        if undelivered(announcer.database) == 0:
            return
        clock.now += timedelta(seconds=1)
