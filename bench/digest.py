"""Benchmark: building every channel's daily digest, as the scheduler would (no posting).

Seeds 10,000 channels (``--channels``), each with one conference day of 5
sessions and 20 memos and a few members who attended, and an enabled digest
(18:30 Asia/Seoul, every day), in a child process. Then, in a fresh process so
the peak RSS is the bot's: list the enabled digests and build each channel's
digest of that day through ``bot.digest.building.build_day_digest``, as
``DigestRunner.post`` does, rendered markdown included; nothing is claimed or posted.

Baseline measured in the same run, in a fresh process too: one plain
``sqlite3`` query per channel fetching that day's memos (with their session and
author): the floor of reading the same data.

Prints a table and writes ``bench/results/digest.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from core_add import Measurement  # the bench folder is on sys.path when a script in it runs
from seeding import (
    CACHE,
    FIRST_DAY,
    PLATFORM,
    ROOT,
    TIME_ZONE,
    WORKSPACE,
    build_once,
    channel_id,
    machine,
    note_lines,
    title_of,
)
from sqlalchemy import insert

from bot.digest.building import DayDigestResult, DigestBuilt, build_day_digest
from storage import digests
from storage.database import Database
from storage.digests import ScheduledDigest
from storage.models import (
    Attendance,
    Channel,
    Conference,
    ConferenceSession,
    DigestSetting,
    Member,
    Memo,
    Workspace,
    table_of,
)
from storage.schema import upgrade_to_head
from storage.search import rebuild_index

RESULTS = ROOT / "bench" / "results"

TARGET_TOTAL_S = 30.0
TARGET_RSS_MB = 200.0

#: The digests' setting: posted at 18:30 in Seoul, every day.
POST_AT = clock_time(18, 30)
#: The seeded conference day (local): the day every digest covers.
DAY = FIRST_DAY.astimezone(ZoneInfo(TIME_ZONE)).date()
#: Channels seeded per batch of executemany (bounds the seeder's memory).
SEED_BATCH = 1_000
NAMES = ("김지훈", "이서연", "박민준", "최유나", "정하은", "Alex Kim", "Jamie Park", "Sam Lee")


@dataclass(frozen=True)
class DigestShape:
    channels: int
    sessions: int
    memos: int
    members: int

    def cache_file(self) -> Path:
        return CACHE / f"digest_{self.channels}c_{self.sessions}s_{self.memos}m_{self.members}p.db"


# ------------------------------------------------------------------ seeding (a child process)


def seed(shape: DigestShape, path: Path) -> None:
    """One conference day per channel, through the migrations and the models (Core executemany)."""
    path.unlink(missing_ok=True)
    database = Database(f"sqlite:///{path}")
    upgrade_to_head(database)
    with database.writing() as tx:  # in turn with the search upkeep, which also writes
        tx.execute(
            insert(table_of(Workspace)),
            [{"id": 1, "platform": PLATFORM, "external_id": WORKSPACE, "created_at": FIRST_DAY}],
        )
        for first in range(0, shape.channels, SEED_BATCH):
            rows = _channel_rows(shape, range(first, min(shape.channels, first + SEED_BATCH)))
            for model, batch in rows.items():
                tx.execute(insert(table_of(model)), batch)
        rebuild_index(tx)  # as migration 0007 does: nothing left for the search upkeep
        tx.exec_driver_sql("ANALYZE")
    database.dispose()


def _channel_rows(shape: DigestShape, channels: range) -> dict[type[Any], list[dict[str, Any]]]:
    """The rows of these channels: one conference day each, and an enabled digest."""
    rng = random.Random(channels.start)
    lines = note_lines()
    zone = ZoneInfo(TIME_ZONE)
    rows: dict[type[Any], list[dict[str, Any]]] = {
        model: []
        for model in (
            Channel,
            Member,
            Conference,
            ConferenceSession,
            Attendance,
            Memo,
            DigestSetting,
        )
    }
    for channel in channels:
        row_id = channel + 1
        rows[Channel].append(
            {
                "id": row_id,
                "workspace_id": 1,
                "external_id": channel_id(channel),
                "last_memo_number": shape.memos,
                "created_at": FIRST_DAY,
            }
        )
        rows[Conference].append(
            {
                "id": row_id,
                "channel_id": row_id,
                "name": "DEVRIVER 2025",
                "name_key": "devriver 2025",
                "time_zone": TIME_ZONE,
                "starts_on": DAY,
                "ends_on": DAY + timedelta(days=1),
                "activated_at": FIRST_DAY,
                "created_at": FIRST_DAY,
            }
        )
        rows[DigestSetting].append(
            {
                "channel_id": row_id,
                "enabled": True,
                "post_at": POST_AT,
                "time_zone": TIME_ZONE,
                "days": "all",
                "disabled_reason": None,
                "updated_at": FIRST_DAY,
            }
        )
        members = [channel * shape.members + m + 1 for m in range(shape.members)]
        rows[Member].extend(
            {
                "id": member,
                "workspace_id": 1,
                "external_id": f"U{member:06d}",
                "display_name": f"{NAMES[member % len(NAMES)]} {member}",
                "created_at": FIRST_DAY,
            }
            for member in members
        )
        session_ids = [channel * shape.sessions + s + 1 for s in range(shape.sessions)]
        starts = [FIRST_DAY + timedelta(minutes=50 * s) for s in range(shape.sessions)]
        for index, (session_id, start) in enumerate(zip(session_ids, starts, strict=True)):
            title = title_of(channel, index)
            rows[ConferenceSession].append(
                {
                    "id": session_id,
                    "channel_id": row_id,
                    "conference_id": row_id,
                    "title": title,
                    "title_key": title.casefold(),
                    "day": DAY,
                    "starts_at": start.astimezone(zone).time(),
                    "created_at": start,
                }
            )
        authors: dict[int, set[int]] = {session_id: set() for session_id in session_ids}
        for number in range(shape.memos):
            index = number * shape.sessions // shape.memos  # memos in programme order
            author = members[number % len(members)]
            authors[session_ids[index]].add(author)
            text = rng.choice(lines)
            if number % 4 == 3:  # some notes run over a few lines
                text += "\n" + "\n".join(rng.sample(lines, 2))
            rows[Memo].append(
                {
                    "channel_id": row_id,
                    "number": number + 1,
                    "session_id": session_ids[index],
                    "author_id": author,
                    "text": text,
                    "created_at": starts[index] + timedelta(minutes=2 + 3 * (number % 12)),
                }
            )
        for session_id, start in zip(session_ids, starts, strict=True):
            rows[Attendance].extend(
                {
                    "session_id": session_id,
                    "member_id": member,
                    "via": "memo" if member in authors[session_id] else "explicit",
                    "created_at": start,
                }
                for member in members
            )
    return rows


# ------------------------------------------------------------------ measuring (fresh processes)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def check(shape: DigestShape, item: ScheduledDigest, built: DayDigestResult) -> int:
    """Fail loudly unless the digest holds the seeded day; returns its markdown's length."""
    where = f"digest of {item.target.channel_external_id}"
    if not isinstance(built, DigestBuilt):
        raise SystemExit(f"{where} was not built: {built}")
    shown = built.digest
    memo_counts = sum(session.memo_count for session in shown.sessions)
    if (len(shown.sessions), shown.memos, memo_counts, shown.people, shown.day) != (
        shape.sessions,
        shape.memos,
        shape.memos,
        shape.members,
        DAY,
    ):
        raise SystemExit(
            f"{where}: {len(shown.sessions)} sessions, {shown.memos} memos "
            f"({memo_counts} counted per session), {shown.people} people on {shown.day}; "
            f"seeded {shape.sessions} sessions, {shape.memos} memos, "
            f"{shape.members} people on {DAY}"
        )
    if not built.markdown or shown.sessions[0].title not in built.markdown:
        raise SystemExit(f"{where}: the rendered markdown lacks its sessions")
    return len(built.markdown)


