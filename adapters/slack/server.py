"""Running the Bolt app: an HTTP server for events and installs, and/or a Socket Mode link."""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_base_handler import AsyncBaseSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.app.async_server import AsyncSlackAppServer
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from adapters.http_service import AiohttpService
from adapters.slack.app import EVENTS_PATH
from adapters.slack.request_checks import (
    Refusal,
    read_http_request,
    refused_frame,
    socket_mode_request,
)

logger = logging.getLogger(__name__)


def web_app(app: AsyncApp, signing_secret: str) -> web.Application:
    """Bolt's aiohttp app (``/slack/events`` and the OAuth pages) behind our request checks."""
    return CheckedAppServer(app, signing_secret).web_app


class CheckedAppServer(AsyncSlackAppServer):
    """Bolt's aiohttp server, with malformed or unsigned events refused before Bolt parses them."""

    def __init__(self, app: AsyncApp, signing_secret: str) -> None:
        # Bolt's server wants a port, but only its web_app is used (HttpServer binds it).
        super().__init__(port=0, path=EVENTS_PATH, app=app)
        self._verifier = SignatureVerifier(signing_secret)

    async def handle_post_requests(self, request: web.Request) -> web.Response:
        if request.path != self.path:
            return web.Response(status=404)
        checked = await read_http_request(request, self._verifier)
        if isinstance(checked, Refusal):
            checked.log("HTTP")
            return web.Response(status=checked.status, text=checked.reason)
        return await to_aiohttp_response(await self.bolt_app.async_dispatch(checked))


class HttpServer(AiohttpService):
    """Serves ``web_app``'s app (in production): Slack's events and installs."""

    def listening(self, host: str, port: int) -> None:
        logger.info("Slack events served at http://%s:%s%s", host, port, EVENTS_PATH)


class SocketModeLink:
    """Slack's Socket Mode: events over a WebSocket the bot opens, no public URL needed."""

    def __init__(self, app: AsyncApp, app_token: str) -> None:
        self._app = app
        self._app_token = app_token
        self._handler: CheckedSocketModeHandler | None = None

    async def start(self) -> None:
        # The handler's client starts tasks when it is built, so build it on the running loop.
        self._handler = CheckedSocketModeHandler(self._app, self._app_token)
        await self._handler.connect_async()  # type: ignore[no-untyped-call]
        logger.info("Slack Socket Mode connected")

    def connected(self) -> bool:
        """The WebSocket is open now (for ``/readyz``): slack_sdk reconnects a dropped one
        by itself, and no event arrives in between."""
        if self._handler is None:
            return False
        session = self._handler.client.current_session
        return session is not None and not session.closed

    async def stopped(self) -> None:
        await asyncio.Event().wait()  # slack_sdk's client reconnects by itself, for ever

    async def stop(self) -> None:
        if self._handler is not None:
            await self._handler.close_async()  # type: ignore[no-untyped-call]
            self._handler = None


class CheckedSocketModeHandler(AsyncBaseSocketModeHandler):
    """Bolt's Socket Mode handler, acknowledging (and dropping) envelopes Slack never sends.

    Bolt builds its request from the payload unguarded; here a refused envelope
    never reaches the app, and is acknowledged without an answer after one WARNING
    line (unacknowledged, Slack would deliver it again).
    """

    app: AsyncApp
    client: CheckedSocketModeClient

    def __init__(self, app: AsyncApp, app_token: str) -> None:
        self.app = app
        self.client = CheckedSocketModeClient(
            app_token=app_token, logger=app.logger, web_client=app.client
        )
        self.client.socket_mode_request_listeners.append(self.handle)

    async def handle(self, client: AsyncBaseSocketModeClient, req: SocketModeRequest) -> None:
        started = time.time()
        checked = socket_mode_request(req.payload, build_headers(req))
        if isinstance(checked, Refusal):
            checked.log("Socket Mode")
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        response = await self.app.async_dispatch(checked)
        await send_async_response(client, req, response, started)


class CheckedSocketModeClient(SocketModeClient):
    """slack_sdk's Socket Mode client, dropping frames that are not an envelope Slack sends.

    slack_sdk logs a traceback at ERROR for a frame that is not JSON or whose payload
    is not an object (and carries on); such a frame is refused with one WARNING line
    instead, and acknowledged when it has an envelope id, so Slack stops resending it.
    """

    async def enqueue_message(self, message: str) -> None:
        refused = refused_frame(message)
        if refused is None:
            await super().enqueue_message(message)
            return
        refused.refusal.log("Socket Mode")
        if refused.envelope_id is not None:
            await self.send_socket_mode_response(
                SocketModeResponse(envelope_id=refused.envelope_id)
            )
