"""Benchmark: a burst of `/memo add` in one channel, announced from the outbox in threads.

In one run, against the fake Slack (``tests/fakes/slack.py``, in this process) and
a fresh SQLite file (the bot in a child process, so the fake's work is not the
bot's), bursts of ``--adds`` adds of one session in one channel, spread over
``--within`` seconds (30 in 5 s: a team writing during a talk), each through
``MemoBot.handle_async`` with a delivery id, as from Slack:
- (a) the baseline: in console channels that no announcer of this process serves;
- (b) in Slack channels with threads on, ``bot.announcing.Announcer`` posting each
  burst through the real ``SlackOutbound`` meanwhile (the session's first memo starts
  its thread, the rest go in it, queued ones together);
- (c) the same with `/memo threads off` (a message of its own per memo, as before).

(a), (b) and (c) alternate, each burst in a channel of its own. The figures that
matter: the ack latency of (b) against (c) and (a) (what threads and delivering cost
the answers: within 10%), the time from a burst's first add until its last memo is in
the channel, against Slack's documented limit for ``chat.postMessage`` of about one
message per second per channel, and the messages posted and the shortest gap between
two posts in one channel (the fake does not enforce the limit; the announcer must).
Prints a table and writes ``bench/results/announce_burst.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import itertools
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
from bot.outbound import Delivered, Delivery, StartedThread
from bot.replies.values import Reply
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


async def _burst(
    bot: MemoBot, platform: str, channel: str, adds: int, within: float
) -> list[float]:
    """``adds`` adds in ``channel``, arriving evenly over ``within`` seconds; each one's ack
    in ms."""
    acks: list[float] = []
    begun = time.monotonic()
    for number in range(adds):
        arrival = begun + within * number / adds
        await asyncio.sleep(max(0.0, arrival - time.monotonic()))  # the next person types
        started = time.perf_counter()
        reply = await bot.handle_async(_invocation(platform, channel, number))
        acks.append((time.perf_counter() - started) * 1000)
        assert reply.ok, reply.markdown
    return acks


class _TimedOutbound:
    """The real ``SlackOutbound``, noting when each message went to which channel."""

    def __init__(self, outbound: SlackOutbound) -> None:
        self.outbound = outbound
        self.posted: dict[str, list[float]] = {}

    async def post(
        self,
        workspace_id: str,
        channel_id: str,
        reply: Reply,
        delivery: Delivery,
        thread_id: str | None = None,
    ) -> Delivered:
        self.posted.setdefault(channel_id, []).append(time.monotonic())
        return await self.outbound.post(workspace_id, channel_id, reply, delivery, thread_id)

    async def start_thread(
        self, workspace_id: str, channel_id: str, message_id: str, name: str
    ) -> StartedThread:
        return await self.outbound.start_thread(workspace_id, channel_id, message_id, name)

    async def edit(self, workspace_id: str, channel_id: str, message_id: str, reply: Reply) -> None:
        await self.outbound.edit(workspace_id, channel_id, message_id, reply)

    async def remove(self, workspace_id: str, channel_id: str, message_id: str) -> None:
        await self.outbound.remove(workspace_id, channel_id, message_id)


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


async def measure(
    bot: MemoBot, fake_url: str, adds: int, bursts: int, within: float
) -> dict[str, list[float]]:
    config = SlackConfig(
        api_base_url=fake_url,
        bot_token=BOT_TOKEN,
        signing_secret="bench-unused",  # noqa: S106 - no request is received
    )
    outbound = _TimedOutbound(SlackOutbound(build_app(bot, config, bot.database.engine)))
    figures: dict[str, list[float]] = {
        "without": [],
        "threads_on": [],
        "threads_off": [],
        "delivery_seconds": [],
        "messages": [],
        "shortest_gap_seconds": [],
    }
    for burst in range(bursts):
        # The same work (an outbox row each) in a console channel, which no announcer here
        # serves: nothing is posted meanwhile, or later beside the next burst.
        figures["without"] += await _burst(bot, "console", f"quiet-{burst}", adds, within)
        for threads in ("on", "off"):
            channel = f"CBURST{threads}{burst}"
            if threads == "off":
                await bot.handle_async(_setting(channel, "threads off"))
            announcer = Announcer(bot.database, {"slack": outbound}, bot)
            await announcer.start()
            try:
                started = time.monotonic()
                figures[f"threads_{threads}"] += await _burst(bot, "slack", channel, adds, within)
                await _until_announced(bot, started + 120)
                if threads == "on":
                    figures["delivery_seconds"].append(time.monotonic() - started)
                    posted = outbound.posted[channel]
                    figures["messages"].append(len(posted))
                    gaps = [later - earlier for earlier, later in itertools.pairwise(posted)]
                    figures["shortest_gap_seconds"].append(min(gaps) if gaps else 0.0)
            finally:
                await announcer.stop()
    return figures


def _setting(channel: str, text: str) -> Invocation:
    return dataclasses.replace(_invocation("slack", channel, 0), text=text, delivery_id=None)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def child(fake_url: str, adds: int, bursts: int, within: float) -> None:
    """The bot's side, in a process of its own (the fake Slack's work stays in the parent's):
    prints what it measured as JSON."""
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade_to_head(database)
        bot = MemoBot(database)
        try:
            print(json.dumps(asyncio.run(measure(bot, fake_url, adds, bursts, within))))
        finally:
            bot.close()
            bot.database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adds", type=int, default=30, help="adds per burst")
    parser.add_argument("--bursts", type=int, default=5, help="bursts of each kind")
    parser.add_argument("--within", type=float, default=5.0, help="seconds a burst takes")
    parser.add_argument("--output", type=Path, default=RESULTS / "announce_burst.json")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # the fake Slack's URL
    args = parser.parse_args()
    if args.child:
        child(args.child, args.adds, args.bursts, args.within)
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
        for burst in range(args.bursts):
            for threads in ("on", "off"):
                words = json.dumps(fake.messages(f"CBURST{threads}{burst}"), ensure_ascii=False)
                missing = [n for n in range(args.adds) if f"note {n}:" not in words]
                assert not missing, f"burst {burst} (threads {threads}): not shown {missing}"
    report(figures, args.adds, args.output)


def _sizes(args: argparse.Namespace) -> list[str]:
    return ["--adds", str(args.adds), "--bursts", str(args.bursts), "--within", str(args.within)]


def report(figures: dict[str, list[float]], adds: int, output: Path) -> None:
    without, on, off = figures["without"], figures["threads_on"], figures["threads_off"]
    seconds = figures["delivery_seconds"]
    rows = {"ack, no announcer": without, "ack, threads on": on, "ack, threads off": off}
    results: dict[str, object] = {}
    print(f"{'':<22}{'p50 ms':>10}{'p99 ms':>10}{'ops':>8}")
    for name, values in rows.items():
        p50, p99 = statistics.median(values), _percentile(values, 0.99)
        key = name.replace(",", "").replace(" ", "_")
        results[key] = {"p50_ms": p50, "p99_ms": p99, "ops": len(values)}
        print(f"{name:<22}{p50:>10.2f}{p99:>10.2f}{len(values):>8}")
    on_off_p50 = statistics.median(on) / statistics.median(off)
    on_off_p99 = _percentile(on, 0.99) / _percentile(off, 0.99)
    on_without_p50 = statistics.median(on) / statistics.median(without)
    print(f"ack ratio threads on/off: p50 {on_off_p50:.2f}, p99 {on_off_p99:.2f}")
    print(f"ack ratio threads on/no announcer: p50 {on_without_p50:.2f}")
    print(
        f"burst of {adds} in one channel: last one shown after median "
        f"{statistics.median(seconds):.2f} s, worst {max(seconds):.2f} s; "
        f"messages posted: {sorted(int(m) for m in figures['messages'])}; shortest gap "
        f"between two posts: {min(figures['shortest_gap_seconds']):.2f} s "
        f"(Slack: ~{1 / SLACK_MESSAGES_PER_SECOND:.0f} s per message per channel)"
    )
    print(f"load: {os.getloadavg()[0]:.2f}")
    results.update(
        {
            "ack_ratio_threads_on_off_p50": on_off_p50,
            "ack_ratio_threads_on_off_p99": on_off_p99,
            "ack_ratio_threads_on_without_p50": on_without_p50,
            "burst_adds": adds,
            "burst_delivery_seconds": seconds,
            "burst_messages": figures["messages"],
            "shortest_gap_seconds": figures["shortest_gap_seconds"],
            "slack_seconds_per_message": 1 / SLACK_MESSAGES_PER_SECOND,
        }
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps({"machine": machine(), "load": os.getloadavg(), "results": results}, indent=2)
        + "\n"
    )


if __name__ == "__main__":
    main()
