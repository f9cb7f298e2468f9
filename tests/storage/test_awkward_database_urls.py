"""Any valid database location works: file names with `%`, `(1)`, spaces, `$` or Korean,
and a PostgreSQL password with `%` and `@` (URL-encoded, as URLs need).

Alembic keeps its options in a configparser, which reads `%` as the start of an
interpolation: a URL handed to it unescaped crashed `memo-bot migrate` and every
bot start on such a database. These run the real command line, as a person would.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import URL, create_engine, make_url, text
from typer.testing import CliRunner, Result

from adapters.cli.app import app
from storage.database import Database
from storage.schema import current_revision, head_revision
from tests.conftest import POSTGRES_SERVER

MEMO_BOT = str(Path(sys.executable).with_name("memo-bot"))

#: File names people really end up with: a browser's "(1)", a percentage, shell and
#: configparser syntax, a Korean folder name, spaces.
AWKWARD_NAMES = [
    "memo (1).db",
    "100% done.db",
    "memo %% twice.db",
    "%(here)s.db",
    "cost $5 ${HOME}.db",
    "회의 메모 ☕.db",
]


def _memo_bot(
    *arguments: str, database_url: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """The installed `memo-bot` as a separate process, as a person runs it."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("MEMO_")}
    env["MEMO_DATABASE_URL"] = database_url
    return subprocess.run(
        [MEMO_BOT, *arguments],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _in_process(*arguments: str, database_url: str, stdin: str = "") -> Result:
    """The same command line, run in this process (a new process costs seconds of imports)."""
    return CliRunner().invoke(
        app, list(arguments), input=stdin, env={"MEMO_DATABASE_URL": database_url}
    )


def _sqlite_url(path: Path) -> str:
    """The URL of a file, written the way URLs need it (`%` as `%25`, and so on)."""
    return URL.create("sqlite", database=str(path)).render_as_string()


def _at_head(url: str) -> bool:
    database = Database(url)
    try:
        return current_revision(database) == head_revision()
    finally:
        database.dispose()


def _database_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm")))


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_migrate_works_on_any_file_name(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "내 문서 (1) 50%"
    folder.mkdir()
    url = _sqlite_url(folder / name)

    result = _in_process("migrate", database_url=url)

    assert result.exit_code == 0, result.output
    assert f"is at revision {head_revision()}, the latest" in result.stdout
    assert _at_head(url)
    assert _database_files(folder) == [name], "the database is the file named, and no other"


@pytest.mark.parametrize("typed", ["memo (1).db", "50% off.db", "memo $x.db"])
def test_a_file_name_typed_as_is_works_too(tmp_path: Path, typed: str) -> None:
    """Names without a `%xx` escape in them can be written into the URL as they are."""
    result = _in_process("migrate", "--db", f"sqlite:///{tmp_path / typed}", database_url="")

    assert result.exit_code == 0, result.output
    assert _database_files(tmp_path) == [typed]


def test_the_memo_bot_command_migrates_and_starts_on_an_awkward_file_name(tmp_path: Path) -> None:
    migrated_path = tmp_path / "notes (1) 100% %% $x 회의.db"
    started_path = tmp_path / "notes (2) 50%25 ${HOME}.db"
    title = "Redis (1)편: 100% 캐시"

    migrated = _memo_bot("migrate", database_url=_sqlite_url(migrated_path))
    started = _memo_bot(
        "console",
        database_url=_sqlite_url(started_path),
        stdin=f"/memo add [{title}] 두 단계 캐시\n/memo show [{title}]\n",
    )

    assert migrated.returncode == 0, migrated.stderr
    assert started.returncode == 0, started.stderr
    assert started.stdout.count("두 단계 캐시") == 2, "saved, then shown"
    assert _at_head(_sqlite_url(migrated_path)) and _at_head(_sqlite_url(started_path))
    assert _database_files(tmp_path) == sorted([migrated_path.name, started_path.name])


@pytest.fixture
def postgres_role_with_awkward_password() -> Iterator[URL]:
    """A role whose password has `%`, `@`, `:` and `/`, owning a new, empty database."""
    if POSTGRES_SERVER is None:
        pytest.skip("needs MEMO_TEST_DATABASE_URL")
    suffix = uuid.uuid4().hex[:10]
    role, name, password = f"memo_awkward_{suffix}", f"memo_awkward_{suffix}", "p%40ss@w%rd:/%%x"
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        quoted = password.replace("'", "''")
        connection.execute(text(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{quoted}'"))
        connection.execute(text(f'CREATE DATABASE "{name}" OWNER "{role}"'))
    try:
        yield POSTGRES_SERVER.set(username=role, password=password, database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


@pytest.mark.postgres_only
def test_a_postgresql_password_with_percent_and_at_signs_works(
    postgres_role_with_awkward_password: URL,
) -> None:
    url = postgres_role_with_awkward_password
    typed = url.render_as_string(hide_password=False)  # the password URL-encoded
    assert make_url(typed).password == url.password

    migrated = _memo_bot("migrate", database_url=typed)
    started = _in_process(
        "console", database_url=typed, stdin="/memo add [PG 세션] 퍼센트 % 골뱅이 @\n"
    )

    assert migrated.returncode == 0, migrated.stderr
    assert started.exit_code == 0, started.output
    assert "퍼센트 % 골뱅이 @" in started.stdout
    for output in (migrated.stdout + migrated.stderr, started.output):
        assert not re.search(r"p%40ss|w%rd|p%2540ss", output), "the password is never printed"
    assert _at_head(typed)
