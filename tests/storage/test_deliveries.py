"""Deliveries are kept a day, then forgotten a step at a time, oldest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import IntegrityError

from storage import channels, deliveries
from storage.database import Database
from storage.models import Delivery, table_of

START = datetime(2025, 9, 25, 1, 0, tzinfo=UTC)


def _recorded(database: Database, count: int, first_at: datetime) -> None:
    """``count`` deliveries in one channel, recorded a second apart from ``first_at``."""

    def record(tx: Connection) -> None:
        channel = channels.ensure_channel(tx, "slack", "T1", "C1", START)
        rows = [
            {
                "channel_id": channel.id,
                "delivery_id": f"command:{first_at.isoformat()}-{index}",
                "recorded_at": first_at + timedelta(seconds=index),
                "answer": "Saved.",
                "visibility": "public",
            }
            for index in range(count)
        ]
        tx.execute(insert(table_of(Delivery)), rows)

    database.write(record)


def _kept(database: Database) -> int:
    with database.reading() as tx:
        return int(tx.execute(select(func.count()).select_from(Delivery)).scalar_one())


def test_deliveries_older_than_a_day_are_forgotten_in_steps_and_younger_ones_kept(
    database: Database,
) -> None:
    old = deliveries.FORGET_STEP * 2 + 7
    _recorded(database, old, START)
    _recorded(database, 3, START + timedelta(seconds=old))
    a_day_after_the_last_old_one = START + deliveries.KEEP_FOR + timedelta(seconds=old)

    forgotten = deliveries.forget_old(database.write, a_day_after_the_last_old_one)

    assert forgotten == old
    assert _kept(database) == 3
    assert deliveries.forget_old(database.write, a_day_after_the_last_old_one) == 0


def test_a_delivery_is_recorded_once_per_channel_with_its_answer(database: Database) -> None:
    def record(tx: Connection) -> deliveries.Answer | None:
        channel = channels.ensure_channel(tx, "discord", "G1", "C1", START)
        deliveries.record(tx, channel.id, "interaction:1", "Restored #2.", "private")
        return deliveries.answer_of(tx, channel.id, "interaction:1")

    assert database.write(record) == deliveries.Answer("Restored #2.", "private")
    with pytest.raises(IntegrityError):
        database.write(record)
