"""Reading gateway events: one discord.py cannot read is dropped, and an interaction's
channel is taken from the ids its payload carries.

discord.py turns each dispatch into objects synchronously, inside the shard's read loop
(``DiscordWebSocket.received_message`` calls ``ConnectionState.parsers[event](data)``).
An exception there is not an event handler's error (``Client.on_error`` never sees it):
it ends the shard's worker, and ``AutoShardedClient.connect`` closes the client and
raises. So one payload discord.py cannot read (a field it expects missing, like an
interaction without ``attachment_size_limit``) would disconnect the bot from every
server. discord.py has no hook at that layer, so the client replaces each entry of its
state's parser table (the one dict the gateway looks parsers up in) with a guard that
logs and drops the event instead. Nothing else of discord.py is touched.

The same guard gives the bot an interaction's ``channel_id`` as Discord sent it.
discord.py derives ``Interaction.channel_id`` from the interaction's ``channel``
object, which Discord documents as optional, and leaves it None when that object is
missing or has a channel type it does not know; the payload's own ``channel_id``
(always sent for commands) is kept here, by interaction id, for the ``Replier``.
"""

from __future__ import annotations

import logging
import traceback
from collections import OrderedDict
from collections.abc import Callable, Mapping, MutableMapping
from pathlib import PurePath
from typing import Any

logger = logging.getLogger(__name__)

Parser = Callable[[Any], None]
#: How many interactions' channel ids are kept: far more than are ever in flight at once.
KEEP_CHANNELS = 4096


def drop_unreadable_events(
    parsers: MutableMapping[str, Parser], *, before: Mapping[str, Parser] | None = None
) -> None:
    """Guard every parser in ``parsers`` (discord.py's table, changed in place).

    ``before[event]``, if given, sees each payload of that event first (inside the guard).
    """
    if "INTERACTION_CREATE" not in parsers:
        raise RuntimeError("discord.py's parser table changed: memo-bot's guard needs updating")
    for event, parse in list(parsers.items()):
        parsers[event] = _guarded(event, parse, (before or {}).get(event))


def _guarded(event: str, parse: Parser, before: Parser | None) -> Parser:
    def parse_or_drop(data: Any) -> None:
        try:
            if before is not None:
                before(data)
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


class InteractionChannels:
    """The ``channel_id`` of each recent interaction, as its payload states it."""

    def __init__(self, keep: int = KEEP_CHANNELS) -> None:
        self._keep = keep
        self._channels: OrderedDict[int, int] = OrderedDict()

    def record(self, payload: Mapping[str, Any]) -> None:
        """Called with each INTERACTION_CREATE payload before discord.py reads it."""
        channel_id = payload.get("channel_id") or (payload.get("channel") or {}).get("id")
        if channel_id is None:
            return
        self._channels[int(payload["id"])] = int(channel_id)
        while len(self._channels) > self._keep:
            self._channels.popitem(last=False)

    def of(self, interaction_id: int) -> int | None:
        return self._channels.get(interaction_id)
