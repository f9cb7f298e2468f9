"""Two `memo-bot run` processes on one PostgreSQL database, behind one endpoint: signed Slack
requests spread over both, interleaved, some delivered again to the other process at the
same moment. Each memo is stored once and every copy gets the first answer."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import URL, create_engine, text

from storage.database import Database
from storage.schema import upgrade_to_head
from tests.adapters.operations.probing import sample
from tests.adapters.slack.conftest import BOT_TOKEN, TEAM
from tests.adapters.slack.running import running_bot, signed_command
from tests.conftest import POSTGRES_SERVER, create_postgres_database, drop_postgres_database
from tests.fakes.slack import FakeSlack

MEMOS = 60
#: Every third request is also delivered to the other process (a retry after a lost ack).
RETRIED = range(0, MEMOS, 3)


@pytest.fixture
def shared_postgres() -> Iterator[URL]:
    if POSTGRES_SERVER is None:
        pytest.skip("needs MEMO_TEST_DATABASE_URL")
    url = create_postgres_database()
    database = Database(url)
    upgrade_to_head(database)
    database.dispose()
    try:
        yield url
    finally:
        drop_postgres_database(url)


def _deliver(port: int, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
        answer: dict[str, Any] = json.loads(response.read())
        return answer


@pytest.mark.postgres_only
def test_interleaved_and_retried_requests_over_two_processes_store_each_memo_once(
    fake_slack: FakeSlack, shared_postgres: URL
) -> None:
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    requests = [
        signed_command(f"add [두 프로세스 세션] 메모 {n:03}", trigger_id=f"trigger-two-{n}")
        for n in range(MEMOS)
    ]
    with (
        running_bot(fake_slack, shared_postgres) as first,
        running_bot(fake_slack, shared_postgres) as second,
    ):
        ports = (first.port(), second.port())
        deliveries = [(ports[n % 2], n) for n in range(MEMOS)]
        deliveries += [(ports[(n + 1) % 2], n) for n in RETRIED]  # the copy, to the other one
        with ThreadPoolExecutor(16) as pool:
            answers = list(
                pool.map(lambda each: (each[1], _deliver(each[0], *requests[each[1]])), deliveries)
            )
        stored_by_each = [
            sample(port, "memo_memos_stored_total", platform="slack") for port in ports
        ]
        labels = {"command": "AddMemo", "platform": "slack", "outcome": "replayed"}
        replayed = sum(sample(port, "memo_commands_total", **labels) for port in ports)
        assert first.stop() == 0, first.log
        assert second.stop() == 0, second.log

    engine = create_engine(shared_postgres)
    with engine.connect() as connection:
        texts = connection.execute(text("SELECT text FROM memos ORDER BY text")).scalars().all()
    engine.dispose()
    assert texts == [f"메모 {n:03}" for n in range(MEMOS)], "each memo once"
    by_request: dict[int, list[str]] = {}
    for n, answer in answers:
        by_request.setdefault(n, []).append(answer["text"])
    for n in RETRIED:
        original, copy = by_request[n]
        assert original == copy, "the copy gets the first answer"
    assert sum(stored_by_each) == MEMOS
    assert replayed == len(RETRIED), "of each pair of copies, one was done, one replayed"
    assert all(stored > 0 for stored in stored_by_each), "both processes served"
