"""Who attended which session."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection

from storage.models import Attendance, table_of
from storage.upsert import insert_many_or_ignore, insert_or_ignore


def record_attendance(
    tx: Connection, session_id: int, member_id: int, via: str, now: datetime
) -> bool:
    """Mark the member as attending; False when they already were."""
    return insert_or_ignore(
        tx,
        table_of(Attendance),
        {"session_id": session_id, "member_id": member_id, "via": via, "created_at": now},
        ("session_id", "member_id"),
    )


def record_attendances(
    tx: Connection, pairs: Iterable[tuple[int, int]], via: str, now: datetime
) -> None:
    """Mark many (session id, member id) pairs as attending at once (an import)."""
    insert_many_or_ignore(
        tx,
        table_of(Attendance),
        [
            {"session_id": session_id, "member_id": member_id, "via": via, "created_at": now}
            for session_id, member_id in pairs
        ],
        ("session_id", "member_id"),
    )
