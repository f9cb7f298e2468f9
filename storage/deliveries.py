"""Deliveries: the platform requests a channel acted on, with their answers, kept for a day.

A writing command that came with a delivery id records it, with its answer, as
the last write of its transaction, so it commits or rolls back with the change.
The unique (channel, delivery id) makes a copy of the request that ran anyway
fail there (PostgreSQL makes it wait for the first copy's transaction first),
and the core runs it again, to find the answer. One insert per command: on
`/memo add`'s path that costs less than a claim first and its answer after.

Platforms send copies within minutes (Slack retries for a few minutes, a
Discord interaction can be answered for 15), so rows older than ``KEEP_FOR``
are deleted. Ids grow with time, so the oldest rows are the first by id: the
purge reads a few of those instead of needing an index on ``recorded_at``,
which every add would have to write.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from itertools import takewhile

from sqlalchemy import Connection, bindparam, delete, insert, select

from storage.driver_sql import Prepared
from storage.models import Delivery

#: How long a delivery is remembered: far longer than any platform sends copies.
KEEP_FOR = timedelta(days=1)
#: Rows deleted per transaction when forgetting old deliveries.
FORGET_STEP = 500

_RECORD = Prepared(  # every writing command that has a delivery id
    insert(Delivery), column_keys=("channel_id", "delivery_id", "answer", "visibility")
)
_ANSWERED = Prepared(
    select(Delivery.answer, Delivery.visibility).where(
        Delivery.channel_id == bindparam("channel_id"),
        Delivery.delivery_id == bindparam("delivery_id"),
    )
)
_OLDEST = select(Delivery.id, Delivery.recorded_at).order_by(Delivery.id).limit(FORGET_STEP)
_DELETE_THROUGH = delete(Delivery).where(Delivery.id <= bindparam("last_id"))


@dataclass(frozen=True, slots=True)
class Answer:
    markdown: str
    visibility: str


def record(
    tx: Connection, channel_id: int, delivery_id: str, markdown: str, visibility: str
) -> None:
    """Remember the delivery and its answer; ``IntegrityError`` if the channel has it already."""
    _RECORD.run(
        tx,
        {
            "channel_id": channel_id,
            "delivery_id": delivery_id,
            "answer": markdown,
            "visibility": visibility,
        },
    )


def answer_of(tx: Connection, channel_id: int, delivery_id: str) -> Answer | None:
    """What the delivery was answered, if this channel acted on it."""
    row = _ANSWERED.first(tx, {"channel_id": channel_id, "delivery_id": delivery_id})
    return None if row is None else Answer(row.answer, row.visibility)


def forget_step(tx: Connection, recorded_before: datetime) -> int:
    """Delete up to ``FORGET_STEP`` of the oldest deliveries recorded before the time; how many."""
    rows = tx.execute(_OLDEST).all()
    old = list(takewhile(lambda row: row.recorded_at < recorded_before, rows))
    if old:
        tx.execute(_DELETE_THROUGH, {"last_id": old[-1].id})
    return len(old)


def forget_old(
    write: Callable[[Callable[[Connection], int]], int],
    now: datetime,
    stopped: threading.Event | None = None,
) -> int:
    """Delete the deliveries older than ``KEEP_FOR``, a step per transaction; how many.

    ``write`` runs a step in a writing transaction (``Database.write``: on SQLite
    in the batch writer's turn, so a `/memo add` waits behind one step at most).
    """
    step = partial(forget_step, recorded_before=now - KEEP_FOR)
    forgotten = 0
    while stopped is None or not stopped.is_set():
        deleted = write(step)
        forgotten += deleted
        if deleted < FORGET_STEP:
            break
    return forgotten
