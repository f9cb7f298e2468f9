"""Benchmark: a burst of `/memo add` in one channel, announced from the outbox.

In one run, against the fake Slack (``tests/fakes/slack.py``, in this process) and
a fresh SQLite file (the bot in a child process, so the fake's work is not the
bot's):
- (a) the baseline: bursts of ``--adds`` adds through ``MemoBot.handle_async``
  (each with a delivery id, as from Slack), each storing its outbox row as always,
  in console channels that no announcer of this process serves;
- (b) the same bursts in Slack channels with ``bot.announcing.Announcer`` posting
  each burst through the real ``SlackOutbound`` meanwhile: the ack latency beside
  it, and the time from the burst's first add until its last memo is posted.

(a) and (b) alternate, each burst in a channel of its own. The figures that matter:
the ratio of (b)'s ack latency to (a)'s (what delivering costs the answers of the
same process), and the burst's delivery time against Slack's documented limit for
``chat.postMessage`` of about one message per second per channel (``--adds``
messages need about ``--adds`` seconds to respect it; the fake does not enforce
the limit, so a faster delivery means the limit is not respected yet). Prints a
table and writes ``bench/results/announce_burst.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from seeding import ROOT, machine
from sqlalchemy import func, select

from adapters.slack import SlackConfig, build_app
from adapters.slack.outbound import SlackOutbound
from bot.announcing import Announcer
from bot.core import MemoBot
from bot.invocation import Invocation
from storage.database import Database
from storage.models import Channel, OutboxPost, Workspace
from storage.schema import upgrade_to_head
from tests.fakes.slack import FakeSlack

RESULTS = ROOT / "bench" / "results"
TEAM = "T1"
BOT_TOKEN = "xoxb-bench"
#: Slack's documented rate for chat.postMessage: about one message per second per channel.
SLACK_MESSAGES_PER_SECOND = 1.0


def _invocation(platform: str, channel: str, number: int) -> Invocation:
    return Invocation(
        platform=platform,
        workspace_id=TEAM,
        channel_id=channel,
        user_id=f"U{number % 5}",
        display_name=f"person {number % 5}",
        text=f"add [Burst session {channel}] note {number}: p99 210ms → 45ms",
        received_at=datetime.now(UTC),
        delivery_id=f"trigger-{channel}-{number}",
    )


async def _burst(bot: MemoBot, platform: str, channel: str, adds: int) -> list[float]:
    """``adds`` adds in ``channel``, as fast as they are answered; each one's ack in ms."""
    acks: list[float] = []
    for number in range(adds):
        started = time.perf_counter()
        reply = await bot.handle_async(_invocation(platform, channel, number))
        acks.append((time.perf_counter() - started) * 1000)
        assert reply.ok, reply.markdown
    return acks


async def _until_announced(bot: MemoBot, deadline: float) -> None:
    """Until the outbox owes nothing: every announcement is in its channel."""
    while await asyncio.to_thread(_undelivered_in_slack, bot):
        if time.monotonic() > deadline:
            raise SystemExit("the burst was not announced in time")
        await asyncio.sleep(0.002)


def _undelivered_in_slack(bot: MemoBot) -> int:
    query = (
        select(func.count())
        .select_from(OutboxPost)
        .join(Channel, Channel.id == OutboxPost.channel_id)
        .join(Workspace, Workspace.id == Channel.workspace_id)
        .where(OutboxPost.delivered_at.is_(None), Workspace.platform == "slack")
    )
    with bot.database.reading() as tx:
        return tx.scalar(query) or 0


