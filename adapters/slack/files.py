"""Downloading a file someone uploaded to Slack (an import's note file), with the bot token.

Slack serves ``url_private_download`` only to requests that carry a token of
the workspace; without one it answers with its sign-in page (HTTP 200, HTML),
which must not be mistaken for the file.

The body is read to its end, never just the part that has arrived: a file is
imported whole or not at all. A file over the import limit is refused as soon
as its declared length, or the bytes read so far, exceed it; a body shorter
than Slack's ``Content-Length`` or than the size the file object stated is a
broken download, not a smaller file.
"""

from __future__ import annotations

import aiohttp

#: How long a download may take before the import gives up on it.
DOWNLOAD_SECONDS = 60
#: How much of the body is taken from the connection at a time.
_CHUNK_BYTES = 64 * 1024


class DownloadFailed(Exception):
    """Slack did not hand over the whole file."""


class TooLarge(Exception):
    """The file is over the import limit; it was not read any further."""

    def __init__(self, size: int | None) -> None:
        super().__init__(f"{size} bytes" if size is not None else "over the limit")
        #: Its size when Slack declared one; None when only the bytes read so far told.
        self.size = size


async def download(url: str, token: str, max_bytes: int, expected_size: int | None) -> bytes:
    """The whole file, or an exception: ``TooLarge`` past ``max_bytes``, ``DownloadFailed``
    (or aiohttp's errors) when the body is not the file ``expected_size`` describes."""
    timeout = aiohttp.ClientTimeout(total=DOWNLOAD_SECONDS)
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.get(url, headers=headers) as response,
    ):
        if response.status != 200 or response.content_type == "text/html":
            raise DownloadFailed(f"HTTP {response.status} {response.content_type}")
        declared = response.content_length
        if declared is not None and declared > max_bytes:
            raise TooLarge(declared)
        body = bytearray()
        async for chunk in response.content.iter_chunked(_CHUNK_BYTES):
            body += chunk
            if len(body) > max_bytes:
                raise TooLarge(declared)
    for promised in (declared, expected_size):
        if promised and len(body) != promised:
            raise DownloadFailed(f"{len(body)} of {promised} bytes arrived")
    return bytes(body)
