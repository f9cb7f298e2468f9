"""Posting on the bot's own initiative (the daily digest), implemented by each adapter."""

from __future__ import annotations

from typing import Protocol

from bot.reply import Reply


class Outbound(Protocol):
    async def post(self, workspace_id: str, channel_id: str, reply: Reply) -> str:
        """Post ``reply`` in the channel for everyone; returns the platform's message id."""
        ...
