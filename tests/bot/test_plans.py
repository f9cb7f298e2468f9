"""`/memo plan`: planning a talk shows in the agenda and the digest; `/memo plan` is your day."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.agenda.importing import ImportAgenda
from bot.replies.values import (
    AgendaShown,
    DigestShown,
    PlanRecorded,
    PlanShown,
    ProblemCode,
    Reply,
)
from tests.chat import Chat

ICS = (Path(__file__).parent.parent / "samples" / "agenda.ics").read_bytes()
KAFKA = "Kafka 없이 만든 이벤트 파이프라인"
ONBOARDING = "신입 개발자 온보딩 자동화"
GO_LEAKS = "Go 서비스 메모리 누수 추적기"  # day 2, 14:20–15:00, 301호


def _setup(chat: Chat) -> None:
    assert chat.run("alice", ImportAgenda("agenda.ics", ICS)).ok
    chat.now = datetime(2025, 9, 26, 0, 30, tzinfo=UTC)  # 09:30 in Seoul, day 2


def _recorded(reply: Reply) -> PlanRecorded:
    assert isinstance(reply.data, PlanRecorded), reply.markdown
    return reply.data


def test_planning_a_talk_says_when_and_where_and_is_idempotent(chat: Chat) -> None:
    _setup(chat)

    first = chat.say("bob", f"plan [{KAFKA.lower()}]")
    again = chat.say("bob", f"plan {KAFKA}")

    assert _recorded(first).already is False and _recorded(again).already is True
    assert "13:40–14:20 · 301호" in first.markdown
    assert "You already plan to attend" in again.markdown
    agenda = chat.say("carol", "agenda today").data
    assert isinstance(agenda, AgendaShown)
    (kafka,) = (talk for talk in agenda.talks if talk.title == KAFKA)
    assert kafka.planned_by == ("bob",)
    assert "planned by bob" in chat.say("carol", "agenda today").markdown


def test_plan_alone_shows_your_day_in_programme_order(chat: Chat) -> None:
    _setup(chat)
    chat.say("bob", f"plan [{GO_LEAKS}]")
    chat.say("bob", f"plan [{KAFKA}]")
    chat.say("bob", "attend [모놀리스를 쪼개지 않기로 한 이유]")
    chat.say("carol", f"plan [{ONBOARDING}]")

    reply = chat.say("bob", "plan")

    shown = reply.data
    assert isinstance(shown, PlanShown), reply.markdown
    assert [(t.starts_at.strftime("%H:%M"), t.title) for t in shown.talks] == [
        ("10:00", "모놀리스를 쪼개지 않기로 한 이유"),
        ("13:40", KAFKA),
        ("14:20", GO_LEAKS),
    ]
    assert ONBOARDING not in reply.markdown
    empty = chat.say("dave", "plan")
    assert isinstance(empty.data, PlanShown) and empty.data.talks == ()
    assert "No talks planned or attended today" in empty.markdown


def test_a_planned_talk_is_in_the_digest_and_not_in_not_covered(chat: Chat) -> None:
    _setup(chat)
    chat.say("bob", f"plan [{GO_LEAKS}]")
    chat.say("carol", f"plan [{GO_LEAKS}]")

    digest = chat.say("alice", "digest now 2025-09-26")

    shown = digest.data
    assert isinstance(shown, DigestShown)
    assert [(t.title, t.planned_by) for t in shown.planned] == [(GO_LEAKS, ("bob", "carol"))]
    assert GO_LEAKS not in {t.title for t in shown.not_covered}
    assert len(shown.not_covered) == 29
    assert f"- 14:20–15:00 · 301호 · [{GO_LEAKS}] · planned by bob, carol · no memos" in (
        digest.markdown
    )


def test_a_plan_stays_in_its_channel_and_bad_titles_change_nothing(chat: Chat) -> None:
    _setup(chat)
    chat.say("bob", f"plan [{KAFKA}]")

    other = chat.elsewhere(channel="C2")
    assert isinstance(other.say("bob", "plan").data, PlanShown)
    assert "Kafka" not in other.say("bob", "plan").markdown
    unclosed = chat.say("bob", "plan [Kafka")
    assert unclosed.data.code is ProblemCode.UNBALANCED_BRACKETS  # type: ignore[union-attr]
    agenda = chat.say("carol", "agenda today").data
    assert isinstance(agenda, AgendaShown)
    assert sum(1 for talk in agenda.talks if talk.planned_by) == 1
