"""Cutting a reply into pieces that fit a platform's message limit."""

from __future__ import annotations

from collections.abc import Callable


def split_lines(text: str, limit: int, safe_cut: Callable[[str, int], int]) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at line ends where possible.

    A single line longer than ``limit`` is cut inside, at ``safe_cut(line, limit)``:
    each platform knows what must not be split (an ``&amp;`` entity, a ``\\*`` escape).
    """
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        while len(line) > limit:
            cut = safe_cut(line, limit)
            pieces.append(line[:cut])
            line = line[cut:]
        current = line
    if current or not pieces:
        pieces.append(current)
    return pieces
