"""The Discord adapter: `/memo` as application commands through discord.py 2.x.

It only translates: interactions become ``Invocation``s and the core's command
objects, and the core's Markdown goes back within Discord's limits.
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

__all__ = [
    "DiscordConfig",
    "DiscordOutbound",
    "DiscordService",
    "MemoClient",
    "SyncRefused",
    "invite_url",
    "posting_only",
    "sync_commands",
]