def measure_digests(shape: DigestShape, path: Path) -> dict[str, Any]:
    """List the enabled digests and build each one, exactly as ``DigestRunner.post`` does."""
    database = Database(f"sqlite:///{path}")
    rss_ready = peak_rss_mb()
    samples: list[float] = []
    markdown_chars = 0
    started = time.perf_counter()
    with database.reading() as tx:  # DigestRunner.scheduled
        scheduled = digests.enabled_digests(tx)
    listed_s = time.perf_counter() - started
    for item in scheduled:
        built = time.perf_counter()
        digest = build_day_digest(database, item.target.channel_id, DAY, default_time_zone="UTC")
        samples.append((time.perf_counter() - built) * 1000)
        markdown_chars += check(shape, item, digest)
    total_s = time.perf_counter() - started
    database.dispose()
    if len(samples) != shape.channels:
        raise SystemExit(f"{len(samples)} enabled digests listed; seeded {shape.channels}")
    return {
        **_timings(samples, total_s, "digests"),
        "list_s": listed_s,
        "markdown_chars_avg": markdown_chars / len(samples),
        "rss_before_mb": rss_ready,
        "peak_rss_mb": peak_rss_mb(),
    }


#: The floor: that day's memos of one channel, with their session and author, in one query.
BASELINE_QUERY = (
    "SELECT m.session_id, s.title, m.number, a.display_name, m.text, m.created_at "
    "FROM memos m JOIN sessions s ON s.id = m.session_id JOIN members a ON a.id = m.author_id "
    "WHERE m.channel_id = ? AND m.deleted_at IS NULL AND m.created_at >= ? AND m.created_at < ? "
    "ORDER BY m.created_at, m.number"
)


