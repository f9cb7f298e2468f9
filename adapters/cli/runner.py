"""`memo-bot run`: each configured platform's services and the digests, in one event loop.

It loops over what it is given: adding a platform adds nothing here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from adapters.platform import Platform, PlatformSetup
from bot.core import MemoBot
from bot.digest.posting import DigestPolicy, DigestRunner
from bot.digest.scheduler import DigestScheduler
from bot.outbound import Outbound
from bot.serving import Service, serve


@dataclass(frozen=True, slots=True)
class Configured:
    """A platform whose settings ``memo-bot run`` serves it with."""

    platform: Platform
    setup: PlatformSetup


async def serve_platforms(
    bot: MemoBot, configured: Sequence[Configured], policy: DigestPolicy
) -> None:
    """Serve every platform's services, and post digests through their outbounds, until
    SIGINT/SIGTERM; raises ``ServiceFailed`` when no platform is left to serve."""
    chat_platforms: list[Service] = []
    outbounds: dict[str, Outbound] = {}
    for each in configured:
        serving = each.setup.serving(bot)
        chat_platforms += serving.services
        outbounds[each.platform.name] = serving.outbound
    runner = DigestRunner(bot.database, outbounds, policy, default_time_zone=bot.default_time_zone)
    digests = DigestScheduler(runner, bot)
    await serve([*chat_platforms, digests], needs_one_of=chat_platforms)
