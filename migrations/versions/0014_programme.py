"""Sessions from a conference programme: when a talk runs (as UTC instants, so "the talk
running now" is one comparison with the clock in any time zone) and in which room.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as table:
        table.add_column(sa.Column("start_utc", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("end_utc", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("room", sa.String(length=100), nullable=True))
        table.create_index("ix_sessions_conference_id_start_utc", ["conference_id", "start_utc"])


def downgrade() -> None:
    # Not in batch mode: SQLite (3.35+) drops a plain column in place, while a batch
    # would copy the table and fail to drop the old one that memos refer to.
    op.drop_index("ix_sessions_conference_id_start_utc", table_name="sessions")
    op.drop_column("sessions", "room")
    op.drop_column("sessions", "end_utc")
    op.drop_column("sessions", "start_utc")
