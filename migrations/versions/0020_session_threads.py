"""One thread per session per channel: where a session's memos are announced, whether the
channel wants threads, and the last problem the platform had delivering there.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.String(length=100), nullable=False),
        sa.Column("parent_message_id", sa.String(length=100), nullable=False),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_session_threads_channel_id_channels")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_session_threads_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_threads")),
        sa.UniqueConstraint(
            "channel_id", "session_id", name=op.f("uq_session_threads_channel_id_session_id")
        ),
    )
    # Plain ADD/DROP COLUMN (SQLite has both): a batch copy of ``channels`` would trip the
    # foreign keys of every table that names it.
    op.add_column(
        "channels", sa.Column("threads", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    op.add_column("channels", sa.Column("delivery_problem", sa.Text(), nullable=True))
    op.add_column(
        "channels", sa.Column("delivery_problem_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("channels", "delivery_problem_at")
    op.drop_column("channels", "delivery_problem")
    op.drop_column("channels", "threads")
    op.drop_table("session_threads")
