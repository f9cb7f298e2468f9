"""SQLite's search index behind the scenes: new memos are indexed in the background and
segments merged there; neither ever changes what a search finds."""

from __future__ import annotations

from bot.replies.values import SearchResults
from storage.database import Database
from storage.search import indexed_through
from storage.search_upkeep import SearchUpkeep
from tests.chat import Chat


def _found(chat: Chat, query: str) -> tuple[int, list[str]]:
    reply = chat.say("reader", f"search {query}")
    assert isinstance(reply.data, SearchResults), reply.markdown
    return reply.data.total, [hit.snippet for hit in reply.data.hits]


def _upkeep(database: Database) -> None:
    """Index what is pending and merge, as the background thread does every second."""
    if database.dialect == "sqlite":
        upkeep = SearchUpkeep(database.write, database.reading)
        upkeep.run_once()
        upkeep.stop()


def test_indexing_and_merging_keep_every_memo_findable(chat: Chat, database: Database) -> None:
    queries = ("캐시", "짝수", "홀수", "버퍼", "복원")
    for index in range(50):
        chat.say(
            "alice", f"add [Redis 캐시 설계] 캐시 메모 {index} {'짝수' if index % 2 else '홀수'}"
        )
    chat.say("alice", "delete 3")  # deleted while pending
    chat.say("alice", "edit 4 버퍼로 바뀐 메모")  # edited while pending
    pending = {query: _found(chat, query) for query in queries}

    _upkeep(database)
    for index in range(40):  # one transaction, so one FTS5 segment, each
        chat.say("alice", f"add [Redis 캐시 설계] 캐시 나중 메모 {index}")
    _upkeep(database)
    assert {query: _found(chat, query)[0] for query in queries} == {
        "캐시": 88,
        "짝수": 24,
        "홀수": 24,
        "버퍼": 1,
        "복원": 0,
    }
    assert pending["캐시"][0] == 48 and pending["버퍼"][0] == 1

    chat.say("alice", "undo")  # memo 3 back, now that the index covers it
    chat.say("alice", "edit 5 복원 뒤 고친 메모")
    chat.say("alice", "delete 6")
    _upkeep(database)
    assert _found(chat, "복원") == (1, ["복원 뒤 고친 메모"])
    assert _found(chat, "캐시")[0] == 88 + 1 - 1 - 1  # undo, edit, delete


def test_the_index_catches_up_with_memos_added_before(chat: Chat, database: Database) -> None:
    if database.dialect != "sqlite":
        return  # PostgreSQL indexes each memo as it is added
    for index in range(70):
        chat.say("alice", f"add [Redis 캐시 설계] 메모 {index}")
    with database.reading() as tx:
        assert indexed_through(tx) == 0, "adds leave indexing to the upkeep"

    _upkeep(database)

    with database.reading() as tx:
        assert indexed_through(tx) == 70
    assert _found(chat, "메모")[0] == 70
