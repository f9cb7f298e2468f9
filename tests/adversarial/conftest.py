"""The adversarial suite attacks the real adapters: Slack and Discord fixtures are shared here."""

from tests.adapters.discord.conftest import discord_bot  # noqa: F401
from tests.adapters.slack.conftest import slack  # noqa: F401
from tests.fakes.discord import fake_discord  # noqa: F401
from tests.fakes.slack import fake_slack  # noqa: F401
