"""Benchmark: /memo add, show and sessions through the core API on a big SQLite file.

Seeds N memos (default 1,000,000 over 10,000 sessions in 200 channels) in a
child process, then measures each command through ``MemoBot.handle`` in a
fresh process, so the peak RSS reported is the bot's, not the seeder's. Each
command carries a delivery id, as every chat adapter's do, so an add pays for
what makes a redelivered request store nothing twice.

Baselines measured in the same run, for ratios that survive a noisy machine:
- the same commands on a small database (1,000 memos): does latency grow with size?
- one raw ``sqlite3`` INSERT + COMMIT into the big file: the floor under an add.

Prints a table and writes ``bench/results/core_add.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from seeding import (  # the bench folder is on sys.path when a script in it runs
    CACHE,
    FIRST_DAY,
    PLATFORM,
    ROOT,
    WORKSPACE,
    Shape,
    channel_id,
    ensure_seeded,
    machine,
    note_lines,
    title_of,
)

from bot.core import MemoBot
from bot.invocation import Invocation
from storage.database import Database

RESULTS = ROOT / "bench" / "results"

TARGETS_MS = {"add": 5.0, "sessions": 10.0}
TARGET_RSS_MB = 150.0


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass
class Measurement:
    name: str
    samples_ms: list[float]

    def row(self) -> dict[str, float]:
        total_s = sum(self.samples_ms) / 1000
        return {
            "ops": len(self.samples_ms),
            "ops_per_s": len(self.samples_ms) / total_s if total_s else 0.0,
            "p50_ms": statistics.median(self.samples_ms),
            "p99_ms": percentile(self.samples_ms, 0.99),
        }


def time_calls(count: int, call: Callable[[int], None], warmup: int = 100) -> list[float]:
    for index in range(warmup):
        call(-1 - index)
    samples = []
    for index in range(count):
        started = time.perf_counter()
        call(index)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def measure_core(shape: Shape, path: Path, iterations: int) -> dict[str, Measurement]:
    """Time add, add without a title, show and sessions through MemoBot.handle."""
    database = Database(f"sqlite:///{path}")
    bot = MemoBot(database)
    rng = random.Random(7)
    lines = note_lines()
    per_channel = shape.sessions_per_channel
    now = FIRST_DAY + timedelta(days=1, hours=6)
    clock = [now]
    deliveries = itertools.count()

    def ask(channel: int, user: int, text: str) -> None:
        clock[0] += timedelta(milliseconds=5)
        reply = bot.handle(
            Invocation(
                PLATFORM,
                WORKSPACE,
                channel_id(channel),
                f"U{user:04d}",
                f"member{user}",
                text,
                clock[0],
                delivery_id=f"command:bench-{next(deliveries)}",
            )
        )
        if not reply.ok:
            raise RuntimeError(reply.markdown)

    def add(_: int) -> None:
        channel = rng.randrange(shape.channels)
        ask(
            channel,
            rng.randrange(50),
            f"add [{title_of(channel, rng.randrange(per_channel))}] {rng.choice(lines)}",
        )

    def add_untitled(_: int) -> None:
        channel, user = rng.randrange(shape.channels), rng.randrange(50)
        ask(
            channel, user, f"add [{title_of(channel, rng.randrange(per_channel))}] 먼저 제목과 함께"
        )
        started = time.perf_counter()
        ask(channel, user, f"add {rng.choice(lines)}")
        untitled.append((time.perf_counter() - started) * 1000)

    def show(_: int) -> None:
        channel = rng.randrange(shape.channels)
        ask(channel, 1, f"show [{title_of(channel, rng.randrange(per_channel))}]")

    def sessions(_: int) -> None:
        ask(rng.randrange(shape.channels), 1, "sessions")

    untitled: list[float] = []
    results = {
        "add": Measurement("add", time_calls(iterations, add)),
        "sessions": Measurement("sessions", time_calls(iterations, sessions)),
        "show": Measurement("show", time_calls(iterations // 4, show)),
    }
    time_calls(iterations // 2, add_untitled, warmup=0)
    results["add_untitled"] = Measurement("add_untitled", untitled[-(iterations // 2) :])
    bot.close()
    database.dispose()
    return results


def measure_raw_insert(path: Path, iterations: int) -> Measurement:
    """One memo row inserted and committed with plain sqlite3, same pragmas as the bot."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
        connection.execute(f"PRAGMA {pragma}")
    next_number = connection.execute(
        "SELECT max(number) FROM memos WHERE channel_id = 1"
    ).fetchone()[0]
    counter = [next_number or 0]

    def insert(_: int) -> None:
        counter[0] += 1
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "INSERT INTO memos (channel_id, number, session_id, author_id, text, created_at) "
            "VALUES (1, ?, 1, 1, '캐시를 두 단계로', '2025-09-26 06:00:00')",
            (counter[0],),
        )
        connection.execute("COMMIT")

    samples = time_calls(iterations, insert)
    connection.close()
    return Measurement("raw sqlite3 insert", samples)


