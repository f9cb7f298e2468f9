"""The console's side of the digest: a post is its Markdown, printed like any reply."""

from __future__ import annotations

import itertools
from typing import TextIO

from bot.outbound import Delivered, Delivery
from bot.replies.values import Reply


class ConsoleOutbound:
    def __init__(self, out: TextIO, *, lead: str = "") -> None:
        """``lead`` goes before each post: at a prompt, a line break keeps it off the prompt."""
        self.out = out
        self.lead = lead
        self._numbers = itertools.count(1)

    async def post(
        self, workspace_id: str, channel_id: str, reply: Reply, delivery: Delivery
    ) -> Delivered:
        """Printed at once, so only a crash while printing leaves a post's fate unknown; a
        terminal cannot be asked what it showed, so such a post is printed again."""
        self.out.write(self.lead + reply.markdown + "\n\n")
        self.out.flush()
        return Delivered(f"console-{next(self._numbers)}")
