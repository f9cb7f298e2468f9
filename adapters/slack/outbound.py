"""Posting in a Slack channel on the bot's own initiative (digests, announcements).

A post carries message metadata (event type ``memo_bot_<what>``: ``memo_bot_digest``
for a digest, ``memo_bot_memo`` for a memo's announcement; the post's key), so a
later attempt finds it in the channel's history (``conversations.history``
with ``include_all_metadata``, from the first attempt's start; a post in a thread in the
thread's replies, ``conversations.replies``, which is where Slack keeps them) and records it
instead of posting it again. Its ``chat.postMessage`` is retried by the client
only after a 429 (Slack did nothing); a lost connection, a timeout or a 5xx may
have posted it, so those go back to the caller (the digest runner, the outbox's
announcer), whose next attempt looks first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.models.metadata import Metadata
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack import blocks
from adapters.slack.installations import InstallationStore
from adapters.slack.web_client import CountingWebClient
from bot.outbound import (
    INVITE_FIX,
    ChannelGone,
    Delivered,
    Delivery,
    StartedThread,
    ThreadGone,
    Unverifiable,
)
from bot.replies.values import Reply

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
#: Slack errors of a post in a thread, or of a permalink to its parent, when the thread is gone.
_THREAD_GONE = frozenset({"thread_not_found", "invalid_thread_ts", "message_not_found"})
#: Slack errors of chat.update and chat.delete when the message is not there any more.
_MESSAGE_GONE = frozenset({"message_not_found"})
#: Slack errors of chat.update and chat.delete that no retry changes.
_REFUSED_CHANGE = frozenset({"cant_update_message", "cant_delete_message"})
#: Slack errors of conversations.history when the bot may not read the channel: it is not
#: a member (it posts in public channels without joining), or lacks the history scopes.
_HISTORY_REFUSED = frozenset({"not_in_channel", "missing_scope"})
#: The metadata event type of a post: ``memo_bot_digest``, ``memo_bot_memo``.
EVENT_PREFIX = "memo_bot_"
#: Messages per conversations.history page, and how many pages to look through at most.
_HISTORY_PAGE = 200
_HISTORY_PAGES = 10


class SlackOutbound:
    """``chat.postMessage`` with the workspace's token (one token, or per OAuth install)."""

    def __init__(self, app: AsyncApp) -> None:
        self.app = app
        store = app.installation_store
        self._installs = store if isinstance(store, InstallationStore) else None

    async def post(
        self,
        workspace_id: str,
        channel_id: str,
        reply: Reply,
        delivery: Delivery,
        thread_id: str | None = None,
    ) -> Delivered:
        client = _without_blind_retries(await self._client(workspace_id))
        if delivery.resumed:
            found = await self._find(client, channel_id, delivery, thread_id)
            if found is not None:
                return Delivered(found, found=True)
        metadata = Metadata(
            event_type=EVENT_PREFIX + delivery.what,
            event_payload={"digest": delivery.key, "part": 0},
        )
        threaded = {"thread_ts": thread_id} if thread_id is not None else {}
        join = delivery.what == "memo"
        return Delivered(
            await self._send(client, channel_id, reply, join=join, metadata=metadata, **threaded)
        )

    async def start_thread(
        self, workspace_id: str, channel_id: str, message_id: str, name: str
    ) -> StartedThread:
        """A Slack thread is its parent message's ``ts``: nothing to create, only the
        permalink to look up for the person's confirmation."""
        client = await self._client(workspace_id)
        try:
            answer = await client.chat_getPermalink(channel=channel_id, message_ts=message_id)
        except SlackApiError as error:
            reason = str(error.response.get("error"))
            if reason in _THREAD_GONE:
                raise ThreadGone(reason) from error
            if reason in _GONE:
                raise _gone(reason) from error
            raise
        return StartedThread(message_id, str(answer["permalink"]))

    async def edit(self, workspace_id: str, channel_id: str, message_id: str, reply: Reply) -> None:
        client = await self._client(workspace_id)
        await _changing(
            client.chat_update(channel=channel_id, ts=message_id, **blocks.message(reply.markdown))
        )

    async def remove(self, workspace_id: str, channel_id: str, message_id: str) -> None:
        client = await self._client(workspace_id)
        await _changing(client.chat_delete(channel=channel_id, ts=message_id))

    @staticmethod
    async def _send(
        client: AsyncWebClient, channel_id: str, reply: Reply, *, join: bool, **extra: Any
    ) -> str:
        """``join``: on ``not_in_channel`` join the channel and post again (a memo someone
        just wrote there); a digest is not worth joining a channel the bot was removed from."""
        try:
            try:
                response = await client.chat_postMessage(
                    channel=channel_id, **blocks.message(reply.markdown), **extra
                )
            except SlackApiError as error:
                if not join or error.response.get("error") != "not_in_channel":
                    raise
                # Nothing was posted: join (public channels, channels:join) and post again.
                await _join(client, channel_id)
                response = await client.chat_postMessage(
                    channel=channel_id, **blocks.message(reply.markdown), **extra
                )
        except SlackApiError as error:
            reason = str(error.response.get("error"))
            if reason in _GONE:
                raise _gone(reason) from error
            if "thread_ts" in extra and reason in _THREAD_GONE:
                raise ThreadGone(reason) from error
            raise
        return str(response["ts"])

    @staticmethod
    async def _find(
        client: AsyncWebClient, channel_id: str, delivery: Delivery, thread_id: str | None
    ) -> str | None:
        """The ``ts`` of the post an earlier attempt made, if the channel has it: a post in
        a thread is looked for among the thread's replies (``conversations.replies``), since
        Slack's ``conversations.history`` holds only top-level messages."""
        oldest = f"{delivery.search_from.timestamp():.6f}"
        where: dict[str, Any] = {"channel": channel_id, "oldest": oldest}
        read: Callable[..., Awaitable[AsyncSlackResponse]] = client.conversations_history
        if thread_id is not None:
            where["ts"] = thread_id
            read = client.conversations_replies
        cursor: str | None = None
        for _ in range(_HISTORY_PAGES):
            try:
                page = await read(
                    **where, limit=_HISTORY_PAGE, include_all_metadata=True, cursor=cursor
                )
            except SlackApiError as error:
                reason = str(error.response.get("error"))
                if reason in _HISTORY_REFUSED:
                    raise Unverifiable(f"Slack refused the channel's history: {reason}") from error
                if reason in _GONE:
                    raise _gone(reason) from error
                if thread_id is not None and reason in _THREAD_GONE:
                    raise ThreadGone(reason) from error
                raise
            for message in page.get("messages") or []:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == EVENT_PREFIX + delivery.what and (
                    payload.get("digest") == delivery.key
                ):
                    return str(message["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not page.get("has_more") or cursor is None:
                return None
        raise Unverifiable("too many messages in the channel since the attempt to look through")

    async def _client(self, workspace_id: str) -> AsyncWebClient:
        if self._installs is None:  # one workspace, one token
            return self.app.client
        bot = await self._installs.find_team_bot(workspace_id)
        if bot is None or not bot.bot_token:
            raise ChannelGone("the app is not installed in this workspace any more")
        base = self.app.client
        return CountingWebClient(
            token=bot.bot_token, base_url=base.base_url, retry_handlers=base.retry_handlers
        )


async def _join(client: AsyncWebClient, channel_id: str) -> None:
    """Join a public channel the bot must be a member of to post in; a private channel
    (or an app without channels:join) raises ``ChannelGone`` saying to invite the bot."""
    try:
        await client.conversations_join(channel=channel_id)
    except SlackApiError as error:
        reason = str(error.response.get("error"))
        raise ChannelGone(
            f"not_in_channel: the bot is not in this channel and cannot join it ({reason}); "
            "invite it with /invite @memo-bot",
            fix=INVITE_FIX,
        ) from error


def _gone(reason: str) -> ChannelGone:
    """Slack's refusal ``reason`` (one of ``_GONE``): a bot that is not in the channel is
    invited by someone in it; the others have no fix to tell the person."""
    return ChannelGone(reason, fix=INVITE_FIX if reason == "not_in_channel" else None)


async def _changing(call: Awaitable[object]) -> None:
    """``chat.update`` or ``chat.delete`` of the bot's own message: doing either twice shows
    nothing twice (so the client's retries are safe); a message gone already is left alone."""
    try:
        await call
    except SlackApiError as error:
        reason = str(error.response.get("error"))
        if reason in _MESSAGE_GONE:
            return
        if reason in _GONE or reason in _REFUSED_CHANGE:
            raise _gone(reason) from error
        raise


def _without_blind_retries(client: AsyncWebClient) -> AsyncWebClient:
    """``client`` retrying only 429s: slack_sdk's connection-error and server-error handlers
    would send a ``chat.postMessage`` again that Slack may already have posted."""
    return CountingWebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        headers=client.headers,
        session=client.session,
        trust_env_in_session=client.trust_env_in_session,
        retry_handlers=[
            handler
            for handler in client.retry_handlers
            if isinstance(handler, AsyncRateLimitErrorRetryHandler)
        ],
    )
