"""`memo-bot run`: each configured platform's services, the digests and the memos'
announcements, in one event loop.

It loops over what it is given: adding a platform adds nothing here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from adapters.operations.health import HealthServer, Readiness, add_health_routes
from adapters.operations.metrics import CountedOutbound, instrument
from adapters.operations.settings import OperationsSettings
from adapters.platform import Platform, PlatformSetup
from bot.announcing import Announcer
from bot.core import MemoBot
from bot.digest.posting import DigestPolicy, DigestRunner
from bot.digest.scheduler import DigestScheduler
from bot.outbound import Outbound
from bot.service_status import ServiceStatuses
from bot.serving import Service, serve


@dataclass(frozen=True, slots=True)
class Configured:
    """A platform whose settings ``memo-bot run`` serves it with."""

    platform: Platform
    setup: PlatformSetup


async def serve_platforms(
    bot: MemoBot,
    configured: Sequence[Configured],
    policy: DigestPolicy,
    operations: OperationsSettings,
) -> None:
    """Check each platform's settings with the platform, then serve every platform's
    services, and post digests and announcements through their outbounds, until
    SIGINT/SIGTERM.

    Raises ``SettingsRefused`` (before serving anything) when a platform refuses its
    token, and ``ServiceFailed`` when no platform is left to serve.
    """
    instrument(bot)
    chat_platforms: list[Service] = []
    outbounds: dict[str, Outbound] = {}
    servings = [each.setup.serving(bot) for each in configured]
    await asyncio.gather(*(check() for serving in servings for check in serving.checks))
    for each, serving in zip(configured, servings, strict=True):
        chat_platforms += serving.services
        outbounds[each.platform.name] = CountedOutbound(each.platform.name, serving.outbound)
    statuses = ServiceStatuses()
    readiness = Readiness(bot.database.url, statuses, chat_platforms)
    for serving in servings:
        if serving.web_app is not None:
            add_health_routes(serving.web_app, readiness)
    health: list[Service] = []
    if operations.health_port is not None:
        health.append(HealthServer(readiness, operations.health_host, operations.health_port))
    runner = DigestRunner(
        bot.database,
        outbounds,
        policy,
        default_time_zone=bot.default_time_zone,
        default_language=bot.default_language,
    )
    digests = DigestScheduler(runner, bot)
    announcements = Announcer(bot.database, outbounds, bot, default_language=bot.default_language)
    try:
        await serve(
            [*health, *chat_platforms, digests, announcements],
            statuses=statuses,
            needs_one_of=chat_platforms,
        )
    finally:
        readiness.close()
