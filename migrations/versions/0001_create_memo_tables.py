"""Create the memo tables: workspaces, channels, members, conferences, sessions,
memos with their revisions, and attendance.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspaces")),
        sa.UniqueConstraint(
            "platform", "external_id", name=op.f("uq_workspaces_platform_external_id")
        ),
    )
    op.create_table(
        "channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("last_memo_number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_channels_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channels")),
        sa.UniqueConstraint(
            "workspace_id", "external_id", name=op.f("uq_channels_workspace_id_external_id")
        ),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_members_workspace_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint(
            "workspace_id", "external_id", name=op.f("uq_members_workspace_id_external_id")
        ),
    )
    op.create_table(
        "conferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=100), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_conferences_channel_id_channels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conferences")),
        sa.UniqueConstraint(
            "channel_id", "name_key", name=op.f("uq_conferences_channel_id_name_key")
        ),
    )
    op.create_index(
        op.f("ix_conferences_channel_id_activated_at"),
        "conferences",
        ["channel_id", "activated_at"],
        unique=False,
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("title_key", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=True),
        sa.Column("ends_at", sa.Time(), nullable=True),
        sa.Column("track", sa.String(length=100), nullable=True),
        sa.Column("speakers", sa.String(length=300), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_sessions_channel_id_channels")
        ),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_sessions_conference_id_conferences"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint(
            "conference_id",
            "title_key",
            "day",
            name=op.f("uq_sessions_conference_id_title_key_day"),
        ),
    )
    op.create_index(
        op.f("ix_sessions_conference_id_day"), "sessions", ["conference_id", "day"], unique=False
    )
    op.create_table(
        "attendances",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_attendances_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_attendances_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("session_id", "member_id", name=op.f("pk_attendances")),
    )
    op.create_index(
        op.f("ix_attendances_member_id_created_at"),
        "attendances",
        ["member_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "memos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by_id", sa.Integer(), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("delivery_id", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["members.id"], name=op.f("fk_memos_author_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_memos_channel_id_channels")
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"], ["members.id"], name=op.f("fk_memos_deleted_by_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_memos_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memos")),
        sa.UniqueConstraint(
            "channel_id", "delivery_id", name=op.f("uq_memos_channel_id_delivery_id")
        ),
        sa.UniqueConstraint("channel_id", "number", name=op.f("uq_memos_channel_id_number")),
    )
    op.create_index(
        op.f("ix_memos_channel_id_author_id_created_at"),
        "memos",
        ["channel_id", "author_id", "created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_memos_channel_id_deleted_by_id_deleted_at"),
        "memos",
        ["channel_id", "deleted_by_id", "deleted_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_memos_session_id_deleted_at_created_at"),
        "memos",
        ["session_id", "deleted_at", "created_at"],
        unique=False,
    )
    op.create_table(
        "memo_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("memo_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["memo_id"], ["memos.id"], name=op.f("fk_memo_revisions_memo_id_memos")
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["members.id"],
            name=op.f("fk_memo_revisions_replaced_by_id_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memo_revisions")),
    )
    op.create_index(op.f("ix_memo_revisions_memo_id"), "memo_revisions", ["memo_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_memo_revisions_memo_id"), "memo_revisions")
    op.drop_table("memo_revisions")
    op.drop_index(op.f("ix_memos_session_id_deleted_at_created_at"), "memos")
    op.drop_index(op.f("ix_memos_channel_id_deleted_by_id_deleted_at"), "memos")
    op.drop_index(op.f("ix_memos_channel_id_author_id_created_at"), "memos")
    op.drop_table("memos")
    op.drop_index(op.f("ix_attendances_member_id_created_at"), "attendances")
    op.drop_table("attendances")
    op.drop_index(op.f("ix_sessions_conference_id_day"), "sessions")
    op.drop_table("sessions")
    op.drop_index(op.f("ix_conferences_channel_id_activated_at"), "conferences")
    op.drop_table("conferences")
    op.drop_table("members")
    op.drop_table("channels")
    op.drop_table("workspaces")
