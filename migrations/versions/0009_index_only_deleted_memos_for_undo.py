"""Keep only deleted memos in the index `/memo undo` reads, so adding a memo never writes to it.

The (channel, deleted by, deleted at) index held every memo, live ones under NULLs,
and each add wrote to one of its pages. As a partial index (both databases have
them) it holds only what undo can find.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = "ix_memos_channel_id_deleted_by_id_deleted_at"
_COLUMNS = ["channel_id", "deleted_by_id", "deleted_at"]
_DELETED = sa.text("deleted_at IS NOT NULL")


def upgrade() -> None:
    op.drop_index(op.f(_NAME), "memos")
    op.create_index(
        op.f(_NAME), "memos", _COLUMNS, sqlite_where=_DELETED, postgresql_where=_DELETED
    )


def downgrade() -> None:
    op.drop_index(op.f(_NAME), "memos")
    op.create_index(op.f(_NAME), "memos", _COLUMNS)
