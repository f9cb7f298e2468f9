"""Create the note post tables: imported posts (title line, untitled notes) and the link
from each imported memo to the block of the post it came from (so a re-import changes
nothing, and an edited file updates what changed).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "note_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_note_posts_channel_id_channels")
        ),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_note_posts_conference_id_conferences"),
        ),
        sa.ForeignKeyConstraint(
            ["imported_by_id"], ["members.id"], name=op.f("fk_note_posts_imported_by_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_posts")),
        sa.UniqueConstraint("conference_id", "day", name=op.f("uq_note_posts_conference_id_day")),
    )
    op.create_index(
        op.f("ix_note_posts_channel_id_day"), "note_posts", ["channel_id", "day"], unique=False
    )
    op.create_table(
        "imported_memos",
        sa.Column("memo_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["members.id"], name=op.f("fk_imported_memos_author_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["memo_id"], ["memos.id"], name=op.f("fk_imported_memos_memo_id_memos")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["note_posts.id"], name=op.f("fk_imported_memos_post_id_note_posts")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_imported_memos_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("memo_id", name=op.f("pk_imported_memos")),
        sa.UniqueConstraint(
            "post_id",
            "session_id",
            "author_id",
            "ordinal",
            name=op.f("uq_imported_memos_post_id_session_id_author_id_ordinal"),
        ),
    )


def downgrade() -> None:
    op.drop_table("imported_memos")
    op.drop_index(op.f("ix_note_posts_channel_id_day"), "note_posts")
    op.drop_table("note_posts")
