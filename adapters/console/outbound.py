"""The console's side of the digest: a post is its Markdown, printed like any reply."""

from __future__ import annotations

import itertools
from typing import TextIO

from bot.reply import Reply


class ConsoleOutbound:
    def __init__(self, out: TextIO, *, lead: str = "") -> None:
        """``lead`` goes before each post: at a prompt, a line break keeps it off the prompt."""
        self.out = out
        self.lead = lead
        self._numbers = itertools.count(1)

    async def post(self, workspace_id: str, channel_id: str, reply: Reply) -> str:
        self.out.write(self.lead + reply.markdown + "\n\n")
        self.out.flush()
        return f"console-{next(self._numbers)}"
