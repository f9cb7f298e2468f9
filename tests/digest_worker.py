"""A separate bot process for the digest tests: `python -m tests.digest_worker MODE ...`.

It runs the real core and digest runner on ``MEMO_DATABASE_URL`` with a fake
clock, posting to the console, or to the fake Slack or fake Discord of the test
process (``--slack BASE_URL TOKEN``, ``--discord API_BASE TOKEN``):

- ``crash NOW``: claims whatever is due at ``NOW``, then dies (exit 3) while posting,
  the way a killed process would: after the claim, before the post.
- ``sweep OUT``: for each moment (ISO 8601) read from stdin, posts what is due
  then into the file ``OUT`` and answers ``swept``. The test sends the same
  moments to several workers, so they race for the same digests with clocks
  that agree, as processes on NTP-synced machines do.
- ``cron --slack ...|--discord ...``: for each moment read from stdin, runs every
  enabled channel's digest job at once, as APScheduler's cron jobs do when many
  channels are due the same minute, then answers ``swept``.
- ``serve NOW --discord ...``: runs the real scheduler service (``bot.serving.serve``)
  with the clock at ``NOW`` until SIGTERM, waiting ``STOP_TIMEOUT`` seconds for
  posts under way when told to stop (as `memo-bot run` does, with a shorter wait).
- ``announce NAME --slack ...``: runs the outbox's announcer (``bot.announcing``) as
  holder ``NAME`` until killed, looking for new rows every ``ANNOUNCE_POLL`` seconds
  (memos come from the test's process, so no command here wakes it).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from adapters.console.outbound import ConsoleOutbound
from bot.announcing import AnnouncePolicy, Announcer
from bot.core import MemoBot
from bot.digest.posting import DigestPolicy, DigestRunner
from bot.digest.scheduler import DigestScheduler
from bot.outbound import Outbound
from bot.serving import serve
from storage.database import Database

CRASH_EXIT = 3
#: Seconds between the ``announce`` mode's looks at the outbox.
ANNOUNCE_POLL = 0.05
#: Seconds the ``serve`` mode waits for posts under way once told to stop.
STOP_TIMEOUT = 0.5


class _DiesWhilePosting:
    async def post(self, *args: Any, **kwargs: Any) -> Any:
        os._exit(CRASH_EXIT)


async def _crash(bot: MemoBot, now: datetime) -> None:
    runner = DigestRunner(
        bot.database, {"console": _DiesWhilePosting()}, holder="crashing-process", clock=lambda: now
    )
    await runner.run_due()
    raise SystemExit("nothing was due: the crash did not happen")


async def _sweep(bot: MemoBot, out: str) -> None:
    clock = [datetime.now(UTC)]
    with open(out, "w", encoding="utf-8") as printed:
        runner = DigestRunner(
            bot.database,
            {"console": ConsoleOutbound(printed)},
            DigestPolicy(),
            clock=lambda: clock[0],
        )
        for line in sys.stdin:
            clock[0] = datetime.fromisoformat(line.strip())
            await runner.run_due()
            print("swept", flush=True)


@contextlib.asynccontextmanager
async def _outbound(bot: MemoBot, platform: list[str]) -> AsyncIterator[dict[str, Outbound]]:
    """The real adapter's Outbound, pointed at the test's fake Slack or fake Discord."""
    name, base_url, token = platform
    if name == "--slack":
        from adapters.slack import build_app
        from adapters.slack.app import SlackConfig
        from adapters.slack.outbound import SlackOutbound

        config = SlackConfig(api_base_url=base_url, bot_token=token, signing_secret="unused")
        yield {"slack": SlackOutbound(build_app(bot, config, bot.database.engine))}
    elif name == "--discord":
        from discord.http import Route

        from adapters.discord.client import posting_only

        Route.BASE = base_url
        async with posting_only(token) as outbound:
            yield {"discord": outbound}
    else:
        raise SystemExit(f"unknown platform {name!r}")


async def _cron(bot: MemoBot, platform: list[str]) -> None:
    clock = [datetime.now(UTC)]
    async with _outbound(bot, platform) as outbounds:
        runner = DigestRunner(bot.database, outbounds, clock=lambda: clock[0])
        for line in sys.stdin:
            clock[0] = datetime.fromisoformat(line.strip())
            channels = [item.setting.channel_id for item in await runner.scheduled()]
            await asyncio.gather(*(runner.run_due(channel_ids=[id_]) for id_ in channels))
            print("swept", flush=True)


async def _serve(bot: MemoBot, now: datetime, platform: list[str]) -> None:
    async with _outbound(bot, platform) as outbounds:
        runner = DigestRunner(bot.database, outbounds, clock=lambda: now)
        print("serving", flush=True)
        await serve([DigestScheduler(runner, bot, stop_timeout=STOP_TIMEOUT)])


async def _announce(bot: MemoBot, holder: str, platform: list[str]) -> None:
    async with _outbound(bot, platform) as outbounds:
        policy = AnnouncePolicy(poll_seconds=ANNOUNCE_POLL)
        print("serving", flush=True)
        await serve([Announcer(bot.database, outbounds, bot, policy, holder=holder)])


def main() -> None:
    mode, *args = sys.argv[1:]
    bot = MemoBot(Database(os.environ["MEMO_DATABASE_URL"]))
    try:
        if mode == "crash":
            asyncio.run(_crash(bot, datetime.fromisoformat(args[0])))
        elif mode == "sweep":
            asyncio.run(_sweep(bot, args[0]))
        elif mode == "cron":
            asyncio.run(_cron(bot, args))
        elif mode == "announce":
            asyncio.run(_announce(bot, args[0], args[1:]))
        elif mode == "serve":
            asyncio.run(_serve(bot, datetime.fromisoformat(args[0]), args[1:]))
        else:
            raise SystemExit(f"unknown mode {mode!r}")
    finally:
        bot.close()
        bot.database.dispose()


if __name__ == "__main__":
    main()
