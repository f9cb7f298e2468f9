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
from discord import app_commands

from adapters.discord.commands import MemoCommands

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
