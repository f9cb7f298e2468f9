"""Remember each Slack workspace's Enterprise Grid org; index and bound the OAuth states.

``slack_teams`` keeps the org (and install kind) the last request from a workspace
named, so digests and uninstalls find the token Bolt would use. ``slack_oauth_states``
gets a unique index on ``state`` (each install callback looks it up) and one on
``expire_at`` (expired states are purged).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_teams",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_slack_teams")),
    )
    op.create_index(op.f("ix_slack_teams_enterprise_id"), "slack_teams", ["enterprise_id"])
    op.create_index(
        op.f("ix_slack_oauth_states_state"), "slack_oauth_states", ["state"], unique=True
    )
    op.create_index(op.f("ix_slack_oauth_states_expire_at"), "slack_oauth_states", ["expire_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_slack_oauth_states_expire_at"), "slack_oauth_states")
    op.drop_index(op.f("ix_slack_oauth_states_state"), "slack_oauth_states")
    op.drop_index(op.f("ix_slack_teams_enterprise_id"), "slack_teams")
    op.drop_table("slack_teams")
