"""The memo search index: one row of tokens per live memo, on SQLite and PostgreSQL.

SQLite keeps the tokens in an FTS5 table (contentless, ``detail=none``: only
which memos hold a token, the smallest FTS5 index); PostgreSQL in a
``bigint[]`` column under a GIN index. Both hold the same tokens
(``storage.search_terms``), and both answer the same question: which memos
of this channel hold every one of these tokens. The core then checks each
candidate against the query itself and ranks the ones that really match.

Neither structure can be described by the models (Alembic cannot compare a
virtual table), so migration 0007 creates them and ``migrations/env.py``
leaves ``SEARCH_TABLES`` out of ``alembic check``.

Every write of a memo's text goes through here from ``storage.memos`` (add,
edit, delete, undo, and the importer through ``add_memo``), inside the same
transaction, so the index never disagrees with the memos. A deleted memo has
no tokens: deleting removes them and undo puts them back.

On SQLite a new memo is not indexed by its add: an FTS5 write costs `/memo add`
about 0.6 ms of its 1.4 (measured on 1M memos). ``memo_search_progress`` holds
the highest memo id indexed; memos above it are "pending", and
``storage.search_upkeep`` indexes them in small batches within about a second.
Searches read the index for memos up to that id and check pending memos
directly, so a memo is found the moment it is stored. Edits, deletes and
undos change the index only for memos it already covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    CTE,
    BigInteger,
    Column,
    Connection,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    bindparam,
    cast,
    func,
    insert,
    literal_column,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY

from storage import search_terms
from storage.driver_sql import Prepared
from storage.models import ConferenceSession, Member, Memo
from storage.records import SearchCandidate

#: The index's own tables (FTS5 and its shadow tables on SQLite), outside the models.
SEARCH_TABLES = (
    "memo_search",
    "memo_search_data",
    "memo_search_idx",
    "memo_search_config",
    "memo_search_docsize",
    "memo_search_content",
    "memo_search_progress",
)

# PostgreSQL's table, for Core statements; on its own metadata, not the models'.
_POSTGRES_TABLE = Table(
    "memo_search",
    MetaData(),
    Column("memo_id", Integer, primary_key=True),
    Column("tokens", ARRAY(BigInteger), nullable=False),
)

# The upkeep runs these for every memo added (storage.search_upkeep): prepared.
_FTS_INSERT = Prepared(text("INSERT INTO memo_search (rowid, words) VALUES (:memo_id, :words)"))
_FTS_DELETE = text(
    "INSERT INTO memo_search (memo_search, rowid, words) VALUES ('delete', :memo_id, :words)"
)
_FTS_MATCH = text("SELECT rowid FROM memo_search WHERE memo_search MATCH :match")
_INDEXED_THROUGH = Prepared(text("SELECT indexed_through FROM memo_search_progress"))
_SET_INDEXED_THROUGH = Prepared(text("UPDATE memo_search_progress SET indexed_through = :memo_id"))
#: PostgreSQL: a memo's tokens go to the server as one text, decimal numbers separated by
#: spaces (``tokens_text``), and ``string_to_array`` makes the ``bigint[]`` there.
#: psycopg's list adapter inspects every element in Python: it cost 30 to 45 µs of the bot
#: process's CPU per statement for 20 to 60 tokens (a note has 26 or so), against a
#: statement's 55 to 80 µs of CPU with the text.
_PG_INSERT = text(
    "INSERT INTO memo_search (memo_id, tokens) "
    "VALUES (:memo_id, string_to_array(:tokens, ' ')::bigint[])"
)
_PG_DELETE = text("DELETE FROM memo_search WHERE memo_id = :memo_id")


def indexing_added_memo(added: CTE) -> CTE:
    """PostgreSQL: the index's INSERT for the memo that ``added`` (an INSERT ... RETURNING id)
    adds in the same statement, as a CTE to attach to it; its ``tokens`` parameter takes
    ``tokens_text`` of the memo. One statement instead of two on every `/memo add`."""
    separated = bindparam("tokens", type_=String)
    tokens = cast(func.string_to_array(separated, literal_column("' '")), ARRAY(BigInteger))
    return (
        insert(_POSTGRES_TABLE)
        .from_select(["memo_id", "tokens"], select(added.c.id, tokens))
        .cte("indexed")
    )


def memo_tokens(channel_id: int, text: str) -> list[int]:
    """What the index holds for a memo of this channel with this text."""
    return search_terms.tokens(channel_id, search_terms.terms(text))


def tokens_text(channel_id: int, text: str) -> str:
    """PostgreSQL: ``memo_tokens`` as the text the index's statements take (see ``_PG_INSERT``)."""
    return " ".join(map(str, memo_tokens(channel_id, text)))


def index_new_memo(tx: Connection, memo_id: int, channel_id: int, text: str) -> None:
    """A memo was added: one INSERT on PostgreSQL; on SQLite nothing now (it is pending)."""
    if tx.dialect.name == "postgresql":
        _insert(tx, memo_id, channel_id, text)


