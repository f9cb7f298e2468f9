"""Adding a platform is a package and a line in the registry: the command line runs it.

``loopchat`` below is what a new package under ``adapters/`` would declare: a ``Platform``
with its settings, services, outbound, id rules and a subcommand. It is registered only in
the command line these tests build (``build_app``), beside the real platforms, and
``memo-bot run``, ``digest``, ``import`` and its own subcommand use it as they use Slack
and Discord, with nothing in ``bot/`` or ``storage/`` knowing its name.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from adapters.cli.app import app, build_app
from adapters.cli.registry import PLATFORMS, Platforms
from adapters.platform import IdRules, Platform, Serving
from bot.core import MemoBot
from bot.invocation import Invocation
from bot.outbound import Delivered, Delivery, Outbound, StartedThread
from bot.replies.values import Reply
from storage.models import Memo, table_of
from tests.chat import Chat
from tests.timeline import claims

NAME = "loopchat"
WORKSPACE = "team-1"
CHANNEL = "room-1"
SESSION = "루프챗 세션"


@dataclass
class Seen:
    """What the platform's parts went through, for the test to look at."""

    #: Digests: (workspace, channel, Markdown).
    posts: list[tuple[str, str, str]] = field(default_factory=list)
    #: Memos' announcements, the same way.
    announcements: list[tuple[str, str, str]] = field(default_factory=list)
    posted: asyncio.Event = field(default_factory=asyncio.Event)
    started: int = 0
    stopped: int = 0
    answer: Reply | None = None


class LoopChatOutbound:
    def __init__(self, seen: Seen) -> None:
        self.seen = seen

    async def post(
        self,
        workspace_id: str,
        channel_id: str,
        reply: Reply,
        delivery: Delivery,
        thread_id: str | None = None,
    ) -> Delivered:
        posts = self.seen.announcements if delivery.what == "memo" else self.seen.posts
        posts.append((workspace_id, channel_id, reply.markdown))
        # The digest, and the two memos written while no process ran.
        if self.seen.posts and len(self.seen.announcements) >= 2:
            self.seen.posted.set()
        return Delivered(f"loop-{delivery.what}-{len(posts)}")

    async def start_thread(
        self, workspace_id: str, channel_id: str, message_id: str, name: str
    ) -> StartedThread:
        return StartedThread(message_id, None)


class LoopChatService:
    """Once the digest that was due (and the memos' announcements) has been posted, a person
    adds a memo; then the
    process is told to stop, as a process manager would."""

    def __init__(self, bot: MemoBot, seen: Seen) -> None:
        self.bot = bot
        self.seen = seen

    async def start(self) -> None:
        self.seen.started += 1

    async def stopped(self) -> None:
        try:
            await asyncio.wait_for(self.seen.posted.wait(), timeout=60)
            self.seen.answer = await self.bot.handle_async(
                Invocation(
                    platform=NAME,
                    workspace_id=WORKSPACE,
                    channel_id=CHANNEL,
                    user_id="u-bob",
                    display_name="bob",
                    text=f"add [{SESSION}] 루프챗에서 쓴 메모",
                    received_at=datetime.now(UTC),
                )
            )
        finally:
            os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.Event().wait()

    async def stop(self) -> None:
        self.seen.stopped += 1


@dataclass
class LoopChatSetup:
    seen: Seen
    configured: bool = True

    def problems(self) -> list[str]:
        return []

    def serving(self, bot: MemoBot) -> Serving:
        return Serving(LoopChatOutbound(self.seen), [LoopChatService(bot, self.seen)])

    @asynccontextmanager
    async def posting(self, bot: MemoBot) -> AsyncIterator[Outbound]:
        yield LoopChatOutbound(self.seen)


def _loopchat(seen: Seen) -> Platform:
    commands = typer.Typer(help="loopchat's own commands.")

    @commands.command("hello")
    def hello() -> None:
        typer.echo("hello from loopchat")

    return Platform(
        name=NAME,
        title="LoopChat",
        ids=IdRules(
            workspace=re.compile("team-[0-9]+"),
            channel=re.compile("room-[0-9]+"),
            workspace_example="team-1",
            channel_example="room-1",
        ),
        setup=lambda: LoopChatSetup(seen),
        commands=commands,
    )


@pytest.fixture
def seen() -> Seen:
    return Seen()


@pytest.fixture
def memo_bot(seen: Seen) -> typer.Typer:
    """The command line with loopchat registered beside the real platforms."""
    return build_app(Platforms([*PLATFORMS, _loopchat(seen)]))


def _loopchat_notes(bot: MemoBot, now: datetime) -> Chat:
    chat = Chat(bot, platform=NAME, workspace=WORKSPACE, channel=CHANNEL, now=now)
    chat.say("alice", f"add [{SESSION}] 루프챗 메모")
    return chat


