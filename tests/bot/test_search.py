"""/memo search through the core, on both databases: Korean, English, symbols, filters,
ranking, snippets, the index kept in step with edits, and nothing from elsewhere."""

from __future__ import annotations

import json
import re

import pytest
from markdown_it import MarkdownIt

from bench.blog_notes import SAMPLES, read_sessions
from bot.replies.values import ProblemCode, Reply, SearchResults, Visibility
from bot.search import SearchMemos
from tests.chat import Chat

CACHE_TALK = "대규모 결제 트래픽에서 살아남는 Redis 캐시 설계"
VOICE_TALK = "음성인식 모델 경량화와 온디바이스 배포"
KOTLIN_TALK = "Kotlin 코루틴으로 배치 서버 다시 쓰기"
COMMONMARK = MarkdownIt("commonmark")


def _results(reply: Reply) -> SearchResults:
    assert isinstance(reply.data, SearchResults), reply.markdown
    assert reply.visibility is Visibility.PRIVATE
    return reply.data


def _found(chat: Chat, query: str) -> list[str]:
    """The snippets of the hits, best first, as the person sees them (without emphasis)."""
    return [hit.snippet for hit in _results(chat.say("reader", f"search {query}")).hits]


def _problem(reply: Reply) -> ProblemCode:
    assert not reply.ok, reply.markdown
    return reply.data.code  # type: ignore[union-attr]


def test_every_sample_query_finds_every_session_that_mentions_it(chat: Chat) -> None:
    """queries.json over blog-notes.txt: recall 1.0, and nothing for a word no note has."""
    for session in read_sessions():
        for line in session.lines:
            assert chat.say("alice", f"add [{session.title}] {line}").ok
    queries = json.loads((SAMPLES / "queries.json").read_text(encoding="utf-8"))["queries"]
    for query in queries:
        everywhere = _results(chat.say("reader", f"search {query['q']}"))
        if not query["must_hit"]:
            assert everywhere.total == 0, query
        for title in query["must_hit"]:
            inside = _results(chat.say("reader", f'search {query["q"]} in:"{title}"'))
            assert inside.total >= 1, (query["q"], title)


def test_korean_words_are_found_inside_longer_words_and_compounds(chat: Chat) -> None:
    chat.say("alice", f"add [{CACHE_TALK}] 캐시를 두 단계로 나눔")
    chat.say("alice", f"add [{CACHE_TALK}] 장애 대응 훈련은 분기마다")
    chat.say("alice", f"add [{VOICE_TALK}] 얼굴인식으로 잠금 해제")
    chat.say("alice", f"add [{VOICE_TALK}] 작업 큐를 DB 테이블로")

    assert _found(chat, "캐시") == ["캐시를 두 단계로 나눔"]
    assert _found(chat, "인식") == ["얼굴인식으로 잠금 해제"]
    assert _found(chat, "장애대응") == ["장애 대응 훈련은 분기마다"]
    assert _found(chat, "큐") == ["작업 큐를 DB 테이블로"]
    assert _found(chat, "단계") == ["캐시를 두 단계로 나눔"]
    assert _found(chat, "캐시단계") == [], "syllables must be next to each other"


def test_english_is_found_in_any_case_and_mixed_queries_need_every_word(chat: Chat) -> None:
    chat.say("alice", f"add [{CACHE_TALK}] Redis를 죽이는 훈련")
    chat.say("alice", f"add [{CACHE_TALK}] redisson 은 안 씀")
    chat.say("alice", f"add [{CACHE_TALK}] 훈련 일정은 분기마다")

    assert _found(chat, "REDIS") == ["Redis를 죽이는 훈련"], "whole words: not redisson"
    assert _found(chat, "redis 훈련") == ["Redis를 죽이는 훈련"]
    assert sorted(_found(chat, "훈련")) == ["Redis를 죽이는 훈련", "훈련 일정은 분기마다"]


def test_terms_with_symbols_match_exactly(chat: Chat) -> None:
    for text in (
        "CPU 는 AVX-512 지원 필수",
        "AVX2 만 씀",
        "C++ 로 직접 작성",
        "C# 은 안 씀",
        "1:N fan-out",
        "세종 <-> 김해 RTT 6ms",
        "서울 -> 부산",
    ):
        chat.say("alice", f"add [{CACHE_TALK}] {text}")

    assert _found(chat, "AVX-512") == ["CPU 는 AVX-512 지원 필수"]
    assert _found(chat, "c++") == ["C++ 로 직접 작성"]
    assert _found(chat, "1:n") == ["1:N fan-out"]
    assert _found(chat, "<->") == ["세종 <-> 김해 RTT 6ms"]


