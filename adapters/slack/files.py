"""Downloading a file someone uploaded to Slack (an import's note file), with the bot token.

Slack serves ``url_private_download`` only to requests that carry a token of
the workspace; without one it answers with its sign-in page (HTTP 200, HTML),
which must not be mistaken for the file.
"""

from __future__ import annotations

import aiohttp

#: How long a download may take before the import gives up on it.
DOWNLOAD_SECONDS = 60


class DownloadFailed(Exception):
    """Slack did not hand over the file."""


async def download(url: str, token: str, max_bytes: int) -> bytes:
    """The file's bytes; at most ``max_bytes`` + 1 are read, so the caller can refuse it."""
    timeout = aiohttp.ClientTimeout(total=DOWNLOAD_SECONDS)
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.get(url, headers=headers) as response,
    ):
        if response.status != 200 or response.content_type == "text/html":
            raise DownloadFailed(f"HTTP {response.status} {response.content_type}")
        return await response.content.read(max_bytes + 1)