def run_measurements(args: argparse.Namespace) -> dict[str, object]:
    """Runs in a fresh process: small baseline, big database, raw floor; then peak RSS."""
    big = Shape(args.memos, args.sessions, args.channels)
    small = Shape(1_000, 100, 10)
    work = CACHE / "run"
    shutil.rmtree(work, ignore_errors=True)  # a stale -wal file would corrupt a fresh copy
    work.mkdir(parents=True)
    copies = {}
    for name, shape in (("small", small), ("big", big)):
        copies[name] = work / f"{name}.db"
        shutil.copyfile(shape.cache_file(), copies[name])
    small_results = measure_core(small, copies["small"], args.iterations)
    big_results = measure_core(big, copies["big"], args.iterations)
    raw = measure_raw_insert(copies["big"], args.iterations)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    shutil.rmtree(work)
    return {
        "big": {name: m.row() for name, m in big_results.items()},
        "small": {name: m.row() for name, m in small_results.items()},
        "raw_insert": raw.row(),
        "peak_rss_mb": peak_rss_mb,
    }


def report(args: argparse.Namespace, measured: dict[str, object]) -> dict[str, object]:
    from rich.console import Console
    from rich.table import Table

    big: dict[str, dict[str, float]] = measured["big"]  # type: ignore[assignment]
    small: dict[str, dict[str, float]] = measured["small"]  # type: ignore[assignment]
    raw: dict[str, float] = measured["raw_insert"]  # type: ignore[assignment]
    table = Table(title=f"core through MemoBot.handle, SQLite, {args.memos:,} memos")
    for column in ("command", "ops/s", "p50 ms", "p99 ms", "target p99", "p99 vs 1k-memo db"):
        table.add_column(column, justify="right" if column != "command" else "left")
    rows = {}
    for name, row in big.items():
        ratio = row["p99_ms"] / small[name]["p99_ms"]
        target = TARGETS_MS.get(name)
        rows[name] = {
            **row,
            "p99_vs_small_db": ratio,
            "target_p99_ms": target,
            "meets_target": None if target is None else row["p99_ms"] < target,
        }
        table.add_row(
            name,
            f"{row['ops_per_s']:,.0f}",
            f"{row['p50_ms']:.2f}",
            f"{row['p99_ms']:.2f}",
            f"< {target} ms" if target else "-",
            f"{ratio:.2f}x",
        )
    table.add_row(
        "raw insert (floor)",
        f"{raw['ops_per_s']:,.0f}",
        f"{raw['p50_ms']:.2f}",
        f"{raw['p99_ms']:.2f}",
        "-",
        "-",
    )
    console = Console()
    console.print(table)
    add_vs_raw = big["add"]["p50_ms"] / raw["p50_ms"]
    rss = float(measured["peak_rss_mb"])  # type: ignore[arg-type]
    console.print(
        f"add p50 is {add_vs_raw:.1f}x one raw insert+commit; "
        f"peak RSS {rss:.0f} MB (target < {TARGET_RSS_MB:.0f} MB)"
    )
    return {
        "benchmark": "core_add",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "parameters": {
            "memos": args.memos,
            "sessions": args.sessions,
            "channels": args.channels,
            "iterations": args.iterations,
        },
        "results": rows,
        "baseline_small_db": small,
        "baseline_raw_insert": raw,
        "add_p50_vs_raw_insert": add_vs_raw,
        "peak_rss_mb": rss,
        "target_rss_mb": TARGET_RSS_MB,
        "meets_rss_target": rss < TARGET_RSS_MB,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memos", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--iterations", type=int, default=2_000)
    parser.add_argument("--output", type=Path, default=RESULTS / "core_add.json")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:
        print(json.dumps(run_measurements(args)))
        return

    for shape in (Shape(1_000, 100, 10), Shape(args.memos, args.sessions, args.channels)):
        started = time.perf_counter()
        ensure_seeded(shape)
        print(
            f"seeded {shape.memos:,} memos in {time.perf_counter() - started:.1f}s "
            f"(cached in {shape.cache_file().relative_to(ROOT)})",
            file=sys.stderr,
        )
    measured = subprocess.run(
        [
            sys.executable,
            __file__,
            "--measure",
            "--memos",
            str(args.memos),
            "--sessions",
            str(args.sessions),
            "--channels",
            str(args.channels),
            "--iterations",
            str(args.iterations),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    result = report(args, json.loads(measured.stdout.splitlines()[-1]))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
