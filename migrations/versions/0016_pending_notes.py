"""Pending notes: an untitled note written while several talks ran waits here for its
author to pick the talk, so it is stored once, only in the talk they chose.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("choices", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("picked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("memo_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_pending_notes_channel_id_channels")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_pending_notes_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["memo_id"], ["memos.id"], name=op.f("fk_pending_notes_memo_id_memos")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_notes")),
    )
    op.create_index("ix_pending_notes_created_at", "pending_notes", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_pending_notes_created_at", table_name="pending_notes")
    op.drop_table("pending_notes")
