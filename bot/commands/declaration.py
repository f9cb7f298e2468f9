"""What declaring a `/memo` command takes: its words, options, grammar, builder and handler.

A declaration is all the core and the adapters know about a command: the text
grammar, dispatch, `/memo help`, the write set and each platform's typed
options (Discord's app commands) are derived from the declarations in a
``CommandRegistry``, so adding a command means declaring it next to its handler
and listing it in ``bot.commands.standard``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, Protocol, TypeVar

from bot.commands.text import Rejected
from bot.context import Context
from bot.invocation import Invocation
from bot.replies.values import CommandHelp, Reply
from bot.summary.choosing import Summaries


class Command:
    """What every command value (``AddMemo``, ``SearchMemos``, ...) is: a frozen dataclass
    of what the user asked for, built by its declaration's text parser or options builder."""

    __slots__ = ()

    def typed_session_title(self) -> str | None:
        """The session title a write command names, as typed, if it names one: on PostgreSQL
        the core reads that session with the channel's state, one round trip fewer."""
        return None


C = TypeVar("C", bound=Command)
T = TypeVar("T")


class OptionKind(Enum):
    """What an option holds, said without any platform's words; adapters pick the widget."""

    #: Free text (``max_length``: the longest, at least one character).
    TEXT = "text"
    #: A session: a title as typed, or one picked from the channel's sessions (type-ahead).
    SESSION = "session"
    #: A memo's number in its channel.
    MEMO_ID = "memo id"
    #: A day as ``YYYY-MM-DD`` (or the words its description names), checked by the builder.
    DAY = "day"
    #: A time of day as ``HH:MM``, checked by the builder.
    CLOCK = "clock"
    #: An IANA time zone name, checked by the handler.
    TIME_ZONE = "time zone"
    #: One of ``choices``.
    CHOICE = "choice"
    #: A person of the workspace; the builder gets the platform's user id.
    PERSON = "person"
    #: A file the person uploads; the builder gets an ``UploadedFile``.
    FILE = "file"


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    kind: OptionKind
    #: One line, shown next to the option (Discord's option description).
    description: str
    required: bool = False
    #: (label, value) pairs, for ``OptionKind.CHOICE``.
    choices: tuple[tuple[str, str], ...] = ()
    #: The longest value a text option takes, when the platform can enforce it as typed.
    max_length: int | None = None

    @property
    def autocompletes(self) -> bool:
        """Whether adapters suggest values as the person types (the channel's sessions)."""
        return self.kind is OptionKind.SESSION


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """The value of a ``FILE`` option, once the adapter has downloaded it whole."""

    name: str
    content: bytes


class Access(Enum):
    """Who may run a command at all; handlers check finer rules themselves (only the
    author or a workspace admin may edit or delete a memo, or import for someone else)."""

    ANYONE = "anyone"
    #: The platform says the person is a workspace admin (``Invocation.is_admin``).
    ADMINS = "admins"


@dataclass(frozen=True, slots=True)
class Usage:
    """A command's line in `/memo help`."""

    syntax: str
    summary: str


class Core(Protocol):
    """What the core offers a handler that runs outside its transactions."""

    @property
    def summaries(self) -> Summaries: ...

    @property
    def import_max_bytes(self) -> int: ...

    def help_lines(self) -> tuple[CommandHelp, ...]: ...

    def read(self, invocation: Invocation, work: Callable[[Context], T]) -> T:
        """``work`` in a reading transaction of the invocation's channel."""
        ...

    def write_alone(
        self, invocation: Invocation, command: Command, work: Callable[[Context], Reply]
    ) -> Reply:
        """``work`` in a writing transaction of its own (not a batch), run again after a
        lost race; a redelivered request gets the first answer."""
        ...


@dataclass(frozen=True, slots=True)
class InTransaction(Generic[C]):
    """A handler the core runs inside a transaction: a writing one (batched on SQLite,
    run again after a lost race, answered once per delivery) when the command writes."""

    run: Callable[[Context, C], Reply]


@dataclass(frozen=True, slots=True)
class OutsideTransactions(Generic[C]):
    """A handler that opens what it needs itself: none (help), a read and then a wait on a
    model (a summary), or a transaction of its own for a whole file (an import)."""

    run: Callable[[Core, Invocation, C], Reply]


@dataclass(frozen=True, slots=True)
class CommandDeclaration(Generic[C]):
    """One command, declared once."""

    #: The word after `/memo` (or after its group's word): ``add``, ``digest at``'s ``at``.
    name: str
    command_type: type[C]
    #: One line: what the command does (Discord's command description).
    description: str
    handler: InTransaction[C] | OutsideTransactions[C]
    #: The command from its options' values, by option name, None for one left out
    #: (adapters with typed options and forms build commands with it).
    build: Callable[..., Command | Rejected]
    options: tuple[Option, ...] = ()
    #: The command from the text after its word; None for a member of a ``CommandGroup``.
    parse: Callable[[str], Command | Rejected] | None = None
    #: Its line in `/memo help`; None for a member of a ``CommandGroup`` (the group has one).
    usage: Usage | None = None
    #: Whether running it may change data (``/memo conference`` alone only shows it).
    writes: bool | Callable[[C], bool] = False
    #: Whether it may take longer than a platform waits for an answer.
    slow: bool | Callable[[C, Core], bool] = False
    access: Access = Access.ANYONE
    #: Other commands its text or options may amount to, each with its own type and
    #: handler but no words, options or help line of its own (`/memo show #4 #5`).
    variants: tuple[CommandDeclaration[Any], ...] = ()

    def changes_data(self, command: C) -> bool:
        return self.writes if isinstance(self.writes, bool) else self.writes(command)

    def may_be_slow(self, command: C, core: Core) -> bool:
        return self.slow if isinstance(self.slow, bool) else self.slow(command, core)


@dataclass(frozen=True, slots=True)
class CommandGroup:
    """Commands sharing a first word (`/memo digest at|days|off|now`): one help line, one
    text parser for what follows the word, and a sub-command per member on Discord."""

    name: str
    description: str
    usage: Usage
    parse: Callable[[str], Command | Rejected]
    members: tuple[CommandDeclaration[Any], ...]


Declared = CommandDeclaration[Any] | CommandGroup
