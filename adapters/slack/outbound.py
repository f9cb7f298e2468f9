"""Posting in a Slack channel on the bot's own initiative (digests, announcements)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks
from adapters.slack.installations import InstallationStore
from bot.outbound import ChannelGone
from bot.reply import Reply

#: Slack errors after which posting in that channel cannot succeed until someone acts.
_GONE = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "token_revoked",
        "invalid_auth",
        "team_access_not_granted",
    }
)


class SlackOutbound:
    """``chat.postMessage`` with the workspace's token (one token, or per OAuth install)."""

    def __init__(self, app: AsyncApp) -> None:
        self.app = app
        store = app.installation_store
        self._installs = store if isinstance(store, InstallationStore) else None

    async def post(self, workspace_id: str, channel_id: str, reply: Reply) -> str:
        return await self.post_with(await self._client(workspace_id), channel_id, reply)

    async def post_with(self, client: AsyncWebClient, channel_id: str, reply: Reply) -> str:
        """Post with a client a request already authorized (a listener's own client)."""
        try:
            response = await client.chat_postMessage(
                channel=channel_id, **blocks.message(reply.markdown)
            )
        except SlackApiError as error:
            reason = str(error.response.get("error"))
            if reason in _GONE:
                raise ChannelGone(reason) from error
            raise
        return str(response["ts"])

    async def _client(self, workspace_id: str) -> AsyncWebClient:
        if self._installs is None:  # one workspace, one token
            return self.app.client
        bot = await self._installs.find_team_bot(workspace_id)
        if bot is None or not bot.bot_token:
            raise ChannelGone("the app is not installed in this workspace any more")
        base = self.app.client
        return AsyncWebClient(
            token=bot.bot_token, base_url=base.base_url, retry_handlers=base.retry_handlers
        )