def test_a_quoted_phrase_must_appear_as_written(chat: Chat) -> None:
    chat.say("alice", f'add [{CACHE_TALK}] 발표자 모토 "측정 없이는 최적화도 없다"')
    chat.say("alice", f"add [{CACHE_TALK}] 최적화도 중요하지만 측정 없이는 곤란")

    assert _found(chat, '"측정 없이는 최적화도 없다"') == [
        '발표자 모토 "측정 없이는 최적화도 없다"'
    ]
    assert len(_found(chat, "측정 최적화도")) == 2, "unquoted words may be anywhere"


@pytest.mark.parametrize(
    "query",
    [
        '" OR 1=1 --',
        "캐시 OR *",
        "NEAR(캐시 단계)",
        "캐시*",
        "-캐시",
        "^캐시",
        "words:캐시",
        "%",
        "_",
        "a%b_c",
        "'; DROP TABLE memos; --",
        "(",
        "\\",
        '"',
        "[a-z]+",
        ".*",
    ],
)
def test_query_language_in_a_query_is_plain_text(chat: Chat, query: str) -> None:
    chat.say("alice", f"add [{CACHE_TALK}] 캐시를 두 단계로")
    chat.say("alice", f"add [{CACHE_TALK}] 적중률 100% 달성")
    chat.say("alice", f"add [{CACHE_TALK}] snake_case 이름")

    reply = chat.say("reader", f"search {query}")

    assert reply.ok or _problem(reply) is ProblemCode.EMPTY_QUERY, reply.markdown
    if reply.ok:
        # A hit must really contain the characters typed (in order, ignoring case).
        literal = query.strip('"').casefold()
        for hit in _results(reply).hits:
            assert all(part in hit.snippet.casefold() for part in literal.split()), (query, hit)
    assert len(_found(chat, "캐시")) == 1, "and the data is untouched"


def test_percent_and_underscore_find_only_themselves(chat: Chat) -> None:
    chat.say("alice", f"add [{CACHE_TALK}] 적중률 100% 달성")
    chat.say("alice", f"add [{CACHE_TALK}] snake_case 이름")
    chat.say("alice", f"add [{CACHE_TALK}] 평범한 메모")

    assert _found(chat, "%") == ["적중률 100% 달성"]
    assert _found(chat, "_") == ["snake_case 이름"]


def test_filters_narrow_by_session_author_and_day(chat: Chat) -> None:
    chat.say("alice", f"add [{CACHE_TALK}] 캐시 앨리스 첫날")
    chat.say("bob", f"add [{VOICE_TALK}] 캐시 밥 첫날")
    chat.wait(days=1)
    chat.say("bob", f"add [{CACHE_TALK}] 캐시 밥 둘째날")

    assert sorted(_found(chat, f'캐시 in:"{CACHE_TALK}"')) == ["캐시 밥 둘째날", "캐시 앨리스 첫날"]
    assert sorted(_found(chat, "캐시 in:[음성인식 모델 경량화와 온디바이스 배포]")) == [
        "캐시 밥 첫날"
    ]
    assert sorted(_found(chat, "캐시 by:@BOB")) == ["캐시 밥 둘째날", "캐시 밥 첫날"]
    assert _found(chat, "캐시 by:<@U-alice|alice>") == ["캐시 앨리스 첫날"]
    assert _found(chat, "캐시 day:2025-09-26 by:bob") == ["캐시 밥 둘째날"]
    assert _found(chat, "캐시 day:2025-09-27") == []


def test_filters_that_name_nothing_here_say_so(chat: Chat) -> None:
    chat.say("alice", f"add [{CACHE_TALK}] 캐시")

    assert _problem(chat.say("reader", 'search 캐시 in:"없는 세션"')) is ProblemCode.NO_SUCH_SESSION
    assert _problem(chat.say("reader", "search 캐시 by:@nobody")) is ProblemCode.NO_SUCH_PERSON
    assert _problem(chat.say("reader", "search 캐시 day:2025-13-01")) is ProblemCode.BAD_DATE
    assert _problem(chat.say("reader", "search by:@alice")) is ProblemCode.EMPTY_QUERY
    assert _problem(chat.say("reader", "search " + "캐" * 201)) is ProblemCode.QUERY_TOO_LONG


