"""Building the Bolt app: one workspace with a bot token, or many through OAuth installs."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine

from adapters.slack.install_queries import Org
from adapters.slack.installations import InstallationStore, InstallFlow, StateStore
from adapters.slack.listeners import SlackListeners
from adapters.slack.people import People
from adapters.slack.retries import RateLimitRetryHandler
from adapters.slack.uninstalls import Uninstalls
from adapters.slack.web_client import CountingWebClient
from bot.core import MemoBot

#: Bot scopes the app asks for (keep in step with the manifest*.json files): the command,
#: posting replies (also in public channels the bot was not invited to), reading back the
#: channels it is in to find a digest an interrupted attempt may have posted
#: (channels:history, groups:history), joining a public channel that requires membership
#: to post a memo's announcement (channels:join), downloading the note files people upload to
#: `/memo import` (files:read), uploading an export to the person who asked in a direct
#: message (files:write, im:write), and users.info.
SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "channels:join",
    "channels:history",
    "groups:history",
    "files:read",
    "files:write",
    "im:write",
    "users:read",
)
EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SlackConfig:
    """The Slack settings, as plain values (secrets already unwrapped)."""

    api_base_url: str
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    redirect_uri: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.bot_token or self.client_id)

    @property
    def serves_http(self) -> bool:
        """Events over HTTP when there is a signing secret (OAuth installs need HTTP too)."""
        return bool(self.signing_secret)

    @property
    def uses_socket_mode(self) -> bool:
        return bool(self.app_token)

    def problems(self) -> list[str]:
        """What is missing or contradictory, in words a person setting it up can act on."""
        problems = []
        if not self.configured:
            given = [
                name
                for name, value in (
                    ("SLACK_SIGNING_SECRET", self.signing_secret),
                    ("SLACK_APP_TOKEN", self.app_token),
                    ("SLACK_CLIENT_SECRET", self.client_secret),
                )
                if value
            ]
            if given:
                problems.append(
                    f"{' and '.join(given)} set without SLACK_BOT_TOKEN (one workspace) or "
                    "SLACK_CLIENT_ID (installs in many workspaces)"
                )
            return problems
        if self.bot_token and self.client_id:
            problems.append(
                "set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET "
                "(installs in many workspaces), not both"
            )
        if self.client_id and not (self.client_secret and self.signing_secret):
            problems.append(
                "OAuth installs need SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET "
                "(the install pages are served over HTTP)"
            )
        if self.bot_token and not (self.signing_secret or self.app_token):
            problems.append(
                "set SLACK_SIGNING_SECRET (events over HTTP) or SLACK_APP_TOKEN (Socket Mode)"
            )
        if self.app_token and not self.app_token.startswith("xapp-"):
            problems.append("SLACK_APP_TOKEN must be an app-level token (it starts with xapp-)")
        if not self.api_base_url.endswith("/"):
            problems.append("SLACK_API_BASE_URL must end with a slash, e.g. https://slack.com/api/")
        return problems


def web_client(config: SlackConfig) -> AsyncWebClient:
    """The Web API client, retrying what slack_sdk alone would not: 429s and 5xx answers.

    Digests and announcements post through a copy that retries only 429s
    (``adapters.slack.outbound``): after
    a lost connection or a 5xx the message may be posted, and they look before posting again.
    """
    return CountingWebClient(
        token=config.bot_token,
        base_url=config.api_base_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            RateLimitRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def build_app(bot: MemoBot, config: SlackConfig, engine: Engine) -> AsyncApp:
    """The Bolt app with every listener registered.

    ``process_before_response=True`` makes Bolt run a listener to the end before
    answering Slack, so the acknowledgement follows the database commit (and
    avoids the 10 ms polling for the ack that Bolt's default mode does).
    """
    client = web_client(config)
    installs = InstallationStore(config.client_id, engine) if config.client_id else None
    if installs is not None:
        oauth = AsyncOAuthSettings(
            client_id=config.client_id,
            client_secret=config.client_secret,
            scopes=list(SCOPES),
            installation_store=installs,
            state_store=StateStore(engine),
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            redirect_uri=config.redirect_uri,
        )
        app = AsyncApp(
            client=client,
            signing_secret=config.signing_secret,
            oauth_flow=InstallFlow(client=client, settings=oauth),
            process_before_response=True,
        )
        app.middleware(_remembering_orgs(installs))
    else:
        app = AsyncApp(
            client=client, signing_secret=config.signing_secret, process_before_response=True
        )
    SlackListeners(bot, People()).register(app)
    Uninstalls(bot, installs).register(app)
    return app


def _remembering_orgs(
    installs: InstallationStore,
) -> Callable[[AsyncBoltContext, Callable[[], Awaitable[BoltResponse]]], Awaitable[BoltResponse]]:
    """Middleware recording the org each authorized request names for its workspace, which a
    digest (no request) needs to find the workspace's token."""

    async def remember_org(
        context: AsyncBoltContext, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        team_id = context.team_id
        if team_id and team_id != context.enterprise_id:
            org = Org(context.enterprise_id, bool(context.is_enterprise_install))
            try:
                await installs.remember_org(team_id, org)
            except Exception:  # the request itself can still be served
                logger.exception("could not record the org of team=%s", team_id)
        return await next()

    return remember_org
