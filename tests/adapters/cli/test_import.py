"""`memo-bot import`: files into the console's channel (or any), dry runs, the summary line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.app import app
from bot.core import MemoBot
from bot.replies.values import SessionListing
from tests.chat import Chat
from tests.post_files import KOREAN_SAMPLE_GROUPED

SAMPLES = Path(__file__).parents[2] / "samples"
KOREAN = SAMPLES / "blog-notes.txt"
ENGLISH = SAMPLES / "blog-notes-english.txt"


def _console_sessions(bot: MemoBot, channel: str = "general") -> SessionListing:
    chat = Chat(bot, platform="console", workspace="console", channel=channel)
    listing = chat.say("reader", "sessions all").data
    assert isinstance(listing, SessionListing)
    return listing


def test_import_into_the_consoles_channel_prints_each_files_conferences_and_a_total(
    cli: CliRunner, bot: MemoBot
) -> None:
    result = cli.invoke(app, ["import", str(KOREAN), str(ENGLISH)])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{KOREAN}: 3 posts, 16 sessions, 333 lines imported; 0 warnings",
        *KOREAN_SAMPLE_GROUPED,
        f"{ENGLISH}: 1 post, 5 sessions, 86 lines imported; 0 warnings",
        "",
        "- **Harborline Conf 2025** · Sat 2025-09-06 · 1 post",
        "  - Sat 2025-09-06 · Harborline Conf 2025 Day 1 session notes · 5 sessions",
        "",
        "The channel's current conference stays **DEVRIVER 2025**.",
        "All files: 4 posts, 21 sessions, 419 lines imported; 0 warnings",
    ]
    listing = _console_sessions(bot)
    assert len(listing.sessions) == 16  # the current conference: DEVRIVER 2025, imported first
    assert {session.attendees for session in listing.sessions} == {("alice",)}


def test_options_choose_the_channel_author_and_conference(cli: CliRunner, bot: MemoBot) -> None:
    result = cli.invoke(
        app,
        ["import", str(ENGLISH), "--channel", "notes", "--author", "jiho", "--conference", "HLC"],
    )

    assert result.exit_code == 0, result.output
    listing = _console_sessions(bot, channel="notes")
    assert listing.conference.name == "HLC"
    assert {session.attendees for session in listing.sessions} == {("jiho",)}
    assert _console_sessions(bot).sessions == ()


def test_dry_run_prints_posts_sessions_and_warnings_and_stores_nothing(
    cli: CliRunner, bot: MemoBot, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("stray line\n2025-09-06\nConf 2025 Day 1\n[Talk]\none\ntwo\n[Empty]\n")

    result = cli.invoke(app, ["import", "--dry-run", str(notes)])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{notes}: 1 post, 1 session, 2 lines would be imported; 2 warnings",
        "",
        "- **Conf 2025** · Sat 2025-09-06 · 1 post",
        "  - Sat 2025-09-06 · Conf 2025 Day 1 · 1 session",
        "    - [Talk] · 2 lines",
        "",
        "**Conf 2025** would become the channel's current conference if it follows none yet; "
        "a channel that follows one keeps it.",
        "",
        "- ⚠ line 1: line before any date line, not imported",
        "- ⚠ line 7: session has no notes, skipped: Empty",
    ]
    assert _console_sessions(bot).sessions == ()


def test_a_bad_file_fails_with_its_name_and_the_others_are_imported(
    cli: CliRunner, bot: MemoBot, tmp_path: Path
) -> None:
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    missing = tmp_path / "missing.txt"

    result = cli.invoke(app, ["import", str(binary), str(ENGLISH), str(missing)])

    assert result.exit_code == 1
    assert f"{binary} is not a text file (line 1 has a NUL byte)" in result.stderr
    assert f"Cannot read {missing}" in result.stderr
    assert "2 files not imported" in result.stdout
    assert len(_console_sessions(bot).sessions) == 5


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    cli: CliRunner, bot: MemoBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEMO_IMPORT_MAX_BYTES", "1000")

    result = cli.invoke(app, ["import", str(KOREAN)])

    assert result.exit_code == 1
    assert "files can be at most 1,000 bytes" in result.stderr
    assert _console_sessions(bot).sessions == ()


def test_the_operator_imports_for_the_authors_the_file_and_author_option_name(
    cli: CliRunner, bot: MemoBot, tmp_path: Path
) -> None:
    jiho = tmp_path / "jiho.txt"
    jiho.write_text("2025-09-25\nConf 2025 Day 1\n[Jiho Talk]\n지호의 메모\n")
    kim = tmp_path / "kim.md"
    kim.write_text("# 2025-09-25\n\n# Conf 2025 Day 1\n\n## [Kim Talk]\n\n### carol\n\n캐롤 메모\n")

    first = cli.invoke(app, ["import", str(jiho), "--author", "jiho"])
    second = cli.invoke(app, ["import", str(kim), "--author", "kim"])

    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "removed" not in second.stdout and "0 warnings" in second.stdout
    attendees = {session.title: session.attendees for session in _console_sessions(bot).sessions}
    assert attendees == {"Jiho Talk": ("jiho",), "Kim Talk": ("carol",)}
