"""The benchmark scripts keep working (tiny sizes; the figures come from `make bench`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_core_add_benchmark_writes_its_table_and_results(tmp_path: Path) -> None:
    output = tmp_path / "core_add.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "core_add.py"),
            "--memos",
            "2000",
            "--sessions",
            "100",
            "--channels",
            "5",
            "--iterations",
            "20",
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "p99 ms" in result.stdout
    written = json.loads(output.read_text())
    assert set(written["results"]) == {"add", "add_untitled", "show", "sessions"}
    assert written["results"]["add"]["ops"] == 20
    assert written["peak_rss_mb"] > 0


def test_slack_http_benchmark_runs_both_servers_and_writes_ratios(tmp_path: Path) -> None:
    output = tmp_path / "slack_http.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "slack_http.py"),
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
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    written = json.loads(output.read_text())
    assert written["memo_bot"]["16"]["requests"] == 40
    assert set(written["ratio_to_bare"]) == {"1", "16"}


def test_discord_benchmark_runs_both_bots_and_writes_the_ratio(tmp_path: Path) -> None:
    output = tmp_path / "discord_interactions.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "discord_interactions.py"),
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
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    written = json.loads(output.read_text())
    assert written["memo_bot"]["interactions"] == 20
    assert written["bare_discord_py"]["interactions"] == 20
    assert written["p99_ratio"] > 0
