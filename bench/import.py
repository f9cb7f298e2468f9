"""Benchmark: `memo-bot import` of a 10 MB note file (about 200,000 lines) into SQLite.

Generates a file of blog-style posts from the sample posts' note lines and
titles (one post per day, 10 sessions of 10 to 70 lines each, both separator
styles), then measures in fresh processes, so each peak RSS is its own:

- ``import``: ``MemoBot.import_file`` into a new, migrated SQLite file: decode,
  parse, and store every post, session, memo and link, including the commit;
- ``reimport``: the same file again into that database (nothing changes);
- ``parse``: decoding and parsing alone, the baseline the store adds to;
- ``raw``: the floor of storing the same memo rows: one ``sqlite3`` executemany
  into a bare table with the bot's pragmas, and one commit.

Target: at least 50,000 lines/s for ``import``. Prints a table and writes
``bench/results/import.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from seeding import ROOT, machine  # the bench folder is on sys.path

RESULTS = ROOT / "bench" / "results"
SAMPLES = ROOT / "tests" / "samples"
TARGET_LINES_PER_S = 50_000
SEPARATORS = ("ㅡ" * 20, "-" * 80)
WEEKDAYS = "월화수목금토일"


def vocabulary() -> tuple[list[str], list[str]]:
    """The sample posts' session titles and note lines, what generated posts are made of."""
    from bot.notefiles.parse import parse_posts

    titles, notes = [], []
    for name in ("blog-notes.txt", "blog-notes-english.txt"):
        parsed = parse_posts((SAMPLES / name).read_text(encoding="utf-8"))
        for session in (session for post in parsed.posts for session in post.sessions):
            titles.append(session.title)
            notes.extend(line for line in session.lines if line.strip())
    return titles, notes


def generate(lines_wanted: int, seed: int = 7) -> tuple[str, int]:
    """A note file of about ``lines_wanted`` lines, newest post first; and its line count."""
    rng = random.Random(seed)
    titles, notes = vocabulary()
    posts: list[list[str]] = []
    total = 0
    day = date(2025, 1, 1)
    while total < lines_wanted:
        post = [f"{day.year}년 {day.month}월 {day.day}일 {WEEKDAYS[day.weekday()]}요일", ""]
        post += [f"BENCH 2025 Day{len(posts) + 1} 참가 세션 메모", rng.choice(notes), ""]
        separator = SEPARATORS[len(posts) % 2]
        for number in range(10):
            post.append(f"[{rng.choice(titles)} #{number + 1}]")
            for _ in range(rng.randint(10, 70)):
                post.append(rng.choice(notes) if rng.random() > 0.08 else "")
            post += ["", separator, ""]
        posts.append(post)
        total += len(post)
        day += timedelta(days=1)
    text = "\n\n".join("\n".join(post) for post in reversed(posts)) + "\n"
    return text, text.count("\n")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------ phases (fresh processes)


def phase_parse(path: Path) -> dict[str, Any]:
    from bot.notefiles.decode import NoteText, decode_note_file
    from bot.notefiles.parse import parse_posts

    started = time.perf_counter()
    decoded = decode_note_file(path.name, path.read_bytes(), max_bytes=1 << 40)
    assert isinstance(decoded, NoteText)
    parsed = parse_posts(decoded.text)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "sessions": parsed.session_count, "lines": parsed.line_count}


def phase_import(path: Path, database_file: Path) -> dict[str, Any]:
    from bot.core import MemoBot
    from bot.invocation import Invocation
    from bot.notefiles.reading import ImportPosts
    from bot.replies.values import ImportDone
    from storage.database import Database
    from storage.schema import upgrade_to_head

    database = Database(f"sqlite:///{database_file}")
    upgrade_to_head(database)
    bot = MemoBot(database, import_max_bytes=1 << 40)
    invocation = Invocation(
        "console", "console", "general", "bench", "bench", "", datetime.now(UTC)
    )
    started = time.perf_counter()
    reply = bot.import_file(invocation, ImportPosts(path.name, path.read_bytes()))
    seconds = time.perf_counter() - started
    bot.close()
    database.dispose()
    assert isinstance(reply.data, ImportDone), reply.markdown
    done = reply.data
    return {
        "seconds": seconds,
        "sessions": done.session_count,
        "lines": done.lines,
        "created": done.created,
        "unchanged": done.unchanged,
    }