def test_memo_bot_run_serves_a_registered_platform_and_posts_its_digests(
    cli: CliRunner, memo_bot: typer.Typer, bot: MemoBot, seen: Seen
) -> None:
    now = datetime.now(UTC)
    chat = _loopchat_notes(bot, now - timedelta(minutes=3))
    chat.say("alice", f"digest at {now - timedelta(minutes=1):%H:%M} UTC")
    chat.now = now
    chat.say("alice", f"add [{SESSION}] 방금 쓴 메모")  # one of the two is on the due day

    result = cli.invoke(memo_bot, ["run"])

    assert result.exit_code == 0, result.output
    assert "starting the console" not in result.output, "a platform was configured"
    assert (seen.started, seen.stopped) == (1, 1)
    [(workspace, channel, markdown)] = seen.posts
    assert (workspace, channel) == (WORKSPACE, CHANNEL) and f"[{SESSION}]" in markdown
    announced = [text for _, _, text in seen.announcements]
    assert any("루프챗 메모" in text for text in announced), "memos queued while it was down"
    assert any("방금 쓴 메모" in text for text in announced)
    assert seen.answer is not None and "루프챗에서 쓴 메모" in seen.answer.markdown
    assert "루프챗에서 쓴 메모" in chat.say("alice", f"show [{SESSION}]").markdown


def test_memo_bot_digest_posts_through_the_platform_of_the_channel(
    cli: CliRunner, memo_bot: typer.Typer, bot: MemoBot, seen: Seen
) -> None:
    _loopchat_notes(bot, datetime(2025, 9, 25, 1, 0, tzinfo=UTC))
    ids = [f"--workspace={WORKSPACE}", f"--channel={CHANNEL}", "--date=2025-09-25"]

    result = cli.invoke(memo_bot, ["digest", *ids])

    assert result.exit_code == 0, result.output
    [(workspace, channel, markdown)] = seen.posts
    assert (workspace, channel) == (WORKSPACE, CHANNEL) and f"[{SESSION}]" in markdown
    assert len(claims(bot)) == 1


def test_ids_are_checked_by_the_rules_of_the_platform_named(
    cli: CliRunner, memo_bot: typer.Typer, bot: MemoBot, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text(f"2025-09-25\nDEVRIVER 2025 Day1\n[{SESSION}]\n가져온 메모\n")
    loopchat = ["import", str(notes), "--platform", NAME, "--workspace", WORKSPACE]

    wrong = cli.invoke(memo_bot, loopchat)
    right = cli.invoke(memo_bot, [*loopchat, "--channel", CHANNEL])

    assert wrong.exit_code == 2
    assert "'general' is not a LoopChat channel id (they look like room-1)" in wrong.stderr
    assert right.exit_code == 0, right.output
    chat = Chat(bot, platform=NAME, workspace=WORKSPACE, channel=CHANNEL)
    assert "가져온 메모" in chat.say("alice", f"show [{SESSION}]").markdown


def test_memo_bot_digest_checks_the_ids_of_the_platform_named(
    cli: CliRunner, memo_bot: typer.Typer, bot: MemoBot, seen: Seen
) -> None:
    _loopchat_notes(bot, datetime(2025, 9, 25, 1, 0, tzinfo=UTC))
    ids = [f"--workspace={WORKSPACE}", "--channel=general", "--date=2025-09-25"]

    result = cli.invoke(memo_bot, ["digest", *ids, f"--platform={NAME}"])

    assert result.exit_code == 2
    assert "'general' is not a LoopChat channel id (they look like room-1)" in result.stderr
    assert seen.posts == [] and claims(bot) == []


def test_a_platform_brings_its_own_subcommands(cli: CliRunner, memo_bot: typer.Typer) -> None:
    result = cli.invoke(memo_bot, [NAME, "hello"])

    assert result.exit_code == 0, result.output
    assert result.stdout == "hello from loopchat\n"


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (
            ["--platform", "slack"],
            "'console' is not a Slack workspace id (they look like T0123ABCD)",
        ),
        (
            ["--platform", "slack", "--workspace", "T1", "--channel", "general"],
            "'general' is not a Slack channel id (they look like C0456EFGH)",
        ),
        (
            ["--platform", "discord", "--workspace", "T1", "--channel", "C1"],
            "'T1' is not a Discord workspace id (they look like 1300000000000000001)",
        ),
        (["--platform", "teams"], "--platform teams: memo-bot knows slack, discord, console."),
    ],
)
def test_ids_that_cannot_exist_on_the_platform_store_nothing(
    cli: CliRunner, bot: MemoBot, ids: list[str], message: str, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("2025-09-25\nDEVRIVER 2025 Day1\n[세션]\n메모\n")

    result = cli.invoke(app, ["import", str(notes), *ids])

    assert result.exit_code == 2
    assert message in result.stderr
    with bot.database.reading() as tx:
        assert tx.execute(select(func.count()).select_from(table_of(Memo))).scalar_one() == 0


def test_bad_platform_settings_are_named_and_never_echoed(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "-7")
    monkeypatch.setenv("MEMO_HTTP_PORT", "123456")

    result = cli.invoke(app, ["migrate"])

    assert result.exit_code == 2
    assert "Invalid setting DISCORD_SHARD_COUNT" in result.stderr
    assert "Invalid setting MEMO_HTTP_PORT" in result.stderr
    assert "-7" not in result.stderr and "123456" not in result.stderr
