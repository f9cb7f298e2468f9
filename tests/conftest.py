"""Shared fixtures: the two real databases, the core, and a chat to talk to it.

Every test that takes ``database`` runs on SQLite, and also on PostgreSQL when
``MEMO_TEST_DATABASE_URL`` points at a server. Under ``CI=true`` the
PostgreSQL half is required: a missing variable or an unreachable server fails
the run instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import URL, create_engine, make_url, text

from adapters.cli.registry import PLATFORMS
from bot.core import MemoBot
from bot.summary.choosing import Summaries
from bot.summary.llm import LlmConfig
from storage.database import Database, normalize_database_url
from storage.models import Base
from storage.schema import upgrade_to_head
from tests.chat import Chat
from tests.fakes.openai import API_KEY, MODEL, FakeOpenAI, fake_openai  # noqa: F401

POSTGRES_ENV = "MEMO_TEST_DATABASE_URL"


def _postgres_server() -> URL | None:
    raw = os.environ.get(POSTGRES_ENV)
    if not raw:
        if os.environ.get("CI") == "true":
            pytest.exit(f"CI=true but {POSTGRES_ENV} is not set: the PostgreSQL tests must run", 2)
        return None
    url = normalize_database_url(raw)
    try:
        engine = create_engine(url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:
        pytest.exit(f"PostgreSQL at {url.render_as_string()} is unreachable: {error}", 2)
    return url


POSTGRES_SERVER = _postgres_server()
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_SERVER else ["sqlite"]


def _admin_execute(statement: str) -> None:
    assert POSTGRES_SERVER is not None
    engine = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


def create_postgres_database() -> URL:
    """A new, empty database on the PostgreSQL test server (see ``drop_postgres_database``)."""
    assert POSTGRES_SERVER is not None
    name = f"memo_bot_test_{uuid.uuid4().hex[:12]}"
    _admin_execute(f'CREATE DATABASE "{name}"')
    return POSTGRES_SERVER.set(database=name)


def drop_postgres_database(url: URL) -> None:
    _admin_execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "memo.db"
    database = Database(f"sqlite:///{path}")
    upgrade_to_head(database)
    database.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[URL]:
    """A PostgreSQL database migrated to head once; each test starts from empty tables."""
    if POSTGRES_SERVER is None:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    url = create_postgres_database()
    database = Database(url)
    upgrade_to_head(database)
    database.dispose()
    yield url
    drop_postgres_database(url)


def _empty_postgres(url: URL) -> None:
    assert PLATFORMS, "imported: the platforms' own tables are on Base.metadata, emptied too"
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> URL:
    """The URL of an empty, migrated database: SQLite, and PostgreSQL when configured."""
    if request.param == "sqlite":
        path = tmp_path / "memo.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return make_url(f"sqlite:///{path}")
    url: URL = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    return url


@pytest.fixture
def database(database_url: URL) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def bot(database: Database) -> Iterator[MemoBot]:
    bot = MemoBot(database, default_time_zone="UTC")
    yield bot
    bot.close()


@pytest.fixture
def model_bot(database: Database, fake_openai: FakeOpenAI) -> Iterator[MemoBot]:  # noqa: F811
    """The core with summaries written by the fake model (it gives up on it after 1 s)."""
    config = LlmConfig(fake_openai.base_url, MODEL, API_KEY, timeout=1.0)
    bot = MemoBot(database, summaries=Summaries(config))
    yield bot
    bot.close()


@pytest.fixture
def chat(bot: MemoBot) -> Chat:
    """A Slack-like channel C1 in workspace T1."""
    return Chat(bot)
