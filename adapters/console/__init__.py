"""The console adapter: `/memo` commands typed at a prompt or piped in, one per line."""

from adapters.console.console import Console, ConsoleIdentity
from adapters.console.platform import PLATFORM

__all__ = ["PLATFORM", "Console", "ConsoleIdentity"]
