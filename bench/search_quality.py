"""Search quality: which Korean handling finds the sessions queries.json says it must.

Each sample query (tests/samples/queries.json) lists every session of
blog-notes.txt whose title or notes contain it. Each analyzer below decides,
per session, whether the query hits it (by the title or by any note line);
recall and precision are against those lists. Compared, on the same notes:

- ``bigrams + check`` (what /memo search does): the index's terms (CJK
  unigrams and bigrams, words, symbols) pick candidates, ``bot.search``
  checks each against the query;
- ``bigrams, index only``: the same candidates without the check;
- ``fts5 unicode61`` and ``fts5 trigram``: SQLite's own tokenizers on the raw
  text, queried with the query's words as quoted FTS5 strings (the baseline);
- ``kiwipiepy morphemes`` (when installed): a morphological analyzer; a hit
  when the query's morphemes are all among the text's. It is measured, not
  shipped: its model costs the RSS in the table.

Prints a table and writes ``bench/results/search_quality.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from blog_notes import SAMPLES, BlogSession, read_sessions  # the bench folder is on sys.path
from seeding import ROOT, machine

from bot.search import matches, parse_query
from storage.search_terms import query_terms, terms

RESULTS = ROOT / "bench" / "results"

#: Decides whether a query hits a session (its title or any of its note lines).
Analyzer = Callable[[str, BlogSession], bool]


def _texts(session: BlogSession) -> list[str]:
    return [session.title, *session.lines]


def bigrams_with_check(query: str, session: BlogSession) -> bool:
    pieces = parse_query(query)
    return any(matches(pieces, text) for text in _texts(session))


def bigrams_index_only(query: str, session: BlogSession) -> bool:
    needed = set().union(*(piece.terms for piece in parse_query(query)))
    return any(needed <= terms(text) for text in _texts(session))


def fts5(tokenizer: str, sessions: list[BlogSession]) -> Analyzer:
    """An analyzer backed by a real FTS5 table with ``tokenizer``, one row per text."""
    connection = sqlite3.connect(":memory:")
    connection.execute(f"CREATE VIRTUAL TABLE t USING fts5(text, tokenize='{tokenizer}')")
    texts = sorted({text for session in sessions for text in _texts(session)})
    connection.executemany("INSERT INTO t (rowid, text) VALUES (?, ?)", enumerate(texts))
    rowids = {text: rowid for rowid, text in enumerate(texts)}

    def hits(query: str, session: BlogSession) -> bool:
        words = query.replace('"', " ").split()
        match = " AND ".join('"' + word.replace('"', '""') + '"' for word in words)
        wanted = [rowids[text] for text in _texts(session) if text in rowids]
        marks = ",".join("?" * len(wanted))
        try:
            rows = connection.execute(
                f"SELECT 1 FROM t WHERE t MATCH ? AND rowid IN ({marks}) LIMIT 1", (match, *wanted)
            ).fetchall()
        except sqlite3.OperationalError:
            return False
        return bool(rows)

    return hits


def kiwi_morphemes() -> tuple[Analyzer, float] | None:
    """The kiwipiepy analyzer and the RSS its model added (MB), if kiwipiepy is installed."""
    try:
        from kiwipiepy import Kiwi  # type: ignore[import-not-found]
    except ImportError:
        return None
    before = _rss_mb()
    kiwi = Kiwi()
    kiwi.tokenize("모델을 불러온다")
    added = _rss_mb() - before
    cache: dict[str, set[str]] = {}

    def forms(text: str) -> set[str]:
        if text not in cache:
            cache[text] = {token.form.casefold() for token in kiwi.tokenize(text)}
        return cache[text]

    def hits(query: str, session: BlogSession) -> bool:
        needed = forms(query.replace('"', " "))
        return any(needed <= forms(text) for text in _texts(session))

    return hits, added


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def evaluate(analyzer: Analyzer, sessions: list[BlogSession], queries: list[dict[str, object]]):  # type: ignore[no-untyped-def]
    """Recall (over every must-hit pair), precision (over every hit), misses and extras;
    and the same per note line, against "contains the query, ignoring case"."""
    relevant = found = correct = 0
    line_relevant = line_found = line_correct = 0
    misses: list[str] = []
    extras: list[str] = []
    started = time.perf_counter()
    for query in queries:
        text = str(query["q"])
        truth = set(query["must_hit"])  # type: ignore[call-overload]
        hit = {session.title for session in sessions if analyzer(text, session)}
        relevant += len(truth)
        found += len(hit)
        correct += len(hit & truth)
        misses.extend(f"{text} → {title}" for title in sorted(truth - hit))
        extras.extend(f"{text} → {title}" for title in sorted(hit - truth))
        for session in sessions:
            for line in session.lines:
                alone = BlogSession(session.post_date, "", (line,))
                relevant_line = text.casefold() in line.casefold()
                hit_line = analyzer(text, alone)
                line_relevant += relevant_line
                line_found += hit_line
                line_correct += relevant_line and hit_line
    return {
        "line_recall": line_correct / line_relevant if line_relevant else 1.0,
        "line_precision": line_correct / line_found if line_found else 1.0,
        "recall": correct / relevant if relevant else 1.0,
        "precision": correct / found if found else 1.0,
        "misses": misses,
        "extras": extras,
        "seconds": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=RESULTS / "search_quality.json")
    args = parser.parse_args()

    sessions = read_sessions()
    queries = json.loads((SAMPLES / "queries.json").read_text(encoding="utf-8"))["queries"]
    rss_before = _rss_mb()
    analyzers: dict[str, tuple[Analyzer, float]] = {
        "bigrams + check (chosen)": (bigrams_with_check, 0.0),
        "bigrams, index only": (bigrams_index_only, 0.0),
        "fts5 unicode61": (fts5("unicode61", sessions), 0.0),
        "fts5 trigram": (fts5("trigram", sessions), 0.0),
    }
    kiwi = kiwi_morphemes()
    if kiwi is not None:
        analyzers["kiwipiepy morphemes"] = kiwi
    else:
        print("kiwipiepy is not installed: pip install kiwipiepy to compare it", file=sys.stderr)

    results = {
        name: {**evaluate(analyzer, sessions, queries), "model_rss_mb": rss}
        for name, (analyzer, rss) in analyzers.items()
    }
    _print(results)
    query_term_counts = {str(q["q"]): len(query_terms(str(q["q"]))) for q in queries}
    written = {
        "benchmark": "search_quality",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "parameters": {"sessions": len(sessions), "queries": len(queries)},
        "results": results,
        "query_terms": query_term_counts,
        "rss_before_analyzers_mb": rss_before,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(written, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.output}")


def _print(results: dict[str, dict[str, object]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="search quality on queries.json over blog-notes.txt (16 sessions)")
    columns = ("analyzer", "recall", "precision", "line recall", "line precision", "model RSS MB")
    for column in (*columns, "missed (query → session)"):
        table.add_column(column, justify="left" if column in ("analyzer", "missed") else "right")
    for name, row in results.items():
        misses = list(row["misses"])  # type: ignore[call-overload]
        shown = "; ".join(misses[:3]) + (f" (+{len(misses) - 3})" if len(misses) > 3 else "")
        table.add_row(
            name,
            f"{row['recall']:.3f}",
            f"{row['precision']:.3f}",
            f"{row['line_recall']:.3f}",
            f"{row['line_precision']:.3f}",
            f"{row['model_rss_mb']:.0f}",
            shown or "-",
        )
    Console(width=160).print(table)


if __name__ == "__main__":
    main()
