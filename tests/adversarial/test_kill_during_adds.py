"""kill -9 during a load of adds: no acknowledged memo is lost, and none is stored twice.

`memo-bot run` serves Slack's HTTP endpoint (against the fake Slack) on a file SQLite
database, and on PostgreSQL. A client sends a few hundred signed `/memo add` requests,
many at a time; once a third of them have been answered, the process gets SIGKILL: no
clean-up, requests in flight cut off, the SQLite WAL left as it was. The bot is started
again, and the client sends again, with the same trigger ids, every request it saw no
answer to (as a client does that cannot know whether its request landed), and some it did.

The promises: a memo whose "saved" answer the client saw is stored, exactly once; after
the retries every memo is stored exactly once, also those that were committed when the
kill cut off their answer.
"""

from __future__ import annotations

import asyncio
import signal
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
from sqlalchemy import URL, func, select

from storage.database import Database
from storage.models import Memo
from tests.adapters.slack.conftest import BOT_TOKEN, TEAM
from tests.adapters.slack.running import running_bot, signed_command
from tests.fakes.slack import FakeSlack

ADDS = 300
#: Requests in flight at once.
CONCURRENCY = 24
#: Answers seen before the kill.
KILL_AFTER = ADDS // 3
#: Every this-many acknowledged adds is sent again after the restart too.
RESEND_ACKNOWLEDGED_EVERY = 10
USERS = ("UALICE", "UBOB", "UCAROL")
TITLES = ("킬 테스트 세션", "Kafka 없이 이벤트 소싱", "Redis 캐시 설계")


@dataclass(frozen=True)
class Add:
    note: str
    trigger_id: str
    user: str
    title: str

    @property
    def text(self) -> str:
        return f"add [{self.title}] {self.note}"


async def _send(session: aiohttp.ClientSession, port: int, add: Add) -> bool:
    """Send one add; whether the client saw it saved (HTTP 200 with the memo in the answer)."""
    body, headers = signed_command(add.text, trigger_id=add.trigger_id, user=add.user)
    try:
        async with session.post(
            f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
        ) as response:
            if response.status != 200:
                return False
            answer = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError):
        return False  # cut off, refused: the client cannot know whether it landed
    return add.note in str(answer.get("text", ""))


async def _send_all(
    port: int, adds: list[Add], *, kill: Callable[[], None] | None = None
) -> set[Add]:
    """Send ``adds``, ``CONCURRENCY`` at a time; the ones acknowledged. ``kill`` is called
    once ``KILL_AFTER`` were acknowledged, with the rest in flight or still to send."""
    acknowledged: set[Add] = set()
    gate = asyncio.Semaphore(CONCURRENCY)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:

        async def one(add: Add) -> None:
            async with gate:
                if await _send(session, port, add):
                    acknowledged.add(add)
                    if kill is not None and len(acknowledged) == KILL_AFTER:
                        kill()

        await asyncio.gather(*(one(add) for add in adds))
    return acknowledged


def _stored(database_url: URL, adds: list[Add]) -> dict[str, int]:
    """How many times each note is stored."""
    database = Database(database_url)
    try:
        with database.reading() as tx:
            query = select(Memo.text, func.count()).group_by(Memo.text)
            counts: dict[str, int] = dict(tx.execute(query).all())
    finally:
        database.dispose()
    return {add.note: counts.get(add.note, 0) for add in adds}


def test_every_acknowledged_add_survives_kill_9_and_retries_store_nothing_twice(
    fake_slack: FakeSlack, database_url: URL
) -> None:
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    run = uuid.uuid4().hex[:8]
    adds = [
        Add(f"kill-{run}-{index} 메모 {index}", f"trigger-{run}-{index}", USERS[index % 3],
            TITLES[index % 3])
        for index in range(ADDS)
    ]  # fmt: skip

    with running_bot(fake_slack, database_url) as first:
        acknowledged = asyncio.run(_send_all(first.port(), adds, kill=first.process.kill))
        assert first.reap() == -signal.SIGKILL
    assert KILL_AFTER <= len(acknowledged) < ADDS, "killed in the middle of the load"
    after_kill = _stored(database_url, adds)
    assert [add.note for add in acknowledged if after_kill[add.note] != 1] == [], (
        "an acknowledged memo was lost or doubled by the kill"
    )
    assert max(after_kill.values()) == 1

    resent = [add for add in adds if add not in acknowledged]
    resent += sorted(acknowledged, key=adds.index)[::RESEND_ACKNOWLEDGED_EVERY]
    with running_bot(fake_slack, database_url) as second:
        acknowledged_again = asyncio.run(_send_all(second.port(), resent))
        assert second.stop() == 0, second.log

    assert acknowledged_again == set(resent), "after the restart every retry is answered"
    stored = _stored(database_url, adds)
    assert {note: count for note, count in stored.items() if count != 1} == {}, (
        "every memo is stored exactly once"
    )
