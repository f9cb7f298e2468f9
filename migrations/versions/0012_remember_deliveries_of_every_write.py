"""Remember the delivery id and answer of every command that writes, not only of an add.

A redelivered `/memo undo` restored a second memo: only `/memo add` stored its
delivery id, in a column of memos with a unique (channel, delivery id). Now every
writing command records its delivery in ``deliveries`` (storage.deliveries), and
memos lose the column and its unique index, which every add had to write.

SQLite cannot drop a column that a UNIQUE constraint names, so there memos is
rebuilt: copied aside, dropped, created anew and filled back. Alembic's batch
mode renames the new table into place instead, which fails while foreign keys
are enforced (memo_revisions and imported_memos point at memos, and the pragma
that turns enforcement off does nothing inside a transaction). Deferring the
checks to the commit works, because filling the new table back satisfies every
reference the drop broke. Ids are copied, so the search index (keyed by memo
id) stays as it is. A million memos take some seconds.

Delivery ids of adds made before the upgrade are not carried over: a copy of
such a request arriving in the minutes around the upgrade would be stored twice.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNIQUE_DELIVERY = "uq_memos_channel_id_delivery_id"
_SET_ASIDE = "CREATE TABLE memos_before_0012 AS SELECT * FROM memos"
#: The columns memos has on both sides of this migration.
_FILL_BACK = """
INSERT INTO memos (id, channel_id, number, session_id, author_id, text,
                   created_at, edited_at, deleted_at, deleted_by_id, source_url)
SELECT id, channel_id, number, session_id, author_id, text,
       created_at, edited_at, deleted_at, deleted_by_id, source_url
FROM memos_before_0012
"""


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.String(length=128), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_deliveries_channel_id_channels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "channel_id", "delivery_id", name=op.f("uq_deliveries_channel_id_delivery_id")
        ),
    )
    if op.get_context().dialect.name == "sqlite":
        _rebuild_memos(with_delivery_id=False)
    else:
        op.drop_constraint(op.f(_UNIQUE_DELIVERY), "memos", type_="unique")
        op.drop_column("memos", "delivery_id")


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        _rebuild_memos(with_delivery_id=True)
    else:
        op.add_column("memos", sa.Column("delivery_id", sa.String(length=128), nullable=True))
        op.create_unique_constraint(op.f(_UNIQUE_DELIVERY), "memos", ["channel_id", "delivery_id"])
    op.drop_table("deliveries")


def _rebuild_memos(*, with_delivery_id: bool) -> None:
    """SQLite: memos as of 0009 (``with_delivery_id``) or as of this revision, rows kept."""
    op.execute("PRAGMA defer_foreign_keys = ON")  # until the commit, when all is back
    op.execute(_SET_ASIDE)
    op.drop_table("memos")  # and its indexes
    _create_memos(with_delivery_id=with_delivery_id)
    op.execute(_FILL_BACK)
    _index_memos()  # after filling: building an index at once is faster than row by row
    op.drop_table("memos_before_0012")
    has_statistics = (
        op.get_bind()
        .execute(sa.text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"))
        .scalar()
    )
    if has_statistics:
        op.execute("ANALYZE memos")  # the planner's statistics went with the old table


def _create_memos(*, with_delivery_id: bool) -> None:
    delivery: list[sa.SchemaItem] = []
    if with_delivery_id:
        delivery = [
            sa.Column("delivery_id", sa.String(length=128), nullable=True),
            sa.UniqueConstraint("channel_id", "delivery_id", name=op.f(_UNIQUE_DELIVERY)),
        ]
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
        sa.UniqueConstraint("channel_id", "number", name=op.f("uq_memos_channel_id_number")),
        *delivery,
    )


def _index_memos() -> None:
    for name, columns in (
        ("ix_memos_channel_id_author_id_created_at", ["channel_id", "author_id", "created_at"]),
        ("ix_memos_session_id_deleted_at_created_at", ["session_id", "deleted_at", "created_at"]),
        ("ix_memos_author_id_created_at", ["author_id", "created_at"]),
    ):
        op.create_index(op.f(name), "memos", columns)
    deleted = sa.text("deleted_at IS NOT NULL")
    op.create_index(
        op.f("ix_memos_channel_id_deleted_by_id_deleted_at"),
        "memos",
        ["channel_id", "deleted_by_id", "deleted_at"],
        sqlite_where=deleted,
    )
