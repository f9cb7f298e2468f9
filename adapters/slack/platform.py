"""Slack as the command line sees it: settings, services, posting, ids and tables."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from adapters.platform import IdRules, NotConfigured, Platform, Serving
from adapters.slack.app import build_app
from adapters.slack.listeners import PLATFORM as NAME
from adapters.slack.outbound import SlackOutbound
from adapters.slack.server import HttpServer, SocketModeLink, web_app
from adapters.slack.settings import SlackSettings
from adapters.slack.tables import TABLES
from adapters.slack.token_check import check_bot_token
from bot.core import MemoBot
from bot.outbound import Outbound


class SlackSetup:
    """Slack with its settings read: one workspace (a bot token) or OAuth installs."""

    def __init__(self, settings: SlackSettings) -> None:
        self.settings = settings
        self.config = settings.config()

    @classmethod
    def read(cls) -> SlackSetup:
        return cls(SlackSettings())

    @property
    def configured(self) -> bool:
        return self.config.configured

    def problems(self) -> list[str]:
        return [f"Slack is not set up right: {problem}." for problem in self.config.problems()]

    def serving(self, bot: MemoBot) -> Serving:
        """The HTTP server, Socket Mode, or both, as the settings ask."""
        app = build_app(bot, self.config, bot.database.engine)
        server = web_app(app, self.config.signing_secret) if self.config.signing_secret else None
        serving = Serving(SlackOutbound(app), web_app=server)
        if self.config.bot_token:
            serving.checks.append(partial(check_bot_token, app))
        if server is not None:
            serving.services.append(
                HttpServer(server, self.settings.http_host, self.settings.http_port)
            )
        if self.config.app_token:
            serving.services.append(SocketModeLink(app, self.config.app_token))
        return serving

    @asynccontextmanager
    async def posting(self, bot: MemoBot) -> AsyncIterator[Outbound]:
        if not self.configured:
            raise NotConfigured('Set the Slack tokens (README "Slack") to post there.')
        yield SlackOutbound(build_app(bot, self.config, bot.database.engine))


PLATFORM = Platform(
    name=NAME,
    title="Slack",
    # Slack's ids are upper-case letters and digits after a letter that says what they are:
    # T (workspace) or E (an org-wide install's org); C, G (private) or D (direct message).
    ids=IdRules(
        workspace=re.compile("[TE][A-Z0-9]+"),
        channel=re.compile("[CGD][A-Z0-9]+"),
        workspace_example="T0123ABCD",
        channel_example="C0456EFGH",
    ),
    setup=SlackSetup.read,
    tables=TABLES,
)
