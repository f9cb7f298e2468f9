"""The fakes the operations tests run `memo-bot` against."""

from __future__ import annotations

from tests.adapters.discord.conftest import discord_bot  # noqa: F401
from tests.fakes.discord import fake_discord  # noqa: F401
from tests.fakes.slack import fake_slack  # noqa: F401
