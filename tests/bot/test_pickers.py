"""Session pickers: type-ahead suggestions, and commands that carry a picked session id."""

from __future__ import annotations

from bot.core import MemoBot
from bot.memos import AddMemo
from bot.replies.values import MemoSaved, ProblemCode, SessionChoice, SessionMemos
from bot.sessions import Attend, SessionId, ShowSession
from tests.chat import Chat

TITLES = [
    "Envoy로 갈아탄 사내 API 게이트웨이",
    "Postgres 파티셔닝 실전: 30억 row 테이블",
    "프론트엔드 번들 크기 절반으로 줄이기",
    "LLM 에이전트 평가 자동화",
]


def _suggest(chat: Chat, typed: str, limit: int = 25) -> list[str]:
    return [choice.title for choice in _choices(chat, typed, limit)]


def _choices(chat: Chat, typed: str, limit: int = 25) -> tuple[SessionChoice, ...]:
    return chat.bot.suggest_sessions(chat.invocation("reader", typed), limit)


def _seed(chat: Chat) -> None:
    for title in TITLES:
        chat.say("alice", f"add [{title}] 메모")
        chat.wait(minutes=40)


def test_an_empty_query_lists_the_newest_sessions_first(chat: Chat) -> None:
    _seed(chat)
    assert _suggest(chat, "") == list(reversed(TITLES))
    assert _suggest(chat, "", limit=2) == list(reversed(TITLES))[:2]


def test_typed_text_ranks_prefixes_then_contained_words_then_typos(chat: Chat) -> None:
    _seed(chat)
    assert _suggest(chat, "postgres")[0] == TITLES[1]
    assert _suggest(chat, "파티셔닝") == [TITLES[1]]
    assert _suggest(chat, "번들크기") == [TITLES[2]]
    assert _suggest(chat, "에이전트 평가 자돟화")[0] == TITLES[3]
    assert _suggest(chat, "블록체인") == []


def test_suggestions_come_only_from_this_channel(chat: Chat) -> None:
    _seed(chat)
    assert _suggest(chat.elsewhere(channel="C2"), "") == []
    assert _suggest(chat.elsewhere(workspace="T2"), "Envoy") == []


def test_a_picked_session_receives_the_memo(chat: Chat) -> None:
    _seed(chat)
    picked = _choices(chat, "postgres")[0]
    reply = chat.run("bob", AddMemo(session=SessionId(picked.id), text="월 단위 range 파티션"))
    assert isinstance(reply.data, MemoSaved), reply.markdown
    assert reply.data.session.title == TITLES[1]

    assert chat.run("bob", Attend(SessionId(picked.id))).ok
    shown = chat.run("bob", ShowSession(SessionId(picked.id))).data
    assert isinstance(shown, SessionMemos)
    assert [m.text for m in shown.memos] == ["메모", "월 단위 range 파티션"]
    assert shown.session.attendees == ("alice", "bob")


def test_a_session_id_from_another_channel_is_refused(bot: MemoBot) -> None:
    here, there = Chat(bot), Chat(bot, workspace="T2")
    there.say("mallory", "add [Secret roadmap] 비밀")
    foreign = _choices(there, "")[0]

    for command in (
        AddMemo(session=SessionId(foreign.id), text="끼어들기"),
        Attend(SessionId(foreign.id)),
        ShowSession(SessionId(foreign.id)),
    ):
        reply = here.run("alice", command)
        assert reply.data.code is ProblemCode.NO_SUCH_SESSION, command  # type: ignore[union-attr]
        assert "Secret roadmap" not in reply.markdown
    shown = there.say("mallory", "show [Secret roadmap]").data
    assert [m.text for m in shown.memos] == ["비밀"]  # type: ignore[union-attr]
