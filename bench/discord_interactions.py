"""Benchmark: `/memo add` interactions through the fake Discord, memo-bot against a bare bot.

A steady stream of INTERACTION_CREATE events (default 100 a second for 30
seconds) goes over the fake gateway to each of these bots in turn:
- (a) a bare discord.py bot whose `/memo add` only answers "ok": the baseline;
- (a') the same bot committing the note to a one-table SQLite file first, on a
  thread, with memo-bot's pragmas: the floor under any bot that keeps the event
  loop free and answers only once the note is on disk (for reading the figures;
  the target is against (a));
- (b) memo-bot's client (parse, commit to SQLite with 1,000,000 memos, reply).

Each bot runs in its own process, the fake Discord and the load in this one.
Latency is from the fake sending INTERACTION_CREATE to it receiving the
interaction's callback: what a Discord user waits for. The three bots are
measured one after another, and that run is repeated (3 times by default): on
the shared machine one window's p99 moved by half from run to run, so each
run's ratio compares neighbouring windows and the median of the runs is the
figure. Prints a table and writes ``bench/results/discord_interactions.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from seeding import CACHE, ROOT, Shape, ensure_seeded, machine, note_lines, title_of
from windows import no_collector_pauses

from tests.fakes.discord import FakeDiscord

RESULTS = ROOT / "bench" / "results"
GUILD = 1400000000000000000
FIRST_CHANNEL = 1400000000000001000
FIRST_USER = 1400000000000100000
USERS = 50
TARGET_P99_MS = 25.0
TARGET_RATIO = 2.0
#: The bots, measured one after another in each run (each in a fresh process).
BOTS = {
    "bare": "(a) bare discord.py, answers ok",
    "durable": "(a') bare + one durable SQLite commit",
    "full": "(b) memo-bot",
}


def channel_snowflake(channel: int) -> int:
    return FIRST_CHANNEL + channel


def as_discord(database: Path) -> None:
    """The seeded workspace becomes a Discord server: same rows, Discord's ids."""
    connection = sqlite3.connect(database)
    with connection:
        connection.execute(
            "UPDATE workspaces SET platform = 'discord', external_id = ?", (str(GUILD),)
        )
        connection.execute(
            "UPDATE channels SET external_id = CAST(? + id - 1 AS TEXT)", (FIRST_CHANNEL,)
        )
    connection.close()


# ------------------------------------------------------------------ the bots (child processes)


async def serve(kind: str, api: str, gateway: str, database: Path | None) -> None:
    """Run one bot against the fake until stdin closes; print "ready" once it can answer."""
    sys.path.insert(0, str(ROOT))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # discord.py imports audioop
        import discord
    import yarl
    from discord import app_commands

    discord.http.Route.BASE = api
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)

    bot = None
    if kind in ("bare", "durable"):
        client: discord.Client = discord.Client(
            intents=discord.Intents(guilds=True), guild_ready_timeout=0.05
        )
        tree = app_commands.CommandTree(client)
        group = app_commands.Group(name="memo", description="bare")
        store = durable_store(database) if kind == "durable" else None

        @group.command(name="add", description="bare")
        async def add(interaction: discord.Interaction, session: str, text: str) -> None:
            if store is not None:
                writer, commit = store
                await asyncio.get_running_loop().run_in_executor(writer, commit, session, text)
            await interaction.response.send_message("ok")

        tree.add_command(group)
    else:
        from adapters.discord import MemoClient
        from bot.core import MemoBot
        from storage.database import Database

        assert database is not None
        bot = MemoBot(Database(f"sqlite:///{database}"))
        client = MemoClient(bot, guild_ready_timeout=0.05)
    await client.login("bench-token")
    running = asyncio.create_task(client.connect())
    await client.wait_until_ready()
    if bot is not None:
        from bot.serving import freeze_startup_objects

        freeze_startup_objects()  # as `memo-bot run` does once its services are up
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await client.close()
    await asyncio.gather(running, return_exceptions=True)
    if bot is not None:
        bot.close()
        bot.database.dispose()


def durable_store(path: Path | None) -> tuple[ThreadPoolExecutor, Callable[[str, str], None]]:
    """(a')'s writer: one thread, one connection, one INSERT committed per note."""
    assert path is not None
    writer = ThreadPoolExecutor(1, thread_name_prefix="durable-writer")
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "wal_autocheckpoint=0"):
        connection.execute(f"PRAGMA {pragma}")
    connection.execute("CREATE TABLE IF NOT EXISTS notes (session TEXT, text TEXT)")

    def commit(session: str, text: str) -> None:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO notes VALUES (?, ?)", (session, text))
        connection.execute("COMMIT")

    return writer, commit


# ------------------------------------------------------------------ the load (this process)


