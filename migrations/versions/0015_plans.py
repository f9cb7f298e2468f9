"""Plans: who means to attend which session (`/memo plan`), shown in the agenda and digest.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_plans_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_plans_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("session_id", "member_id", name=op.f("pk_plans")),
    )
    op.create_index("ix_plans_member_id_session_id", "plans", ["member_id", "session_id"])


def downgrade() -> None:
    op.drop_index("ix_plans_member_id_session_id", table_name="plans")
    op.drop_table("plans")
