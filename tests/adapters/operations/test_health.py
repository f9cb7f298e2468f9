"""/healthz and /readyz of the real `memo-bot run`: ready only while the database is there, at
the migrations' head, and every chat platform is up; alive all the while."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import URL, make_url

from storage.database import Database
from storage.schema import upgrade_to_head
from tests.adapters.operations.discord_process import LAUNCHER, REPOSITORY, discord_environment
from tests.adapters.operations.probing import get, readiness_becomes
from tests.adapters.slack.conftest import APP_TOKEN, BOT_TOKEN, TEAM
from tests.adapters.slack.running import MEMO_BOT, environment, running_bot, running_process
from tests.conftest import (
    POSTGRES_SERVER,
    _admin_execute,
    create_postgres_database,
    drop_postgres_database,
)
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack

_HEALTH_SERVED = re.compile(r"health and metrics served at http://127\.0\.0\.1:(\d+)")


def test_health_and_readiness_are_served_next_to_slack_events(
    fake_slack: FakeSlack, database_url: URL
) -> None:
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    with running_bot(fake_slack, database_url) as bot:
        port = bot.port()
        assert get(port, "/healthz") == (200, json.dumps({"alive": True}))
        ready = readiness_becomes(port, 200)
        assert bot.stop() == 0, bot.log
    assert ready == {
        "ready": True,
        "checks": {"database": "ok", "migrations": "ok", "HttpServer": "ok"},
    }


def test_readiness_follows_the_sqlite_file_moved_away_and_back(
    fake_slack: FakeSlack, tmp_path: Path, sqlite_template: Path
) -> None:
    path = tmp_path / "memo.db"
    path.write_bytes(sqlite_template.read_bytes())
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    with running_bot(fake_slack, make_url(f"sqlite:///{path}")) as bot:
        port = bot.port()
        readiness_becomes(port, 200)

        path.rename(tmp_path / "moved.db")
        gone = readiness_becomes(port, 503)
        assert get(port, "/healthz")[0] == 200, "still alive: only not ready"

        (tmp_path / "moved.db").rename(path)
        back = readiness_becomes(port, 200)
        assert bot.stop() == 0, bot.log
    assert gone["checks"] == {"database": "failing", "migrations": "failing", "HttpServer": "ok"}
    assert back["ready"] is True
    assert "not ready: database unreachable" in bot.log
    assert "ready again: database" in bot.log


@pytest.mark.postgres_only
def test_readiness_follows_a_postgresql_database_dropped_and_recreated(
    fake_slack: FakeSlack,
) -> None:
    if POSTGRES_SERVER is None:
        pytest.skip("needs MEMO_TEST_DATABASE_URL")
    url = create_postgres_database()
    try:
        _migrate(url)
        fake_slack.add_workspace(TEAM, BOT_TOKEN)
        with running_bot(fake_slack, url) as bot:
            port = bot.port()
            readiness_becomes(port, 200)

            drop_postgres_database(url)  # WITH (FORCE): the bot's connections are ended too
            dropped = readiness_becomes(port, 503)

            _admin_execute(f'CREATE DATABASE "{url.database}"')
            empty = readiness_becomes(port, 503)
            assert empty["checks"]["database"] == "ok"

            _migrate(url)
            back = readiness_becomes(port, 200)
            assert bot.stop() == 0, bot.log
    finally:
        drop_postgres_database(url)
    assert dropped["checks"]["database"] == "failing"
    assert empty["checks"]["migrations"] == "failing", "an empty database is not at head"
    assert back["checks"] == {"database": "ok", "migrations": "ok", "HttpServer": "ok"}


def _migrate(url: URL) -> None:
    database = Database(url)
    upgrade_to_head(database)
    database.dispose()


def test_with_discord_alone_the_health_listener_serves_them_and_follows_the_gateway(
    fake_discord: FakeDiscord, database_url: URL
) -> None:
    env = discord_environment(
        fake_discord,
        database_url,
        "discord-token",
        MEMO_HEALTH_PORT="0",
        MEMO_HEALTH_HOST="127.0.0.1",
    )
    with running_process([*LAUNCHER, "run"], env, REPOSITORY) as bot:
        port = int(bot.wait_for_log(_HEALTH_SERVED).group(1))
        assert get(port, "/healthz")[0] == 200
        ready = readiness_becomes(port, 200)
        metrics = get(port, "/metrics")

        fake_discord.refuse_gateway()  # the connection drops; discord.py keeps reconnecting
        cut_off = readiness_becomes(port, 503)
        fake_discord.accept_gateway()
        back = readiness_becomes(port, 200)
        assert bot.stop() == 0, bot.log
    assert ready["checks"] == {"database": "ok", "migrations": "ok", "DiscordService": "ok"}
    assert metrics[0] == 200 and "memo_commands_total" in metrics[1]
    assert cut_off["checks"]["DiscordService"] == "failing"
    assert back["checks"]["DiscordService"] == "ok"
    assert "not ready: DiscordService disconnected from its platform" in bot.log


def test_with_socket_mode_alone_the_health_listener_serves_them_and_follows_the_socket(
    fake_slack: FakeSlack, database_url: URL
) -> None:
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    with running_process(
        [MEMO_BOT, "run"],
        environment(
            fake_slack,
            database_url,
            SLACK_SIGNING_SECRET="",
            SLACK_APP_TOKEN=APP_TOKEN,
            MEMO_HEALTH_PORT="0",
            MEMO_HEALTH_HOST="127.0.0.1",
        ),
    ) as bot:
        port = int(bot.wait_for_log(_HEALTH_SERVED).group(1))
        ready = readiness_becomes(port, 200)
        for _ in range(6):  # the reconnection fails for a while (each try is retried twice)
            fake_slack.fail_next("apps.connections.open")
        fake_slack.drop_socket()
        cut_off = readiness_becomes(port, 503)
        back = readiness_becomes(port, 200)
        assert bot.stop() == 0, bot.log
    assert ready["checks"] == {"database": "ok", "migrations": "ok", "SocketModeLink": "ok"}
    assert cut_off["checks"]["SocketModeLink"] == "failing"
    assert back["ready"] is True
    assert "Slack events served" not in bot.log, "no HTTP server for Slack"
