"""A person's home: their own recent memos and sessions, never other people's channels."""

from __future__ import annotations

from bot.replies.values import HomeShown, Visibility
from tests.chat import Chat


def _home(chat: Chat, user: str) -> HomeShown:
    reply = chat.bot.home(chat.invocation(user, ""))
    assert reply.visibility is Visibility.PRIVATE
    assert isinstance(reply.data, HomeShown), reply.markdown
    return reply.data


def test_home_lists_my_recent_memos_and_sessions_across_my_channels(chat: Chat) -> None:
    other = chat.elsewhere(channel="C2")
    chat.say("alice", "add [Envoy 게이트웨이] 첫 메모")
    other.say("alice", "add [Postgres 파티셔닝] 다른 채널 메모")
    chat.say("alice", "attend [Keynote]")

    home = _home(chat, "alice")
    assert [(m.channel_id, m.memo.text) for m in home.memos] == [
        ("C2", "다른 채널 메모"),
        ("C1", "첫 메모"),
    ]
    assert [(s.channel_id, s.session.title) for s in home.sessions] == [
        ("C1", "Keynote"),
        ("C2", "Postgres 파티셔닝"),
        ("C1", "Envoy 게이트웨이"),
    ]
    markdown = chat.bot.home(chat.invocation("alice", "")).markdown
    assert "첫 메모" in markdown and "[Keynote]" in markdown


def test_home_shows_nothing_of_other_people_or_workspaces(chat: Chat) -> None:
    chat.say("bob", "add [Bob's private talk] 밥의 메모")
    chat.elsewhere(workspace="T2").say("alice", "add [Other workspace] 다른 워크스페이스")
    chat.say("alice", "add [Mine] 내 메모")
    chat.say("alice", "delete 2")

    home = _home(chat, "alice")
    assert home.memos == ()
    assert [s.session.title for s in home.sessions] == ["Mine"]
    assert "Bob" not in chat.bot.home(chat.invocation("alice", "")).markdown


def test_a_newcomer_gets_an_empty_home_with_a_hint(chat: Chat) -> None:
    reply = chat.bot.home(chat.invocation("newcomer", ""))
    assert reply.data == HomeShown((), ())
    assert "/memo add" in reply.markdown
