"""The search index under many small writes: merging its segments (SQLite's background
merger) never changes what a search finds."""

from __future__ import annotations

from bot.reply import SearchResults
from storage.database import Database
from storage.search import IndexMerger
from tests.chat import Chat


def _found(chat: Chat, query: str) -> tuple[int, list[str]]:
    reply = chat.say("reader", f"search {query}")
    assert isinstance(reply.data, SearchResults), reply.markdown
    return reply.data.total, [hit.snippet for hit in reply.data.hits]


def test_merging_the_index_keeps_every_memo_findable(chat: Chat, database: Database) -> None:
    for index in range(90):  # one transaction, so one FTS5 segment, each
        chat.say(
            "alice", f"add [Redis 캐시 설계] 캐시 메모 {index} {'짝수' if index % 2 else '홀수'}"
        )
    chat.say("alice", "delete 3")
    chat.say("alice", "edit 4 버퍼로 바뀐 메모")
    before = {query: _found(chat, query) for query in ("캐시", "짝수", "홀수", "버퍼")}

    if database.dialect == "sqlite":
        merger = IndexMerger(database.writing)
        merger.merge()
        merger.stop()

    assert {query: _found(chat, query) for query in before} == before
    assert before["캐시"][0] == 88 and before["버퍼"][0] == 1
