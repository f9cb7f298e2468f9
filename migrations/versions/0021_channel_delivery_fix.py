"""What would fix a channel's delivery problem (invite the bot, grant a permission), so the
person's confirmation of `/memo add` can say it in their language.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD/DROP COLUMN, as in 0020: a batch copy of ``channels`` would trip the foreign
    # keys of every table that names it.
    op.add_column("channels", sa.Column("delivery_fix", sa.String(length=120), nullable=True))


def downgrade() -> None:
    op.drop_column("channels", "delivery_fix")
