"""Record each digest's post attempt before it is made: the key that marks its messages on the
platform, when it began and what it said, so that after a crash, a timeout or a stop in the
middle, the next attempt finds what landed instead of posting it again.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("digest_posts") as table:
        table.add_column(sa.Column("delivery_key", sa.String(length=32), nullable=True))
        table.add_column(sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("markdown", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("digest_posts") as table:
        table.drop_column("markdown")
        table.drop_column("first_attempt_at")
        table.drop_column("delivery_key")
