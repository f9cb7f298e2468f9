"""Benchmark: `/memo summary`'s quality on the sample notes, and its speed on a 500-memo session.

Quality: the share of each judged session's key facts that the five points
mention, on two sample sets by two writers (``keypoints.json``: 17 sessions of
``blog-notes*.txt``; ``keypoints-terse.json``: 11 sessions of
``blog-notes-terse.txt``), with the notes as one memo per line (chat) and as one
memo per session (an import). For memo-bot's extractive summarizer and, on the
same notes, three baselines: the first five note lines, TextRank over TF-IDF
vectors (character bigrams) and the lines closest to the TF-IDF centroid.
Then the cross-check: the summarizer's weights chosen on one set from a small
grid and measured on the other, both ways; the shipped weights were chosen on
``DEVELOPED_ON``. Also, on ``chat-transcript.txt``: how many points merge notes
of several people.

Speed: one session of 500 memos by 10 authors, made from the sample posts' note
lines the way people re-type a fact (other spacing, markers, a few words added,
some memos of several lines). Measured in the same run:
- ``key_points`` alone (the target: p95 under 50 ms);
- `/memo summary` through ``MemoBot.handle`` on SQLite, uncached (read, choose,
  render) and cached (read and render: the summary is unchanged);
- baselines: the floor of touching every line once (split and fold), and the
  TextRank baseline on the same memos.

Prints tables and writes ``bench/results/summary.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from blog_notes import SAMPLES, blog_sessions
from core_add import percentile  # the bench folder is on sys.path when a script in it runs
from seeding import ROOT, machine
from summary_quality import (
    DEVELOPED_ON,
    GRID,
    SAMPLE_SETS,
    SHAPES,
    SUMMARIZERS,
    cross_check,
    judged_sessions,
    recall,
)

from bot.core import MemoBot
from bot.invocation import Invocation
from bot.summary.choosing import Summaries
from bot.summary.key_points import Note, key_points
from bot.summary.note_lines import folded, split_units
from storage.database import Database
from storage.schema import upgrade_to_head

RESULTS = ROOT / "bench" / "results"
TARGET_P95_MS = 50.0
TITLE = "Kubernetes 위에서 5000+ Pod 무중단 배포하기"

_UNIT_AFTER_NUMBER = re.compile(r"(\d)(ms|MB|GB|KB|TB|%|초|분|s\b)")
_ADD_MEMO = re.compile(r"@(\S+) /memo add \[(.+?)\] (.+)")


# ---------------------------------------------------------------- quality


def transcript_merges() -> dict[str, dict[str, int]]:
    """Per session of the chat transcript: points, and points credited to several people."""
    sessions: dict[str, list[Note]] = defaultdict(list)
    for line in (SAMPLES / "chat-transcript.txt").read_text(encoding="utf-8").splitlines():
        match = _ADD_MEMO.fullmatch(line.strip())
        if match:
            notes = sessions[" ".join(match.group(2).split())]
            notes.append(Note(len(notes) + 1, match.group(1), match.group(3)))
    merged = {}
    for title, notes in sessions.items():
        points = key_points(notes)
        merged[title] = {
            "memos": len(notes),
            "points": len(points),
            "merged_points": sum(1 for point in points if len(point.authors) > 1),
        }
    return merged


def measure_quality() -> dict[str, object]:
    return {
        "judged_sessions": {
            sample_set.name: len(judged_sessions(sample_set)) for sample_set in SAMPLE_SETS
        },
        "developed_on": DEVELOPED_ON,
        #: set -> shape -> summarizer -> recall
        "recall": {
            sample_set.name: {
                shape: {
                    name: recall(summarize, judged_sessions(sample_set), shape)
                    for name, summarize in SUMMARIZERS.items()
                }
                for shape in SHAPES
            }
            for sample_set in SAMPLE_SETS
        },
        "cross_check": [
            {"chosen_on": check.chosen_on, "weights": asdict(check.weights), "recall": check.recall}
            for check in cross_check()
        ],
        "chat_transcript": transcript_merges(),
    }


# ---------------------------------------------------------------- speed


def _retyped(line: str, rng: random.Random) -> str:
    """A note line as another person might type the same thing."""
    text = line.strip()
    if rng.random() < 0.5:
        text = _UNIT_AFTER_NUMBER.sub(r"\1 \2", text)
    if rng.random() < 0.3:
        text = text.lstrip(".>- ")
    if rng.random() < 0.2:
        text = "> " + text
    if rng.random() < 0.2:
        text += rng.choice((" 라고 함", " (중요)", " 인상적", " 정도"))
    return text


def big_session(memos: int, authors: int, seed: int = 7) -> list[Note]:
    """``memos`` memos by ``authors`` people, re-typing 150 facts from the sample posts."""
    rng = random.Random(seed)
    lines = [line for session in blog_sessions() for line in session.lines]
    facts = rng.sample(lines, k=min(150, len(lines)))
    notes = []
    for number in range(1, memos + 1):
        count = 1 if rng.random() < 0.8 else rng.randint(2, 4)
        text = "\n".join(_retyped(rng.choice(facts), rng) for _ in range(count))
        notes.append(Note(number, f"author{rng.randrange(authors)}", text))
    return notes


def timings(call: Callable[[], object], iterations: int, warmup: int = 3) -> dict[str, float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "runs": iterations,
        "p50_ms": statistics.median(samples),
        "p95_ms": percentile(samples, 0.95),
    }


def _floor(notes: Sequence[Note]) -> None:
    """Touch every line once: what any summarizer of these notes costs at least."""
    for note in notes:
        for text, _ in split_units(note.text):
            folded(text)


def _seeded_bot(notes: Sequence[Note], folder: Path) -> MemoBot:
    database = Database(f"sqlite:///{folder / 'summary.db'}")
    upgrade_to_head(database)
    bot = MemoBot(database)
    started = datetime(2025, 9, 26, 1, 0, tzinfo=UTC)
    for note in notes:
        reply = bot.handle(_invocation(note.author, f"add [{TITLE}] {note.text}", started))
        assert reply.ok, reply.markdown
        started += timedelta(seconds=1)
    return bot


def _invocation(user: str, text: str, at: datetime) -> Invocation:
    return Invocation(
        platform="console",
        workspace_id="bench",
        channel_id="general",
        user_id=user,
        display_name=user,
        text=text,
        received_at=at,
        is_admin=False,
    )


def measure_speed(args: argparse.Namespace) -> dict[str, object]:
    notes = big_session(args.memos, args.authors)
    results = {
        "key_points": timings(lambda: key_points(notes), args.iterations),
        "baseline_floor": timings(lambda: _floor(notes), args.iterations),
        "baseline_textrank": timings(
            lambda: SUMMARIZERS["textrank_tfidf"](notes), max(1, args.iterations // 50), warmup=0
        ),
    }
    with tempfile.TemporaryDirectory() as folder:
        bot = _seeded_bot(notes, Path(folder))
        ask = _invocation("author0", f"summary [{TITLE}]", datetime.now(UTC))

        def uncached() -> None:
            bot.summaries = Summaries()
            assert bot.handle(ask).ok

        results["core_uncached"] = timings(uncached, args.iterations)
        results["core_cached"] = timings(lambda: bot.handle(ask), args.iterations)
        bot.close()
        bot.database.dispose()
    return results


# ---------------------------------------------------------------- report


def report(
    args: argparse.Namespace, quality: dict[str, object], speed: dict[str, object]
) -> dict[str, object]:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(120, Console().width))
    recalls: dict[str, dict[str, dict[str, float]]] = quality["recall"]  # type: ignore[assignment]
    counts: dict[str, int] = quality["judged_sessions"]  # type: ignore[assignment]
    table = Table(
        title=f"key-fact recall (5 points); shipped weights chosen on {DEVELOPED_ON}, "
        "the other set held out"
    )
    for column in ("set", "sessions", "role", "summarizer", *SHAPES):
        table.add_column(column, justify="right" if column in SHAPES else "left")
    for set_name, by_shape in recalls.items():
        role = "developed on" if set_name == DEVELOPED_ON else "held out"
        for name in SUMMARIZERS:
            values = [f"{by_shape[shape][name]:.3f}" for shape in SHAPES]
            table.add_row(set_name, str(counts[set_name]), role, name, *values)
    console.print(table)

    checks: list[dict[str, Any]] = quality["cross_check"]  # type: ignore[assignment]
    table = Table(title="cross-check: weights chosen on one set (grid), measured on each")
    for column in ("chosen on", "weights", "measured on", "role", *SHAPES):
        table.add_column(column, justify="right" if column in SHAPES else "left")
    for check in checks:
        weights = " ".join(f"{key}={check['weights'][key]}" for key in GRID)
        for set_name, by_shape in check["recall"].items():
            role = "developed on" if set_name == check["chosen_on"] else "held out"
            values = [f"{by_shape[shape]:.3f}" for shape in SHAPES]
            table.add_row(check["chosen_on"], weights, set_name, role, *values)
    console.print(table)

    merges: dict[str, dict[str, int]] = quality["chat_transcript"]  # type: ignore[assignment]
    table = Table(title="chat-transcript.txt: near-duplicates merged")
    for column in ("session", "memos", "points", "points by 2+ people"):
        table.add_column(column, justify="left" if column == "session" else "right")
    for title, row in merges.items():
        table.add_row(title, str(row["memos"]), str(row["points"]), str(row["merged_points"]))
    console.print(table)

    rows: dict[str, dict[str, float]] = speed  # type: ignore[assignment]
    table = Table(title=f"one session, {args.memos} memos by {args.authors} authors")
    for column in ("what", "runs", "p50 ms", "p95 ms", "target p95"):
        table.add_column(column, justify="left" if column == "what" else "right")
    for name, row in rows.items():
        target = f"< {TARGET_P95_MS:.0f} ms" if name == "key_points" else "-"
        table.add_row(
            name, str(row["runs"]), f"{row['p50_ms']:.2f}", f"{row['p95_ms']:.2f}", target
        )
    console.print(table)
    vs_floor = rows["key_points"]["p50_ms"] / rows["baseline_floor"]["p50_ms"]
    vs_textrank = rows["key_points"]["p50_ms"] / rows["baseline_textrank"]["p50_ms"]
    console.print(
        f"key_points p50 is {vs_floor:.1f}x the floor (touching every line once) "
        f"and {vs_textrank:.3f}x TextRank on the same memos"
    )
    return {
        "benchmark": "summary",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "parameters": {"memos": args.memos, "authors": args.authors, "iterations": args.iterations},
        "quality": quality,
        "speed": rows,
        "key_points_p50_vs_floor": vs_floor,
        "key_points_p50_vs_textrank": vs_textrank,
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": rows["key_points"]["p95_ms"] < TARGET_P95_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memos", type=int, default=500)
    parser.add_argument("--authors", type=int, default=10)
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--output", type=Path, default=RESULTS / "summary.json")
    args = parser.parse_args()

    quality = measure_quality()
    speed = measure_speed(args)
    result = report(args, quality, speed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
