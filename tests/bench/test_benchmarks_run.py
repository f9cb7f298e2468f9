"""The benchmark scripts keep working (tiny sizes; the figures come from `make bench`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import POSTGRES_SERVER

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, name: str, *args: str) -> tuple[str, dict[str, Any]]:
    """Run ``bench/<name>.py`` with ``args``; its table (stdout) and its results file."""
    output = tmp_path / f"{name}.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / f"{name}.py"), *args, "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    written: dict[str, Any] = json.loads(output.read_text())
    return result.stdout, written


def test_core_add_benchmark_writes_its_table_and_results(tmp_path: Path) -> None:
    stdout, written = _run(
        tmp_path,
        "core_add",
        "--memos",
        "2000",
        "--sessions",
        "100",
        "--channels",
        "5",
        "--iterations",
        "20",
    )
    assert "p99 ms" in stdout
    assert set(written["results"]) == {"add", "add_untitled", "show", "sessions"}
    assert written["results"]["add"]["ops"] == 20
    assert written["peak_rss_mb"] > 0


def test_slack_http_benchmark_runs_both_servers_and_writes_ratios(tmp_path: Path) -> None:
    stdout, written = _run(
        tmp_path,
        "slack_http",
        "--memos",
        "2000",
        "--sessions",
        "100",
        "--channels",
        "5",
        "--requests",
        "40",
        "--warmup",
        "10",
        "--postgres",
        "",  # SQLite only; PostgreSQL has its own test below
    )
    assert "p99 ms" in stdout
    assert written["memo_bot"]["16"]["requests"] == 40
    assert set(written["ratio_to_bare"]) == {"1", "16"}
    assert "postgres_one_process" not in written


def test_slack_http_benchmark_on_postgres_runs_the_floor_one_process_and_two(
    tmp_path: Path,
) -> None:
    if POSTGRES_SERVER is None:
        pytest.skip("needs MEMO_TEST_DATABASE_URL")
    stdout, written = _run(
        tmp_path,
        "slack_http",
        *("--memos", "2000", "--sessions", "100", "--channels", "5"),
        *("--requests", "40", "--warmup", "10"),
        *("--postgres", POSTGRES_SERVER.render_as_string(hide_password=False)),
    )
    assert "(c)/(a) = " in stdout and "(d)/(c) = " in stdout and "(c)/(f) = " in stdout
    assert written["postgres_floor"]["16"]["requests"] == 40
    assert set(written["postgres_ratio_to_floor"]) == {"1", "16"}
    assert written["postgres_one_process"]["16"]["requests"] == 40
    assert written["postgres_two_processes"]["16"]["requests"] == 40
    assert set(written["postgres_two_processes_to_one"]) == {"1", "16"}


def test_discord_benchmark_runs_every_bot_each_time_and_writes_the_median_ratio(
    tmp_path: Path,
) -> None:
    stdout, written = _run(
        tmp_path,
        "discord_interactions",
        "--memos",
        "2000",
        "--sessions",
        "100",
        "--channels",
        "5",
        "--rate",
        "50",
        "--seconds",
        "0.4",
        "--warmup",
        "5",
        "--repeat",
        "2",
    )
    assert "p99 ms" in stdout
    runs = written["runs"]
    assert len(runs) == 2
    for run in runs:
        for bot in ("bare_discord_py", "bare_with_durable_commit", "memo_bot"):
            assert run[bot]["interactions"] == 20
    ratios = sorted(run["p99_ratio"] for run in runs)
    assert written["p99_ratio"] == pytest.approx(sum(ratios) / 2)  # the median of two
    assert written["p99_ratio_to_durable_floor"] > 0


def test_digest_benchmark_builds_every_digest_and_writes_the_ratio(tmp_path: Path) -> None:
    stdout, written = _run(tmp_path, "digest", "--channels", "20")
    assert "p99 ms" in stdout
    assert "peak RSS" in stdout
    assert written["parameters"]["channels"] == 20
    assert written["digest"]["digests"] == 20
    assert written["baseline_raw_sqlite"]["channels"] == 20
    assert written["digest"]["peak_rss_mb"] > 0
    assert written["ratio_to_baseline"] > 0
    assert set(written["meets_targets"]) == {"total_s", "peak_rss_mb"}


def test_summary_benchmark_reports_quality_and_speed_against_its_baselines(tmp_path: Path) -> None:
    stdout, written = _run(tmp_path, "summary", "--memos", "60", "--iterations", "3")
    assert "p95 ms" in stdout and "recall" in stdout
    quality = written["quality"]
    assert quality["judged_sessions"] == {"blog-notes": 17, "blog-notes-terse": 11}
    for by_shape in quality["recall"].values():
        assert set(by_shape) == {"per_line", "imported"}
        for recall in by_shape.values():
            assert set(recall) == {"memo_bot", "first_5_lines", "textrank_tfidf", "centroid_tfidf"}
    assert quality["developed_on"] in quality["recall"]
    assert [check["chosen_on"] for check in quality["cross_check"]] == [
        "blog-notes",
        "blog-notes-terse",
    ]
    assert "held out" in stdout and "developed on" in stdout
    assert set(written["speed"]) == {
        "key_points",
        "baseline_floor",
        "baseline_textrank",
        "core_uncached",
        "core_cached",
    }
    assert written["speed"]["key_points"]["runs"] == 3
    assert written["key_points_p50_vs_floor"] > 0


def test_search_benchmark_measures_search_and_the_like_baseline(tmp_path: Path) -> None:
    """SQLite only here (``--postgres ''``): the PostgreSQL copy is for `make bench`."""
    stdout, written = _run(
        tmp_path,
        "search",
        "--memos",
        "2000",
        "--sessions",
        "100",
        "--channels",
        "5",
        "--queries",
        "60",
        "--postgres",
        "",
    )
    assert "p95 ms" in stdout
    sqlite = written["results"]["sqlite"]
    assert sqlite["all"]["queries"] == 60
    assert sqlite["queries_with_hits"] > 30, "the generated queries find the seeded notes"
    assert sqlite["baseline_like"]["queries"] == 60
    assert sqlite["index_mb"] > 0
    assert written["peak_rss_mb"] > 0


def test_search_quality_finds_every_sample_querys_sessions(tmp_path: Path) -> None:
    stdout, written = _run(tmp_path, "search_quality")
    assert "recall" in stdout
    chosen = written["results"]["bigrams + check (chosen)"]
    assert chosen["recall"] == 1.0
    assert chosen["precision"] >= 0.95
    assert written["results"]["fts5 unicode61"]["recall"] < 1.0, "the baseline it improves on"


def test_import_benchmark_reports_lines_per_second_against_its_baselines(tmp_path: Path) -> None:
    stdout, written = _run(tmp_path, "import", "--lines", "3000")
    assert "lines/s" in stdout and "peak RSS" in stdout
    assert set(written["lines_per_s"]) == {"import", "reimport", "parse", "raw"}
    assert written["results"]["import"]["created"] == written["results"]["import"]["sessions"]
    assert written["results"]["reimport"]["created"] == 0
    assert written["results"]["import"]["peak_rss_mb"] > 0
    assert written["import_vs_parse"] > 0


def test_announce_burst_benchmark_announces_every_burst_and_writes_ratios(
    tmp_path: Path,
) -> None:
    stdout, written = _run(
        tmp_path, "announce_burst", "--adds", "5", "--bursts", "2", "--within", "1"
    )
    assert "ack ratio threads on/off" in stdout
    results = written["results"]
    assert results["ack_no_announcer"]["ops"] == 10
    assert results["ack_threads_on"]["ops"] == results["ack_threads_off"]["ops"] == 10
    assert len(results["burst_delivery_seconds"]) == 2
    assert all(gap >= 0.9 for gap in results["shortest_gap_seconds"]), "a post a second at most"


def test_agenda_import_benchmark_writes_its_table_and_results(tmp_path: Path) -> None:
    stdout, written = _run(tmp_path, "agenda_import", "--talks", "600", "--repeat", "1")

    assert "agenda import of 600 talks" in stdout
    assert set(written["results"]) == {"ics", "csv"}
    assert set(written["results"]["csv"]) == {"parse", "import", "reimport", "merge"}


def test_running_now_benchmark_writes_its_ratios_to_the_titled_add(tmp_path: Path) -> None:
    stdout, written = _run(
        tmp_path, "running_now", "--talks", "400", "--rounds", "2", "--per-round", "5"
    )
    assert "p99 × titled" in stdout
    assert set(written["results"]) == {
        "titled",
        "untitled, planned",
        "untitled, asked",
        "untitled, one track",
        "lookup alone (floor of the difference)",
    }
    assert written["results"]["titled"]["ops"] == 10
    assert written["results"]["titled"]["p99_x_titled"] == 1.0


def test_export_benchmark_writes_its_table_and_ratios(tmp_path: Path) -> None:
    stdout, written = _run(tmp_path, "export", "--repeat", "1", "--hostile-lines", "50")

    assert "export writing" in stdout
    assert set(written["results"]) == {"samples", "hostile_50_lines"}
    samples = written["results"]["samples"]
    assert set(samples) == {"text", "markdown_no_check", "markdown"}
    assert samples["markdown"]["escapes"] < samples["markdown_no_check"]["escapes"]
    assert set(written["ratios"]["samples"]) == {"markdown_to_text", "markdown_to_no_check"}
