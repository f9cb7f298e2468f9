"""`/memo digest`: the channel's setting, and the digest a day would get."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

from bot.replies.values import DigestSettingShown, DigestShown, ProblemCode, Visibility
from tests.chat import Chat

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
KAFKA = "Kafka 없이 이벤트 소싱"


def _seoul_conference(chat: Chat) -> None:
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul 2025-09-25 2025-09-26")


def test_the_digest_is_off_until_someone_sets_a_time(chat: Chat) -> None:
    reply = chat.say("alice", "digest")
    assert reply.visibility is Visibility.PRIVATE
    assert "The daily digest is off" in reply.markdown
    assert "`/memo digest at 18:30`" in reply.markdown


def test_setting_a_time_uses_the_conference_zone_and_tells_the_channel(chat: Chat) -> None:
    _seoul_conference(chat)  # 2025-09-25 10:00 in Seoul
    reply = chat.say("alice", "digest at 18:30")

    assert reply.visibility is Visibility.PUBLIC
    shown = reply.data
    assert isinstance(shown, DigestSettingShown)
    assert (shown.post_at, shown.time_zone, shown.days) == (time(18, 30), "Asia/Seoul", "all")
    assert shown.next_post == datetime(2025, 9, 25, 9, 30, tzinfo=UTC)
    assert "every day at 18:30 Asia/Seoul. Next: Thu 2025-09-25 18:30." in reply.markdown


def test_an_explicit_zone_wins_and_without_a_conference_it_is_utc(chat: Chat) -> None:
    assert "at 18:00 UTC" in chat.say("alice", "digest at 18:00").markdown
    assert (
        "at 09:00 America/New_York" in chat.say("alice", "digest at 9:00 america/new_york").markdown
    )


def test_days_and_off_keep_the_rest_of_the_setting(chat: Chat) -> None:
    _seoul_conference(chat)
    refused = chat.say("alice", "digest days mon-fri")
    assert refused.data.code is ProblemCode.BAD_ARGUMENTS  # type: ignore[union-attr]
    assert "Turn the digest on first" in refused.markdown

    chat.say("alice", "digest at 18:30")
    weekdays = chat.say("bob", "digest days conference")
    assert "conference days at 18:30 Asia/Seoul" in weekdays.markdown
    off = chat.say("bob", "digest off")
    assert off.visibility is Visibility.PUBLIC
    assert "off; it was set for conference days at 18:30 Asia/Seoul" in off.markdown
    assert "is off" in chat.say("alice", "digest").markdown
    back_on = chat.say("alice", "digest at 19:00")
    assert "conference days at 19:00 Asia/Seoul" in back_on.markdown


def test_a_bad_time_or_zone_changes_nothing(chat: Chat) -> None:
    chat.say("alice", "digest at 18:30")
    for text, code in (
        ("digest at 25:00", ProblemCode.BAD_TIME),
        ("digest at 18:00 Mars/Olympus", ProblemCode.INVALID_TIME_ZONE),
        ("digest days weekends", ProblemCode.BAD_ARGUMENTS),
    ):
        reply = chat.say("bob", text)
        assert reply.visibility is Visibility.PRIVATE
        assert reply.data.code is code  # type: ignore[union-attr]
    assert "every day at 18:30 UTC" in chat.say("alice", "digest").markdown


def test_now_previews_the_day_privately_in_the_shape_people_write(chat: Chat) -> None:
    _seoul_conference(chat)
    chat.say("alice", "attend [" + KAFKA + "]")
    chat.say("alice", f"add [{ENVOY}] . 라우트 3,400개를 xDS로 무중단 이관")
    chat.say("bob", f"add [{ENVOY}] > p99 210ms → 45ms")
    chat.wait(hours=2)
    chat.say("bob", f"add [{KAFKA}] - Outbox 테이블 + CDC")

    reply = chat.say("carol", "digest now")

    assert reply.visibility is Visibility.PRIVATE
    shown = reply.data
    assert isinstance(shown, DigestShown)
    assert (shown.day, shown.day_number, shown.people, shown.memos) == (date(2025, 9, 25), 1, 2, 3)
    assert [session.title for session in shown.sessions] == [ENVOY, KAFKA], "first memo first"
    assert shown.sessions[0].attendees == ("alice", "bob")
    assert shown.sessions[1].attendees == ("alice", "bob")
    assert reply.markdown.splitlines()[0] == (
        "**DEVRIVER 2025 Day 1 session memos · Thu 2025-09-25**"
    )
    assert f"**[{ENVOY}]** · attended by alice, bob · 2 memos" in reply.markdown
    assert "- 라우트 3,400개를 xDS로 무중단 이관" in reply.markdown, "the note marker is dropped"
    assert "- p99 210ms → 45ms" in reply.markdown
    assert reply.markdown.endswith("_2 sessions · 2 people · 3 memos_")


def test_a_long_session_shows_its_three_key_points_and_points_to_all_its_memos(
    chat: Chat,
) -> None:
    for user, note in (
        ("alice", "발표: 플랫폼팀 리드"),
        ("alice", "점심은 3층 라운지"),
        ("bob", "> p99 210ms → 45ms"),
        ("alice", "p99  210 ms → 45 ms"),
        ("alice", "라우트 3,400개를 xDS로 무중단 이관"),
        ("bob", "결론: 캐시는 서비스 쪽 책임으로"),
        ("bob", "질문 시간엔 뭐 물어봤지?"),
    ):
        chat.say(user, f"add [{ENVOY}] {note}")
    chat.say("alice", "language en")  # Korean notes: an auto channel's digest is Korean
    markdown = chat.say("alice", "digest now").markdown

    points = [line for line in markdown.splitlines() if line.startswith("- ")]
    assert points == [
        "- p99 210ms → 45ms",
        "- 라우트 3,400개를 xDS로 무중단 이관",
        "- 결론: 캐시는 서비스 쪽 책임으로",
    ], "the results and the conclusion, each once: not the first lines"
    assert "_All of them: `/memo show #1 #2 #3 #4 #5 #6 #7`_" in markdown


def test_a_day_is_a_local_day_and_other_days_stay_out(chat: Chat) -> None:
    _seoul_conference(chat)  # 2025-09-25 10:00 KST
    chat.say("alice", f"add [{ENVOY}] 첫날")
    chat.wait(hours=14)  # 2025-09-26 00:00 KST
    chat.say("alice", f"add [{KAFKA}] 둘째 날")

    first = chat.say("alice", "digest now 2025-09-25").data
    second = chat.say("alice", "digest now 2025-09-26").data
    assert isinstance(first, DigestShown) and isinstance(second, DigestShown)
    assert [session.title for session in first.sessions] == [ENVOY]
    assert [session.title for session in second.sessions] == [KAFKA]
    assert second.day_number == 2


def test_an_empty_day_says_so(chat: Chat) -> None:
    reply = chat.say("alice", "digest now 2025-09-20")
    assert isinstance(reply.data, DigestShown) and reply.data.sessions == ()
    assert "No memos or attendance on Sat 2025-09-20." in reply.markdown


def test_deleted_memos_and_other_channels_stay_out(chat: Chat) -> None:
    other = chat.elsewhere(channel="C2")
    other.say("mallory", f"add [{ENVOY}] 다른 채널의 비밀")
    chat.say("alice", f"add [{ENVOY}] 지울 메모")
    chat.say("alice", f"add [{KAFKA}] 남길 메모")
    chat.say("alice", "delete 1")

    markdown = chat.say("alice", "digest now").markdown
    assert "비밀" not in markdown and "mallory" not in markdown
    assert "지울 메모" not in markdown
    assert f"[{KAFKA}]" in markdown and "남길 메모" in markdown


def test_user_text_in_the_digest_stays_text(chat: Chat) -> None:
    """Escaped in the Markdown; the adapters' tests check what reaches Slack and Discord."""
    chat.say("alice", f"add [{ENVOY}] <!everyone> **굵게** [click](https://evil.example)")
    markdown = chat.say("alice", "digest now").markdown
    assert r"- \<!everyone> \*\*굵게\*\* [click\](https://evil.example)" in markdown


def test_two_people_with_the_same_name_are_two_attendees(chat: Chat) -> None:
    chat.say("kim", f"add [{ENVOY}] 첫 번째 김")
    namesake = replace(chat.invocation("kim-2", f"add [{ENVOY}] 두 번째 김"), display_name="kim")
    chat.bot.handle(namesake)

    shown = chat.say("alice", "digest now").data
    assert isinstance(shown, DigestShown)
    assert shown.sessions[0].attendees == ("kim", "kim")
    assert shown.people == 2