def measure_baseline(shape: DigestShape, path: Path) -> dict[str, Any]:
    """Plain sqlite3: list the channels with a digest, then one query per channel."""
    connection = sqlite3.connect(path)
    zone = ZoneInfo(TIME_ZONE)
    # Stored the way SQLAlchemy stores UTC datetimes on SQLite.
    start, end = (
        datetime.combine(day, clock_time(), tzinfo=zone)
        .astimezone(UTC)
        .strftime("%Y-%m-%d %H:%M:%S.%f")
        for day in (DAY, DAY + timedelta(days=1))
    )
    rss_ready = peak_rss_mb()
    samples: list[float] = []
    started = time.perf_counter()
    channels = [
        row[0]
        for row in connection.execute(
            "SELECT channel_id FROM digest_settings WHERE enabled ORDER BY channel_id"
        )
    ]
    for channel in channels:
        read = time.perf_counter()
        rows = connection.execute(BASELINE_QUERY, (channel, start, end)).fetchall()
        samples.append((time.perf_counter() - read) * 1000)
        if len(rows) != shape.memos:
            raise SystemExit(f"baseline: channel {channel} has {len(rows)} memos that day")
    total_s = time.perf_counter() - started
    connection.close()
    timings = _timings(samples, total_s, "channels")
    return {**timings, "rss_before_mb": rss_ready, "peak_rss_mb": peak_rss_mb()}


def _timings(samples: list[float], total_s: float, count: str) -> dict[str, Any]:
    row = Measurement(count, samples).row()
    return {
        count: row["ops"],
        "total_s": total_s,
        "per_s": row["ops"] / total_s,
        "p50_ms": row["p50_ms"],
        "p99_ms": row["p99_ms"],
        "max_ms": max(samples),
    }


# ------------------------------------------------------------------ the run (this process)


