"""A big, realistic database for the benchmarks, built once and cached in bench/.cache.

Rows go in through the migrations and the models (Core executemany), in a child
process, so a benchmark's own process never carries the seeder's memory.
"""

from __future__ import annotations

import os
import platform
import random
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import URL, create_engine, insert, make_url, text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from storage.database import Database, normalize_database_url  # noqa: E402
from storage.models import (  # noqa: E402
    Attendance,
    Channel,
    Conference,
    ConferenceSession,
    Member,
    Memo,
    Workspace,
    table_of,
)
from storage.schema import head_revision, upgrade_to_head  # noqa: E402
from storage.search import rebuild_index  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
#: The kept PostgreSQL copy of a seeded file is this, then ``_<memos>_<schema head>``: the
#: server is shared by checkouts whose migrations differ, so each head keeps its own copy.
POSTGRES_DATABASE = "memo_bench"
SAMPLES = ROOT / "tests" / "samples" / "blog-notes.txt"

TIME_ZONE = "Asia/Seoul"
FIRST_DAY = datetime(2025, 9, 25, 0, 30, tzinfo=UTC)  # 09:30 in Seoul
DAYS = 3
MEMBERS_PER_CHANNEL = 20
#: The seeded data is one Slack workspace: platform "slack", team "T1", channels C0000...
PLATFORM, WORKSPACE = "slack", "T1"


