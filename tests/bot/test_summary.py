"""/memo summary through the core: the reply's shape, merged notes, summaries that follow edits."""

from __future__ import annotations

import re

from bot.core import MemoBot
from bot.replies.values import ProblemCode, SessionSummary
from bot.sessions import SessionId
from bot.summary.commands import Summarize
from storage.database import Database
from tests.chat import Chat

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
REDIS = "대규모 결제 트래픽에서 살아남는 Redis 캐시 설계"

ENVOY_NOTES = [
    ("alice", "발표: 플랫폼팀 리드"),
    ("alice", "기존 Nginx + Lua 게이트웨이, 라우트 3,400개"),
    ("bob", "기존은 nginx+lua, 라우트가 3400개 넘음"),
    ("jiho", "설정 reload 할 때마다 커넥션 끊기는 게 이전 이유"),
    ("alice", "설정은 xDS 로 동적 배포, 재시작 없음"),
    ("jiho", "xDS로 설정 동적 배포 (재시작 X)"),
    ("bob", "커스텀 필터는 Lua 대신 Wasm"),
    ("alice", "> p99 latency 210ms → 45ms"),
    ("bob", "p99 210ms에서 45ms로 줄었다고 함"),
    ("jiho", "p99  210 ms → 45 ms"),
    ("alice", "응답 캐시는 게이트웨이에서 안 함. 캐시를 서비스 쪽 책임으로 넘김"),
    ("bob", "점심은 3층 라운지"),
]


def _note_all(chat: Chat, title: str, notes: list[tuple[str, str]]) -> None:
    for user, text in notes:
        assert chat.say(user, f"add [{title}] {text}").ok


def _summary(chat: Chat, text: str = f"summary [{ENVOY}]", user: str = "alice") -> SessionSummary:
    reply = chat.say(user, text)
    assert isinstance(reply.data, SessionSummary), reply.markdown
    return reply.data


def test_the_reply_is_the_title_at_most_five_points_and_the_attendees(chat: Chat) -> None:
    _note_all(chat, ENVOY, ENVOY_NOTES)
    reply = chat.say("alice", f"summary [{ENVOY}]")

    lines = reply.markdown.splitlines()
    assert lines[0] == f"**[{ENVOY}]**"
    bullets = lines[1:-1]
    assert 1 <= len(bullets) <= 5
    assert all(line.startswith("- ") for line in bullets)
    assert lines[-1] == "Attended by alice, bob, jiho · 12 memos"
    assert isinstance(reply.data, SessionSummary)
    assert all(len(point.text) <= 160 for point in reply.data.points)
    assert "점심" not in reply.markdown, "not every memo: the key points only"
    assert "발표:" not in reply.markdown, "not the first lines"


def test_the_points_are_the_results_and_copy_the_numbers_as_written(chat: Chat) -> None:
    _note_all(chat, ENVOY, ENVOY_NOTES)
    points = _summary(chat).points

    texts = [point.text for point in points]
    assert any("210ms → 45ms" in text for text in texts)
    written = [text for _, text in ENVOY_NOTES]
    for point in points:
        # A point is a note line as someone wrote it (marker aside): its figures are theirs.
        assert any(point.text in note for note in written), point.text
        for number in re.findall(r"\d[\d,.]*", point.text):
            assert any(number in note for note in written), number


def test_the_same_fact_from_three_people_is_one_point_credited_to_all(chat: Chat) -> None:
    _note_all(chat, ENVOY, ENVOY_NOTES)
    reply = chat.say("bob", f"summary [{ENVOY}]")

    p99 = [line for line in reply.markdown.splitlines() if "210" in line]
    assert len(p99) == 1
    assert p99[0].endswith(" · alice, bob, jiho")
    routes = [line for line in reply.markdown.splitlines() if "3,400" in line or "3400" in line]
    assert len(routes) <= 1


def test_an_unknown_session_gets_a_short_answer(chat: Chat) -> None:
    _note_all(chat, ENVOY, ENVOY_NOTES[:2])
    reply = chat.say("alice", "summary [아무도 안 들은 세션]")

    assert reply.data.code is ProblemCode.NO_SUCH_SESSION  # type: ignore[union-attr]
    assert reply.markdown.startswith("No session called [아무도 안 들은 세션] in this channel.")
    assert len(reply.markdown.splitlines()) == 1


def test_without_a_title_it_is_the_session_you_are_in(chat: Chat) -> None:
    assert chat.say("carol", "summary").data.code is ProblemCode.MISSING_TITLE  # type: ignore[union-attr]
    _note_all(chat, ENVOY, ENVOY_NOTES)

    assert _summary(chat, "summary", user="bob").session.title == ENVOY
    chat.wait(hours=4)
    assert chat.say("bob", "summary").data.code is ProblemCode.MISSING_TITLE  # type: ignore[union-attr]


