"""An aiohttp application served on the bot's own event loop, as a ``bot.serving.Service``.

Slack's events (``adapters.slack.server.HttpServer``) and the health listener
(``adapters.operations.health.HealthServer``) are both one of these.
"""

from __future__ import annotations

import asyncio

from aiohttp import web


class AiohttpService:
    """Listens on ``host:port`` (port 0: any free one) until stopped.

    aiohttp's runner rather than ``web.run_app`` (or Bolt's ``app.start()``), which would
    own the loop: the server shares the process with the other services, and tests bind
    port 0.
    """

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self._web_app = app
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> int:
        """Start listening; returns the port (useful when asked for port 0)."""
        self._runner = web.AppRunner(self._web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        port = int(self._runner.addresses[0][1])
        self.listening(self._host, port)
        return port

    def listening(self, host: str, port: int) -> None:
        """Says where it listens (in the log), once it does."""

    async def stopped(self) -> None:
        await asyncio.Event().wait()  # an aiohttp server does not stop by itself

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