@dataclass(frozen=True)
class Shape:
    memos: int
    sessions: int
    channels: int

    @property
    def sessions_per_channel(self) -> int:
        return max(1, self.sessions // self.channels)

    def cache_file(self) -> Path:
        return CACHE / f"core_{self.memos}m_{self.sessions}s_{self.channels}c.db"


def note_lines() -> list[str]:
    """Real note lines from the sample posts, so text and sizes look like the real thing."""
    lines = [line.strip() for line in SAMPLES.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and not line.startswith(("[", "(", "ㅡ", "---"))]


def title_of(channel: int, session: int) -> str:
    return f"세션 {session:03d}: 대규모 트래픽에서 살아남는 서비스 운영기 ({channel})"


def seed(shape: Shape, path: Path) -> None:
    """Create the database through the migrations, then bulk-insert rows (Core executemany)."""
    path.unlink(missing_ok=True)
    database = Database(f"sqlite:///{path}")
    upgrade_to_head(database)

    rng = random.Random(42)
    lines = note_lines()
    per_channel = shape.sessions_per_channel
    memos_per_session = max(1, shape.memos // (per_channel * shape.channels))
    member_count = MEMBERS_PER_CHANNEL * 5
    with database.writing() as tx:  # in turn with the search upkeep, which also writes
        tx.execute(
            insert(table_of(Workspace)),
            [{"id": 1, "platform": PLATFORM, "external_id": WORKSPACE, "created_at": FIRST_DAY}],
        )
        tx.execute(
            insert(table_of(Member)),
            [
                {
                    "id": m + 1,
                    "workspace_id": 1,
                    "external_id": f"U{m:04d}",
                    "display_name": f"member{m}",
                    "created_at": FIRST_DAY,
                }
                for m in range(member_count)
            ],
        )
        session_id = 0
        for channel in range(shape.channels):
            row_id = channel + 1
            tx.execute(
                insert(table_of(Channel)),
                [
                    {
                        "id": row_id,
                        "workspace_id": 1,
                        "external_id": channel_id(channel),
                        "last_memo_number": per_channel * memos_per_session,
                        "created_at": FIRST_DAY,
                    }
                ],
            )
            tx.execute(
                insert(table_of(Conference)),
                [
                    {
                        "id": row_id,
                        "channel_id": row_id,
                        "name": "DEVRIVER 2025",
                        "name_key": "devriver 2025",
                        "time_zone": TIME_ZONE,
                        "activated_at": FIRST_DAY,
                        "created_at": FIRST_DAY,
                    }
                ],
            )
            members = rng.sample(range(1, member_count + 1), MEMBERS_PER_CHANNEL)
            sessions, memos, attendances = [], [], []
            for index in range(per_channel):
                session_id += 1
                start = FIRST_DAY + timedelta(days=index % DAYS, minutes=40 * (index // DAYS))
                title = title_of(channel, index)
                sessions.append(
                    {
                        "id": session_id,
                        "channel_id": row_id,
                        "conference_id": row_id,
                        "title": title,
                        "title_key": title.casefold(),
                        "day": start.date(),
                        "created_at": start,
                    }
                )
                authors = rng.sample(members, 4)
                attendances.extend(
                    {
                        "session_id": session_id,
                        "member_id": author,
                        "via": "memo",
                        "created_at": start,
                    }
                    for author in authors
                )
                memos.extend(
                    {
                        "channel_id": row_id,
                        "number": index * memos_per_session + number + 1,
                        "session_id": session_id,
                        "author_id": authors[number % 4],
                        "text": rng.choice(lines),
                        "created_at": start + timedelta(seconds=20 * number),
                    }
                    for number in range(memos_per_session)
                )
            tx.execute(insert(table_of(ConferenceSession)), sessions)
            tx.execute(insert(table_of(Attendance)), attendances)
            tx.execute(insert(table_of(Memo)), memos)
        rebuild_index(tx)  # rows went in around storage.memos, so index them as 0007 does
        tx.exec_driver_sql("ANALYZE")
    database.dispose()


def ensure_seeded(shape: Shape) -> Path:
    """The seeded file for this shape, built once in a child process and cached."""
    return build_once(
        shape.cache_file(),
        [sys.executable, __file__, str(shape.memos), str(shape.sessions), str(shape.channels)],
    )


def build_once(path: Path, command: list[str]) -> Path:
    """``path``, built by ``command`` + a temporary path (in a child process) unless cached.

    A cached file is brought to the current schema first, so a new migration (an
    index, say) is measured, not the schema of the day the cache was built.
    """
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        temporary = Path(str(path) + ".tmp")
        subprocess.run([*command, str(temporary)], check=True)
        temporary.rename(path)
    database = Database(f"sqlite:///{path}")
    upgrade_to_head(database)
    database.dispose()
    return path


def ensure_postgres(server: str, shape: Shape, source: Path) -> str:
    """A PostgreSQL copy of the seeded SQLite rows (``source``), indexed; built once and
    kept as ``memo_bench_<memos>_<schema head>``. Benchmarks that write use a
    ``postgres_clone`` of it."""
    base = normalize_database_url(server)
    name = f"{POSTGRES_DATABASE}_{shape.memos}_{head_revision()}"
    url = base.set(database=name)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if exists is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    database = Database(url)
    upgrade_to_head(database)
    with database.engine.begin() as tx:
        if tx.exec_driver_sql("SELECT count(*) FROM memos").scalar_one() == shape.memos:
            database.dispose()
            return url.render_as_string(hide_password=False)
    print(f"copying {shape.memos:,} memos into PostgreSQL {name} ...", file=sys.stderr)
    source_db = sqlite3.connect(source)
    tables = ("workspaces", "members", "channels", "conferences", "sessions", "attendances")
    with database.engine.begin() as tx:
        tx.exec_driver_sql(
            "TRUNCATE memo_search, memos, attendances, sessions, conferences, channels, "
            "members, workspaces CASCADE"
        )
        raw = tx.connection.driver_connection
        for table in (*tables, "memos"):
            columns = [row[1] for row in source_db.execute(f"PRAGMA table_info({table})")]
            with raw.cursor().copy(  # type: ignore[union-attr]
                f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            ) as copy:
                for row in source_db.execute(f"SELECT {', '.join(columns)} FROM {table}"):
                    copy.write_row(row)
        for table in (*tables, "memos"):
            tx.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
                if table != "attendances"
                else "SELECT 1"
            )
        rebuild_index(tx)
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as tx:
        tx.exec_driver_sql("VACUUM ANALYZE")
    source_db.close()
    database.dispose()
    return url.render_as_string(hide_password=False)


def postgres_clone(kept: str, name: str) -> str:
    """A fresh copy of the kept database ``kept`` (``CREATE DATABASE ... TEMPLATE``) named
    ``name``, replacing an earlier one: a benchmark that writes starts from the same rows."""
    url = make_url(kept)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgres(url: str) -> None:
    target: URL = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
    admin.dispose()


def channel_id(channel: int) -> str:
    """The Slack-like id of the n-th seeded channel."""
    return f"C{channel:04d}"


if __name__ == "__main__":
    memos, sessions, channels, target = sys.argv[1:5]
    seed(Shape(int(memos), int(sessions), int(channels)), Path(target))


def machine() -> dict[str, object]:
    """What a results file records about where it was measured."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "cpus": os.cpu_count(),
    }
