"""Imported note posts and the link from each imported memo to the block it came from.

The importer writes memos through ``storage.memos`` (so the search index stays
in step); what it keeps here is only what makes a second import of the same
file change nothing: the post's own lines and, per memo, which block of the
file it is and the text the file had.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, bindparam, insert, select, update

from storage.models import ImportedMemo, Memo, NotePost, table_of
from storage.upsert import insert_or_ignore

_POST_ID = select(NotePost.id).where(
    NotePost.conference_id == bindparam("conference_id"), NotePost.day == bindparam("day")
)
_SET_POST = (
    update(NotePost)
    .where(NotePost.id == bindparam("post_id"))
    .values(title=bindparam("title"), notes=bindparam("notes"), updated_at=bindparam("now"))
)
_LINKS = (
    select(
        ImportedMemo.memo_id,
        ImportedMemo.session_id,
        ImportedMemo.author_id,
        ImportedMemo.ordinal,
        ImportedMemo.source_text,
        ImportedMemo.removed,
        Memo.number,
        Memo.deleted_at,
    )
    .join(Memo, Memo.id == ImportedMemo.memo_id)
    .where(ImportedMemo.post_id == bindparam("post_id"))
)
_INSERT_LINK = insert(ImportedMemo)
_SET_LINK = (
    update(ImportedMemo)
    .where(ImportedMemo.memo_id == bindparam("link_memo_id"))
    .values(source_text=bindparam("source_text"), removed=bindparam("removed"))
)

#: A block of a post: (session id, author id, ordinal of that author's blocks in the session).
BlockKey = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class ImportedLink:
    """What an earlier import stored for one block, and its memo's state now."""

    memo_id: int
    number: int
    source_text: str
    removed: bool
    deleted: bool


def ensure_post(
    tx: Connection,
    *,
    channel_id: int,
    conference_id: int,
    day: date,
    title: str,
    notes: str,
    importer_id: int,
    now: datetime,
) -> int:
    """The post of this conference and day, created, or updated to the file's title and notes."""
    created = insert_or_ignore(
        tx,
        table_of(NotePost),
        {
            "channel_id": channel_id,
            "conference_id": conference_id,
            "day": day,
            "title": title,
            "notes": notes,
            "imported_by_id": importer_id,
            "imported_at": now,
            "updated_at": now,
        },
        ("conference_id", "day"),
    )
    post_id = tx.execute(_POST_ID, {"conference_id": conference_id, "day": day}).scalar_one()
    assert isinstance(post_id, int)
    if not created:
        tx.execute(_SET_POST, {"post_id": post_id, "title": title, "notes": notes, "now": now})
    return post_id


def links(tx: Connection, post_id: int) -> dict[BlockKey, ImportedLink]:
    """Every block an earlier import of this post stored, by its key."""
    return {
        (row.session_id, row.author_id, row.ordinal): ImportedLink(
            memo_id=row.memo_id,
            number=row.number,
            source_text=row.source_text,
            removed=row.removed,
            deleted=row.deleted_at is not None,
        )
        for row in tx.execute(_LINKS, {"post_id": post_id})
    }


def add_links(tx: Connection, post_id: int, new: list[tuple[BlockKey, int, str]]) -> None:
    """Link new memos to their blocks: (key, memo id, the file's text) each."""
    if new:
        tx.execute(
            _INSERT_LINK,
            [
                {
                    "memo_id": memo_id,
                    "post_id": post_id,
                    "session_id": key[0],
                    "author_id": key[1],
                    "ordinal": key[2],
                    "source_text": text,
                    "removed": False,
                }
                for key, memo_id, text in new
            ],
        )


def set_link(tx: Connection, memo_id: int, source_text: str, *, removed: bool) -> None:
    tx.execute(_SET_LINK, {"link_memo_id": memo_id, "source_text": source_text, "removed": removed})
