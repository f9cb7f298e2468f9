"""The language a channel speaks (`/memo language ko|en|auto`), ``auto`` for every channel
so far: replies follow the person's locale, else ``MEMO_DEFAULT_LANGUAGE``.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("channels") as table:
        table.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="auto")
        )


def downgrade() -> None:
    # Not in batch mode: SQLite (3.35+) drops a plain column in place, while a batch would
    # copy the table and fail to drop the old one that memos refer to.
    op.drop_column("channels", "language")
