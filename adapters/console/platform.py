"""The console as the command line sees it: a channel in the terminal, with no settings.

It has nothing to configure, so ``memo-bot run`` never serves it beside the chat
platforms; it is what ``memo-bot run`` opens when none of them is configured, and what
``memo-bot console`` opens always (``adapters.cli``). Its digests print to stdout.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from adapters.console.console import PLATFORM_NAME
from adapters.console.outbound import ConsoleOutbound
from adapters.platform import IdRules, Platform, Serving
from bot.core import MemoBot
from bot.outbound import Outbound


class ConsoleSetup:
    configured = False

    @classmethod
    def read(cls) -> ConsoleSetup:
        return cls()

    def problems(self) -> list[str]:
        return []

    def serving(self, bot: MemoBot) -> Serving:
        return Serving(ConsoleOutbound())

    @asynccontextmanager
    async def posting(self, bot: MemoBot) -> AsyncIterator[Outbound]:
        yield ConsoleOutbound()


PLATFORM = Platform(
    name=PLATFORM_NAME,
    title="console",
    # Whatever a person names their terminal's workspace and channel (`--channel notes`),
    # on one line.
    ids=IdRules(
        workspace=re.compile(r"[^\x00-\x1f\x7f]+"),
        channel=re.compile(r"[^\x00-\x1f\x7f]+"),
        workspace_example="console",
        channel_example="general",
    ),
    setup=ConsoleSetup.read,
)
