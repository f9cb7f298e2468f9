"""Multi-workspace installs: slack_sdk's SQLAlchemy OAuth stores on our own database.

slack_sdk ships SQLAlchemy stores for installations and OAuth states; their
tables are on our metadata (``storage.models``) and created by our migrations.
Its async variants need an async engine (a second driver, a second pool); the
bot already has a sync engine, so these wrappers run the sync stores on a
thread, the same way the core keeps database work off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from storage.models import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_OAUTH_STATES

#: How long an OAuth state (the CSRF token of an install) stays valid.
OAUTH_STATE_SECONDS = 600

logger = logging.getLogger(__name__)


class InstallationStore(AsyncInstallationStore):
    """slack_sdk's SQLAlchemy installation store, answering on a worker thread."""

    def __init__(self, client_id: str, engine: Engine) -> None:
        self._store = SQLAlchemyInstallationStore(
            client_id=client_id,
            engine=engine,
            bots_table_name=SLACK_BOTS.name,
            installations_table_name=SLACK_INSTALLATIONS.name,
            logger=logger,
        )

    @property
    def logger(self) -> logging.Logger:
        return logger

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self._store.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self._store.save_bot, bot)

    async def async_find_bot(self, **ids: Any) -> Bot | None:
        return await asyncio.to_thread(lambda: self._store.find_bot(**ids))

    async def async_find_installation(self, **ids: Any) -> Installation | None:
        return await asyncio.to_thread(lambda: self._store.find_installation(**ids))

    async def async_delete_bot(self, **ids: Any) -> None:
        await asyncio.to_thread(lambda: self._store.delete_bot(**ids))

    async def async_delete_installation(self, **ids: Any) -> None:
        await asyncio.to_thread(lambda: self._store.delete_installation(**ids))


class StateStore(AsyncOAuthStateStore):
    """slack_sdk's SQLAlchemy OAuth state store, answering on a worker thread."""

    def __init__(self, engine: Engine) -> None:
        self._store = SQLAlchemyOAuthStateStore(
            expiration_seconds=OAUTH_STATE_SECONDS,
            engine=engine,
            logger=logger,
            table_name=SLACK_OAUTH_STATES.name,
        )

    @property
    def logger(self) -> logging.Logger:
        return logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self._store.issue)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self._store.consume, state)