def test_a_near_title_or_a_picked_session_finds_it(chat: Chat) -> None:
    _note_all(chat, ENVOY, ENVOY_NOTES[:3])
    assert _summary(chat, "summary [envoy로 갈아탄  사내 API 게이트웨이]").session.title == ENVOY
    picked = chat.bot.suggest_sessions(chat.invocation("alice", ""))[0]
    reply = chat.run("alice", Summarize(SessionId(picked.id)))
    assert isinstance(reply.data, SessionSummary) and reply.data.session.title == ENVOY


def test_a_session_with_attendance_only_says_there_are_no_memos(chat: Chat) -> None:
    chat.say("alice", f"attend [{REDIS}]")
    reply = chat.say("alice", f"summary [{REDIS}]")

    assert reply.markdown.splitlines() == [
        f"**[{REDIS}]**",
        "No memos yet. Add one with `/memo add [Session title] note`.",
        "Attended by alice · 0 memos",
    ]


def test_memos_of_punctuation_only_leave_nothing_to_summarize(chat: Chat) -> None:
    chat.say("alice", f"add [{REDIS}] .")
    chat.say("bob", f"add [{REDIS}] - \n>")
    reply = chat.say("alice", f"summary [{REDIS}]")

    assert reply.markdown.splitlines() == [
        f"**[{REDIS}]**",
        "Its memos have no text to summarize yet.",
        "Attended by alice, bob · 2 memos",
    ]


def test_another_channel_cannot_summarize_this_ones_session(chat: Chat) -> None:
    _note_all(chat, ENVOY, ENVOY_NOTES)
    for other in (chat.elsewhere(channel="C2"), chat.elsewhere(workspace="T2")):
        reply = other.say("alice", f"summary [{ENVOY}]")
        assert reply.data.code is ProblemCode.NO_SUCH_SESSION  # type: ignore[union-attr]
        assert "210" not in reply.markdown


def test_no_note_can_ping_or_become_a_link(chat: Chat) -> None:
    hostile = "@everyone <!channel> 결론: [docs](https://evil.example) 로 p99 **210ms → 45ms**"
    _note_all(chat, ENVOY, [("mallory", hostile)])
    markdown = chat.say("alice", f"summary [{ENVOY}]").markdown

    assert "[docs\\](https" in markdown, "the link's bracket is escaped"
    assert "\\<!channel>" in markdown
    assert "\\*\\*210ms" in markdown


def test_the_summary_follows_adds_edits_deletes_and_undo(chat: Chat) -> None:
    _note_all(chat, ENVOY, ENVOY_NOTES[:7])
    before = _summary(chat)
    assert not any("120ms" in point.text for point in before.points)

    added = chat.say("jiho", f"add [{ENVOY}] > 결론: p99 latency 850ms → 120ms, 장애 0건")
    number = added.data.memo.number  # type: ignore[union-attr]
    assert any("850ms → 120ms" in point.text for point in _summary(chat).points)

    chat.say("jiho", f"edit {number} > 결론: p99 latency 850ms → 95ms, 장애 0건")
    texts = [point.text for point in _summary(chat).points]
    assert any("850ms → 95ms" in text for text in texts)
    assert not any("120ms" in text for text in texts)

    chat.say("jiho", f"delete {number}")
    assert not any("850ms" in point.text for point in _summary(chat).points)

    chat.say("jiho", "undo")
    assert any("850ms → 95ms" in point.text for point in _summary(chat).points)


def test_a_summary_cached_in_one_process_follows_another_process_edit(
    chat: Chat, database: Database
) -> None:
    """Two bot processes sharing one database: each has its own cache."""
    _note_all(chat, ENVOY, ENVOY_NOTES)
    assert any("210ms → 45ms" in point.text for point in _summary(chat).points)

    other_process = MemoBot(database)
    try:
        other = Chat(other_process, now=chat.now)
        other.say("alice", "edit 8 > p99 latency 210ms → 38ms")
        other.say("bob", "delete 9")
        other.say("jiho", "delete 10")
    finally:
        other_process.close()
    chat.now = other.now
    points = _summary(chat).points
    assert any("210ms → 38ms" in point.text for point in points)
    assert not any("45ms" in point.text for point in points)


def test_markers_typed_in_notes_never_show_as_escapes_in_the_reply(chat: Chat) -> None:
    notes = [
        ("alice", "> p99 latency 210ms → 45ms"),
        ("alice", "- 설정은 xDS 로 동적 배포"),
        ("alice", "1. 라우트 3,400개"),
        ("bob", ". 커스텀 필터는 Lua 대신 Wasm"),
        ("bob", "=> 결론: 캐시는 서비스 쪽 책임 ㅋㅋ"),
    ]
    _note_all(chat, ENVOY, notes)
    bullets = chat.say("alice", f"summary [{ENVOY}]").markdown.splitlines()[1:-1]

    assert len(bullets) >= 4
    for bullet in bullets:
        assert bullet.startswith("- ") and "\\" not in bullet, bullet
        assert not re.match(r"- (?:[>.=\-]|1\.)", bullet), bullet
    assert "- p99 latency 210ms → 45ms · alice" in bullets
    assert not any("ㅋㅋ" in bullet for bullet in bullets)
