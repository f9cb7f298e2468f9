"""Who attended which session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage.models import Attendance
from storage.upsert import insert_or_ignore


def record_attendance(
    session: Session, session_id: int, member_id: int, via: str, now: datetime
) -> bool:
    """Mark the member as attending; False when they already were."""
    return insert_or_ignore(
        session,
        Attendance,
        {"session_id": session_id, "member_id": member_id, "via": via, "created_at": now},
        ("session_id", "member_id"),
    )
