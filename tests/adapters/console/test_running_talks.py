"""The console asks which running talk an untitled note is for, and a typed number answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.console.console import PLATFORM_NAME, Console, ConsoleIdentity
from bot.agenda.importing import ImportAgenda
from bot.core import MemoBot
from bot.replies.values import MemoSaved, ProblemCode, Reply, TalkPickNeeded
from tests.chat import Chat

AGENDA = Path(__file__).parents[2] / "samples" / "agenda.ics"
KAFKA = "Kafka 없이 만든 이벤트 파이프라인"


class Clock:
    """The console's clock, moved by the test: a second per line."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def _console(bot: MemoBot, clock: Clock) -> Console:
    """The console's channel, with the sample programme (as `memo-bot agenda import` does)."""
    channel = Chat(bot, platform=PLATFORM_NAME, workspace="console", channel="general")
    done = channel.run("me", ImportAgenda("agenda.ics", AGENDA.read_bytes()))
    assert done.ok, done.markdown
    return Console(bot, ConsoleIdentity("me"), clock=clock)


def _sent(console: Console, line: str) -> Reply:
    reply = console.send(line)
    assert reply is not None, line
    return reply


def test_a_typed_number_stores_the_note_in_that_talk(bot: MemoBot) -> None:
    clock = Clock(datetime(2025, 9, 26, 4, 50, tzinfo=UTC))  # 13:50 in Seoul, three rooms
    console = _console(bot, clock)

    question = _sent(console, "/memo add 이벤트 순서 보장은 파티션 키로")
    assert isinstance(question.data, TalkPickNeeded)
    assert "Type its number (1–3)." in console.markdown(question)
    number = next(
        index
        for index, choice in enumerate(question.data.choices, start=1)
        if choice.title == KAFKA
    )

    assert _sent(console, "7").data.code is ProblemCode.NOT_A_CHOICE  # type: ignore[union-attr]
    saved = _sent(console, str(number))

    assert isinstance(saved.data, MemoSaved), saved.markdown
    assert saved.data.session.title == KAFKA
    assert console.send(str(number)) is None  # answered: a number is chat again
    shown = _sent(console, f"/memo show [{KAFKA}]").markdown
    assert shown.count("이벤트 순서 보장은 파티션 키로") == 1


def test_only_the_person_asked_answers_and_other_chat_drops_the_question(bot: MemoBot) -> None:
    clock = Clock(datetime(2025, 9, 26, 4, 50, tzinfo=UTC))
    console = _console(bot, clock)
    assert isinstance(_sent(console, "@bob /memo add 밥의 메모").data, TalkPickNeeded)

    assert console.send("@carol 1") is None  # carol was not asked: chat
    assert console.send("@bob 점심 뭐 먹지") is None  # chat: the question is dropped
    assert console.send("@bob 1") is None
    for title in (KAFKA, "신입 개발자 온보딩 자동화", "멀티 리전 액티브-액티브 구성기"):
        assert "밥의 메모" not in _sent(console, f"/memo show [{title}]").markdown