def index_memo(tx: Connection, memo_id: int, channel_id: int, text: str) -> None:
    """A memo came back (undo): its tokens go in, where the index covers it."""
    if _covered(tx, memo_id):
        _insert(tx, memo_id, channel_id, text)


def unindex_memo(tx: Connection, memo_id: int, channel_id: int, text: str) -> None:
    """Remove a memo's tokens; ``text`` is what was indexed (FTS5 needs it to find them)."""
    if tx.dialect.name == "postgresql":
        tx.execute(_PG_DELETE, {"memo_id": memo_id})
    elif _covered(tx, memo_id):
        tokens = memo_tokens(channel_id, text)
        tx.execute(_FTS_DELETE, {"memo_id": memo_id, "words": _words(tokens)})


def reindex_memo(tx: Connection, memo_id: int, channel_id: int, old: str, new: str) -> None:
    """The memo's text changed from ``old`` to ``new``."""
    if _covered(tx, memo_id):
        unindex_memo(tx, memo_id, channel_id, old)
        _insert(tx, memo_id, channel_id, new)


def indexed_through(tx: Connection) -> int:
    """SQLite: the highest memo id the index covers; memos above it are pending."""
    return int(_INDEXED_THROUGH.scalar(tx, {}))


@dataclass(frozen=True, slots=True)
class PendingBatch:
    """Pending memos read and tokenized outside the write lock, ready to go in."""

    after: int
    #: (id, text, tokens); None for a memo deleted when read.
    memos: list[tuple[int, str, list[int] | None]]


def read_pending(tx: Connection, limit: int) -> PendingBatch:
    """SQLite: the next ``limit`` pending memos, tokenized (the slow part, done unlocked)."""
    after = indexed_through(tx)
    rows = _PENDING.rows(tx, {"after": after, "limit": limit})
    return PendingBatch(
        after,
        [(row.id, row.text, None if row.deleted_at is not None else _tokens(row)) for row in rows],
    )


def write_pending(tx: Connection, batch: PendingBatch) -> int:
    """SQLite: index a batch from ``read_pending``; how many memos the index moved past.

    Anything that changed since it was read (an edit, a delete, another writer's
    upkeep) is read again here, inside the writing transaction, so nothing is lost.
    """
    if not batch.memos or indexed_through(tx) != batch.after:
        return 0
    now = {
        row.id: row for row in _PENDING.rows(tx, {"after": batch.after, "limit": len(batch.memos)})
    }
    for memo_id, read_text, tokens in batch.memos:
        row = now.get(memo_id)
        if row is None or row.deleted_at is not None:
            continue
        if tokens is None or row.text != read_text:
            tokens = _tokens(row)
        _FTS_INSERT.run(tx, {"memo_id": memo_id, "words": _words(tokens)})
    _SET_INDEXED_THROUGH.run(tx, {"memo_id": batch.memos[-1][0]})
    return len(batch.memos)


def _tokens(row: Any) -> list[int]:
    return memo_tokens(row.channel_id, row.text)


def _covered(tx: Connection, memo_id: int) -> bool:
    return tx.dialect.name == "postgresql" or memo_id <= indexed_through(tx)


def _insert(tx: Connection, memo_id: int, channel_id: int, text: str) -> None:
    if tx.dialect.name == "postgresql":
        tx.execute(_PG_INSERT, {"memo_id": memo_id, "tokens": tokens_text(channel_id, text)})
    else:
        _FTS_INSERT.run(tx, {"memo_id": memo_id, "words": _words(memo_tokens(channel_id, text))})


def rebuild_index(tx: Connection, batch: int = 5_000) -> int:
    """Index every live memo from scratch (the migration that builds it; analyzer changes).

    On SQLite the index ends as one FTS5 segment ('optimize'), the fastest to query.
    """
    if tx.dialect.name == "postgresql":
        tx.execute(text("DELETE FROM memo_search"))
    else:
        tx.execute(text("INSERT INTO memo_search (memo_search) VALUES ('delete-all')"))
    rows = select(Memo.id, Memo.channel_id, Memo.text).where(Memo.deleted_at.is_(None))
    count = 0
    last_id = 0
    while True:
        chunk = tx.execute(rows.where(Memo.id > last_id).order_by(Memo.id).limit(batch)).all()
        if not chunk:
            if tx.dialect.name == "sqlite":
                tx.execute(text("INSERT INTO memo_search (memo_search) VALUES ('optimize')"))
                newest = tx.execute(select(func.max(Memo.id))).scalar_one()
                _SET_INDEXED_THROUGH.run(tx, {"memo_id": newest or 0})
            return count
        if tx.dialect.name == "postgresql":
            texts = [
                {"memo_id": row.id, "tokens": tokens_text(row.channel_id, row.text)}
                for row in chunk
            ]
            tx.execute(_PG_INSERT, texts)
        else:
            words = [{"memo_id": row.id, "words": _words(_tokens(row))} for row in chunk]
            tx.execute(_FTS_INSERT.statement, words)
        count += len(chunk)
        last_id = chunk[-1].id


