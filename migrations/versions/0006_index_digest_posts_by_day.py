"""Index digest claims by day, for the sweep's one query of the days already done.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_digest_posts_day"), "digest_posts", ["day"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_digest_posts_day"), "digest_posts")
