"""The Discord adapter: `/memo` as application commands through discord.py 2.x.

It only translates: interactions become ``Invocation``s and the core's command
objects, and the core's Markdown goes back within Discord's limits.
``PLATFORM`` is what the command line runs (``adapters.discord.platform``).
"""

from __future__ import annotations

from adapters.discord.client import (
    DiscordConfig,
    DiscordOutbound,
    DiscordService,
    MemoClient,
    SyncRefused,
    invite_url,
    posting_only,
    sync_commands,
)
from adapters.discord.platform import PLATFORM

__all__ = [
    "PLATFORM",
    "DiscordConfig",
    "DiscordOutbound",
    "DiscordService",
    "MemoClient",
    "SyncRefused",
    "invite_url",
    "posting_only",
    "sync_commands",
]
