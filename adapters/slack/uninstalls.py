"""Slack taking the app away: ``app_uninstalled`` and ``tokens_revoked``.

Bolt has listeners for both (``enable_token_revocation_listeners``) that delete an
installation's rows, but they delete by the event's team id alone: an org-wide
install is saved with no team id (and an event names a workspace of the org), so
its token would stay. These listeners find the installation as Bolt's authorize
does (the org and the install kind), delete its tokens, and stop the digests of
the workspaces it served; memos stay for a reinstall.

Slack delivers an event again when it was not acknowledged in time, and does not
promise the order of the two events, so each can come late, after a reinstall:
only tokens saved, and digest settings changed, before the event are touched.
With one workspace and a token from the environment there is nothing to delete,
but the digests still stop.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from adapters.slack.install_queries import Install
from adapters.slack.installations import InstallationStore
from bot.core import MemoBot
from bot.removals import Removal

PLATFORM = "slack"
#: The events, as the manifests subscribe to them.
APP_UNINSTALLED = "app_uninstalled"
TOKENS_REVOKED = "tokens_revoked"


class Uninstalls:
    def __init__(self, bot: MemoBot, installs: InstallationStore | None) -> None:
        self.bot = bot
        self.installs = installs

    def register(self, app: AsyncApp) -> None:
        app.event(APP_UNINSTALLED)(self.on_app_uninstalled)
        app.event(TOKENS_REVOKED)(self.on_tokens_revoked)

    async def on_app_uninstalled(self, body: dict[str, Any], context: AsyncBoltContext) -> None:
        await self._removed(body, context, Removal.UNINSTALLED)

    async def on_tokens_revoked(
        self, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        """Only the bot's token matters: the app asks for no user tokens."""
        if (event.get("tokens") or {}).get("bot"):
            await self._removed(body, context, Removal.ACCESS_REVOKED)

    async def _removed(
        self, body: dict[str, Any], context: AsyncBoltContext, removal: Removal
    ) -> None:
        # Slack stamps events in whole seconds: the end of that second is "before the event".
        stamped = int(body.get("event_time") or time.time())
        at = datetime.fromtimestamp(stamped, UTC) + timedelta(seconds=1)
        install = _install(context)
        if self.installs is not None:
            teams = await self.installs.forget(install, at)
        else:
            teams = [install.team_id] if install.team_id else []
        await self.bot.app_removed_async(PLATFORM, teams, removal, at)


def _install(context: AsyncBoltContext) -> Install:
    """The installation an event is about, the way Bolt's authorize would look it up.

    An org-wide install (``is_enterprise_install``) is the org's, whatever workspace
    the event names; so is an event that names no workspace, or the org as one.
    """
    enterprise_id, team_id = context.enterprise_id, context.team_id
    org_wide = context.is_enterprise_install or not team_id or team_id == enterprise_id
    return Install(enterprise_id, None if org_wide else team_id)
