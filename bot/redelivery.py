"""A request the platform delivers more than once is done once, and answered the same way.

Slack sends a Socket Mode envelope again when it missed the acknowledgement, with
the same payload (the same trigger or view id); a retrying proxy does the same over
HTTP; a Discord interaction reaches every bot process connected on its shard.
Adapters put the platform's id of the request in ``Invocation.delivery_id``.

A command that changes data records its delivery id and its answer as the last
write of its own transaction (``storage.deliveries``). A copy of the request runs
the command too (looking first would cost every `/memo add` a query) but cannot
record it: the unique key refuses it, once the first copy has committed, and the
core rolls the copy back and runs it again. On that second run, and whenever a
command is refused (`/memo delete 5` again finds #5 deleted), the core looks for
the earlier answer and gives it back as a ``Replayed`` reply that changed nothing.
A refused command records nothing, so the same request sent again corrected (a
Slack form keeps its view id) is run.
"""

from __future__ import annotations

from sqlalchemy import Connection

from bot.invocation import Invocation
from bot.replies.values import Replayed, Reply, Visibility
from storage import deliveries as delivery_store


def earlier_answer(tx: Connection, channel_id: int, invocation: Invocation) -> Reply | None:
    """The answer an earlier copy of the request got in this channel, as a ``Replayed`` reply."""
    if invocation.delivery_id is None:
        return None
    earlier = delivery_store.answer_of(tx, channel_id, invocation.delivery_id)
    if earlier is None:
        return None
    return Reply(earlier.markdown, Visibility(earlier.visibility), Replayed())


def remember(tx: Connection, channel_id: int, invocation: Invocation, reply: Reply) -> None:
    """Record the request's answer; ``IntegrityError`` when a copy of it was recorded first."""
    if invocation.delivery_id is not None:
        delivery_store.record(
            tx, channel_id, invocation.delivery_id, reply.markdown, reply.visibility.value
        )
