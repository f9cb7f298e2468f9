"""The chat platforms memo-bot runs: adding one is a package under adapters/ and a line here.

Each package exports one ``adapters.platform.Platform``; everything the command line
does with a platform (``run``, ``digest``, ``import``, ``export``, subcommands, and the
migrations' view of its tables) it finds through this list.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from adapters.console import PLATFORM as CONSOLE
from adapters.discord import PLATFORM as DISCORD
from adapters.platform import Platform
from adapters.slack import PLATFORM as SLACK


class Platforms:
    """Platforms by name, in the order ``memo-bot run`` starts them."""

    def __init__(self, platforms: Iterable[Platform]) -> None:
        self._by_name: dict[str, Platform] = {}
        for platform in platforms:
            if platform.name in self._by_name:
                raise ValueError(f"two platforms are named {platform.name!r}")
            self._by_name[platform.name] = platform

    def __iter__(self) -> Iterator[Platform]:
        return iter(self._by_name.values())

    def named(self, name: str) -> Platform | None:
        return self._by_name.get(name)

    @property
    def names(self) -> list[str]:
        return list(self._by_name)


PLATFORMS = Platforms([SLACK, DISCORD, CONSOLE])
