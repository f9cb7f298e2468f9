"""`memo-bot agenda import`: a programme into the console's channel (or any), dry runs, refusals."""

from __future__ import annotations

import os
import pty
import select
import time
from pathlib import Path

from sqlalchemy import URL
from typer.testing import CliRunner

from adapters.cli.app import app
from bot.core import MemoBot
from bot.replies.values import AgendaShown
from tests.adapters.console.test_console import _ESCAPES, MEMO_BOT, db_option
from tests.chat import Chat

SAMPLES = Path(__file__).parents[2] / "samples"
ICS = SAMPLES / "agenda.ics"


def _agenda(bot: MemoBot, day: str, channel: str = "general") -> AgendaShown:
    chat = Chat(bot, platform="console", workspace="console", channel=channel)
    shown = chat.say("reader", f"agenda {day}").data
    assert isinstance(shown, AgendaShown)
    return shown


def test_agenda_import_fills_the_consoles_programme(cli: CliRunner, bot: MemoBot) -> None:
    result = cli.invoke(app, ["agenda", "import", str(ICS)])

    assert result.exit_code == 0, result.output
    assert "52 talks for **DEVRIVER 2025** · Asia/Seoul" in result.stdout
    assert "52 new sessions" in result.stdout
    assert len(_agenda(bot, "2025-09-25").talks) == 22
    again = cli.invoke(app, ["agenda", "import", str(ICS)])
    assert "0 new sessions" in again.stdout and "52 unchanged" in again.stdout


def test_dry_run_and_other_channel_and_conference(cli: CliRunner, bot: MemoBot) -> None:
    dry = cli.invoke(app, ["agenda", "import", "--dry-run", str(ICS)])
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.startswith("Dry run: ") and "Nothing was changed." in dry.stdout
    assert _agenda(bot, "2025-09-25").talks == ()

    chosen = cli.invoke(
        app, ["agenda", "import", str(ICS), "--channel", "team", "--conference", "DR25"]
    )
    assert chosen.exit_code == 0, chosen.output
    assert "**DR25**" in chosen.stdout
    assert len(_agenda(bot, "2025-09-26", channel="team").talks) == 30
    assert _agenda(bot, "2025-09-26").talks == ()


def test_a_bad_file_exits_with_one_line_on_stderr(cli: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "agenda.csv"
    bad.write_text("title,date,start,end\nTalk,2025-13-01,10:00,10:40\n")
    result = cli.invoke(app, ["agenda", "import", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"{bad}, line 2: “2025-13-01” is not a date like 2025-09-25. Nothing was changed."
    ]
    missing = cli.invoke(app, ["agenda", "import", str(tmp_path / "nope.ics")])
    assert missing.exit_code == 1 and "Cannot read" in missing.stderr


def test_at_a_terminal_the_reply_is_rendered_not_markdown(database_url: URL) -> None:
    """An operator at a terminal reads the reply as the console shows one; piped (above), the
    Markdown stays as the core wrote it, for scripts."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: memo-bot on the pseudo-terminal
        command = [MEMO_BOT, "agenda", "import", str(ICS), *db_option(database_url)]
        os.execve(MEMO_BOT, command, {**os.environ, "USER": "alice", "COLUMNS": "200"})
    shown = b""
    deadline = time.monotonic() + 60
    try:
        while True:  # until the terminal closes: memo-bot has ended
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"memo-bot did not end; it printed {shown!r}"
            if select.select([fd], [], [], remaining)[0]:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                shown += chunk
    finally:
        os.close(fd)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    text = _ESCAPES.sub(b"", shown).decode()
    assert "52 talks for DEVRIVER 2025 · Asia/Seoul" in text
    assert "/memo agenda today" in text
    assert "**" not in text and "`" not in text
