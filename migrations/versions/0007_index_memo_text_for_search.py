"""Index memo text for /memo search: FTS5 on SQLite, a GIN-indexed token array on PostgreSQL.

Both hold the tokens of ``storage.search_terms`` (channel-scoped hashes of
Korean bigrams, words and symbols); the upgrade indexes every live memo that
exists already. SQLite also gets ``memo_search_progress``: how far the index
goes (newer memos are indexed in the background, see ``storage.search``).
A later change to the analyzer needs a migration that calls
``storage.search.rebuild_index`` again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

from storage.search import rebuild_index

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE memo_search ("
            " memo_id INTEGER NOT NULL"
            " CONSTRAINT pk_memo_search PRIMARY KEY"
            " CONSTRAINT fk_memo_search_memo_id_memos REFERENCES memos (id) ON DELETE CASCADE,"
            " tokens BIGINT[] NOT NULL)"
        )
        op.execute("CREATE INDEX ix_memo_search_tokens ON memo_search USING gin (tokens)")
    else:
        # Contentless (the tokens are not stored twice) and detail=none (no positions:
        # the core checks phrases itself), the smallest index FTS5 can keep.
        op.execute(
            "CREATE VIRTUAL TABLE memo_search USING fts5("
            "words, content='', detail=none, columnsize=0, tokenize='ascii')"
        )
        # Segments are merged by storage.search_upkeep, not inside each add's
        # transaction; FTS5 itself steps in only past 64 segments of one size.
        op.execute("INSERT INTO memo_search (memo_search, rank) VALUES ('automerge', 0)")
        op.execute("INSERT INTO memo_search (memo_search, rank) VALUES ('crisismerge', 64)")
        # The highest memo id indexed; newer memos wait for storage.search_upkeep.
        op.execute(
            "CREATE TABLE memo_search_progress ("
            " id INTEGER NOT NULL CONSTRAINT pk_memo_search_progress PRIMARY KEY"
            " CONSTRAINT ck_memo_search_progress_one_row CHECK (id = 1),"
            " indexed_through INTEGER NOT NULL)"
        )
        op.execute("INSERT INTO memo_search_progress (id, indexed_through) VALUES (1, 0)")
    rebuild_index(op.get_bind())


def downgrade() -> None:
    op.execute("DROP TABLE memo_search")
    if op.get_context().dialect.name != "postgresql":
        op.execute("DROP TABLE memo_search_progress")
