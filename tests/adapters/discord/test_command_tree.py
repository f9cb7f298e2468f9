"""The `/memo` application commands Discord registers, exactly: names, descriptions, options,
choices, required flags, autocomplete and order.

``command_tree.json`` is the tree as `memo-bot discord sync` sent it before the commands
were derived from their declarations; a change to what Discord users see shows up here.
Rewrite it only for a change meant to reach users: ``MEMO_WRITE_TREE=1 pytest -k tree``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands

from adapters.discord import DiscordConfig, DiscordService
from adapters.discord.commands import MemoCommands
from adapters.discord.replies import Replier
from bot.core import MemoBot
from storage.database import Database
from tests.adapters.discord.conftest import CHANNEL, GUILD, MANAGE_MESSAGES, Discord
from tests.fakes.discord import FakeDiscord, fake_discord  # noqa: F401
from tests.toy_command import WITH_PING

FIXTURE = Path(__file__).parent / "fixtures" / "command_tree.json"


def tree_json(commands: MemoCommands) -> list[dict[str, Any]]:
    """What a sync sends Discord for these commands, sorted by name."""
    client = discord.Client(intents=discord.Intents.none())
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    commands.register(tree)
    described = [command.to_dict(tree) for command in tree.get_commands()]
    return sorted(described, key=lambda command: (command["type"], command["name"]))


def test_the_registered_tree_is_the_one_users_know() -> None:
    derived = tree_json(MemoCommands(None))
    if os.environ.get("MEMO_WRITE_TREE") == "1":
        FIXTURE.write_text(json.dumps(derived, indent=1, ensure_ascii=False) + "\n")
    assert derived == json.loads(FIXTURE.read_text())


def test_a_declared_command_becomes_a_sub_command(database: Database) -> None:
    """`/memo ping` (``tests/toy_command.py``), declared once: a sub-command with its
    option, described, optional and autocompleted as declared; the rest unchanged."""
    bot = MemoBot(database, commands=WITH_PING)
    try:
        derived = tree_json(MemoCommands(Replier(bot)))
    finally:
        bot.close()
    known = json.loads(FIXTURE.read_text())
    memo = derived[0]["options"]
    ping = next(command for command in memo if command["name"] == "ping")
    assert ping == {
        "name": "ping",
        "description": "Call a session's attendees together",
        "type": 1,
        "options": [
            {
                "type": 3,
                "name": "session",
                "description": "The session (pick one, or type a new title)",
                "required": False,
                "autocomplete": True,
            }
        ],
    }
    assert [command for command in memo if command["name"] != "ping"] == known[0]["options"]
    assert derived[1:] == known[1:]


@pytest.mark.asyncio
async def test_a_declared_command_answers_on_discord(
    fake_discord: FakeDiscord,  # noqa: F811
    database: Database,
) -> None:
    """The interaction's options reach the declaration's builder, and the core runs it:
    as the channel's admin (Manage Messages), and refused for anyone else."""
    fake_discord.add_guild(GUILD, "Team One", [CHANNEL])
    bot = MemoBot(database, commands=WITH_PING)
    service = DiscordService(bot, DiscordConfig("fake-token", guild_ready_timeout=0.05))
    await service.start()
    try:
        discord_bot = Discord(fake_discord, bot, service)
        refused = await discord_bot.content("ping", session="Kafka 운영기")
        pinged = await discord_bot.content(
            "ping", session="Kafka 운영기", permissions=MANAGE_MESSAGES
        )
        missing = await discord_bot.content("ping", permissions=MANAGE_MESSAGES)
    finally:
        await service.stop()
        bot.close()
    assert "Only a workspace admin can use `/memo ping`" in refused
    assert pinged.startswith("Ping! You are down as attending")
    assert "Which session?" in missing
