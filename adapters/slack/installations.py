"""Multi-workspace installs: slack_sdk's SQLAlchemy OAuth stores on our own database.

slack_sdk ships SQLAlchemy stores for installations and OAuth states; their
tables are on our metadata (``adapters.slack.tables``) and created by our migrations.
Its async variants need an async engine (a second driver, a second pool); the
bot already has a sync engine, so these wrappers run the sync stores on a
thread, the same way the core keeps database work off the event loop.

What slack_sdk's stores leave out is in ``adapters.slack.install_queries``: a state used
at most once, a bounded number of pending states, the Enterprise Grid org each
workspace is in (so a digest, which has no request, finds the token Bolt would
use), and deleting an uninstalled app's tokens.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import Engine

from adapters.slack import install_queries
from adapters.slack.install_queries import Install, Org
from adapters.slack.tables import SLACK_BOTS, SLACK_INSTALLATIONS
from storage.database import immediate

#: How long an OAuth state (the CSRF token of an install) stays valid.
OAUTH_STATE_SECONDS = 600
#: Installs under way (states issued, not used, not expired) at most. Each visit to the
#: install page starts one, unauthenticated; far more than people install at once, few
#: enough that a flood of visits cannot grow the table without end.
MAX_PENDING_INSTALLS = 10_000
#: What the install page says then.
BUSY_PAGE = (
    "<html><body><p>Too many installs are under way right now. "
    "Try again in a few minutes.</p></body></html>"
)

logger = logging.getLogger(__name__)

T = TypeVar("T")


class TooManyInstallsUnderWay(Exception):
    """``MAX_PENDING_INSTALLS`` states are waiting: no new install can start until some expire."""


class InstallationStore(AsyncInstallationStore):
    """slack_sdk's SQLAlchemy installation store, answering on a worker thread.

    It also remembers which org each workspace's requests named (``remember_org``), so
    that ``find_team_bot`` finds a workspace's token without a request, as Bolt would.
    """

    def __init__(self, client_id: str, engine: Engine) -> None:
        self._client_id = client_id
        # slack_sdk saves with a select and then an insert: on SQLite such a transaction
        # must take the write lock up front, or a concurrent writer makes it fail at once.
        self._engine, self._writing = engine, immediate(engine)
        self._store, self._saving = (
            SQLAlchemyInstallationStore(
                client_id=client_id,
                engine=store_engine,
                bots_table_name=SLACK_BOTS.name,
                installations_table_name=SLACK_INSTALLATIONS.name,
                logger=logger,
            )
            for store_engine in (self._engine, self._writing)
        )
        # What this process last wrote for each team, so a request costs a write only
        # when its org is new or changed.
        self._known_orgs: dict[str, Org] = {}

    @property
    def logger(self) -> logging.Logger:
        return logger

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self._saving.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self._saving.save_bot, bot)

    async def async_find_bot(self, **ids: Any) -> Bot | None:
        return await asyncio.to_thread(lambda: self._store.find_bot(**ids))

    async def async_find_installation(self, **ids: Any) -> Installation | None:
        return await asyncio.to_thread(lambda: self._store.find_installation(**ids))

    async def async_delete_bot(self, **ids: Any) -> None:
        await asyncio.to_thread(lambda: self._saving.delete_bot(**ids))

    async def async_delete_installation(self, **ids: Any) -> None:
        await asyncio.to_thread(lambda: self._saving.delete_installation(**ids))

    async def remember_org(self, team_id: str, org: Org) -> None:
        """Record the org a request from ``team_id`` named (a write only when it changed)."""
        if self._known_orgs.get(team_id) == org:
            return
        now = datetime.now(UTC)
        await asyncio.to_thread(self._write, install_queries.remember_org, team_id, org, now)
        self._known_orgs[team_id] = org

    async def find_team_bot(self, team_id: str) -> Bot | None:
        """The bot token Bolt would authorize a request from ``team_id`` with.

        Bolt finds it by the request's ``enterprise_id`` and ``is_enterprise_install``:
        an org-wide install's token is saved for the org, with no team id, and a
        workspace install inside an org under its org too. The workspace's last
        request told us both.
        """
        org = await asyncio.to_thread(self._read, install_queries.org_of, team_id)
        return await self.async_find_bot(
            enterprise_id=org.enterprise_id,
            team_id=team_id,
            is_enterprise_install=org.is_enterprise_install,
        )

    async def forget(self, install: Install, before: datetime) -> list[str]:
        """Delete ``install``'s tokens saved before ``before`` (later ones are a reinstall);
        returns the workspaces it served."""
        deleted = await asyncio.to_thread(
            self._write, install_queries.delete_tokens, self._client_id, install, before
        )
        teams = await asyncio.to_thread(self._read, install_queries.teams_served, install)
        logger.info(
            "slack install removed: enterprise=%s team=%s rows=%d workspaces=%s",
            install.enterprise_id,
            install.team_id,
            deleted,
            ",".join(teams),
        )
        return teams

    def _read(self, query: Callable[..., T], *args: Any) -> T:
        with self._engine.connect() as tx:
            return query(tx, *args)

    def _write(self, change: Callable[..., T], *args: Any) -> T:
        with self._writing.begin() as tx:
            return change(tx, *args)


class StateStore(AsyncOAuthStateStore):
    """OAuth states (the CSRF token of each install) in slack_sdk's table, used at most once.

    slack_sdk's own store consumes a state with a select and then a delete, so two
    callbacks racing with one state could both pass; here one DELETE ... RETURNING
    decides. Issuing purges expired states and refuses more than ``MAX_PENDING_INSTALLS``.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = immediate(engine)

    @property
    def logger(self) -> logging.Logger:
        return logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self._issue)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self._consume, state)

    def _issue(self) -> str:
        state = str(uuid.uuid4())
        now = datetime.now(UTC)
        expire_at = now + timedelta(seconds=OAUTH_STATE_SECONDS)
        with self._engine.begin() as tx:
            issued = install_queries.issue_state(tx, state, expire_at, now, MAX_PENDING_INSTALLS)
        if not issued:
            logger.warning(
                "%d Slack installs are under way: refusing one more", MAX_PENDING_INSTALLS
            )
            raise TooManyInstallsUnderWay
        return state

    def _consume(self, state: str) -> bool:
        with self._engine.begin() as tx:
            return install_queries.consume_state(tx, state, datetime.now(UTC))


class InstallFlow(AsyncOAuthFlow):
    """Bolt's OAuth flow; when too many installs are under way, the install page says so."""

    async def handle_installation(self, request: AsyncBoltRequest) -> BoltResponse:
        try:
            return await super().handle_installation(request)
        except TooManyInstallsUnderWay:
            return BoltResponse(
                status=503,
                body=BUSY_PAGE,
                headers={
                    "Content-Type": "text/html; charset=utf-8",
                    "Retry-After": str(OAUTH_STATE_SECONDS),
                },
            )
