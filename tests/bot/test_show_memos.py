"""`/memo show #4 #5`: memos by the ids the bot prints, in this channel only."""

from __future__ import annotations

import re

import pytest

from bot.commands.standard import parse
from bot.commands.text import MAX_SHOWN_MEMOS, Rejected
from bot.memo_lookup import ShowMemos
from bot.replies.values import MemosShown, ProblemCode, Visibility
from bot.sessions import SessionId, ShowSession, show_from_option
from tests.chat import Chat

ENVOY = "Envoy 게이트웨이"
KAFKA = "Kafka 없이 이벤트 소싱"


@pytest.mark.parametrize(
    ("typed", "numbers"),
    [("#4", (4,)), ("4", (4,)), ("#4 #5", (4, 5)), ("#4, #5, #6", (4, 5, 6)), ("5 5 #4", (5, 4))],
)
def test_ids_alone_are_memos(typed: str, numbers: tuple[int, ...]) -> None:
    assert parse(f"show {typed}") == ShowMemos(numbers)


@pytest.mark.parametrize(
    ("typed", "title"),
    [
        ("[4]", "4"),
        ("[#4 #5]", "#4 #5"),
        ("Kotlin, Swift", "Kotlin, Swift"),
        ("#4 Kotlin", "#4 Kotlin"),
    ],
)
def test_anything_else_is_a_session_title(typed: str, title: str) -> None:
    assert parse(f"show {typed}") == ShowSession(title)


def test_a_session_option_takes_ids_too() -> None:
    """Discord's session option: ids typed there are memos; a picked session stays one."""
    assert show_from_option("#4 #5") == ShowMemos((4, 5))
    assert show_from_option(ENVOY) == ShowSession(ENVOY)
    assert show_from_option(SessionId(4)) == ShowSession(SessionId(4))
    assert show_from_option(None) == ShowSession(None)


def test_too_many_ids_are_refused_with_the_limit() -> None:
    refused = parse("show " + " ".join(f"#{n}" for n in range(1, MAX_SHOWN_MEMOS + 2)))
    assert isinstance(refused, Rejected) and refused.code is ProblemCode.BAD_ARGUMENTS
    assert f"at most {MAX_SHOWN_MEMOS}" in refused.message


def test_show_ids_lists_those_memos_under_their_sessions_privately(chat: Chat) -> None:
    chat.say("alice", f"add [{ENVOY}] 라우트 3,400개를 xDS로 무중단 이관")
    chat.say("bob", f"add [{KAFKA}] Outbox 테이블 + CDC")
    chat.say("bob", f"add [{ENVOY}] p99 210ms → 45ms")

    reply = chat.say("carol", "show #3 #1")

    assert reply.visibility is Visibility.PRIVATE
    assert isinstance(reply.data, MemosShown)
    assert [memo.number for memo in reply.data.memos] == [3, 1], "in the order asked"
    assert reply.markdown.splitlines() == [
        f"**[{ENVOY}]** · Thu 2025-09-25",
        "- **#3** bob, 01:00: p99 210ms → 45ms",
        "- **#1** alice, 01:00: 라우트 3,400개를 xDS로 무중단 이관",
    ]
    assert "Outbox" not in reply.markdown
    assert chat.say("carol", "show 2").markdown.splitlines()[1].startswith("- **#2** bob")


def test_a_deleted_memo_and_an_unknown_id_get_a_line_and_show_nothing(chat: Chat) -> None:
    chat.say("alice", f"add [{ENVOY}] 지울 메모")
    chat.say("alice", f"add [{ENVOY}] 남길 메모")
    chat.say("alice", "delete 1")

    reply = chat.say("bob", "show #1 #2 #9")

    assert isinstance(reply.data, MemosShown)
    assert (reply.data.deleted, reply.data.missing) == ((1,), (9,))
    assert "지울 메모" not in reply.markdown and "남길 메모" in reply.markdown
    assert "_#1 is deleted._" in reply.markdown
    assert "_There is no memo #9 in this channel._" in reply.markdown


def test_another_channels_memo_is_never_shown(chat: Chat) -> None:
    """Ids are per channel: #2 of another channel (or workspace) is not this channel's #2."""
    chat.say("alice", f"add [{ENVOY}] 이 채널의 메모")
    chat.elsewhere(channel="C2").say("mallory", f"add [{ENVOY}] 다른 채널 1")
    chat.elsewhere(channel="C2").say("mallory", f"add [{ENVOY}] 다른 채널의 비밀")
    chat.elsewhere(workspace="T2").say("mallory", f"add [{ENVOY}] 다른 워크스페이스")

    reply = chat.say("bob", "show #1 #2")

    assert "비밀" not in reply.markdown and "mallory" not in reply.markdown
    assert "다른" not in reply.markdown
    assert "_There is no memo #2 in this channel._" in reply.markdown
    unknown_channel = chat.elsewhere(channel="C-new").say("bob", "show #1")
    assert unknown_channel.markdown == "_There is no memo #1 in this channel._"


def test_memo_text_shows_as_typed_and_pings_no_one(chat: Chat) -> None:
    chat.say("alice", f"add [{ENVOY}] <!everyone> **굵게** [click](https://evil.example)")
    markdown = chat.say("bob", "show #1").markdown
    assert r"\<!everyone> \*\*굵게\*\* [click\](https://evil.example)" in markdown


def test_the_digest_footer_shows_every_memo_of_the_session(chat: Chat) -> None:
    """The footer's command, typed as printed, shows all of the day's memos of that session."""
    for number in range(1, 8):
        chat.say("alice", f"add [{ENVOY}] 메모 {number}번")
    chat.say("alice", "language en")  # Korean notes: an auto channel's digest is Korean
    markdown = chat.say("alice", "digest now").markdown
    [command] = re.findall(r"_All of them: `/memo (show [^`]*)`_", markdown)

    shown = chat.say("bob", command).data

    assert isinstance(shown, MemosShown)
    assert [memo.number for memo in shown.memos] == list(range(1, 8))
