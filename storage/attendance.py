"""Who attended which session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from storage.models import Attendance, table_of
from storage.upsert import insert_or_ignore


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
