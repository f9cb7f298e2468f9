"""A set of command declarations, and everything derived from them: the text grammar,
the handler of each command, `/memo help`, the write set and which commands may be slow."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any, TypeVar

from bot.commands.declaration import Command, CommandDeclaration, CommandGroup, Core, Declared
from bot.commands.text import Rejected, clean_text
from bot.replies.values import CommandHelp

_Value = TypeVar("_Value")


@dataclass(frozen=True, slots=True)
class Checked:
    """A command whose user text was cleaned exactly once: typed text before it was parsed,
    or the text fields of a command an adapter built from options. The core runs only these."""

    command: Command | Rejected


class CommandRegistry:
    def __init__(
        self,
        declared: tuple[Declared, ...],
        unknown: Callable[[str | None], Command],
        aliases: dict[str, str] | None = None,
    ) -> None:
        """``declared`` in the order `/memo help` lists them; ``unknown(word)`` is what
        empty text (None) or an unknown first word runs (help, naming the word);
        ``aliases`` maps other words (Korean ones) to a declared command's word."""
        self.declared = declared
        self._aliases = dict(aliases or {})
        self._unknown = unknown
        self._by_name: dict[str, Declared] = {}
        self._by_type: dict[type[Command], CommandDeclaration[Any]] = {}
        for entry in declared:
            if entry.name in self._by_name:
                raise ValueError(f"two commands are declared as /memo {entry.name}")
            self._by_name[entry.name] = entry
            members = entry.members if isinstance(entry, CommandGroup) else (entry,)
            for declaration in (*members, *(v for m in members for v in m.variants)):
                if declaration.command_type in self._by_type:
                    raise ValueError(f"{declaration.command_type.__name__} is declared twice")
                self._by_type[declaration.command_type] = declaration
        for alias, name in self._aliases.items():
            if alias in self._by_name or name not in self._by_name:
                raise ValueError(f"/memo {alias} cannot stand for /memo {name}")

    def __iter__(self) -> Iterator[Declared]:
        """The commands (a group as one), in the order `/memo help` lists them."""
        return iter(self.declared)

    def read_text(self, text: str) -> Checked:
        """What follows `/memo`, as typed: cleaned, then parsed."""
        return Checked(self.parse(clean_text(text)))

    def check(self, command: Command) -> Checked:
        """A command an adapter built from options, its text fields cleaned."""
        return Checked(cleaned(command))

    def parse(self, text: str) -> Command | Rejected:
        """Parse what follows `/memo` (already passed through ``clean_text``)."""
        stripped = text.strip()
        if not stripped:
            return self._unknown(None)
        head, *rest = re.split(r"\s", stripped, maxsplit=1)
        word = head.lower()
        entry = self._by_name.get(self._aliases.get(word, word))
        parse_rest = entry.parse if entry is not None else None
        if parse_rest is None:
            return self._unknown(head[:40])
        return parse_rest(rest[0] if rest else "")

    def declaration_of(self, command: Command) -> CommandDeclaration[Any]:
        return self._by_type[type(command)]

    def changes_data(self, command: Command) -> bool:
        """Whether running the command may change data (``/memo conference`` alone only shows it).

        Adapters use it to decide whether the author's display name and admin flag
        are worth looking up before calling the core.
        """
        return self.declaration_of(command).changes_data(command)

    def may_be_slow(self, command: Command, core: Core) -> bool:
        return self.declaration_of(command).may_be_slow(command, core)

    def help_lines(self) -> tuple[CommandHelp, ...]:
        return tuple(
            CommandHelp(
                entry.usage.syntax,
                entry.usage.summary,
                tuple(alias for alias, name in self._aliases.items() if name == entry.name),
            )
            for entry in self.declared
            if entry.usage is not None
        )


def cleaned(value: _Value) -> _Value:
    """``value`` with ``clean_text`` applied to each of its text fields, nested ones too."""
    if isinstance(value, str):
        return clean_text(value)  # type: ignore[return-value]
    if not is_dataclass(value) or isinstance(value, type):
        return value
    changes = {}
    for field in fields(value):
        current = getattr(value, field.name)
        clean = cleaned(current)
        if clean != current:
            changes[field.name] = clean
    return replace(value, **changes) if changes else value
