"""Benchmark: importing a 2,000-talk programme (`memo-bot agenda import`) into SQLite.

Generates an iCalendar programme and the same as CSV (five days, 40 rooms,
ten 40-minute slots a day; titles made of the sample programme's titles with a
number), then measures, each in one process per run:

- ``parse``: decoding and reading the file alone, the baseline the store adds to;
- ``import``: ``ImportAgenda`` through ``MemoBot.execute`` into a new, migrated SQLite
  file: read, match, store 2,000 sessions, commit;
- ``reimport``: the same file again (every talk matched, nothing written);
- ``merge``: the programme into a conference that already has 500 of its talks noted
  under slightly different titles (near matches, the slow path).

Prints a table and writes ``bench/results/agenda_import.json``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from seeding import ROOT, machine  # the bench folder is on sys.path

RESULTS = ROOT / "bench" / "results"
SAMPLES = ROOT / "tests" / "samples"
SEOUL = ZoneInfo("Asia/Seoul")


def programme(talks: int) -> list[tuple[str, datetime, datetime, str]]:
    """``talks`` (title, start, end, room) in 40 rooms, ten slots a day."""
    with (SAMPLES / "agenda.csv").open(encoding="utf-8", newline="") as file:
        titles = [row["title"] for row in csv.DictReader(file)]
    rows = []
    for number in range(talks):
        slot, room = divmod(number, 40)
        day, in_day = divmod(slot, 10)
        start = datetime.combine(date(2026, 5, 11) + timedelta(days=day), datetime.min.time())
        start = start.replace(hour=10, tzinfo=SEOUL) + timedelta(minutes=40 * in_day)
        title = f"{titles[number % len(titles)]} {number + 1}"
        rows.append((title, start, start + timedelta(minutes=40), f"Room {room + 1}"))
    return rows


def as_ics(rows: list[tuple[str, datetime, datetime, str]]) -> bytes:
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//bench//agenda//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "BENCH 2026")
    calendar.add("x-wr-timezone", "Asia/Seoul")
    for number, (title, start, end, room) in enumerate(rows):
        event = icalendar.Event()
        event.add("uid", f"talk-{number}@bench.example")
        event.add("dtstamp", datetime(2026, 1, 1, tzinfo=UTC))
        event.add("summary", title)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("location", room)
        event.add("description", "발표자 (회사); Speaker Two (Company)")
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


def as_csv(rows: list[tuple[str, datetime, datetime, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["title", "date", "start", "end", "room", "track", "speakers"])
    for title, start, end, room in rows:
        writer.writerow(
            [title, start.date(), f"{start:%H:%M}", f"{end:%H:%M}", room, "", "발표자 (회사)"]
        )
    return out.getvalue().encode()


def timed(work: Any, repeat: int) -> tuple[float, Any]:
    """The median seconds of ``repeat`` runs of ``work(run)``, and its last result."""
    seconds, result = [], None
    for run in range(repeat):
        started = time.perf_counter()
        result = work(run)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--talks", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, default=RESULTS / "agenda_import.json")
    args = parser.parse_args()

    rows = programme(args.talks)
    files = {"ics": as_ics(rows), "csv": as_csv(rows)}
    with tempfile.TemporaryDirectory(prefix="memo-agenda-bench-") as folder:
        measured = {
            kind: measure(kind, content, rows, Path(folder) / f"{kind}.db", args)
            for kind, content in files.items()
        }
    report(args, measured)


def _invocation(channel: str, text: str = "") -> Any:
    from bot.invocation import Invocation

    return Invocation("console", "console", channel, "bench", "bench", text, datetime.now(UTC))


def measure(
    kind: str,
    content: bytes,
    rows: list[tuple[str, datetime, datetime, str]],
    database_file: Path,
    args: argparse.Namespace,
) -> dict[str, float]:
    """The four runs of one format, each channel a new conference (``fresh-N``, ``merge-N``)."""
    from bot.agenda.importing import ImportAgenda
    from bot.agenda.reading import read_programme
    from bot.core import MemoBot
    from bot.replies.values import AgendaImported
    from storage.database import Database
    from storage.schema import upgrade_to_head

    database = Database(f"sqlite:///{database_file}")
    upgrade_to_head(database)
    bot = MemoBot(database)

    def run_import(channel: str) -> AgendaImported:
        command = ImportAgenda(f"agenda.{kind}", content, "BENCH 2026")
        reply = bot.execute(_invocation(channel), command)
        assert isinstance(reply.data, AgendaImported), reply.markdown
        return reply.data

    parse, _ = timed(lambda run: read_programme("p", content, SEOUL), args.repeat)
    first, done = timed(lambda run: run_import(f"fresh-{run}"), args.repeat)
    assert done.created == args.talks
    again, done = timed(lambda run: run_import(f"fresh-{run}"), args.repeat)
    assert done.unchanged == args.talks and done.created == 0
    noted = min(500, args.talks)
    for run in range(args.repeat):  # talks noted first, under near titles
        for title, *_ in rows[:noted]:
            bot.handle(_invocation(f"merge-{run}", f"add [{title.replace(' ', '', 1)}] note"))
    merge, done = timed(lambda run: run_import(f"merge-{run}"), args.repeat)
    assert done.filled_in == noted, done
    bot.close()
    database.dispose()
    return {"parse": parse, "import": first, "reimport": again, "merge": merge}


def report(args: argparse.Namespace, measured: dict[str, dict[str, float]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"agenda import of {args.talks:,} talks, SQLite, median of {args.repeat}")
    for column in ("format", "run", "seconds", "talks/s", "x parse"):
        table.add_column(column, justify="left" if column in ("format", "run") else "right")
    for kind, runs in measured.items():
        for run, label in (
            ("parse", "baseline: decode + read only"),
            ("import", "import into a new conference"),
            ("reimport", "import again (no change)"),
            ("merge", "import over 500 near-titled sessions"),
        ):
            table.add_row(
                kind,
                label,
                f"{runs[run]:.3f}",
                f"{args.talks / runs[run]:,.0f}",
                f"{runs[run] / runs['parse']:.1f}",
            )
    Console(width=110).print(table)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(
            {
                "parameters": {"talks": args.talks, "repeat": args.repeat},
                "machine": machine(),
                "results": measured,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
