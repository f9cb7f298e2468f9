"""Nothing from one workspace or channel may appear in a reply in another.

These tests try to break that: same channel ids in other workspaces and on
other platforms, memo ids of other channels, near titles, recent sessions,
undo, and random command sequences across several channels.
"""

from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import MemoBot
from bot.replies.values import ProblemCode, SessionListing, SessionMemos
from tests.chat import Chat

TITLE = "Envoy로 갈아탄 사내 API 게이트웨이"


def _neighbours(chat: Chat) -> dict[str, Chat]:
    return {
        "other workspace, same channel id": chat.elsewhere(workspace="T2"),
        "other platform, same ids": chat.elsewhere(platform="discord"),
        "other channel, same workspace": chat.elsewhere(channel="C2"),
    }


NEIGHBOURS = [
    "other workspace, same channel id",
    "other platform, same ids",
    "other channel, same workspace",
]


@pytest.mark.parametrize("where", NEIGHBOURS)
def test_a_neighbour_sees_none_of_the_channels_memos(chat: Chat, where: str) -> None:
    other = _neighbours(chat)[where]
    chat.say("alice", f"add [{TITLE}] 비밀 메모 secret-one")
    chat.say("alice", f"attend [{TITLE}]")

    show = other.say("alice", f"show [{TITLE}]")
    assert show.data.code is ProblemCode.NO_SUCH_SESSION  # type: ignore[union-attr]
    for argument in ("", "all", "2025-09-25"):
        listing = other.say("alice", f"sessions {argument}")
        assert isinstance(listing.data, SessionListing) and listing.data.sessions == ()
    assert "secret-one" not in show.markdown


@pytest.mark.parametrize("where", NEIGHBOURS)
def test_the_same_title_elsewhere_is_a_separate_session(chat: Chat, where: str) -> None:
    other = _neighbours(chat)[where]
    chat.say("alice", f"add [{TITLE}] here-only")
    other.say("alice", f"add [{TITLE}] there-only")

    here = chat.say("alice", f"show [{TITLE}]").data
    there = other.say("alice", f"show [{TITLE}]").data
    assert isinstance(here, SessionMemos) and isinstance(there, SessionMemos)
    assert [m.text for m in here.memos] == ["here-only"]
    assert [m.text for m in there.memos] == ["there-only"]
    assert here.session.attendees == there.session.attendees == ("alice",)


def test_memo_ids_of_another_channel_cannot_be_probed_or_changed(chat: Chat) -> None:
    chat.say("alice", f"add [{TITLE}] 원본")
    other = chat.elsewhere(workspace="T2")
    other.say("mallory", "add [Decoy] 미끼")  # so #1 exists there too, owned by mallory

    other_channel = chat.elsewhere(channel="C9")
    unknown = other_channel.say("mallory", "delete 99")
    foreign = other_channel.say("mallory", "delete 1")
    assert foreign.markdown == unknown.markdown.replace("99", "1")
    assert other_channel.say("mallory", "edit 1 덮어쓰기").data.code is ProblemCode.NO_SUCH_MEMO  # type: ignore[union-attr]

    other.admins.add("mallory")
    assert other.say("mallory", "delete 1").ok  # deletes mallory's own workspace's #1 only
    assert [m.text for m in chat.say("alice", f"show [{TITLE}]").data.memos] == ["원본"]  # type: ignore[union-attr]


def test_undo_elsewhere_does_not_restore_this_channels_memo(chat: Chat) -> None:
    chat.say("alice", f"add [{TITLE}] 지운 메모")
    chat.say("alice", "delete 1")
    other = chat.elsewhere(channel="C2")
    assert other.say("alice", "undo").data.code is ProblemCode.NOTHING_TO_UNDO  # type: ignore[union-attr]
    assert chat.say("alice", f"show [{TITLE}]").data.memos == ()  # type: ignore[union-attr]


def test_recent_sessions_and_near_titles_do_not_cross_channels(chat: Chat) -> None:
    chat.say("alice", f"add [{TITLE}] 이 채널")
    other = chat.elsewhere(channel="C2")

    assert other.say("alice", "add 제목 없음").data.code is ProblemCode.NO_RECENT_SESSION  # type: ignore[union-attr]
    near = other.say("alice", "add [Envoy로 갈아탄 사내 API 게이트웨] 저 채널")
    assert near.data.typed_title is None  # type: ignore[union-attr]
    assert [m.text for m in chat.say("alice", f"show [{TITLE}]").data.memos] == ["이 채널"]  # type: ignore[union-attr]


def test_conference_settings_are_per_channel(chat: Chat) -> None:
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul")
    other = chat.elsewhere(channel="C2")
    assert "no conference" in other.say("alice", "conference").markdown


_COMMANDS = st.sampled_from(
    ["add", "add-untitled", "attend", "show", "sessions", "edit", "delete", "undo"]
)
_TITLES = st.sampled_from([TITLE, "Postgres 파티셔닝", "Keynote", "LLM 평가"])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    script=st.lists(
        st.tuples(
            st.integers(0, 3),
            st.sampled_from(["alice", "bob"]),
            _COMMANDS,
            _TITLES,
            st.integers(1, 6),
        ),
        min_size=5,
        max_size=30,
    )
)
def test_random_conversations_never_leak_between_channels(bot: MemoBot, script: list) -> None:  # type: ignore[type-arg]
    run = uuid.uuid4().hex[:8]
    chats = [
        Chat(bot, workspace=f"W{run}", channel="C1"),
        Chat(bot, workspace=f"W{run}", channel="C2"),
        Chat(bot, workspace=f"X{run}", channel="C1"),
        Chat(bot, workspace=f"W{run}", channel="C1", platform="discord"),
    ]
    for counter, (index, user, command, title, number) in enumerate(script):
        chat = chats[index]
        marker = f"mark{index}x{counter}"
        text = {
            "add": f"add [{title}] note {marker}",
            "add-untitled": f"add note {marker}",
            "attend": f"attend [{title}]",
            "show": f"show [{title}]",
            "sessions": "sessions all",
            "edit": f"edit {number} edited {marker}",
            "delete": f"delete {number}",
            "undo": "undo",
        }[command]
        reply = chat.say(user, text)
        for found in re.findall(r"mark(\d)x\d+", reply.markdown):
            assert int(found) == index, f"{reply.markdown!r} leaked into chat {index}"


@pytest.mark.parametrize(
    ("alice", "nobody"),
    [("by:@alice", "by:@nobody"), ("by:<@U-alice|alice>", "by:<@U-nobody|nobody>")],
)
def test_search_by_a_person_does_not_tell_who_wrote_in_other_channels(
    chat: Chat, alice: str, nobody: str
) -> None:
    chat.say("alice", f"add [{TITLE}] 캐시 메모")
    other = chat.elsewhere(channel="C2")
    other.say("bob", "add [Keynote] 캐시 이야기")  # the channel exists, alice never wrote here

    by_alice = other.say("bob", f"search 캐시 {alice}")
    by_nobody = other.say("bob", f"search 캐시 {nobody}")

    assert by_alice.data.code is ProblemCode.NO_SUCH_PERSON  # type: ignore[union-attr]
    assert by_alice.markdown == by_nobody.markdown.replace("nobody", "alice")