def test_more_mentions_rank_first_then_the_newest(chat: Chat) -> None:
    chat.say("alice", f"add [{CACHE_TALK}] 캐시 하나 오래된 것")
    chat.say("alice", f"add [{CACHE_TALK}] 캐시 캐시 캐시 세 번")
    chat.say("alice", f"add [{CACHE_TALK}] 캐시 하나 새것")

    assert _found(chat, "캐시") == ["캐시 캐시 캐시 세 번", "캐시 하나 새것", "캐시 하나 오래된 것"]


def test_a_session_whose_title_matches_is_a_hit(chat: Chat) -> None:
    chat.say("alice", f"add [{CACHE_TALK}] TTL 은 30초")
    chat.say("alice", "add [Kafka 없이 만든 이벤트 파이프라인] outbox 테이블")

    results = _results(chat.say("reader", "search redis"))

    assert [hit.session_title for hit in results.hits] == [CACHE_TALK]
    assert results.hits[0].snippet == "TTL 은 30초"


def test_each_hit_is_a_list_item_with_title_author_day_and_emphasised_match(chat: Chat) -> None:
    chat.say(
        "alice", f"add [{CACHE_TALK}] [docs](https://evil.example) **캐시**를 <@here> 두 단계로"
    )

    reply = chat.say("reader", "search 캐시")

    lines = reply.markdown.splitlines()
    assert lines[1].startswith(f"- [{CACHE_TALK}] · alice · Thu 2025-09-25 · #1: ")
    html = COMMONMARK.render(reply.markdown)
    assert "<strong>캐시</strong>" in html
    assert "<a " not in html, "no link can be made from a memo"
    assert "**<strong>캐시</strong>**" in html, "the memo's own asterisks stay text"
    assert "&lt;@here&gt;" in html


def test_a_long_memo_shows_the_part_around_the_match(chat: Chat) -> None:
    chat.say("alice", f"add [{CACHE_TALK}] " + "앞부분 " * 40 + "캐시를 여기서 " + "뒷부분 " * 40)

    (snippet,) = _found(chat, "캐시")

    assert snippet.startswith("…") and snippet.endswith("…")
    assert "캐시를 여기서" in snippet and len(snippet) <= 130


def test_at_most_ten_hits_then_how_many_more(chat: Chat) -> None:
    for index in range(13):
        chat.say("alice", f"add [{CACHE_TALK}] 캐시 메모 {index}")

    reply = chat.say("reader", "search 캐시")

    assert sum(line.startswith("- ") for line in reply.markdown.splitlines()) == 10
    assert _results(reply).total == 13
    assert "3 more" in reply.markdown.splitlines()[-1]


def test_edit_delete_and_undo_keep_search_in_step(chat: Chat) -> None:
    chat.say("alice", f"add [{KOTLIN_TALK}] 캐시를 두 단계로")
    assert _found(chat, "캐시") == ["캐시를 두 단계로"]

    chat.say("alice", "edit 1 버퍼를 두 단계로")
    assert _found(chat, "캐시") == []
    assert _found(chat, "버퍼") == ["버퍼를 두 단계로"]

    chat.say("alice", "delete 1")
    assert _found(chat, "버퍼") == []

    chat.say("alice", "undo")
    assert _found(chat, "버퍼") == ["버퍼를 두 단계로"]

    chat.say("alice", "edit 1 캐시 다시")
    assert _found(chat, "버퍼") == []
    assert _found(chat, "캐시") == ["캐시 다시"]


@pytest.mark.parametrize(
    "where",
    [{"workspace": "T2"}, {"platform": "discord"}, {"channel": "C2"}],
    ids=["other workspace", "other platform", "other channel"],
)
def test_no_hit_ever_comes_from_another_channel(chat: Chat, where: dict[str, str]) -> None:
    other = chat.elsewhere(**where)
    chat.say("alice", f"add [{CACHE_TALK}] 캐시 비밀 secret-one")
    other.say("alice", f"add [{CACHE_TALK}] 다른 곳의 메모")

    for query in ("캐시", "비밀", "secret-one", "redis", f'"{CACHE_TALK}"'):
        hits = _results(other.say("alice", f"search {query}")).hits
        assert all(hit.snippet == "다른 곳의 메모" for hit in hits), query


def test_typed_options_run_the_same_search(chat: Chat) -> None:
    chat.say("alice", f"add [{CACHE_TALK}] 캐시를 두 단계로")

    reply = chat.run("reader", SearchMemos(query="캐시", session=CACHE_TALK))

    assert [hit.snippet for hit in _results(reply).hits] == ["캐시를 두 단계로"]
    assert re.search(r"\*\*1 memo match\*\*", reply.markdown)
