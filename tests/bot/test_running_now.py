"""Untitled notes go to the talk running now; several running talks are asked, never guessed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from markdown_it import MarkdownIt

from bot.agenda.importing import ImportAgenda
from bot.memos import PickTalk
from bot.replies.values import (
    AgendaImported,
    MemoSaved,
    Problem,
    ProblemCode,
    Reply,
    SessionMemos,
    TalkPickNeeded,
)
from storage import pending_notes
from tests.chat import Chat

SAMPLES = Path(__file__).parent.parent / "samples"
ICS = (SAMPLES / "agenda.ics").read_bytes()
KAFKA = "Kafka 없이 만든 이벤트 파이프라인"
ONBOARDING = "신입 개발자 온보딩 자동화"
MULTI_REGION = "멀티 리전 액티브-액티브 구성기"
OPENING = "파도클라우드 인프라"  # day 1, 10:00–10:40, the only room
LAST_MORNING = "DEVRIVER 오픈소스 후원 프로그램"  # day 1, 12:00–12:40, the only room
SEOUL_1350_DAY2 = datetime(2025, 9, 26, 4, 50, tzinfo=UTC)


def _programme(chat: Chat, content: bytes = ICS, name: str = "agenda.ics") -> None:
    done = chat.run("alice", ImportAgenda(name, content))
    assert isinstance(done.data, AgendaImported), done.markdown


def _saved(reply: Reply) -> MemoSaved:
    assert isinstance(reply.data, MemoSaved), reply.markdown
    return reply.data


def _asked(reply: Reply) -> TalkPickNeeded:
    assert isinstance(reply.data, TalkPickNeeded), reply.markdown
    return reply.data


def _code(reply: Reply) -> ProblemCode:
    assert isinstance(reply.data, Problem), reply.markdown
    return reply.data.code


def _memos_of(chat: Chat, title: str) -> list[str]:
    shown = chat.say("reader", f"show [{title}]").data
    assert isinstance(shown, SessionMemos), shown
    return [memo.text for memo in shown.memos]


def _choice(asked: TalkPickNeeded, title: str) -> int:
    return next(choice.session_id for choice in asked.choices if choice.title == title)


def test_the_only_talk_running_takes_the_untitled_note(chat: Chat) -> None:
    _programme(chat)
    chat.now = datetime(2025, 9, 25, 1, 10, tzinfo=UTC)  # 10:10 in Seoul

    reply = chat.say("bob", "add 첫 세션 메모")

    saved = _saved(reply)
    assert (saved.session.title, saved.running_talk) == (OPENING, "running")
    assert OPENING in reply.markdown and "running now" in reply.markdown
    assert _memos_of(chat, OPENING) == ["첫 세션 메모"]


def test_several_running_talks_ask_and_the_pick_stores_the_note_once(chat: Chat) -> None:
    _programme(chat)
    chat.now = SEOUL_1350_DAY2

    asked = _asked(chat.say("bob", "add 파이프라인 메모"))

    assert {choice.title for choice in asked.choices} == {MULTI_REGION, KAFKA, ONBOARDING}
    assert [c.starts_at.strftime("%H:%M") for c in asked.choices] == ["13:40"] * 3
    assert all(_memos_of(chat, title) == [] for title in (MULTI_REGION, KAFKA, ONBOARDING))

    picked = chat.run("bob", PickTalk(asked.pending, _choice(asked, KAFKA)), delivery_id="a1")
    saved = _saved(picked)
    assert (saved.session.title, saved.running_talk) == (KAFKA, "picked")
    assert KAFKA in picked.markdown
    # The same click delivered again, and a second click on another talk: nothing changes.
    again = chat.run("bob", PickTalk(asked.pending, _choice(asked, KAFKA)), delivery_id="a1")
    assert again.replayed
    other = chat.run("bob", PickTalk(asked.pending, _choice(asked, ONBOARDING)))
    assert _code(other) is ProblemCode.ALREADY_PICKED
    assert f"#{saved.memo.number}" in other.markdown
    assert _memos_of(chat, KAFKA) == ["파이프라인 메모"]
    assert _memos_of(chat, ONBOARDING) == []


def test_a_talk_you_attended_or_planned_in_the_slot_decides(chat: Chat) -> None:
    _programme(chat)
    chat.now = SEOUL_1350_DAY2
    assert chat.say("bob", f"attend [{KAFKA}]").ok
    assert chat.say("carol", f"plan [{ONBOARDING}]").ok

    assert _saved(chat.say("bob", "add 밥의 메모")).session.title == KAFKA
    carol = _saved(chat.say("carol", "add 캐롤의 메모"))
    assert (carol.session.title, carol.running_talk) == (ONBOARDING, "yours")
    # Someone who told nothing is still asked.
    assert isinstance(chat.say("dave", "add 데이브의 메모").data, TalkPickNeeded)


def test_several_talks_of_your_own_in_the_slot_are_asked_among_those(chat: Chat) -> None:
    _programme(chat)
    chat.now = SEOUL_1350_DAY2
    chat.say("bob", f"plan [{KAFKA}]")
    chat.say("bob", f"plan [{ONBOARDING}]")

    asked = _asked(chat.say("bob", "add 둘 중 하나"))

    assert {choice.title for choice in asked.choices} == {KAFKA, ONBOARDING}


def test_between_slots_the_talk_that_ended_within_15_minutes_counts(chat: Chat) -> None:
    _programme(chat)
    chat.now = datetime(2025, 9, 25, 3, 54, tzinfo=UTC)  # 12:54, 14 minutes after 12:40

    assert _saved(chat.say("bob", "add 복도에서 정리")).session.title == LAST_MORNING

    chat.now = datetime(2025, 9, 25, 3, 56, tzinfo=UTC)  # 12:56: 16 minutes after
    # No talk runs: the session bob was last active in (3 hours), as without a programme.
    late = _saved(chat.say("bob", "add 점심 먹으며"))
    assert (late.session.title, late.from_recent_session, late.running_talk) == (
        LAST_MORNING,
        True,
        None,
    )
    refused = chat.say("carol", "add 아무 데도")
    assert _code(refused) is ProblemCode.NO_RECENT_SESSION
    assert _memos_of(chat, LAST_MORNING) == ["복도에서 정리", "점심 먹으며"]


def test_without_a_programme_an_untitled_note_goes_to_the_recent_session(chat: Chat) -> None:
    chat.say("bob", "add [직접 적은 세션] 첫 메모")
    chat.wait(minutes=30)

    saved = _saved(chat.say("bob", "add 두 번째"))

    assert (saved.session.title, saved.from_recent_session) == ("직접 적은 세션", True)
    assert _code(chat.say("carol", "add 처음")) is ProblemCode.NO_RECENT_SESSION


def test_hostile_picks_change_nothing(chat: Chat) -> None:
    _programme(chat)
    chat.now = SEOUL_1350_DAY2
    asked = _asked(chat.say("bob", "add 밥만 고를 수 있다"))
    kafka = _choice(asked, KAFKA)

    assert _code(chat.run("mallory", PickTalk(asked.pending, kafka))) is ProblemCode.NOT_YOUR_NOTE
    elsewhere = chat.elsewhere(channel="C2")
    assert _code(elsewhere.run("bob", PickTalk(asked.pending, kafka))) is ProblemCode.PICK_CLOSED
    other_workspace = chat.elsewhere(workspace="T2")
    foreign = other_workspace.run("bob", PickTalk(asked.pending, kafka))
    assert _code(foreign) is ProblemCode.PICK_CLOSED
    day1_talk = _saved(chat.say("carol", f"add [{OPENING}] 다른 세션")).memo
    assert day1_talk.number == 1
    opening_id = next(
        choice.id for choice in chat.bot.suggest_sessions(chat.invocation("bob", OPENING), 5)
    )
    not_offered = chat.run("bob", PickTalk(asked.pending, opening_id))
    assert _code(not_offered) is ProblemCode.NOT_A_CHOICE
    assert _code(chat.run("bob", PickTalk(asked.pending + 1000, kafka))) is ProblemCode.PICK_CLOSED
    assert all(_memos_of(chat, title) == [] for title in (MULTI_REGION, KAFKA, ONBOARDING))
    assert _memos_of(chat, OPENING) == ["다른 세션"]

    # The author's own pick still works after all that.
    assert _saved(chat.run("bob", PickTalk(asked.pending, kafka))).session.title == KAFKA


def test_a_pick_after_a_day_is_refused_and_stores_nothing(chat: Chat) -> None:
    _programme(chat)
    chat.now = SEOUL_1350_DAY2
    asked = _asked(chat.say("bob", "add 하루 뒤에 고른다"))
    chat.wait(days=1, seconds=1)

    stale = chat.run("bob", PickTalk(asked.pending, _choice(asked, KAFKA)))

    assert _code(stale) is ProblemCode.PICK_CLOSED
    assert _memos_of(chat, KAFKA) == []


def test_running_now_follows_the_instant_across_a_dst_change(chat: Chat) -> None:
    chat.say("alice", "conference Autumn Summit Europe/Berlin")
    # Sunday 2025-10-26: clocks go back from 03:00 CEST to 02:00 CET.
    csv = (
        b"title,date,start,end,room\n"
        b"Before the change,2025-10-25,09:00,09:40,A\n"
        b"After the change,2025-10-26,09:00,09:40,A\n"
        b"Parallel one,2025-10-26,10:00,10:40,A\n"
        b"Parallel two,2025-10-26,10:00,10:40,B\n"
    )
    _programme(chat, csv, "summit.csv")

    chat.now = datetime(2025, 10, 25, 7, 5, tzinfo=UTC)  # 09:05 CEST (UTC+2)
    assert _saved(chat.say("bob", "add 토요일")).session.title == "Before the change"
    chat.now = datetime(2025, 10, 26, 7, 5, tzinfo=UTC)  # 08:05 CET (UTC+1): not yet
    assert _code(chat.say("carol", "add 너무 이르다")) is ProblemCode.NO_RECENT_SESSION
    chat.now = datetime(2025, 10, 26, 8, 5, tzinfo=UTC)  # 09:05 CET
    assert _saved(chat.say("carol", "add 일요일")).session.title == "After the change"
    chat.now = datetime(2025, 10, 26, 9, 5, tzinfo=UTC)  # 10:05 CET
    asked = _asked(chat.say("dave", "add 둘 중"))
    assert [c.starts_at.strftime("%H:%M %Z") for c in asked.choices] == ["10:00 CET"] * 2
    assert "10:00–10:40" in chat.say("erin", "add 또 둘 중").markdown


def test_the_question_shows_titles_and_rooms_as_text(chat: Chat) -> None:
    chat.say("alice", "conference Markup Conf UTC")
    csv = (
        b"title,date,start,end,room\n"
        b"**bold** [link](https://evil.example),2025-09-25,01:00,02:00,<b>room</b>\n"
        b"Plain talk,2025-09-25,01:00,02:00,B\n"
    )
    _programme(chat, csv, "markup.csv")
    chat.now = datetime(2025, 9, 25, 1, 30, tzinfo=UTC)

    html = MarkdownIt("commonmark").render(chat.say("bob", "add 무엇?").markdown)

    assert "**bold** [link](https://evil.example)" in html
    assert "&lt;b&gt;room&lt;/b&gt;" in html
    assert "<a " not in html and "<b>" not in html


def test_pickers_offer_the_running_then_the_next_talks_first(chat: Chat) -> None:
    _programme(chat)
    chat.now = SEOUL_1350_DAY2

    offered = [c.title for c in chat.bot.suggest_sessions(chat.invocation("bob", ""), 6)]

    assert set(offered[:3]) == {MULTI_REGION, KAFKA, ONBOARDING}
    next_slot = {"Go 서비스 메모리 누수 추적기", "사내 기술 블로그 5년 운영 이야기"}
    assert next_slot <= set(offered[3:6])
    # Typed text still ranks by fit; among equal fits the running talk comes first.
    typed = [c.title for c in chat.bot.suggest_sessions(chat.invocation("bob", "자동화"), 5)]
    assert typed[0] == ONBOARDING
    assert "오픈소스 라이선스 컴플라이언스 자동화" in typed


def test_a_question_offers_at_most_25_talks_and_says_how_many_more_run(chat: Chat) -> None:
    chat.say("alice", "conference Big Conf UTC")
    rows = "".join(f"Talk {number},2025-09-25,01:00,02:00,Room {number}\n" for number in range(30))
    _programme(chat, ("title,date,start,end,room\n" + rows).encode(), "big.csv")
    chat.now = datetime(2025, 9, 25, 1, 30, tzinfo=UTC)

    reply = chat.say("bob", "add 어느 방?")

    asked = _asked(reply)
    assert (len(asked.choices), asked.more) == (25, 5)
    assert "30 talks are running now" in reply.markdown
    assert "5 more talks running too" in reply.markdown


def test_notes_waiting_over_a_day_are_forgotten_by_the_chore(chat: Chat) -> None:
    _programme(chat)
    chat.now = SEOUL_1350_DAY2
    old = _asked(chat.say("bob", "add 오래된 질문"))
    asked_at = chat.now
    chat.wait(minutes=10)
    fresh = _asked(chat.say("carol", "add 새 질문"))

    a_day_after_the_first = asked_at + timedelta(days=1, minutes=5)
    forgotten = chat.bot.database.write(
        partial(pending_notes.forget_old, now=a_day_after_the_first)
    )

    assert forgotten == 1
    stale = chat.run("bob", PickTalk(old.pending, _choice(old, KAFKA)))
    assert _code(stale) is ProblemCode.PICK_CLOSED
    assert _saved(chat.run("carol", PickTalk(fresh.pending, _choice(fresh, KAFKA)))).memo.text == (
        "새 질문"
    )


def test_two_picks_at_the_same_moment_store_the_note_once(chat: Chat) -> None:
    _programme(chat)
    chat.now = SEOUL_1350_DAY2
    asked = _asked(chat.say("bob", "add 동시에 두 번"))
    picks = [
        (chat.invocation("bob", "", delivery_id=f"click-{n}"), PickTalk(asked.pending, talk))
        for n, talk in enumerate((_choice(asked, KAFKA), _choice(asked, ONBOARDING)))
    ]

    with ThreadPoolExecutor(max_workers=2) as pool:
        replies = list(pool.map(lambda pick: chat.bot.execute(*pick), picks))

    saved = [reply for reply in replies if isinstance(reply.data, MemoSaved)]
    assert len(saved) == 1, [reply.markdown for reply in replies]
    assert [_code(reply) for reply in replies if reply not in saved] == [ProblemCode.ALREADY_PICKED]
    assert sorted([*_memos_of(chat, KAFKA), *_memos_of(chat, ONBOARDING)]) == ["동시에 두 번"]
