"""Posting on the bot's own initiative (the daily digest), implemented by each adapter."""

from __future__ import annotations

from typing import Protocol

from bot.reply import Reply


class ChannelGone(Exception):
    """The bot can no longer post in the channel (removed, archived, deleted, token revoked).

    Retrying will not help, so whoever posts should stop trying there.
    """


class Outbound(Protocol):
    async def post(self, workspace_id: str, channel_id: str, reply: Reply) -> str:
        """Post ``reply`` in the channel for everyone; returns the platform's message id.

        Raises ``ChannelGone`` when posting there cannot succeed, anything else
        for trouble that may pass (rate limits past the client's own retries, outages).
        """
        ...
