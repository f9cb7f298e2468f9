"""The console adapter and the `memo-bot` command, run as a user runs them."""

from __future__ import annotations

import contextlib
import os
import pty
import re
import select
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import URL

from bot.core import MemoBot
from tests.chat import Chat
from tests.timeline import claims

MEMO_BOT = str(Path(sys.executable).with_name("memo-bot"))


def memo_bot(
    *args: str, stdin: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    # The terminal's language is the person's (bot.language): a test gives it or gets English.
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MEMO_") and key not in ("LANG", "LC_ALL", "LC_MESSAGES")
    }
    environment = inherited
    environment.update(env or {})
    return subprocess.run(
        [MEMO_BOT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=120,
        check=False,
    )


def db_option(url: URL) -> list[str]:
    return ["--db", url.render_as_string(hide_password=False)]


def test_piped_input_prints_each_reply_then_a_blank_line(database_url: URL) -> None:
    result = memo_bot(
        "console",
        *db_option(database_url),
        stdin=(
            "# a comment, ignored\n"
            "@alice /memo add [Envoy 게이트웨이] 라우트 3,400개\n"
            "@bob 점심 어디서 먹어요?\n"
            "\n"
            "@bob /memo add [envoy  게이트웨이] xDS 로 동적 배포\n"
            "@bob /memo delete 1\n"
        ),
    )

    assert result.returncode == 0, result.stderr
    replies = result.stdout.split("\n\n")
    assert replies[-1] == ""
    assert replies[:-1] == [
        "**alice** noted in [Envoy 게이트웨이] · #1\n> 라우트 3,400개",
        "**bob** noted in [Envoy 게이트웨이] · #2\n> xDS 로 동적 배포",
        "Only the author of #1 or a workspace admin can delete it.",
    ]


def test_the_default_user_is_the_login_name_and_admin_is_opt_in(database_url: URL) -> None:
    script = "/memo add [세션] 내 메모\n@bob /memo add [세션] 밥 메모\n/memo delete 2\n"
    plain = memo_bot("console", *db_option(database_url), stdin=script, env={"USER": "tester"})
    assert plain.stdout.startswith("**tester** noted in [세션] · #1")
    assert "Only the author of #2" in plain.stdout

    admin = memo_bot(
        "console",
        *db_option(database_url),
        "--admin",
        stdin="/memo delete 2\n",
        env={"USER": "tester"},
    )
    assert admin.stdout.startswith("Deleted #2")


def test_workspace_and_channel_options_separate_the_notes(database_url: URL) -> None:
    memo_bot("console", *db_option(database_url), "--channel", "a", stdin="/memo add [S] in a\n")
    other = memo_bot(
        "console", *db_option(database_url), "--channel", "b", stdin="/memo show [S]\n"
    )
    assert other.stdout.startswith("No session called [S]")


def test_an_export_is_written_to_the_current_folder_never_over_a_file(
    database_url: URL, tmp_path: Path
) -> None:
    (tmp_path / "DEVRIVER-2025.txt").write_text("someone else's file")
    script = (
        "/memo conference DEVRIVER 2025 UTC\n"
        "@alice /memo add [Envoy 게이트웨이] 라우트 3,400개\n"
        "/memo export txt\n"
    )

    result = memo_bot("console", *db_option(database_url), stdin=script, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    written = tmp_path / "DEVRIVER-2025-2.txt"
    assert f"in `DEVRIVER-2025.txt`.\n\nWritten to `{written}`." in result.stdout
    assert "[Envoy 게이트웨이]\n라우트 3,400개\n" in written.read_text(encoding="utf-8")
    assert (tmp_path / "DEVRIVER-2025.txt").read_text() == "someone else's file"


def test_memo_bot_run_without_tokens_starts_the_console_on_sqlite(tmp_path: Path) -> None:
    result = memo_bot(
        "run",
        stdin="@alice /memo add [첫 세션] 첫 메모\n/memo sessions all\n",
        cwd=tmp_path,
        env={"SLACK_BOT_TOKEN": "", "DISCORD_TOKEN": ""},
    )

    assert result.returncode == 0, result.stderr
    assert "starting the console on sqlite:///memo-bot.db" in result.stderr
    assert "**alice** noted in [첫 세션] · #1" in result.stdout
    assert "- [첫 세션]" in result.stdout
    assert (tmp_path / "memo-bot.db").exists()


def test_settings_come_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "MEMO_DATABASE_URL=sqlite:///data/notes.db\nMEMO_DEFAULT_TIME_ZONE=Asia/Seoul\n"
    )
    result = memo_bot("run", stdin="/memo conference\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Asia/Seoul" in result.stdout
    assert (tmp_path / "data" / "notes.db").exists()


def test_an_invalid_setting_is_reported_without_a_traceback(tmp_path: Path) -> None:
    result = memo_bot("run", stdin="", cwd=tmp_path, env={"MEMO_DEFAULT_TIME_ZONE": "Mars/Base"})
    assert result.returncode != 0
    assert "MEMO_DEFAULT_TIME_ZONE" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_model_endpoint_without_a_model_is_reported_without_the_key(tmp_path: Path) -> None:
    env = {"MEMO_LLM_BASE_URL": "http://127.0.0.1:9/v1", "MEMO_LLM_API_KEY": "sk-do-not-print"}
    result = memo_bot("run", stdin="", cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert "MEMO_LLM_BASE_URL needs MEMO_LLM_MODEL too" in result.stderr
    assert "sk-do-not-print" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


#: What a terminal draws but does not show as text: colours, cursor moves, modes.
_ESCAPES = re.compile(
    rb"\x1b(?:\[[0-9;?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, modes
    rb"|\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, hyperlinks
    rb"|[=>()][0-9A-B]?)"  # keypad and character set switches
)
PROMPT = b"alice@general>"


class _Screen:
    """What the console wrote to its terminal, read as it comes, waited on with a deadline."""

    def __init__(self, fd: int, pid: int, deadline: float) -> None:
        self.fd = fd
        self.pid = pid
        self.deadline = deadline
        self.raw = b""
        #: Where in the shown text the last wait ended.
        self.position = 0

    @property
    def text(self) -> bytes:
        """The output as text: escape sequences removed."""
        return _ESCAPES.sub(b"", self.raw)

    def wait_for(self, needle: bytes) -> bytes:
        """The shown text from where the last wait ended up to and including ``needle``."""
        while (found := self.text.find(needle, self.position)) < 0:
            remaining = self.deadline - time.monotonic()
            assert remaining > 0, f"never saw {needle!r}; got {self.raw[-3000:]!r}"
            if select.select([self.fd], [], [], remaining)[0]:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                assert chunk, f"the console ended before {needle!r}"
                self.raw += chunk
        start, self.position = self.position, found + len(needle)
        return self.text[start : self.position]

    def type(self, keys: str) -> None:
        """Type once the prompt reads keys one by one (the terminal is in raw mode): keys typed
        before that are echoed by the terminal itself, and a Ctrl-D there can be lost."""
        while termios.tcgetattr(self.fd)[3] & termios.ICANON:
            assert time.monotonic() < self.deadline, "the prompt never took the terminal"
            if select.select([self.fd], [], [], 0.05)[0]:
                with contextlib.suppress(OSError):
                    self.raw += os.read(self.fd, 4096)
        os.write(self.fd, keys.encode())

    def quit(self) -> int:
        """Ctrl-D at the prompt (once it is drawn again); the console's exit code."""
        self.wait_for(PROMPT)
        self.type("\x04")
        while True:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status)
            assert time.monotonic() < self.deadline, "the console did not end on Ctrl-D"
            # Waits for output (the terminal's last lines) or a moment, then looks again.
            if select.select([self.fd], [], [], 0.05)[0]:
                with contextlib.suppress(OSError):
                    self.raw += os.read(self.fd, 4096)


@contextlib.contextmanager
def _console_at_a_terminal(
    database_url: URL, tmp_path: Path, seconds: float = 60
) -> Iterator[_Screen]:
    """`memo-bot console` as alice on a pseudo-terminal, ended with Ctrl-D (exit code 0)."""
    pid, fd = _console_on_a_terminal(database_url, tmp_path)
    screen = _Screen(fd, pid, time.monotonic() + seconds)
    try:
        yield screen
        assert screen.quit() == 0
    finally:
        os.close(fd)


def _console_on_a_terminal(database_url: URL, tmp_path: Path) -> tuple[int, int]:
    """`memo-bot console` as alice on a pseudo-terminal: its pid and the terminal's fd.

    The terminal is an xterm that does not answer cursor position requests (a real one
    does; prompt_toolkit is told not to ask).
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MEMO_") and key not in ("LANG", "LC_ALL", "LC_MESSAGES")
    }
    env.update(
        {
            "XDG_STATE_HOME": str(tmp_path / "state"),
            "USER": "alice",
            "TERM": "xterm-256color",
            "PROMPT_TOOLKIT_NO_CPR": "1",
            "COLUMNS": "200",
        }
    )
    pid, fd = pty.fork()
    if pid == 0:  # the child: memo-bot on the pseudo-terminal
        os.execve(MEMO_BOT, [MEMO_BOT, "console", *db_option(database_url)], env)
    return pid, fd


def test_on_a_terminal_it_is_an_interactive_prompt_with_history(
    database_url: URL, tmp_path: Path
) -> None:
    with _console_at_a_terminal(database_url, tmp_path) as screen:
        screen.wait_for(PROMPT)
        screen.type("/memo add [터미널 세션] 프롬프트에서 쓴 메모\r")
        output = screen.wait_for("▌ 프롬프트에서 쓴 메모".encode())
        assert "alice noted in [터미널 세션] · #1".encode() in output
    history = (tmp_path / "state" / "memo-bot" / "console_history").read_text()
    assert "/memo add [터미널 세션] 프롬프트에서 쓴 메모" in history


def _digest_with_memos(bot: MemoBot, now: datetime, *, at: datetime, title: str) -> None:
    """The console's channel posts its digest at ``at`` (UTC) and has memos to put in it."""
    chat = Chat(bot, platform="console", workspace="console", channel="general")
    chat.now = now - timedelta(minutes=3)
    chat.say("alice", f"digest at {at:%H:%M} UTC")
    chat.say("alice", f"add [{title}] 켜기 전에 쓴 메모")
    chat.now = now
    chat.say("alice", f"add [{title}] 방금 쓴 메모")  # one of the two is on the due day
    chat.say("alice", "language en")  # Korean notes: an auto channel's digest is Korean


def test_at_a_terminal_the_digest_posts_into_the_console(
    database_url: URL, tmp_path: Path, bot: MemoBot
) -> None:
    now = datetime.now(UTC)
    _digest_with_memos(bot, now, at=now - timedelta(minutes=1), title="터미널 다이제스트")
    with _console_at_a_terminal(database_url, tmp_path) as screen:
        output = screen.wait_for("[터미널 다이제스트] · attended by alice".encode())
        assert b"session memos" in output and b"**" not in output, "rendered, not Markdown"
    [posted] = claims(bot)
    # The memos' announcements may print first (console-1, console-2).
    assert posted.message_id is not None and posted.message_id.startswith("console-")


def test_at_a_terminal_a_reply_shows_bold_lists_and_no_escapes_with_its_footer_apart(
    database_url: URL, tmp_path: Path, bot: MemoBot
) -> None:
    chat = Chat(bot, platform="console", workspace="console", channel="general")
    for number in range(11):  # more hits than a search shows: the reply ends with a footer
        chat.say("alice", f"add [세션 {number}] *캐시* 메모 {number}")
    chat.say("alice", "add [Kotlin<->Swift 비교] 1. 캐시 분리")  # the newest: listed first
    with _console_at_a_terminal(database_url, tmp_path) as screen:
        screen.wait_for(PROMPT)
        screen.type("/memo search 캐시\r")
        shown = screen.wait_for(b"Narrow it down")
    lines = [line.rstrip() for line in shown.decode().split("\r\n")]
    lines[-1] = next(line for line in screen.text.decode().split("\r\n") if "Narrow" in line)
    assert b"\x1b[1m12 memos match" in screen.raw, "the head line is bold"
    assert "12 memos match 캐시" in lines
    kotlin = next(line for line in lines if "Kotlin" in line)
    assert kotlin.startswith(" • [Kotlin<->Swift 비교] · alice · ")
    assert kotlin.endswith(" · #12: 1. 캐시 분리")
    assert any(line.endswith(": *캐시* 메모 3") for line in lines), "user text as typed"
    assert any(line.startswith("2 more. Narrow it down with") for line in lines), (
        "the footer is a line of its own, not part of the last item"
    )
    assert not any("\\" in line or "**" in line for line in lines), "no Markdown shows"


def test_at_a_terminal_a_notes_sub_points_keep_their_indent_and_markers(
    database_url: URL, tmp_path: Path, bot: MemoBot
) -> None:
    chat = Chat(bot, platform="console", workspace="console", channel="general")
    note = "구성\n1. listener\n  - filter 는 trait 하나로\n  ㄴ 레거시는 그대로\n> 결론"
    chat.say("alice", f"add [Rust 게이트웨이] {note}")
    with _console_at_a_terminal(database_url, tmp_path) as screen:
        screen.wait_for(PROMPT)
        screen.type("/memo show [Rust 게이트웨이]\r")
        # The memo's announcement (from the outbox) may be printed above the prompt too, with
        # the same words: the list item's head line is only in `/memo show`'s answer.
        shown = (screen.wait_for(": 구성".encode()) + screen.wait_for("결론".encode())).decode()
    lines = [line.rstrip() for line in shown.split("\r\n")]
    first = next(line for line in lines if line.endswith(": 구성"))
    margin = " " * first.index("#")  # the column the list item's text starts at
    at = lines.index(first)
    assert lines[at + 1 : at + 5] == [
        margin + "1. listener",
        margin + "\u00a0\u00a0- filter 는 trait 하나로",
        margin + "\u00a0\u00a0ㄴ 레거시는 그대로",
        margin + "> 결론",
    ], "each line as typed: sub-points indented, markers shown, no escapes"


def test_at_a_terminal_the_consoles_own_lines_speak_the_channels_language(
    database_url: URL, tmp_path: Path, bot: MemoBot
) -> None:
    Chat(bot, platform="console", workspace="console", channel="general").say(
        "alice", "language ko"
    )
    with _console_at_a_terminal(database_url, tmp_path) as screen:
        screen.wait_for(PROMPT)
        screen.type("/memo sessions\r")
        screen.wait_for("(나만 볼 수 있어요)".encode())
        screen.type("점심 뭐 먹지\r")
        screen.wait_for("채팅 메시지라 저장하지 않았어요. 명령은 /memo로 시작해요.".encode())
        screen.type("/memo language en\r")
        screen.wait_for(b"This channel's language is now English.")
        screen.type("/memo sessions\r")
        english = screen.wait_for(b"(only you can see this)")
    assert "나만".encode() not in english, "the English reply's mark is English only"


def test_a_digest_on_schedule_prints_above_the_prompt_and_keeps_the_line_being_typed(
    database_url: URL, tmp_path: Path, bot: MemoBot
) -> None:
    now = datetime.now(UTC)
    # The next minute at least 20 s away: time to start the console and type half a line.
    due = (now + timedelta(seconds=80)).replace(second=0, microsecond=0)
    _digest_with_memos(bot, now, at=due, title="예약 다이제스트")
    seconds = (due - now).total_seconds() + 60
    with _console_at_a_terminal(database_url, tmp_path, seconds) as screen:
        screen.wait_for(PROMPT)
        screen.type("/memo sea")  # half a command, not sent
        screen.wait_for(b"/memo sea")
        digest = screen.wait_for("[예약 다이제스트] · attended by alice".encode())
        screen.wait_for(b"alice@general> /memo sea")  # drawn again under the digest
        screen.type("rch 메모\r")
        answer = screen.wait_for(b"memos match")
    assert b"session memos" in digest and b"**" not in digest
    assert b"/memo sea" not in digest.split(b"session memos")[1], "the digest is not broken up"
    assert b"2 memos match" in answer, "the line typed before the digest ran whole"
