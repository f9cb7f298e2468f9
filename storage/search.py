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
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    bindparam,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import OperationalError

from storage import search_terms
from storage.models import ConferenceSession, Member, Memo
from storage.records import SearchCandidate

logger = logging.getLogger(__name__)

#: The index's own tables (FTS5 and its shadow tables on SQLite), outside the models.
SEARCH_TABLES = (
    "memo_search",
    "memo_search_data",
    "memo_search_idx",
    "memo_search_config",
    "memo_search_docsize",
    "memo_search_content",
)

# PostgreSQL's table, for Core statements; on its own metadata, not the models'.
_POSTGRES_TABLE = Table(
    "memo_search",
    MetaData(),
    Column("memo_id", Integer, primary_key=True),
    Column("tokens", ARRAY(BigInteger), nullable=False),
)

_FTS_INSERT = text("INSERT INTO memo_search (rowid, words) VALUES (:memo_id, :words)")
_FTS_DELETE = text(
    "INSERT INTO memo_search (memo_search, rowid, words) VALUES ('delete', :memo_id, :words)"
)
_FTS_MATCH = text("SELECT rowid FROM memo_search WHERE memo_search MATCH :match")
_FTS_MERGE = text("INSERT INTO memo_search (memo_search, rank) VALUES ('merge', :pages)")
_CHANGES = text("SELECT total_changes()")
#: Pages of FTS5 merge work per step (about 3 ms on the 1M-memo database), how often the
#: merger looks for work, and how many steps it takes in one go at most.
MERGE_STEP_PAGES = 16
MERGE_INTERVAL_S = 1.0
MAX_MERGE_STEPS = 200
_PG_INSERT = text(
    "INSERT INTO memo_search (memo_id, tokens) VALUES (:memo_id, :tokens)"
).bindparams(bindparam("tokens", type_=ARRAY(BigInteger)))
_PG_DELETE = text("DELETE FROM memo_search WHERE memo_id = :memo_id")


def index_memo(tx: Connection, memo_id: int, channel_id: int, text: str) -> None:
    """Add a memo's tokens: one INSERT, the only extra work `/memo add` does for search."""
    tokens = search_terms.tokens(channel_id, search_terms.terms(text))
    if tx.dialect.name == "postgresql":
        tx.execute(_PG_INSERT, {"memo_id": memo_id, "tokens": tokens})
    else:
        tx.execute(_FTS_INSERT, {"memo_id": memo_id, "words": _words(tokens)})


def unindex_memo(tx: Connection, memo_id: int, channel_id: int, text: str) -> None:
    """Remove a memo's tokens; ``text`` is what was indexed (FTS5 needs it to find them)."""
    if tx.dialect.name == "postgresql":
        tx.execute(_PG_DELETE, {"memo_id": memo_id})
        return
    tokens = search_terms.tokens(channel_id, search_terms.terms(text))
    tx.execute(_FTS_DELETE, {"memo_id": memo_id, "words": _words(tokens)})


def reindex_memo(tx: Connection, memo_id: int, channel_id: int, old: str, new: str) -> None:
    """The memo's text changed from ``old`` to ``new``."""
    unindex_memo(tx, memo_id, channel_id, old)
    index_memo(tx, memo_id, channel_id, new)


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
            return count
        values = [
            (row.id, search_terms.tokens(row.channel_id, search_terms.terms(row.text)))
            for row in chunk
        ]
        if tx.dialect.name == "postgresql":
            tx.execute(_PG_INSERT, [{"memo_id": i, "tokens": t} for i, t in values])
        else:
            tx.execute(_FTS_INSERT, [{"memo_id": i, "words": _words(t)} for i, t in values])
        count += len(chunk)
        last_id = chunk[-1].id


def merge_step(tx: Connection) -> bool:
    """One bounded step of merging the SQLite index's segments; False when none was needed."""
    before = tx.execute(_CHANGES).scalar_one()
    tx.execute(_FTS_MERGE, {"pages": MERGE_STEP_PAGES})
    return int(tx.execute(_CHANGES).scalar_one()) - int(before) > 1  # the command itself is 1


class IndexMerger:
    """Merges the SQLite search index's segments on a thread, off the path of `/memo add`.

    FTS5 writes each transaction's tokens as a new segment and, by default,
    merges segments inside the writing transaction: on 1M memos that put 40 ms
    merges into 1 add in 50 (measured: add p99 5 -> 48 ms). Migration 0007
    turns that off (``automerge=0``; FTS5 still merges by itself past 64
    segments of one size, so a stopped merger only makes searches slower), and
    this thread does the merging in steps of ``MERGE_STEP_PAGES`` pages (about
    3 ms each), each in its own short writing transaction.
    """

    def __init__(self, writing: Callable[[], AbstractContextManager[Connection]]) -> None:
        self._writing = writing
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="search-merge", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stopped.wait(MERGE_INTERVAL_S):
            try:
                self.merge()
            except OperationalError:
                logger.debug("no search index to merge yet (database not migrated)")
            except Exception:
                logger.exception("merging the search index failed; it is tried again shortly")

    def merge(self) -> int:
        """Merge until nothing is left to merge (or for ``MAX_MERGE_STEPS``); the steps taken."""
        for step in range(MAX_MERGE_STEPS):
            if self._stopped.is_set():
                return step
            with self._writing() as tx:
                if not merge_step(tx):
                    return step
        return MAX_MERGE_STEPS


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
    statement = _CANDIDATES.where(
        Memo.channel_id == channel_id, Memo.deleted_at.is_(None), _matching(tx, tokens)
    )
    statement = _filtered(statement, session_ids, author_ids, since, until)
    return [Candidate(*row) for row in tx.execute(statement)]


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
