"""A separate bot process for the digest tests: `python -m tests.digest_worker MODE ...`.

It runs the real core and digest runner on ``MEMO_DATABASE_URL`` with a fake
clock, posting to the console:

- ``crash NOW``: claims whatever is due at ``NOW``, then dies (exit 3) while posting,
  the way a killed process would: after the claim, before the post.
- ``sweep OUT``: for each moment (ISO 8601) read from stdin, posts what is due
  then into the file ``OUT`` and answers ``swept``. The test sends the same
  moments to several workers, so they race for the same digests with clocks
  that agree, as processes on NTP-synced machines do.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime

from adapters.console.outbound import ConsoleOutbound
from bot.core import MemoBot
from bot.digests import DigestPolicy, DigestRunner
from bot.reply import Reply
from storage.database import Database

CRASH_EXIT = 3


class _DiesWhilePosting:
    async def post(self, workspace_id: str, channel_id: str, reply: Reply) -> str:
        os._exit(CRASH_EXIT)


async def _crash(bot: MemoBot, now: datetime) -> None:
    runner = DigestRunner(
        bot, {"console": _DiesWhilePosting()}, holder="crashing-process", clock=lambda: now
    )
    await runner.run_due()
    raise SystemExit("nothing was due: the crash did not happen")


async def _sweep(bot: MemoBot, out: str) -> None:
    clock = [datetime.now(UTC)]
    with open(out, "w", encoding="utf-8") as printed:
        runner = DigestRunner(
            bot, {"console": ConsoleOutbound(printed)}, DigestPolicy(), clock=lambda: clock[0]
        )
        for line in sys.stdin:
            clock[0] = datetime.fromisoformat(line.strip())
            await runner.run_due()
            print("swept", flush=True)


def main() -> None:
    mode, *args = sys.argv[1:]
    bot = MemoBot(Database(os.environ["MEMO_DATABASE_URL"]))
    try:
        if mode == "crash":
            asyncio.run(_crash(bot, datetime.fromisoformat(args[0])))
        elif mode == "sweep":
            asyncio.run(_sweep(bot, args[0]))
        else:
            raise SystemExit(f"unknown mode {mode!r}")
    finally:
        bot.close()
        bot.database.dispose()


if __name__ == "__main__":
    main()