def _words(tokens: Sequence[int]) -> str:
    return " ".join(search_terms.fts_word(token) for token in tokens)


class Candidate(NamedTuple):
    """A live memo that holds every token of a query; the core checks that it really matches.

    Only what checking and ranking need: a plain row, because a query for a
    common syllable can have thousands (``details`` loads the few shown).
    """

    id: int
    session_id: int
    text: str
    #: Orders memos by when they were written (the database's own value: a string on SQLite).
    written: Any


_CANDIDATES = select(
    Memo.id, Memo.session_id, Memo.text, type_coerce(Memo.created_at, String).label("written")
)
_PENDING = Prepared(
    select(Memo.id, Memo.channel_id, Memo.text, Memo.deleted_at)
    .where(Memo.id > bindparam("after"))
    .order_by(Memo.id)
    .limit(bindparam("limit"))
)
_PENDING_IDS = select(Memo.id).where(Memo.id > bindparam("after"))
_DETAILS = (
    select(
        Memo.id,
        Memo.number,
        Memo.text,
        Memo.created_at,
        Memo.edited_at,
        Memo.session_id,
        ConferenceSession.title.label("session_title"),
        Member.external_id.label("author_external_id"),
        Member.display_name.label("author_name"),
    )
    .join(ConferenceSession, ConferenceSession.id == Memo.session_id)
    .join(Member, Member.id == Memo.author_id)
    .where(Memo.id.in_(bindparam("ids", expanding=True)))
)


def candidates(
    tx: Connection,
    channel_id: int,
    terms: set[str],
    *,
    session_ids: Sequence[int] | None = None,
    author_ids: Sequence[int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Candidate]:
    """Live memos of the channel whose tokens include every term's, through the index.

    Filters narrow the same query: sessions, authors, and ``since <= created_at < until``.
    """
    if not terms:
        return []
    tokens = search_terms.tokens(channel_id, terms)
    live = _CANDIDATES.where(Memo.channel_id == channel_id, Memo.deleted_at.is_(None))
    live = _filtered(live, session_ids, author_ids, since, until)
    found = [Candidate(*row) for row in tx.execute(live.where(_matching(tx, tokens)))]
    if tx.dialect.name == "sqlite":
        # Pending memos (added in the last second or so) are all candidates: the core's
        # check of each against the query decides, as for every other candidate. Their
        # ids first, by the primary key: given the channel, SQLite would scan all of its.
        pending = list(tx.scalars(_PENDING_IDS, {"after": indexed_through(tx)}))
        if pending:
            found.extend(Candidate(*row) for row in tx.execute(live.where(Memo.id.in_(pending))))
    return found


def latest_in_sessions(
    tx: Connection,
    session_ids: Sequence[int],
    *,
    author_ids: Sequence[int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Candidate]:
    """Each session's newest live memo (within the filters): a session found by its title."""
    found = []
    for session_id in session_ids:
        statement = _CANDIDATES.where(Memo.session_id == session_id, Memo.deleted_at.is_(None))
        statement = _filtered(statement, None, author_ids, since, until)
        row = tx.execute(
            statement.order_by(Memo.created_at.desc(), Memo.id.desc()).limit(1)
        ).first()
        if row is not None:
            found.append(Candidate(*row))
    return found


def details(tx: Connection, ids: list[int]) -> dict[int, SearchCandidate]:
    """What showing these memos takes (number, times, session title, author), by id."""
    if not ids:
        return {}
    return {row.id: SearchCandidate.from_row(row) for row in tx.execute(_DETAILS, {"ids": ids})}


def _matching(tx: Connection, tokens: list[int]):  # type: ignore[no-untyped-def]
    if tx.dialect.name == "postgresql":
        return Memo.id.in_(
            select(_POSTGRES_TABLE.c.memo_id).where(_POSTGRES_TABLE.c.tokens.contains(tokens))
        )
    match = " AND ".join(f'"{search_terms.fts_word(token)}"' for token in tokens)
    return Memo.id.in_(_FTS_MATCH.bindparams(match=match).columns(rowid=Integer))


def _filtered(
    statement: Select,  # type: ignore[type-arg]
    session_ids: Sequence[int] | None,
    author_ids: Sequence[int] | None,
    since: datetime | None,
    until: datetime | None,
) -> Select:  # type: ignore[type-arg]
    if session_ids is not None:
        statement = statement.where(Memo.session_id.in_(session_ids))
    if author_ids is not None:
        statement = statement.where(Memo.author_id.in_(author_ids))
    if since is not None:
        statement = statement.where(Memo.created_at >= since)
    if until is not None:
        statement = statement.where(Memo.created_at < until)
    return statement
