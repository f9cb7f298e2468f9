"""A chat channel in a terminal, for trying the bot out and for scripted tests.

Each line is one chat message: ``/memo add [Session] note``. A line may start
with ``@name`` to speak as that person (the way ``chat-transcript.txt`` is
written); lines starting with ``#`` are comments; other lines are ordinary chat,
which the bot ignores as it would in a real channel.

On a terminal it is an interactive prompt (prompt_toolkit: line editing and
history) that renders replies for the terminal; what is printed while a line is
being typed (a scheduled digest) appears above the prompt, and the line stays
as it was. Piped, it prints each reply's Markdown followed by one blank line,
so it can be scripted (``adapters.console.screen``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory
from prompt_toolkit.patch_stdout import patch_stdout
from rich.console import Console as RichConsole
from rich.markdown import Markdown

from adapters.console import screen
from bot.core import MemoBot
from bot.i18n import _, speaking
from bot.invocation import Invocation
from bot.memos import PickTalk
from bot.replies.values import (
    Attachment,
    ProblemCode,
    Reply,
    TalkPickNeeded,
    Visibility,
    refuse,
)

#: The ``Invocation.platform`` of the console's requests.
PLATFORM_NAME = "console"
COMMAND_PREFIX = "/memo"


@dataclass(frozen=True, slots=True)
class ConsoleIdentity:
    """Where the console's messages come from, and who types them by default."""

    user: str
    workspace: str = "console"
    channel: str = "general"
    #: Whether the default user may edit and delete other people's memos.
    is_admin: bool = False
    #: The default user's locale (the terminal's ``LANG``); other ``@people`` give none.
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class ChatLine:
    user: str
    #: What follows ``/memo``; None for a chat line that is not a command.
    command: str | None
    #: The line as written, without the ``@name``.
    text: str = ""


