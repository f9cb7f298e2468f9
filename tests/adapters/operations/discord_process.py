"""`memo-bot` in a process of its own, with discord.py pointed at a fake Discord.

``python -m tests.adapters.operations.discord_process run``: the real command line, its
settings from the environment as always; only Discord's addresses come from
``FAKE_DISCORD_API`` and ``FAKE_DISCORD_GATEWAY`` (what the ``fake_discord`` fixture sets
in the test's own process), since discord.py has no setting for them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route
from sqlalchemy import URL

from adapters.cli.app import main
from tests.fakes.discord import FakeDiscord

REPOSITORY = Path(__file__).resolve().parents[3]
#: ``memo-bot`` as this module runs it (add the subcommand).
LAUNCHER = (sys.executable, "-m", "tests.adapters.operations.discord_process")


def discord_environment(
    fake: FakeDiscord, database_url: URL, token: str, **extra: str
) -> dict[str, str]:
    """Discord only, on ``database_url``: no Slack setting, the fake's addresses."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MEMO_", "SLACK_", "DISCORD_"))
    }
    env.update(
        MEMO_DATABASE_URL=database_url.render_as_string(hide_password=False),
        DISCORD_TOKEN=token,
        FAKE_DISCORD_API=fake.api_base,
        FAKE_DISCORD_GATEWAY=fake.gateway_url,
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")])),
        **extra,
    )
    return env


if __name__ == "__main__":
    Route.BASE = os.environ["FAKE_DISCORD_API"]
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["FAKE_DISCORD_GATEWAY"] + "/")
    main()
