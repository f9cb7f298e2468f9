"""The index that finds the talks running now also holds their end: an untitled `/memo add`
reads the index alone, not a table row per talk of the day before.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_sessions_conference_id_start_utc_end_utc",
        "sessions",
        ["conference_id", "start_utc", "end_utc"],
    )
    op.drop_index("ix_sessions_conference_id_start_utc", table_name="sessions")


def downgrade() -> None:
    op.create_index(
        "ix_sessions_conference_id_start_utc", "sessions", ["conference_id", "start_utc"]
    )
    op.drop_index("ix_sessions_conference_id_start_utc_end_utc", table_name="sessions")