def report(shape: DigestShape, measured: dict[str, Any]) -> dict[str, Any]:
    from rich.console import Console
    from rich.table import Table

    built, floor = measured["digest"], measured["baseline"]
    ratio = built["total_s"] / floor["total_s"]
    table = Table(
        title=f"daily digests of {shape.channels:,} channels "
        f"({shape.sessions} sessions, {shape.memos} memos each), SQLite"
    )
    for column in ("run", "channels", "total s", "p50 ms", "p99 ms", "max ms", "RSS MB"):
        table.add_column(column, justify="left" if column == "run" else "right")
    for name, row in (("memo-bot", built), ("raw sqlite3", floor)):
        table.add_row(
            name,
            f"{shape.channels:,}",
            f"{row['total_s']:.2f}",
            f"{row['p50_ms']:.2f}",
            f"{row['p99_ms']:.2f}",
            f"{row['max_ms']:.2f}",
            f"{row['peak_rss_mb']:.0f}",
        )
    meets = {
        "total_s": built["total_s"] < TARGET_TOTAL_S,
        "peak_rss_mb": built["peak_rss_mb"] < TARGET_RSS_MB,
    }
    checks = Table(title="targets")
    for column in ("check", "measured", "target", "met"):
        checks.add_column(column, justify="left" if column == "check" else "right")
    checks.add_row(
        "total time",
        f"{built['total_s']:.1f} s",
        f"< {TARGET_TOTAL_S:.0f} s",
        _yes(meets["total_s"]),
    )
    checks.add_row(
        "peak RSS",
        f"{built['peak_rss_mb']:.0f} MB",
        f"< {TARGET_RSS_MB:.0f} MB",
        _yes(meets["peak_rss_mb"]),
    )
    checks.add_row("time vs raw read", f"{ratio:.1f}x", "-", "-")
    console = Console()
    console.print(table)
    console.print(checks)
    console.print(
        f"listing the enabled digests took {built['list_s'] * 1000:.0f} ms; "
        f"RSS was {built['rss_before_mb']:.0f} MB before the first digest"
    )
    return {
        "benchmark": "digest",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "parameters": {
            "channels": shape.channels,
            "sessions_per_channel": shape.sessions,
            "memos_per_channel": shape.memos,
            "members_per_channel": shape.members,
            "day": DAY.isoformat(),
            "time_zone": TIME_ZONE,
        },
        "digest": built,
        "baseline_raw_sqlite": floor,
        "ratio_to_baseline": ratio,
        "target": {"total_s": TARGET_TOTAL_S, "peak_rss_mb": TARGET_RSS_MB},
        "meets_targets": meets,
    }


def _yes(met: bool) -> str:
    return "yes" if met else "NO"


def _shape_arguments(shape: DigestShape) -> Iterator[str]:
    for name in ("channels", "sessions", "memos", "members"):
        yield from (f"--{name}", str(getattr(shape, name)))


def measure_in_child(which: str, shape: DigestShape, path: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--measure", which, "--database", str(path)]
    finished = subprocess.run(
        [*command, *_shape_arguments(shape)], check=True, capture_output=True, text=True
    )
    measured: dict[str, Any] = json.loads(finished.stdout.splitlines()[-1])
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=5, help="per channel, on the day")
    parser.add_argument("--memos", type=int, default=20, help="per channel, on the day")
    parser.add_argument("--members", type=int, default=4, help="per channel, all attending")
    parser.add_argument("--output", type=Path, default=RESULTS / "digest.json")
    parser.add_argument("--seed", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--measure", choices=("digest", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    shape = DigestShape(args.channels, args.sessions, args.memos, args.members)
    if min(shape.channels, shape.sessions, shape.memos, shape.members) < 1:
        parser.error("every size must be at least 1")
    if shape.memos < shape.sessions or shape.memos < shape.members:
        parser.error("seed at least one memo per session and per member")

    if args.seed:
        seed(shape, args.seed)
        return
    if args.measure:
        measure = measure_digests if args.measure == "digest" else measure_baseline
        print(json.dumps(measure(shape, args.database)))
        return

    started = time.perf_counter()
    seeded = build_once(
        shape.cache_file(), [sys.executable, __file__, *_shape_arguments(shape), "--seed"]
    )
    print(
        f"seeded {shape.channels:,} channels in {time.perf_counter() - started:.1f}s "
        f"(cached in {seeded.relative_to(ROOT)})",
        file=sys.stderr,
    )
    work = CACHE / "digest"
    shutil.rmtree(work, ignore_errors=True)  # a stale -wal file would corrupt a fresh copy
    work.mkdir(parents=True)
    database = work / "digest.db"
    shutil.copyfile(seeded, database)
    measured = {
        "baseline": measure_in_child("baseline", shape, database),
        "digest": measure_in_child("digest", shape, database),
    }
    shutil.rmtree(work)
    result = report(shape, measured)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
