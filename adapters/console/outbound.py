"""The console's side of posting: a digest or an announcement is printed like any reply
(``screen.show``); a change to one posted before is printed as a line that says which, and
a memo posted in a session's thread is printed under the thread's name, so a channel's
threads can be tried offline. Its markers are in the language the post is said in (the
caller's ``speaking``)."""

from __future__ import annotations

import itertools
import sys
from typing import TextIO

from adapters.console import screen
from bot.i18n import _
from bot.outbound import Delivered, Delivery, StartedThread, ThreadGone
from bot.replies.values import Reply


class ConsoleOutbound:
    def __init__(self, out: TextIO | None = None) -> None:
        """``out`` None: standard output as it is when a post is printed. At the console's
        prompt that is the prompt's patched output, which draws the post above the prompt."""
        self.out = out
        self._numbers = itertools.count(1)
        self._thread_names: dict[str, str] = {}

    async def post(
        self,
        workspace_id: str,
        channel_id: str,
        reply: Reply,
        delivery: Delivery,
        thread_id: str | None = None,
    ) -> Delivered:
        """Printed at once, so only a crash while printing leaves a post's fate unknown; a
        terminal cannot be asked what it showed, so such a post is printed again."""
        if thread_id is None:
            self._print(reply.markdown)
        else:
            name = self._thread_names.get(thread_id)
            if name is None:  # started by an earlier run of the console: not on this screen
                raise ThreadGone(f"thread {thread_id} is not on this screen")
            marker = _("_(in the thread %(name)s:)_") % {"name": name}
            self._print(f"{marker}\n{reply.markdown}")
        return Delivered(f"console-{next(self._numbers)}")

    async def start_thread(
        self, workspace_id: str, channel_id: str, message_id: str, name: str
    ) -> StartedThread:
        self._thread_names[message_id] = name
        return StartedThread(message_id, None)

    async def edit(self, workspace_id: str, channel_id: str, message_id: str, reply: Reply) -> None:
        """A terminal cannot change what it printed: the new words, saying what they replace."""
        marker = _("_(%(message)s now reads:)_") % {"message": message_id}
        self._print(f"{marker}\n{reply.markdown}")

    async def remove(self, workspace_id: str, channel_id: str, message_id: str) -> None:
        self._print(_("_(%(message)s was deleted.)_") % {"message": message_id})

    def _print(self, markdown: str) -> None:
        screen.show(self.out or sys.stdout, markdown)