def start_bot(kind: str, fake: FakeDiscord, database: Path | None) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        __file__,
        "--serve",
        kind,
        "--api",
        fake.api_base,
        "--gateway",
        fake.gateway_url,
    ]
    if database is not None:
        command += ["--db", str(database)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if line != "ready":
        raise RuntimeError(f"the {kind} bot did not start: {line!r}")
    return process


def interactions(fake: FakeDiscord, count: int, shape: Shape, seed: int) -> list[dict[str, Any]]:
    """`/memo add session:<an existing session> text:<a real note line>` payloads."""
    rng = random.Random(seed)
    lines = note_lines()
    payloads = []
    for _ in range(count):
        channel = rng.randrange(shape.channels)
        title = title_of(channel, rng.randrange(shape.sessions_per_channel))
        payloads.append(
            fake.slash_command(
                guild_id=GUILD,
                channel_id=channel_snowflake(channel),
                user_id=FIRST_USER + rng.randrange(USERS),
                name="memo",
                options=[
                    {
                        "name": "add",
                        "type": 1,
                        "options": [
                            {"name": "session", "type": 3, "value": title},
                            {"name": "text", "type": 3, "value": rng.choice(lines)},
                        ],
                    }
                ],
            )
        )
    return payloads


def run_load(fake: FakeDiscord, payloads: list[dict[str, Any]], rate: float) -> list[float]:
    """Send at a steady ``rate`` per second; latencies in milliseconds once all are answered."""
    interval = 1.0 / rate
    next_at = time.perf_counter()
    sent = []
    for payload in payloads:
        delay = next_at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        sent.append(fake.send_interaction(payload))
        next_at += interval
    latencies = []
    for interaction_id in sent:
        fake.wait_for_callback(interaction_id, timeout=60)
        seconds = fake.answer_seconds(interaction_id)
        assert seconds is not None
        latencies.append(seconds * 1000)
    return latencies


def measure(
    kind: str, database: Path | None, shape: Shape, args: argparse.Namespace, seed: int
) -> dict[str, float]:
    with FakeDiscord() as fake:
        fake.add_guild(GUILD, "bench", [channel_snowflake(c) for c in range(shape.channels)])
        process = start_bot(kind, fake, database)
        try:
            run_load(fake, interactions(fake, args.warmup, shape, seed=99), args.rate)
            count = int(args.rate * args.seconds)
            payloads = interactions(fake, count, shape, seed=seed)
            with no_collector_pauses():
                latencies = sorted(run_load(fake, payloads, args.rate))
        finally:
            assert process.stdin is not None
            process.stdin.close()
            process.wait(timeout=60)
    return {
        "interactions": len(latencies),
        "rate_per_s": args.rate,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "max_ms": latencies[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memos", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--rate", type=float, default=100.0, help="interactions per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of the three bots; the ratios are their median"
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "discord_interactions.json")
    parser.add_argument("--serve", choices=("bare", "durable", "full"), help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--gateway", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve, args.api, args.gateway, args.db))
        return

    shape = Shape(args.memos, args.sessions, args.channels)
    work = CACHE / "discord_interactions"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    database = work / "memo.db"
    shutil.copyfile(ensure_seeded(shape), database)
    as_discord(database)
    os.sync()  # the copy's 360 MB would otherwise be written back during the first windows
    databases = {"bare": None, "durable": work / "durable.db", "full": database}
    runs = []
    try:
        for run in range(args.repeat):
            measured = {kind: measure(kind, databases[kind], shape, args, 7 + run) for kind in BOTS}
            runs.append(measured)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(args, runs)


def report(args: argparse.Namespace, runs: list[dict[str, dict[str, float]]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"/memo add through the fake Discord, {args.rate:.0f}/s for {args.seconds:.0f} s "
        f"a bot, {args.memos:,} memos stored"
    )
    for column in ("run", "bot", "interactions", "p50 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="left" if column == "bot" else "right")
    for number, run in enumerate(runs, 1):
        for kind, name in BOTS.items():
            row = run[kind]
            table.add_row(
                str(number),
                name,
                f"{row['interactions']:,.0f}",
                f"{row['p50_ms']:.2f}",
                f"{row['p99_ms']:.2f}",
                f"{row['max_ms']:.2f}",
            )
    console = Console()
    console.print(table)

    def p99_ratios(top: str, bottom: str) -> list[float]:
        return [run[top]["p99_ms"] / run[bottom]["p99_ms"] for run in runs]

    ratios = p99_ratios("full", "bare")
    ratio = statistics.median(ratios)
    floor_ratio = statistics.median(p99_ratios("durable", "bare"))
    over_floor = statistics.median(p99_ratios("full", "durable"))
    worst_p99 = max(run["full"]["p99_ms"] for run in runs)
    console.print(
        f"p99 (b)/(a) by run: {', '.join(f'{r:.2f}' for r in ratios)}; median {ratio:.2f} "
        f"(target <= {TARGET_RATIO:.0f}); (b) p99 at most {worst_p99:.1f} ms "
        f"(target < {TARGET_P99_MS:.0f} ms); medians (a')/(a) = {floor_ratio:.2f}, "
        f"(b)/(a') = {over_floor:.2f}"
    )
    result = {
        "benchmark": "discord_interactions",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "parameters": {
            "memos": args.memos,
            "rate_per_s": args.rate,
            "seconds": args.seconds,
            "repeat": args.repeat,
        },
        "runs": [
            {
                "bare_discord_py": run["bare"],
                "bare_with_durable_commit": run["durable"],
                "memo_bot": run["full"],
                "p99_ratio": run_ratio,
            }
            for run, run_ratio in zip(runs, ratios, strict=True)
        ],
        "p99_ratio": ratio,
        "durable_floor_p99_ratio": floor_ratio,
        "p99_ratio_to_durable_floor": over_floor,
        "memo_bot_worst_p99_ms": worst_p99,
        "target": {"p99_ratio": TARGET_RATIO, "p99_ms": TARGET_P99_MS},
        "meets_targets": ratio <= TARGET_RATIO and worst_p99 < TARGET_P99_MS,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