def read_chat_line(line: str, default_user: str) -> ChatLine | None:
    """A line as a chat message, or None for blank lines and ``#`` comments."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    user = default_user
    if text.startswith("@"):
        parts = text[1:].split(None, 1)
        if parts:
            user, text = parts[0], parts[1] if len(parts) > 1 else ""
    parts = text.split(None, 1)
    if not parts or parts[0] != COMMAND_PREFIX:
        return ChatLine(user, None, text.strip())
    return ChatLine(user, parts[1] if len(parts) > 1 else "", text.strip())


class Console:
    def __init__(
        self,
        bot: MemoBot,
        identity: ConsoleIdentity,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        folder: Path | None = None,
    ) -> None:
        self.bot = bot
        self.identity = identity
        self.clock = clock
        #: Where files that come with replies (exports) are written: the current folder.
        self.folder = folder
        #: Per person, the running talks they were asked to pick from; a number answers.
        self._questions: dict[str, TalkPickNeeded] = {}

    def markdown(self, reply: Reply) -> str:
        """The reply's Markdown; a file that came with it is written now, and it says where."""
        if isinstance(reply.data, TalkPickNeeded):
            with self._speaking():
                last = len(reply.data.choices)
                return f"{reply.markdown}\n" + _("Type its number (1–%(last)s).") % {"last": last}
        if reply.attachment is None:
            return reply.markdown
        path = save_attachment(reply.attachment, self.folder or Path.cwd())
        with self._speaking():
            return f"{reply.markdown}\n\n" + _("Written to `%(path)s`.") % {"path": path}

    def _speaking(self) -> AbstractContextManager[None]:
        """The language of the console's own lines: the one its replies are in."""
        person = ChatLine(self.identity.user, None, "")
        return speaking(self.bot.language_for(self._invocation(person, "")))

    def on_screen(self, reply: Reply) -> Markdown:
        """The reply as the terminal shows it (``adapters.console.screen``)."""
        return screen.rendered(self.markdown(reply))

    def send(self, line: str) -> Reply | None:
        """Deliver one chat line to the bot; the reply, or None when the bot has nothing to say."""
        message = read_chat_line(line, self.identity.user)
        if message is None:
            return None
        question = self._questions.pop(message.user, None)
        if message.command is None:
            return None if question is None else self._pick(message, question)
        reply = self.bot.handle(self._invocation(message, message.command))
        if isinstance(reply.data, TalkPickNeeded):
            self._questions[message.user] = reply.data
        return reply

    def _pick(self, message: ChatLine, question: TalkPickNeeded) -> Reply | None:
        """A number answering the question; any other chat line drops it (nothing saved)."""
        typed = message.text
        if not typed.isdecimal():
            return None
        if not 1 <= int(typed) <= len(question.choices):
            self._questions[message.user] = question
            with self._speaking():
                return refuse(
                    ProblemCode.NOT_A_CHOICE,
                    _("Type a number from 1 to %(last)s. Nothing was saved yet.")
                    % {"last": len(question.choices)},
                )
        choice = question.choices[int(typed) - 1]
        return self.bot.execute(
            self._invocation(message, typed), PickTalk(question.pending, choice.session_id)
        )

    def _invocation(self, message: ChatLine, text: str) -> Invocation:
        return Invocation(
            platform=PLATFORM_NAME,
            workspace_id=self.identity.workspace,
            channel_id=self.identity.channel,
            user_id=message.user,
            display_name=message.user,
            text=text,
            received_at=self.clock(),
            is_admin=self.identity.is_admin and message.user == self.identity.user,
            locale=self.identity.locale if message.user == self.identity.user else None,
        )

    def run_script(self, lines: Iterable[str], out: TextIO) -> None:
        """Answer each line; print every reply's Markdown and then a blank line."""
        for line in lines:
            reply = self.send(line)
            if reply is not None:
                screen.show(out, self.markdown(reply))

    def run_interactive(self, history_file: Path) -> None:
        """A prompt with line editing and history, until end of input (Ctrl-D).

        Standard output is patched while it runs, so whatever another thread prints
        (the digest scheduler's posts) is drawn above the prompt, not over the line
        being typed; ``raw`` keeps rich's colours.
        """
        history_file.parent.mkdir(parents=True, exist_ok=True)
        prompt: PromptSession[str] = PromptSession(history=FileHistory(history_file))
        RichConsole().print(
            f"memo-bot console: #{self.identity.channel} in {self.identity.workspace}, "
            f"as {self.identity.user}. Type [bold]/memo help[/]; Ctrl-D quits.",
            highlight=False,
        )
        # Made before the patch: the answer to a typed line is printed at once, before the next
        # prompt is drawn. The patched output writes from a thread of its own a moment later,
        # which would draw the next prompt first and the answer over it.
        terminal = RichConsole(file=sys.stdout)
        with patch_stdout(raw=True):
            while True:
                try:
                    line = prompt.prompt(f"{self.identity.user}@{self.identity.channel}> ")
                except KeyboardInterrupt:
                    continue
                except EOFError:
                    return
                self._answer(terminal, line)

    def _answer(self, terminal: RichConsole, line: str) -> None:
        reply = self.send(line)
        with self._speaking():
            if reply is None:
                if read_chat_line(line, self.identity.user) is not None:
                    note = _("Chat message, not stored. Commands start with /memo.")
                    terminal.print(note, style="dim", markup=False, highlight=False)
                return
            terminal.print(self.on_screen(reply))
            if reply.visibility is Visibility.PRIVATE:
                note = _("(only you can see this)")
                terminal.print(note, style="dim", markup=False, highlight=False)


def save_attachment(attachment: Attachment, folder: Path) -> Path:
    """Write the file into ``folder`` under its own name, never over an existing file."""
    path = folder / attachment.name
    number = 1
    while True:
        try:
            with path.open("xb") as file:
                file.write(attachment.content)
        except FileExistsError:
            number += 1
            path = folder / f"{Path(attachment.name).stem}-{number}{Path(attachment.name).suffix}"
            continue
        return path
