"""Gateway events discord.py cannot read are dropped and logged, not fatal.

discord.py turns each dispatch into objects synchronously, inside the shard's read loop
(``DiscordWebSocket.received_message`` calls ``ConnectionState.parsers[event](data)``).
An exception there is not an event handler's error (``Client.on_error`` never sees it):
it ends the shard's worker, and ``AutoShardedClient.connect`` closes the client and
raises. So one payload discord.py cannot read (a field it expects missing, like an
interaction without ``attachment_size_limit``) would disconnect the bot from every
server. discord.py has no hook at that layer, so the client replaces each entry of its
state's parser table (the one dict the gateway looks parsers up in) with a guard that
logs and drops the event instead. Nothing else of discord.py is touched.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, MutableMapping
from pathlib import PurePath
from typing import Any

logger = logging.getLogger(__name__)

Parser = Callable[[Any], None]


def drop_unreadable_events(parsers: MutableMapping[str, Parser]) -> None:
    """Guard every parser in ``parsers`` (discord.py's table, changed in place)."""
    if "INTERACTION_CREATE" not in parsers:
        raise RuntimeError("discord.py's parser table changed: memo-bot's guard needs updating")
    for event, parse in list(parsers.items()):
        parsers[event] = _guarded(event, parse)


def _guarded(event: str, parse: Parser) -> Parser:
    def parse_or_drop(data: Any) -> None:
        try:
            parse(data)
        except Exception as error:
            logger.error(
                "dropped a Discord %s event discord.py could not read: %s", event, _what(error)
            )

    return parse_or_drop


def _what(error: Exception) -> str:
    """The error's type, the key for a KeyError, and where it was raised; not its message,
    which could quote the payload (people's text)."""
    what = type(error).__name__
    if isinstance(error, KeyError) and error.args and isinstance(error.args[0], str):
        what += f" {error.args[0]!r}"
    frames = traceback.extract_tb(error.__traceback__)
    if frames:
        last = frames[-1]
        path = PurePath(last.filename)
        what += f" in {path.parent.name}/{path.name}:{last.lineno} ({last.name})"
    return what
