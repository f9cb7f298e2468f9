"""Benchmark: writing an export (`/memo export`) as Markdown against writing it as text.

The Markdown export checks its escapes by rendering (``bot.notefiles.literal_markdown``):
each escape stays only where pulldown-cmark would otherwise format the note. This
measures what that costs, each against baselines measured in the same run:

- ``text``: the same posts as a text export (no escaping at all), the baseline;
- ``markdown, no check``: Markdown with every punctuation escaped and no rendering
  (the check's budget set to zero), the floor of writing Markdown at all;
- ``markdown``: the export as users get it.

Two inputs: the three sample blog files (33 sessions, real notes), and one
hostile session of one long paragraph whose every line is Markdown punctuation,
where the check runs out of its budget and falls back to the floor's escapes.

Prints a table and writes ``bench/results/export.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from seeding import ROOT, machine  # the bench folder is on sys.path

from bot.notefiles import literal_markdown
from bot.notefiles.parse import parse_posts
from bot.notefiles.write import AuthorNotes, Post, PostFormat, PostSession, write

RESULTS = ROOT / "bench" / "results"
SAMPLES = ROOT / "tests" / "samples"
BLOG_FILES = ("blog-notes.txt", "blog-notes-english.txt", "blog-notes-terse.txt")
HOSTILE_LINE = "- *a* [b](c) `d` <e> 1. #f ~~g~~ $h$ | i | _j_ > k"


def sample_posts() -> list[Post]:
    """The posts of the sample blog files, as an export of them would have them."""
    posts = []
    for name in BLOG_FILES:
        parsed = parse_posts((SAMPLES / name).read_text(encoding="utf-8"))
        for post in parsed.posts:
            sessions = tuple(
                PostSession(
                    session.title,
                    tuple(
                        AuthorNotes(block.author or "me", block.lines) for block in session.blocks
                    ),
                )
                for session in post.sessions
            )
            posts.append(Post(post.date, post.title, None, post.notes, sessions, post.title))
    return posts


def hostile_posts(lines: int) -> list[Post]:
    notes = AuthorNotes("me", (HOSTILE_LINE,) * lines)
    return [Post(date(2026, 5, 15), "HOSTILE 2026", 1, (), (PostSession("T", (notes,)),))]


@contextmanager
def no_escape_check() -> Iterator[None]:
    """Markdown with the check's budget at zero: every escape stays, nothing is rendered."""
    base, per_character = literal_markdown.BUDGET_BASE, literal_markdown.BUDGET_PER_CHARACTER
    literal_markdown.BUDGET_BASE = literal_markdown.BUDGET_PER_CHARACTER = 0
    try:
        yield
    finally:
        literal_markdown.BUDGET_BASE, literal_markdown.BUDGET_PER_CHARACTER = base, per_character


def timed(write_once: Callable[[], str], repeat: int) -> dict[str, Any]:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        written = write_once()
        seconds.append(time.perf_counter() - started)
    return {
        "median_ms": round(statistics.median(seconds) * 1000, 2),
        "characters": len(written),
        "escapes": written.count("\\"),
    }


def measure(posts: list[Post], repeat: int) -> dict[str, dict[str, Any]]:
    results = {"text": timed(lambda: write(posts, PostFormat.TEXT), repeat)}
    with no_escape_check():
        results["markdown_no_check"] = timed(lambda: write(posts, PostFormat.MARKDOWN), repeat)
    results["markdown"] = timed(lambda: write(posts, PostFormat.MARKDOWN), repeat)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--hostile-lines", type=int, default=10_000)
    parser.add_argument("--output", type=Path, default=RESULTS / "export.json")
    args = parser.parse_args()

    inputs = {
        "samples": sample_posts(),
        f"hostile_{args.hostile_lines}_lines": hostile_posts(args.hostile_lines),
    }
    results = {name: measure(posts, args.repeat) for name, posts in inputs.items()}
    ratios = {
        name: {
            "markdown_to_text": round(row["markdown"]["median_ms"] / row["text"]["median_ms"], 1),
            "markdown_to_no_check": round(
                row["markdown"]["median_ms"] / row["markdown_no_check"]["median_ms"], 1
            ),
        }
        for name, row in results.items()
    }

    print(f"export writing, median of {args.repeat} runs")
    print(f"{'input':<22} {'variant':<18} {'ms':>9} {'chars':>9} {'escapes':>8} {'x text':>7}")
    for name, row in results.items():
        for variant, figures in row.items():
            ratio = figures["median_ms"] / row["text"]["median_ms"]
            print(
                f"{name:<22} {variant:<18} {figures['median_ms']:>9.2f} "
                f"{figures['characters']:>9} {figures['escapes']:>8} {ratio:>7.1f}"
            )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(
            {"machine": machine(), "repeat": args.repeat, "results": results, "ratios": ratios},
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
