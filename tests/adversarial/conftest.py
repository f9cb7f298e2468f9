"""The adversarial suite attacks the real adapters: the Slack and Discord fixtures, shared."""

from tests.adapters.discord.conftest import discord_bot  # noqa: F401
from tests.adapters.slack.conftest import slack, socket_mode  # noqa: F401
from tests.adapters.slack.test_oauth import distributed  # noqa: F401
from tests.fakes.discord import fake_discord  # noqa: F401
from tests.fakes.slack import fake_slack  # noqa: F401