def phase_raw(path: Path, database_file: Path) -> dict[str, Any]:
    """Parse (as the importer does), then the cheapest possible store of the memo rows."""
    from bot.notefiles.decode import NoteText, decode_note_file
    from bot.notefiles.parse import parse_posts

    started = time.perf_counter()
    decoded = decode_note_file(path.name, path.read_bytes(), max_bytes=1 << 40)
    assert isinstance(decoded, NoteText)
    parsed = parse_posts(decoded.text)
    sessions = [(post, session) for post in parsed.posts for session in post.sessions]
    rows = [
        (1, number, number, 1, "\n".join(session.lines), post.date.isoformat())
        for number, (post, session) in enumerate(sessions, start=1)
    ]
    connection = sqlite3.connect(database_file, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute(
        "CREATE TABLE memos (id INTEGER PRIMARY KEY, channel_id INTEGER, number INTEGER,"
        " session_id INTEGER, author_id INTEGER, text TEXT, created_at TEXT)"
    )
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO memos (channel_id, number, session_id, author_id, text, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.execute("COMMIT")
    connection.close()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "sessions": len(rows), "lines": parsed.line_count}


def run_phase(args: argparse.Namespace) -> None:
    path, database_file = Path(args.file), Path(args.database)
    if args.phase == "parse":
        result = phase_parse(path)
    elif args.phase == "raw":
        result = phase_raw(path, database_file)
    else:
        result = phase_import(path, database_file)
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


def measure(phase: str, file: Path, database_file: Path) -> dict[str, Any]:
    result = subprocess.run(
        [
            sys.executable,
            __file__,
            "--phase",
            phase,
            "--file",
            str(file),
            "--database",
            str(database_file),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    measured: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return measured


# ------------------------------------------------------------------ the run (this process)


def report(file_mb: float, file_lines: int, measured: dict[str, dict[str, Any]]) -> dict[str, Any]:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"import of a {file_mb:.1f} MB note file ({file_lines:,} lines), SQLite")
    for column in ("run", "sessions", "note lines", "seconds", "lines/s", "peak RSS MB"):
        table.add_column(column, justify="left" if column == "run" else "right")
    rates = {}
    for name, label in (
        ("import", "memo-bot import (incl. commit)"),
        ("reimport", "memo-bot import again (no change)"),
        ("parse", "baseline: decode + parse only"),
        ("raw", "baseline: parse + raw executemany"),
    ):
        row = measured[name]
        rates[name] = file_lines / row["seconds"]
        table.add_row(
            label,
            f"{row['sessions']:,}",
            f"{row['lines']:,}",
            f"{row['seconds']:.2f}",
            f"{rates[name]:,.0f}",
            f"{row['peak_rss_mb']:.0f}",
        )
    console = Console(width=max(Console().width, 110))
    console.print(table)
    meets = rates["import"] >= TARGET_LINES_PER_S
    console.print(
        f"import: {rates['import']:,.0f} lines/s (target >= {TARGET_LINES_PER_S:,}: "
        f"{'met' if meets else 'NOT met'}); "
        f"{measured['import']['seconds'] / measured['parse']['seconds']:.1f}x parsing alone, "
        f"{measured['import']['seconds'] / measured['raw']['seconds']:.1f}x the raw store"
    )
    return {
        "lines_per_s": rates,
        "import_vs_parse": measured["import"]["seconds"] / measured["parse"]["seconds"],
        "import_vs_raw": measured["import"]["seconds"] / measured["raw"]["seconds"],
        "meets_target": meets,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=210_000, help="lines in the generated file")
    parser.add_argument("--output", type=Path, default=RESULTS / "import.json")
    parser.add_argument("--phase", choices=("parse", "import", "raw"), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run_phase(args)
        return
    text, file_lines = generate(args.lines)
    with tempfile.TemporaryDirectory(prefix="memo-import-bench-") as folder:
        file = Path(folder) / "notes.txt"
        file.write_text(text, encoding="utf-8")
        file_mb = file.stat().st_size / (1024 * 1024)
        database_file = Path(folder) / "memo.db"
        measured = {
            "parse": measure("parse", file, database_file),
            "import": measure("import", file, database_file),
            "reimport": measure("import", file, database_file),
            "raw": measure("raw", file, Path(folder) / "raw.db"),
        }
    assert measured["import"]["created"] == measured["import"]["sessions"]
    assert measured["reimport"]["created"] == 0
    summary = report(file_mb, file_lines, measured)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(
            {
                "parameters": {"lines": file_lines, "file_mb": round(file_mb, 2)},
                "machine": machine(),
                "results": measured,
                **summary,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
