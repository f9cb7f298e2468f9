"""/memo summary with a model behind an OpenAI-compatible endpoint (a loopback fake of it)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.core import MemoBot
from bot.memos import AddMemo
from bot.replies.values import SessionSummary
from bot.summary.choosing import RETRY_LLM_AFTER_SECONDS, Summaries
from bot.summary.commands import Summarize
from bot.summary.llm import LlmConfig
from storage.database import Database
from tests.chat import Chat
from tests.fakes.openai import API_KEY, MODEL, FakeOpenAI

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
NOTES = [
    ("alice", "기존 Nginx + Lua 게이트웨이, 라우트 3,400개"),
    ("bob", "> p99 latency 210ms → 45ms"),
    ("jiho", "p99  210 ms → 45 ms"),
    ("alice", "설정은 xDS 로 동적 배포, 재시작 없음"),
]
#: Seconds the bot waits for the model in these tests before falling back.
TIMEOUT = 0.5


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def llm_chat(
    database: Database,
    fake_openai: FakeOpenAI,
    clock: Clock,
) -> Iterator[Chat]:
    config = LlmConfig(fake_openai.base_url, MODEL, API_KEY, TIMEOUT)
    bot = MemoBot(database, summaries=Summaries(config, clock))
    chat = Chat(bot)
    for user, text in NOTES:
        assert chat.say(user, f"add [{ENVOY}] {text}").ok
    yield chat
    bot.close()


def _summary(chat: Chat) -> SessionSummary:
    reply = chat.say("alice", f"summary [{ENVOY}]")
    assert isinstance(reply.data, SessionSummary), reply.markdown
    return reply.data


def test_the_models_points_are_shown_credited_to_the_memos_it_cites(
    llm_chat: Chat,
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.complete_with_points(
        ("p99 latency 210ms → 45ms", [2, 3]), ("라우트 3,400개를 xDS로 재시작 없이 관리", [1, 4])
    )
    reply = llm_chat.say("alice", f"summary [{ENVOY}]")

    assert reply.markdown.splitlines() == [
        f"**[{ENVOY}]**",
        "- p99 latency 210ms → 45ms · bob, jiho",
        "- 라우트 3,400개를 xDS로 재시작 없이 관리 · alice",
        "Attended by alice, bob, jiho · 4 memos",
    ]
    assert isinstance(reply.data, SessionSummary) and reply.data.source == "llm"
    (request,) = fake_openai.calls
    assert request.body["model"] == MODEL
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert ENVOY in request.prompt
    assert "#2 bob: > p99 latency 210ms → 45ms" in request.prompt


def test_the_models_summary_is_cached_until_the_memos_change(
    llm_chat: Chat,
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.complete_with_points(("p99 latency 210ms → 45ms", [2, 3]))
    first = _summary(llm_chat)
    assert _summary(llm_chat) == first
    assert len(fake_openai.calls) == 1

    llm_chat.say("bob", f"add [{ENVOY}] 인증 필터는 Rust 로 짜서 Wasm")
    fake_openai.complete_with_points(("인증 필터는 Rust 로 짜서 Wasm", [5]))
    assert _summary(llm_chat).points[0].text == "인증 필터는 Rust 로 짜서 Wasm"
    assert len(fake_openai.calls) == 2


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, '{"error": "overloaded"}'),
        (401, '{"error": "bad key"}'),
        (200, "this is not json"),
        (200, '{"choices": []}'),
    ],
)
def test_a_failed_request_falls_back_to_the_local_summary(
    llm_chat: Chat,
    fake_openai: FakeOpenAI,
    status: int,
    body: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_openai.respond_with(status, body)
    _assert_local_summary(llm_chat, caplog)


@pytest.mark.parametrize(
    "content",
    [
        "Sure! Here are the key points: ...",
        '{"summary": "no points key"}',
        '{"points": []}',
        '{"points": [' + ",".join(['{"text": "p99", "memos": [2]}'] * 6) + "]}",
        '{"points": [{"text": "' + "가" * 161 + '", "memos": [2]}]}',
        '{"points": [{"text": "p99 210ms → 40ms", "memos": [2]}]}',  # a number rewritten
        '{"points": [{"text": "p99 latency", "memos": [99]}]}',  # there is no memo #99
        '{"points": [{"text": "p99 latency", "memos": []}]}',
        '{"points": [{"text": "p99\\nlatency", "memos": [2]}]}',
        '{"points": ["p99 latency"]}',
    ],
)
def test_an_unusable_answer_falls_back_to_the_local_summary(
    llm_chat: Chat,
    fake_openai: FakeOpenAI,
    content: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_openai.complete_with(content)
    _assert_local_summary(llm_chat, caplog)


def _assert_local_summary(chat: Chat, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        summary = _summary(chat)

    assert summary.source == "extractive"
    assert any("210ms → 45ms" in point.text for point in summary.points)
    assert "40ms" not in "".join(point.text for point in summary.points)
    assert "unusable" in caplog.text
    assert API_KEY not in caplog.text
    assert "3,400" not in caplog.text, "no memo text in the logs"


def test_a_model_that_does_not_answer_in_time_falls_back_and_is_retried_later(
    llm_chat: Chat,
    fake_openai: FakeOpenAI,
    clock: Clock,
) -> None:
    fake_openai.hang_next()
    summary = _summary(llm_chat)
    assert summary.source == "extractive"
    assert any("210ms → 45ms" in point.text for point in summary.points)

    assert _summary(llm_chat).source == "extractive"
    llm_chat.say("bob", f"add [{ENVOY}] 인증 필터는 Rust 로 짜서 Wasm")
    assert _summary(llm_chat).source == "extractive"
    assert len(fake_openai.calls) == 1, "a model that did not answer is left alone for a while"

    clock.now += RETRY_LLM_AFTER_SECONDS + 1
    fake_openai.complete_with_points(("p99 latency 210ms → 45ms", [2, 3]))
    assert _summary(llm_chat).source == "llm"
    assert len(fake_openai.calls) == 2


def test_an_unusable_answer_for_one_session_does_not_stop_the_model_for_others(
    llm_chat: Chat,
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.complete_with("not json")
    assert _summary(llm_chat).source == "extractive"

    llm_chat.say("alice", "add [Kafka 없이 만든 이벤트 파이프라인] 인프라 비용 월 $4,000 → $600")
    fake_openai.complete_with_points(("인프라 비용 월 $4,000 → $600", [5]))
    reply = llm_chat.say("alice", "summary [Kafka 없이 만든 이벤트 파이프라인]")
    assert isinstance(reply.data, SessionSummary) and reply.data.source == "llm"
    assert "- 인프라 비용 월 $4,000 → $600 · alice" in reply.markdown


def test_only_a_summary_with_a_model_may_be_slow(llm_chat: Chat, database: Database) -> None:
    assert llm_chat.bot.may_be_slow(Summarize(ENVOY))
    assert not llm_chat.bot.may_be_slow(AddMemo(ENVOY, "메모"))
    local = MemoBot(database)
    try:
        assert not local.may_be_slow(Summarize(ENVOY))
    finally:
        local.close()


def test_a_base_url_must_be_a_web_address() -> None:
    with pytest.raises(ValueError, match="http"):
        LlmConfig("file:///etc/passwd", MODEL)
