"""The Slack adapter: `/memo` over HTTP or Socket Mode with slack-bolt's AsyncApp.

It only translates: Slack payloads become ``Invocation``s and commands for the
core, and the core's replies become Slack messages, modals and the home tab.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from adapters.slack.app import SlackConfig, build_app
from adapters.slack.outbound import SlackOutbound
from adapters.slack.server import HttpServer, SocketModeLink, web_app
from bot.core import MemoBot
from bot.serving import Service


@dataclass
class SlackAdapter:
    """The Bolt app, what to run for it, and how to post with it."""

    outbound: SlackOutbound
    services: list[Service] = field(default_factory=list)


def slack_adapter(
    bot: MemoBot, config: SlackConfig, engine: Engine, *, host: str, port: int
) -> SlackAdapter:
    """The HTTP server, Socket Mode, or both, as this configuration asks."""
    app = build_app(bot, config, engine)
    adapter = SlackAdapter(SlackOutbound(app))
    if config.signing_secret:  # events over HTTP (config.serves_http)
        adapter.services.append(HttpServer(web_app(app, config.signing_secret), host, port))
    if config.app_token:
        adapter.services.append(SocketModeLink(app, config.app_token))
    return adapter


__all__ = ["SlackAdapter", "SlackConfig", "build_app", "slack_adapter"]
