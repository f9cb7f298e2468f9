"""Fixtures of the command-line tests."""

from __future__ import annotations

import pytest
from sqlalchemy import URL
from typer.testing import CliRunner


@pytest.fixture
def cli(database_url: URL, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The command line on the test database, as alice, with no chat tokens from the environment."""
    monkeypatch.setenv("MEMO_DATABASE_URL", database_url.render_as_string(hide_password=False))
    monkeypatch.setenv("USER", "alice")
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DISCORD_TOKEN"):
        monkeypatch.setenv(name, "")
    return CliRunner()
