"""The Slack adapter: `/memo` over HTTP or Socket Mode with slack-bolt's AsyncApp.

It only translates: Slack payloads become ``Invocation``s and commands for the
core, and the core's replies become Slack messages, modals and the home tab.
"""

from __future__ import annotations

from sqlalchemy import Engine

from adapters.slack.app import SlackConfig, build_app
from adapters.slack.server import HttpServer, SocketModeLink
from bot.core import MemoBot
from bot.serving import Service


def slack_services(
    bot: MemoBot, config: SlackConfig, engine: Engine, *, host: str, port: int
) -> list[Service]:
    """What to run for this configuration: the HTTP server, Socket Mode, or both."""
    app = build_app(bot, config, engine)
    services: list[Service] = []
    if config.serves_http:
        services.append(HttpServer(app, host, port))
    if config.app_token:
        services.append(SocketModeLink(app, config.app_token))
    return services


__all__ = ["SlackConfig", "build_app", "slack_services"]
