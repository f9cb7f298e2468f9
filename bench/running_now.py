"""Benchmark: an untitled `/memo add` (the talk running now) against a titled one.

A conference with a generated 2,000-talk programme (``agenda_import.programme``:
five days, 40 rooms, ten 40-minute slots a day) is imported into a new, migrated
SQLite file; the clock is put in the middle of the third day, where looking up what
runs has the most talks before and after it. Then, in the same process and run,
each through ``MemoBot.handle`` with a delivery id (as every chat adapter sends):

- ``titled``: `/memo add [Title] note`, the title of a talk running now (the baseline);
- ``untitled, planned``: `/memo add note` by people who planned one of the 40 running
  talks (it goes there);
- ``untitled, asked``: `/memo add note` by people who planned none: 40 talks run, so
  the note waits and the reply asks which (a pending note is stored instead of a memo);
- ``untitled, one track``: the same programme in one room (a channel of its own), so
  exactly one talk runs and the note goes there;
- the floor of the difference: the lookup an untitled add adds (the running talks, the
  person's own among them), alone in a reading transaction.

Each kind is measured in rounds interleaved with the others (so a slower minute of a
noisy machine falls on all of them), each op 100 ms after the last on the bot's
clock (all inside one slot). The target: the untitled add's p99 at most 1.5 times the titled add's.
Prints a table and writes ``bench/results/running_now.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from agenda_import import SEOUL, as_csv, programme  # the bench folder is on sys.path
from seeding import ROOT, machine
from sqlalchemy import select

from bot.agenda.importing import ImportAgenda
from bot.core import MemoBot
from bot.invocation import Invocation
from bot.replies.values import AgendaImported, MemoSaved, TalkPickNeeded
from bot.running_now import GRACE
from storage import plans as plan_store
from storage import programme as programme_store
from storage.database import Database
from storage.models import Channel, Conference, Member
from storage.schema import upgrade_to_head

RESULTS = ROOT / "bench" / "results"
TARGET_RATIO = 1.5
KINDS = ("titled", "untitled, planned", "untitled, asked", "untitled, one track")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Bench:
    def __init__(self, bot: MemoBot, start: datetime) -> None:
        self.bot = bot
        self.now = start
        self.deliveries = itertools.count(1)

    def ask(self, channel: str, user: str, text: str) -> object:
        """``user`` types ``/memo <text>`` in ``channel``, 100 ms after the last command (the
        whole run stays inside one 40-minute slot)."""
        self.now += timedelta(milliseconds=100)
        reply = self.bot.handle(
            Invocation(
                "console",
                "bench",
                channel,
                user,
                user,
                text,
                self.now,
                delivery_id=f"command:bench-{next(self.deliveries)}",
            )
        )
        return reply.data


def setup(bot: MemoBot, talks: int, start: datetime) -> tuple[Bench, list[str]]:
    """Both channels with their programme; the titles of the talks running at ``start``."""
    rows = programme(talks)
    single = [(title, begin, end, "Main hall") for title, begin, end, _ in _one_room(rows)]
    bench = Bench(bot, start - timedelta(hours=1))
    for channel, content in (("parallel", as_csv(rows)), ("single", as_csv(single))):
        bench.ask(channel, "admin", "conference BENCH 2026 Asia/Seoul")
        invocation = Invocation("console", "bench", channel, "admin", "admin", "", bench.now)
        done = bot.execute(invocation, ImportAgenda("agenda.csv", content))
        assert isinstance(done.data, AgendaImported), done.markdown
    bench.now = start
    running = [title for title, begin, end, _ in rows if begin <= start < end]
    assert len(running) == 40, len(running)
    return bench, running


def _one_room(
    rows: list[tuple[str, datetime, datetime, str]],
) -> list[tuple[str, datetime, datetime, str]]:
    """The same number of talks one after another in one room, ten a day from 10:00."""
    moved = []
    for number, (title, *_ignored) in enumerate(rows):
        day, in_day = divmod(number, 10)
        begin = rows[0][1] + timedelta(days=day, minutes=40 * in_day)
        moved.append((title, begin, begin + timedelta(minutes=40), "Main hall"))
    return moved


def measure(
    bench: Bench, running: list[str], rounds: int, per_round: int
) -> dict[str, list[float]]:
    people = [f"planner-{number}" for number in range(len(running))]
    for person, title in zip(people, running, strict=True):
        bench.ask("parallel", person, f"plan [{title}]")
    cycle = itertools.count()

    def titled() -> None:
        index = next(cycle) % len(running)
        data = bench.ask("parallel", people[index], f"add [{running[index]}] 캐시를 두 단계로")
        assert isinstance(data, MemoSaved), data

    def planned() -> None:
        data = bench.ask("parallel", people[next(cycle) % len(people)], "add 캐시를 두 단계로")
        assert isinstance(data, MemoSaved) and data.running_talk == "yours", data

    def asked() -> None:
        data = bench.ask("parallel", f"walker-{next(cycle) % 40}", "add 캐시를 두 단계로")
        assert isinstance(data, TalkPickNeeded), data

    def one_track() -> None:
        data = bench.ask("single", f"walker-{next(cycle) % 40}", "add 캐시를 두 단계로")
        assert isinstance(data, MemoSaved) and data.running_talk == "running", data

    work: dict[str, Callable[[], None]] = dict(
        zip(KINDS, (titled, planned, asked, one_track), strict=True)
    )
    for call in work.values():  # warm up: statements prepared, caches filled
        for _ in range(20):
            call()
    samples: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for _ in range(rounds):
        for kind, call in work.items():
            for _ in range(per_round):
                started = time.perf_counter()
                call()
                samples[kind].append((time.perf_counter() - started) * 1000)
    samples["lookup alone (floor of the difference)"] = lookup_alone(bench, rounds * per_round)
    return samples


def lookup_alone(bench: Bench, count: int) -> list[float]:
    """What an untitled add adds to a titled one, measured alone: finding the running talks
    and the person's own among them, in a reading transaction of the parallel channel."""
    database = bench.bot.database
    with database.reading() as tx:
        conference_id = tx.execute(
            select(Conference.id)
            .join(Channel, Channel.id == Conference.channel_id)
            .where(Channel.external_id == "parallel", Conference.name == "BENCH 2026")
        ).scalar_one()
        member_id = tx.execute(
            select(Member.id).where(Member.external_id == "planner-0")
        ).scalar_one()
        times = []
        for _ in range(count):
            started = time.perf_counter()
            programme_store.running_or_just_ended(tx, conference_id, bench.now, GRACE)
            since = bench.now - GRACE - programme_store.LONGEST_TALK
            plan_store.planned_or_attended_between(tx, member_id, conference_id, since, bench.now)
            times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--talks", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--per-round", type=int, default=50)
    parser.add_argument("--output", type=Path, default=RESULTS / "running_now.json")
    args = parser.parse_args()

    days = max(1, args.talks // 400)
    start_day = programme(args.talks)[0][1] + timedelta(days=days // 2)
    start = start_day.replace(hour=13, minute=21, tzinfo=SEOUL)  # the 13:20–14:00 slot
    with tempfile.TemporaryDirectory(prefix="memo-running-now-") as folder:
        database = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade_to_head(database)
        bot = MemoBot(database)
        try:
            bench, running = setup(bot, args.talks, start)
            samples = measure(bench, running, args.rounds, args.per_round)
        finally:
            bot.close()
            database.dispose()
    report(args, samples)


def report(args: argparse.Namespace, samples: dict[str, list[float]]) -> None:
    from rich.console import Console
    from rich.table import Table

    titled_p99 = percentile(samples["titled"], 0.99)
    titled_p50 = statistics.median(samples["titled"])
    rows = {
        kind: {
            "ops": len(values),
            "p50_ms": statistics.median(values),
            "p99_ms": percentile(values, 0.99),
            "p99_x_titled": percentile(values, 0.99) / titled_p99,
            # A p99 is a few slow ops (a checkpoint, a collection, a busy neighbour): hence
            # 2,000 ops a kind by default; the medians' ratio is the steadier cost of the lookup.
            "p50_x_titled": statistics.median(values) / titled_p50,
        }
        for kind, values in samples.items()
    }
    table = Table(
        title=f"/memo add during a {args.talks:,}-talk programme (40 rooms), SQLite, "
        f"target: untitled p99 ≤ {TARGET_RATIO}× titled"
    )
    for column in ("add", "ops", "p50 ms", "p99 ms", "p99 × titled", "p50 × titled"):
        table.add_column(column, justify="left" if column == "add" else "right")
    for kind, row in rows.items():
        table.add_row(
            kind if kind != "titled" else "titled (baseline)",
            f"{row['ops']:,}",
            f"{row['p50_ms']:.2f}",
            f"{row['p99_ms']:.2f}",
            f"{row['p99_x_titled']:.2f}",
            f"{row['p50_x_titled']:.2f}",
        )
    Console(width=110).print(table)
    worst = max(row["p99_x_titled"] for kind, row in rows.items() if kind.startswith("untitled"))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(
            {
                "parameters": {
                    "talks": args.talks,
                    "rounds": args.rounds,
                    "per_round": args.per_round,
                },
                "machine": machine(),
                "target_ratio": TARGET_RATIO,
                "worst_untitled_p99_x_titled": worst,
                "met": worst <= TARGET_RATIO,
                "results": rows,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
