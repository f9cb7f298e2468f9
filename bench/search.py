"""Benchmark: /memo search through the core on 1,000,000 memos, SQLite and PostgreSQL.

The memos are the cached database of ``seeding.py`` (sample note lines, 200
channels of 5,000 memos), whose search index is built as migration 0007 builds
it. 1,000 queries of the kinds the issue names (sample queries, Korean words of
one and two syllables, English words in any case, symbols, quoted phrases,
mixed queries, and queries with ``in:``/``by:``/``day:`` filters) run through
``MemoBot.handle``, rendering included, each in a random channel.

Baseline, in the same run and process: the same query words looked for with
``LIKE '%word%'`` over the channel's memos (raw ``sqlite3``, through the
channel's index: the 5,000-memo scan a search without an index would do).

PostgreSQL runs too when ``--postgres URL`` or ``MEMO_TEST_DATABASE_URL`` names
a server: the SQLite rows are copied into a database ``memo_bench_<memos>_<head>``
there once (and kept), then indexed like the migration does.

Each database is measured in a fresh process, so the peak RSS reported is the
bot's with search loaded. Prints a table, writes ``bench/results/search.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from blog_notes import SAMPLES  # the bench folder is on sys.path when a script in it runs
from core_add import percentile
from seeding import (
    CACHE,
    FIRST_DAY,
    PLATFORM,
    ROOT,
    WORKSPACE,
    Shape,
    channel_id,
    ensure_postgres,
    ensure_seeded,
    machine,
    note_lines,
    title_of,
)

from bot.core import MemoBot
from bot.invocation import Invocation
from bot.replies.values import SearchResults
from storage.database import Database

RESULTS = ROOT / "bench" / "results"
TARGET_P95_MS = 20.0
TARGET_RSS_MB = 150.0

_HANGUL_RUN = re.compile(r"[가-힣]{2,}")
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
SYMBOL_TERMS = ("AVX-512", "1:N", "C++", "<->", "5xx", "p99", "L1", "x3", "2-tier")
NO_HIT_WORDS = ("블록체인", "메타버스", "quantum", "웹3")


def channel_authors(database_file: Path) -> dict[str, list[str]]:
    """The names of the people who wrote in each channel, by the channel's id.

    A ``by:`` filter names one of them: a name that wrote only in other channels is
    answered like a name nobody has, without searching.
    """
    connection = sqlite3.connect(database_file)
    try:
        rows = connection.execute(
            "SELECT DISTINCT channels.external_id, members.display_name FROM memos"
            " JOIN channels ON channels.id = memos.channel_id"
            " JOIN members ON members.id = memos.author_id"
            " ORDER BY 1, 2"
        ).fetchall()
    finally:
        connection.close()
    authors: dict[str, list[str]] = {}
    for channel, name in rows:
        authors.setdefault(channel, []).append(name)
    return authors


def make_queries(
    shape: Shape, count: int, authors: dict[str, list[str]], seed: int = 11
) -> list[tuple[str, int, str]]:
    """``count`` (kind, channel, query text after `/memo search`), the same for every run."""
    rng = random.Random(seed)
    lines = note_lines()
    samples = [q["q"] for q in json.loads((SAMPLES / "queries.json").read_text("utf-8"))["queries"]]
    korean = sorted({run for line in lines for run in _HANGUL_RUN.findall(line)})
    english = sorted({word for line in lines for word in _LATIN_WORD.findall(line)})

    def two_syllables() -> str:
        run = rng.choice(korean)
        start = rng.randrange(len(run) - 1)
        return run[start : start + 2]

    def any_case(word: str) -> str:
        return rng.choice((word.lower(), word.upper(), word.capitalize()))

    def phrase() -> str:
        words = rng.choice([line for line in lines if len(line.split()) >= 4]).split()
        start = rng.randrange(len(words) - 2)
        return '"' + " ".join(words[start : start + rng.choice((2, 3))]).replace('"', "") + '"'

    def filtered(channel: int) -> str:
        word = two_syllables()
        kind = rng.randrange(3)
        if kind == 0:
            title = title_of(channel, rng.randrange(shape.sessions_per_channel))
            return f'{word} in:"{title}"'
        if kind == 1:
            return f"{word} by:@{rng.choice(authors[channel_id(channel)])}"
        day = (FIRST_DAY + timedelta(days=rng.randrange(3))).date().isoformat()
        return f"{word} day:{day}"

    kinds = {
        "sample": (15, lambda _: rng.choice(samples)),
        "korean 2-syllable": (25, lambda _: two_syllables()),
        "korean 1-syllable": (5, lambda _: rng.choice(rng.choice(korean))),
        "english": (13, lambda _: any_case(rng.choice(english))),
        "symbol": (10, lambda _: rng.choice(SYMBOL_TERMS)),
        "phrase": (10, lambda _: phrase()),
        "mixed": (10, lambda _: f"{two_syllables()} {any_case(rng.choice(english))}"),
        "filtered": (10, filtered),
        "no hit": (2, lambda _: rng.choice(NO_HIT_WORDS)),
    }
    names = list(kinds)
    weights = [kinds[name][0] for name in names]
    queries = []
    for _ in range(count):
        kind = rng.choices(names, weights)[0]
        channel = rng.randrange(shape.channels)
        queries.append((kind, channel, kinds[kind][1](channel)))
    return queries


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "queries": len(samples),
        "p50_ms": statistics.median(samples),
        "p95_ms": percentile(samples, 0.95),
        "p99_ms": percentile(samples, 0.99),
        "max_ms": max(samples),
    }


def measure_search(url: str, queries: list[tuple[str, int, str]]) -> dict[str, Any]:
    """Every query through MemoBot.handle (after a warm-up pass over 100 of them)."""
    database = Database(url)
    bot = MemoBot(database, default_time_zone="Asia/Seoul")
    now = FIRST_DAY + timedelta(days=3)

    def ask(channel: int, text: str) -> SearchResults:
        invocation = Invocation(
            PLATFORM, WORKSPACE, channel_id(channel), "U0001", "member1", f"search {text}", now
        )
        reply = bot.handle(invocation)
        if not isinstance(reply.data, SearchResults):
            raise RuntimeError(f"{text!r}: {reply.markdown}")
        return reply.data

    for _, channel, text in queries[:100]:
        ask(channel, text)
    samples: dict[str, list[float]] = {}
    hits = []
    for kind, channel, text in queries:
        started = time.perf_counter()
        found = ask(channel, text)
        samples.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        hits.append(found.total)
    bot.close()
    index_mb = _index_size_mb(database)
    database.dispose()
    every = [sample for kind in samples.values() for sample in kind]
    return {
        "all": summary(every),
        "by_kind": {kind: summary(values) for kind, values in sorted(samples.items())},
        "hits_median": statistics.median(hits),
        "queries_with_hits": sum(1 for total in hits if total),
        "index_mb": index_mb,
    }


def _index_size_mb(database: Database) -> float:
    with database.engine.connect() as connection:
        if database.dialect == "postgresql":
            size = connection.exec_driver_sql(
                "SELECT pg_total_relation_size('memo_search')"
            ).scalar_one()
        else:
            size = connection.exec_driver_sql(
                "SELECT coalesce(sum(length(block)), 0) FROM memo_search_data"
            ).scalar_one()
    return float(size) / 1024 / 1024


def measure_like_baseline(path: Path, queries: list[tuple[str, int, str]]) -> dict[str, float]:
    """Each query's words with LIKE over its channel's memos: the scan an index avoids."""
    connection = sqlite3.connect(path)
    channels = dict(connection.execute("SELECT external_id, id FROM channels"))
    samples = []
    for _, channel, text in queries:
        words = [w for w in re.sub(r'"|\b(in|by|day):\S+', " ", text).split() if w][:3] or [text]
        condition = " AND ".join("lower(text) LIKE ? ESCAPE '\\'" for _ in words)
        patterns = [
            "%" + w.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            for w in words
        ]
        started = time.perf_counter()
        connection.execute(
            "SELECT id, text FROM memos WHERE channel_id = ? AND deleted_at IS NULL AND "
            + condition,
            (channels[channel_id(channel)], *patterns),
        ).fetchall()
        samples.append((time.perf_counter() - started) * 1000)
    connection.close()
    return summary(samples)


def run_measurement(args: argparse.Namespace) -> dict[str, Any]:
    """In a fresh process: one database's search latencies, then this process's peak RSS."""
    shape = Shape(args.memos, args.sessions, args.channels)
    queries = make_queries(shape, args.queries, channel_authors(shape.cache_file()))
    if args.measure == "sqlite":
        work = CACHE / "search-run"
        shutil.rmtree(work, ignore_errors=True)  # a stale -wal file would corrupt a fresh copy
        work.mkdir(parents=True)
        copy = work / "big.db"
        shutil.copyfile(shape.cache_file(), copy)
        measured = measure_search(f"sqlite:///{copy}", queries)
        measured["baseline_like"] = measure_like_baseline(copy, queries)
        shutil.rmtree(work)
    else:
        measured = measure_search(args.postgres_database, queries)
    measured["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return measured


def report(args: argparse.Namespace, measured: dict[str, dict[str, Any]]) -> dict[str, Any]:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=140)
    table = Table(title=f"/memo search through MemoBot.handle, {args.memos:,} memos")
    for column in ("database", "queries", "p50 ms", "p95 ms", "p99 ms", "index MB", "peak RSS MB"):
        table.add_column(column, justify="left" if column == "database" else "right")
    for name, row in measured.items():
        table.add_row(
            name,
            f"{row['all']['queries']:,}",
            f"{row['all']['p50_ms']:.2f}",
            f"{row['all']['p95_ms']:.2f}",
            f"{row['all']['p99_ms']:.2f}",
            f"{row['index_mb']:.0f}",
            f"{row['peak_rss_mb']:.0f}",
        )
    like = measured["sqlite"]["baseline_like"]
    table.add_row(
        "baseline: LIKE in the channel (sqlite3)",
        f"{like['queries']:,}",
        f"{like['p50_ms']:.2f}",
        f"{like['p95_ms']:.2f}",
        f"{like['p99_ms']:.2f}",
        "-",
        "-",
    )
    console.print(table)
    kinds = Table(title="p95 ms by kind of query")
    kinds.add_column("kind")
    for name in measured:
        kinds.add_column(name, justify="right")
    for kind in measured["sqlite"]["by_kind"]:
        kinds.add_row(kind, *(f"{row['by_kind'][kind]['p95_ms']:.2f}" for row in measured.values()))
    console.print(kinds)
    sqlite_p95 = measured["sqlite"]["all"]["p95_ms"]
    ratio = sqlite_p95 / like["p95_ms"]
    rss = max(row["peak_rss_mb"] for row in measured.values())
    console.print(
        f"SQLite p95 {sqlite_p95:.1f} ms (target < {TARGET_P95_MS:.0f} ms) is {ratio:.2f}x the "
        f"LIKE scan's p95; peak RSS {rss:.0f} MB (target < {TARGET_RSS_MB:.0f} MB)"
    )
    return {
        "benchmark": "search",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "parameters": {
            "memos": args.memos,
            "sessions": args.sessions,
            "channels": args.channels,
            "queries": args.queries,
        },
        "results": measured,
        "sqlite_p95_vs_like_p95": ratio,
        "target_p95_ms": TARGET_P95_MS,
        "meets_p95_target": sqlite_p95 < TARGET_P95_MS,
        "peak_rss_mb": rss,
        "target_rss_mb": TARGET_RSS_MB,
        "meets_rss_target": rss < TARGET_RSS_MB,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memos", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("MEMO_TEST_DATABASE_URL"),
        help="a PostgreSQL server URL (default: MEMO_TEST_DATABASE_URL); unset: SQLite only",
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "search.json")
    parser.add_argument("--measure", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)
    parser.add_argument("--postgres-database", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:
        print(json.dumps(run_measurement(args)))
        return

    shape = Shape(args.memos, args.sessions, args.channels)
    started = time.perf_counter()
    source = ensure_seeded(shape)
    print(f"seeded in {time.perf_counter() - started:.1f}s ({source})", file=sys.stderr)
    targets = {"sqlite": None}
    if args.postgres:
        targets["postgresql"] = ensure_postgres(args.postgres, shape, source)
    measured = {}
    for name, database in targets.items():
        command = [
            sys.executable,
            __file__,
            "--measure",
            name,
            *("--memos", str(args.memos), "--sessions", str(args.sessions)),
            *("--channels", str(args.channels), "--queries", str(args.queries)),
        ]
        if database is not None:
            command += ["--postgres-database", database]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        measured[name] = json.loads(done.stdout.splitlines()[-1])
    result = report(args, measured)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
