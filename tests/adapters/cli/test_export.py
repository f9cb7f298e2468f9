"""`memo-bot export`: a channel's day or conference to a file or to stdout."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.app import app
from bot.core import MemoBot
from tests.chat import Chat

SAMPLES = Path(__file__).parents[2] / "samples"
ENGLISH = SAMPLES / "blog-notes-english.txt"


def _console_notes(bot: MemoBot) -> None:
    chat = Chat(bot, platform="console", workspace="console", channel="general")
    chat.say("alice", "conference DEVRIVER 2025 UTC 2025-09-25 2025-09-26")
    chat.say("alice", "add [Envoy] p99 210ms에서 45ms로")
    chat.wait(days=1)
    chat.say("bob", "add [Kafka] Outbox 테이블 + CDC")


def test_export_of_the_consoles_channel_goes_to_stdout(cli: CliRunner, bot: MemoBot) -> None:
    _console_notes(bot)

    result = cli.invoke(app, ["export", "--format", "txt", "--date", "2025-09-26"])

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "2025년 9월 26일 금요일\n\nDEVRIVER 2025 Day2 참가 세션 메모\n\n"
        "[Kafka]\nOutbox 테이블 + CDC\n"
    )


def test_export_to_a_file_says_what_it_wrote(cli: CliRunner, bot: MemoBot, tmp_path: Path) -> None:
    _console_notes(bot)
    target = tmp_path / "devriver.md"

    result = cli.invoke(app, ["export", "-o", str(target), "--conference", "devriver 2025"])

    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"Wrote {target}: 2 days, 2 sessions, 2 memos.\n"
    text = target.read_text(encoding="utf-8")
    assert text.startswith("2025년 9월 26일 금요일\n\n# DEVRIVER 2025 Day2 참가 세션 메모\n")
    assert "## [Envoy]\n\np99 210ms에서 45ms로\n" in text


def test_an_imported_file_exports_from_any_channel_by_its_ids(
    cli: CliRunner, tmp_path: Path
) -> None:
    ids = ["--platform", "slack", "--workspace", "T1", "--channel", "C9"]
    assert cli.invoke(app, ["import", str(ENGLISH), *ids]).exit_code == 0

    result = cli.invoke(app, ["export", "--format", "txt", *ids])

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Saturday, September 6, 2025\n\nHarborline Conf 2025 Day 1")


def test_nothing_to_export_writes_no_file_and_fails(
    cli: CliRunner, bot: MemoBot, tmp_path: Path
) -> None:
    _console_notes(bot)
    target = tmp_path / "empty.md"

    result = cli.invoke(app, ["export", "--date", "2025-09-24", "-o", str(target)])

    assert result.exit_code == 1
    assert result.stderr.startswith("No memos on Wed 2025-09-24 in this channel")
    assert not target.exists()


def _two_conferences(bot: MemoBot) -> None:
    _console_notes(bot)
    chat = Chat(bot, platform="console", workspace="console", channel="general")
    chat.wait(days=2)
    chat.say("alice", "conference KODECON 2026 UTC")
    chat.say("alice", "add [Rust 세션] 소유권")


def test_export_names_the_conferences_it_left_out(cli: CliRunner, bot: MemoBot) -> None:
    _two_conferences(bot)

    result = cli.invoke(app, ["export", "--format", "txt"])

    assert result.exit_code == 0, result.output
    assert "소유권" in result.stdout and "Outbox" not in result.stdout
    assert result.stderr == "Not exported: DEVRIVER 2025. --conference all writes every one.\n"


def test_export_of_every_conference(cli: CliRunner, bot: MemoBot, tmp_path: Path) -> None:
    _two_conferences(bot)
    target = tmp_path / "all.txt"

    result = cli.invoke(
        app, ["export", "--conference", "ALL", "--format", "txt", "-o", str(target)]
    )

    assert result.exit_code == 0, result.output
    assert result.stderr == f"Wrote {target}: 3 days, 3 sessions, 3 memos.\n"
    text = target.read_text(encoding="utf-8")
    assert text.index("소유권") < text.index("Outbox") < text.index("p99 210ms")


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--date", "2025-13-01"], "--date 2025-13-01: not a date"),
        (["--format", "html"], "--format html: choose md or txt"),
    ],
)
def test_bad_options_are_refused(cli: CliRunner, option: list[str], message: str) -> None:
    result = cli.invoke(app, ["export", *option])

    assert result.exit_code == 2
    assert message in result.stderr
