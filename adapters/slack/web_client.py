"""The Slack Web API client memo-bot's own calls go through."""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.operations.metrics import platform_api_error

#: ``Invocation.platform`` of Slack (``adapters.slack.listeners``, which imports this module).
NAME = "slack"


class CountingWebClient(AsyncWebClient):
    """slack_sdk's client, counting each call Slack refused (by its error code: ``invalid_auth``,
    ``channel_not_found``) or that got no answer, for ``/metrics``.

    Bolt's listeners get a plain copy per request (``context.client``); this one is the
    app's own client and the digests', whose failures an operator most needs to see.
    """

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        try:
            return await super().api_call(api_method, **kwargs)
        except SlackApiError as refused:
            platform_api_error(
                NAME, str(refused.response.get("error") or refused.response.status_code)
            )
            raise
        except (aiohttp.ClientError, TimeoutError):
            platform_api_error(NAME, "unreachable")
            raise
