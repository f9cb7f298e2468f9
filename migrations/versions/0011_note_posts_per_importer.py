"""Keep one note post per conference day *and importer*, so one person's import never
reads, rewrites or removes what another person's import stored.

A post's links (``imported_memos``) say which memos an import created; with a post per
(conference, day, importer), a re-import sees only its own importer's links.

Downgrading goes back to one post per conference day: the earliest post of each day is
kept, and the later posts are dropped with their links. Their memos stay (the links
only let a re-import find them again), so nothing anyone wrote is lost.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PER_DAY = "uq_note_posts_conference_id_day"
_PER_IMPORTER = "uq_note_posts_conference_id_day_imported_by_id"
#: The posts that are not the earliest of their conference day, for the downgrade.
_LATER_POSTS = sa.select(sa.text("later.id")).select_from(
    sa.text(
        "note_posts AS later JOIN note_posts AS earlier ON earlier.conference_id ="
        " later.conference_id AND earlier.day = later.day AND earlier.id < later.id"
    )
)


def upgrade() -> None:
    _replace_unique_constraint(_PER_DAY, _PER_IMPORTER, ["conference_id", "day", "imported_by_id"])


def downgrade() -> None:
    links, posts = (
        sa.table("imported_memos", sa.column("post_id")),
        sa.table("note_posts", sa.column("id")),
    )
    op.execute(sa.delete(links).where(links.c.post_id.in_(_LATER_POSTS)))
    op.execute(sa.delete(posts).where(posts.c.id.in_(_LATER_POSTS)))
    _replace_unique_constraint(_PER_IMPORTER, _PER_DAY, ["conference_id", "day"])


def _replace_unique_constraint(old: str, new: str, columns: list[str]) -> None:
    """Swap note_posts' unique constraint.

    SQLite changes a constraint by copying the table and dropping the old one, and
    it refuses to drop a table that ``imported_memos`` rows refer to (foreign keys
    are on, and cannot be turned off inside the migration's transaction). So on
    SQLite the links are set aside, their table dropped and made again afterwards.
    """
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute(sa.text("CREATE TEMPORARY TABLE links_aside AS SELECT * FROM imported_memos"))
        op.drop_table("imported_memos")
    with op.batch_alter_table("note_posts") as batch:
        batch.drop_constraint(old, type_="unique")
        batch.create_unique_constraint(new, columns)
    if sqlite:
        _create_links_table()
        op.execute(sa.text("INSERT INTO imported_memos SELECT * FROM links_aside"))
        op.execute(sa.text("DROP TABLE links_aside"))


def _create_links_table() -> None:
    """``imported_memos`` exactly as migration 0008 made it."""
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