async def measure(bot: MemoBot, fake_url: str, adds: int, bursts: int) -> dict[str, list[float]]:
    config = SlackConfig(
        api_base_url=fake_url,
        bot_token=BOT_TOKEN,
        signing_secret="bench-unused",  # noqa: S106 - no request is received
    )
    outbound = SlackOutbound(build_app(bot, config, bot.database.engine))
    without: list[float] = []
    beside: list[float] = []
    delivery_seconds: list[float] = []
    for burst in range(bursts):
        # The same work (an outbox row each) in a console channel, which no announcer here
        # serves: nothing is posted meanwhile, or later beside the next burst.
        without += await _burst(bot, "console", f"quiet-{burst}", adds)
        announcer = Announcer(bot.database, {"slack": outbound}, bot)
        await announcer.start()
        try:
            channel = f"CBURST{burst}"
            started = time.monotonic()
            beside += await _burst(bot, "slack", channel, adds)
            await _until_announced(bot, started + 120)
            delivery_seconds.append(time.monotonic() - started)
        finally:
            await announcer.stop()
    return {"without": without, "beside": beside, "delivery_seconds": delivery_seconds}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def child(fake_url: str, adds: int, bursts: int) -> None:
    """The bot's side, in a process of its own (the fake Slack's work stays in the parent's):
    prints what it measured as JSON."""
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade_to_head(database)
        bot = MemoBot(database)
        try:
            print(json.dumps(asyncio.run(measure(bot, fake_url, adds, bursts))))
        finally:
            bot.close()
            bot.database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adds", type=int, default=30, help="adds per burst")
    parser.add_argument("--bursts", type=int, default=5, help="bursts with and without")
    parser.add_argument("--output", type=Path, default=RESULTS / "announce_burst.json")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # the fake Slack's URL
    args = parser.parse_args()
    if args.child:
        child(args.child, args.adds, args.bursts)
        return
    with FakeSlack() as fake:
        fake.add_workspace(TEAM, BOT_TOKEN)
        fake.set_time(datetime.now(UTC))
        measured = subprocess.run(
            [sys.executable, __file__, "--child", fake.base_url, *_sizes(args)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures: dict[str, list[float]] = json.loads(measured.stdout)
        shown = [len(fake.messages(f"CBURST{burst}")) for burst in range(args.bursts)]
        assert shown == [args.adds] * args.bursts, f"announced: {shown}"
    report(figures, args.adds, args.output)


def _sizes(args: argparse.Namespace) -> list[str]:
    return ["--adds", str(args.adds), "--bursts", str(args.bursts)]


def report(figures: dict[str, list[float]], adds: int, output: Path) -> None:
    without, beside = figures["without"], figures["beside"]
    seconds = figures["delivery_seconds"]
    rows = {"ack without announcer": without, "ack beside announcer": beside}
    results: dict[str, object] = {}
    print(f"{'':<24}{'p50 ms':>10}{'p99 ms':>10}{'ops':>8}")
    for name, values in rows.items():
        p50, p99 = statistics.median(values), _percentile(values, 0.99)
        results[name.replace(" ", "_")] = {"p50_ms": p50, "p99_ms": p99, "ops": len(values)}
        print(f"{name:<24}{p50:>10.2f}{p99:>10.2f}{len(values):>8}")
    p50_ratio = statistics.median(beside) / statistics.median(without)
    p99_ratio = _percentile(beside, 0.99) / _percentile(without, 0.99)
    limit_seconds = adds / SLACK_MESSAGES_PER_SECOND
    print(f"ack ratio beside/without: p50 {p50_ratio:.2f}, p99 {p99_ratio:.2f}")
    print(
        f"burst of {adds} in one channel, last one shown after: median "
        f"{statistics.median(seconds):.2f} s, worst {max(seconds):.2f} s "
        f"(Slack's ~1 msg/s per channel needs >= {limit_seconds:.0f} s: "
        f"{adds / statistics.median(seconds):.1f} msg/s sent)"
    )
    print(f"load: {os.getloadavg()[0]:.2f}")
    results.update(
        {
            "ack_ratio_p50": p50_ratio,
            "ack_ratio_p99": p99_ratio,
            "burst_adds": adds,
            "burst_delivery_seconds": seconds,
            "slack_limit_seconds": limit_seconds,
        }
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps({"machine": machine(), "load": os.getloadavg(), "results": results}, indent=2)
        + "\n"
    )


if __name__ == "__main__":
    main()
