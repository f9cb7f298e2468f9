"""The Slack adapter: `/memo` over HTTP or Socket Mode with slack-bolt's AsyncApp.

It only translates: Slack payloads become ``Invocation``s and commands for the
core, and the core's replies become Slack messages, modals and the home tab.
``PLATFORM`` is what the command line runs (``adapters.slack.platform``).
"""

from __future__ import annotations

from adapters.slack.app import SlackConfig, build_app
from adapters.slack.platform import PLATFORM

__all__ = ["PLATFORM", "SlackConfig", "build_app"]
