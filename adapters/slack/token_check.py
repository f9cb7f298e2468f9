"""Checking the single workspace's bot token with ``auth.test`` before serving anything.

Bolt's async app only calls ``auth.test`` on the first request, so a wrong token looked
fine until someone typed `/memo`. OAuth installs have no token to check at start (each
workspace's comes with its install).
"""

from __future__ import annotations

import logging

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from adapters.platform import SettingsRefused

logger = logging.getLogger(__name__)


async def check_bot_token(app: AsyncApp) -> None:
    """Raises ``SettingsRefused`` when Slack refuses ``SLACK_BOT_TOKEN``; when Slack cannot
    be reached, logs it and lets the bot start (its requests will tell once Slack is back)."""
    try:
        identity = await app.client.auth_test()
    except SlackApiError as refused:
        code = refused.response.get("error", refused.response.status_code)
        raise SettingsRefused(f"Slack refused SLACK_BOT_TOKEN (auth.test: {code})") from None
    except (aiohttp.ClientError, TimeoutError, OSError) as error:
        logger.warning("could not check SLACK_BOT_TOKEN, Slack is out of reach: %r", error)
        return
    logger.info(
        "Slack token checked: team=%s bot=%s", identity.get("team_id"), identity.get("user_id")
    )
