"""Running the Bolt app: an HTTP server for events and installs, and/or a Socket Mode link."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_server import AsyncSlackAppServer
from slack_bolt.async_app import AsyncApp

from adapters.slack.app import EVENTS_PATH

logger = logging.getLogger(__name__)


class HttpServer:
    """Bolt's aiohttp app (``/slack/events`` and the OAuth pages) on our own event loop.

    Bolt's ``app.start()`` would own the loop; running its web app with aiohttp's
    runner lets Slack share the process with other adapters and lets tests bind port 0.
    """

    def __init__(self, app: AsyncApp, host: str, port: int) -> None:
        self._web_app = AsyncSlackAppServer(port=port, path=EVENTS_PATH, app=app, host=host).web_app
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
        logger.info("Slack events served at http://%s:%s%s", self._host, port, EVENTS_PATH)
        return port

    async def stopped(self) -> None:
        await asyncio.Event().wait()  # an aiohttp server does not stop by itself

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class SocketModeLink:
    """Slack's Socket Mode: events over a WebSocket the bot opens, no public URL needed."""

    def __init__(self, app: AsyncApp, app_token: str) -> None:
        self._app = app
        self._app_token = app_token
        self._handler: AsyncSocketModeHandler | None = None

    async def start(self) -> None:
        # The handler's client starts tasks when it is built, so build it on the running loop.
        self._handler = AsyncSocketModeHandler(self._app, self._app_token)
        await self._handler.connect_async()  # type: ignore[no-untyped-call]
        logger.info("Slack Socket Mode connected")

    async def stopped(self) -> None:
        await asyncio.Event().wait()  # slack_sdk's client reconnects by itself, for ever

    async def stop(self) -> None:
        if self._handler is not None:
            await self._handler.close_async()  # type: ignore[no-untyped-call]
            self._handler = None
