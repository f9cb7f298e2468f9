"""Start-up checks of the real `memo-bot run`: a token the platform refuses, a database out
of reach, a schema it cannot bring to head: one clear line and exit status 2, before
listening for a single request."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import URL, create_engine, make_url, text

from storage.database import Database
from storage.schema import alembic_config, head_revision
from tests.adapters.operations.discord_process import LAUNCHER, REPOSITORY, discord_environment
from tests.adapters.slack.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM
from tests.adapters.slack.running import MEMO_BOT, environment
from tests.conftest import POSTGRES_SERVER, create_postgres_database, drop_postgres_database
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack

DISCORD_TOKEN = "fake-discord-token"


def _run(env: dict[str, str], *launcher: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*(launcher or (MEMO_BOT,)), "run"],
        env=env,
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line that says why it stopped (exit status 2), last, after log lines only:
    no traceback, and nothing served."""
    said = result.stderr.strip().splitlines()[-1]
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "served at" not in result.stderr and "connected" not in result.stderr
    return said


def test_a_slack_token_slack_refuses_stops_it_before_it_listens(
    fake_slack: FakeSlack, database_url: URL
) -> None:
    fake_slack.add_workspace(TEAM, "xoxb-the-real-one")

    result = _run(environment(fake_slack, database_url))

    assert _one_line(result) == "Slack refused SLACK_BOT_TOKEN (auth.test: invalid_auth)"
    assert len(fake_slack.calls_to("auth.test")) == 1
    assert BOT_TOKEN not in result.stderr and SIGNING_SECRET not in result.stderr


def test_a_slack_secret_without_its_token_stops_it_instead_of_opening_the_console(
    fake_slack: FakeSlack, database_url: URL
) -> None:
    env = environment(fake_slack, database_url, SLACK_BOT_TOKEN="")

    result = _run(env)

    assert _one_line(result) == (
        "Slack is not set up right: SLACK_SIGNING_SECRET set without SLACK_BOT_TOKEN "
        "(one workspace) or SLACK_CLIENT_ID (installs in many workspaces)."
    )
    assert "console" not in result.stderr
    assert SIGNING_SECRET not in result.stderr


def test_a_discord_token_discord_refuses_stops_it_before_it_connects(
    fake_discord: FakeDiscord, database_url: URL
) -> None:
    fake_discord.revoke_token(DISCORD_TOKEN)
    env = discord_environment(fake_discord, database_url, DISCORD_TOKEN)

    result = _run(env, *LAUNCHER)

    line = _one_line(result)
    assert line.startswith("Discord refused DISCORD_TOKEN:"), line
    assert DISCORD_TOKEN not in result.stderr
    assert len(fake_discord.calls_to("GET /users/@me")) == 1, "the login, at the fake"
    assert fake_discord.calls_to("GET /gateway/bot") == [], "no shard ever connected"


def test_an_unreachable_database_stops_it(fake_slack: FakeSlack) -> None:
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    nowhere = make_url("postgresql://memo:secret-password@127.0.0.1:1/memo")

    result = _run(environment(fake_slack, nowhere))

    line = _one_line(result)
    assert line.startswith(
        "Cannot open the database postgresql+psycopg://memo:***@127.0.0.1:1/memo"
    )
    assert "secret-password" not in result.stderr


def test_a_database_a_newer_memo_bot_migrated_stops_it(
    fake_slack: FakeSlack, tmp_path: Path, sqlite_template: Path
) -> None:
    path = tmp_path / "memo.db"
    path.write_bytes(sqlite_template.read_bytes())
    url = make_url(f"sqlite:///{path}")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dcafe0099'"))
    engine.dispose()
    fake_slack.add_workspace(TEAM, BOT_TOKEN)

    result = _run(environment(fake_slack, url))

    assert _one_line(result) == (
        f"The database {url} is at revision f00dcafe0099, which this memo-bot does not know "
        f"(a newer memo-bot migrated it; it needs {head_revision()})."
    )


@pytest.mark.postgres_only
def test_a_schema_behind_that_the_bot_may_not_migrate_stops_it(fake_slack: FakeSlack) -> None:
    if POSTGRES_SERVER is None:
        pytest.skip("needs MEMO_TEST_DATABASE_URL")
    url = create_postgres_database()
    role = f"memo_reader_{url.database}"
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    try:
        database = Database(url)
        command.upgrade(alembic_config(database), "head")
        command.downgrade(alembic_config(database), "-1")  # the schema is one migration behind
        behind = _revision(url)
        database.dispose()
        with admin.connect() as connection:  # may use the tables, not change them
            connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
            connection.execute(text(f'GRANT CONNECT ON DATABASE "{url.database}" TO "{role}"'))
        owner = create_engine(url)
        with owner.begin() as connection:
            connection.execute(text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
            privileges = "SELECT, INSERT, UPDATE, DELETE"
            connection.execute(
                text(f'GRANT {privileges} ON ALL TABLES IN SCHEMA public TO "{role}"')
            )
        owner.dispose()
        fake_slack.add_workspace(TEAM, BOT_TOKEN)

        result = _run(environment(fake_slack, url.set(username=role)))
    finally:
        drop_postgres_database(url)
        with admin.connect() as connection:
            connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()

    line = _one_line(result)
    assert line.startswith(
        f"Cannot migrate the database postgresql+psycopg://{role}@127.0.0.1:5432/{url.database} "
        f"from revision {behind} to {head_revision()} (run `memo-bot migrate` as a user who may "
        "change the schema):"
    ), line


def _revision(url: URL) -> str:
    engine = create_engine(url)
    with engine.connect() as connection:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    return str(revision)
