"""Index memos by author and time, for a person's recent memos across channels (app home).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_memos_author_id_created_at"), "memos", ["author_id", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_memos_author_id_created_at"), "memos")
