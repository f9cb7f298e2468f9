"""Imported note posts and the link from each imported memo to the block it came from.

The importer writes memos through ``storage.memos`` (so the search index stays
in step); what it keeps here is only what makes a second import of the same
file change nothing: the post's own lines and, per memo, which block of the
file it is and the text the file had. Posts are per importer, so the links a
re-import reads are the memos that importer's own imports created.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, bindparam, insert, or_, select, update

from storage.models import ImportedMemo, Memo, NotePost, table_of
from storage.upsert import insert_or_ignore

_POST_ID = select(NotePost.id).where(
    NotePost.conference_id == bindparam("conference_id"),
    NotePost.day == bindparam("day"),
    NotePost.imported_by_id == bindparam("importer_id"),
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
_NOTES_FROM_ELSEWHERE = (
    select(Memo.session_id, Memo.author_id, Memo.text)
    .outerjoin(ImportedMemo, ImportedMemo.memo_id == Memo.id)
    .where(
        Memo.session_id.in_(bindparam("session_ids", expanding=True)),
        Memo.deleted_at.is_(None),
        or_(ImportedMemo.post_id.is_(None), ImportedMemo.post_id != bindparam("post_id")),
    )
    .order_by(Memo.created_at, Memo.number)
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
    """The importer's post of this conference and day, created, or updated to the file's
    title and notes. Another importer's post of the same day is a row of its own."""
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
        ("conference_id", "day", "imported_by_id"),
    )
    post_id = tx.execute(
        _POST_ID, {"conference_id": conference_id, "day": day, "importer_id": importer_id}
    ).scalar_one()
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


def texts_from_elsewhere(
    tx: Connection, post_id: int, session_ids: list[int]
) -> dict[int, set[str]]:
    """Session id -> what its live memos that the post's imports did not create (chat
    memos, other importers' memos) hold: each memo's text, and each person's such memos
    joined line by line (oldest first), the way an export writes them."""
    texts: dict[int, set[str]] = {}
    joined: dict[tuple[int, int], list[str]] = {}
    for row in tx.execute(_NOTES_FROM_ELSEWHERE, {"post_id": post_id, "session_ids": session_ids}):
        texts.setdefault(row.session_id, set()).add(row.text)
        joined.setdefault((row.session_id, row.author_id), []).append(row.text)
    for (session_id, _), person_texts in joined.items():
        texts[session_id].add("\n".join(person_texts))
    return texts


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
