"""`memo-bot digest`: print a day's digest, or post it once through the channel's adapter."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from adapters.cli.app import app
from bot.core import MemoBot
from tests.adapters.slack.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM
from tests.chat import Chat
from tests.fakes.slack import FakeSlack, fake_slack  # noqa: F401
from tests.timeline import claims, parse_posts

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
DAY = "--date=2025-09-25"


def _memos(
    bot: MemoBot, platform: str = "slack", workspace: str = TEAM, channel: str = "C1"
) -> Chat:
    when = datetime(2025, 9, 25, 1, 0, tzinfo=UTC)
    chat = Chat(bot, platform=platform, workspace=workspace, channel=channel, now=when)
    chat.say("alice", "conference DEVRIVER 2025 Asia/Seoul 2025-09-25 2025-09-26")
    chat.say("alice", f"add [{ENVOY}] 라우트 3,400개")
    # Korean notes would make an auto channel's digest Korean; these tests read English.
    chat.say("alice", "language en")
    return chat


def _digest(cli: CliRunner, *args: str) -> tuple[int, str, str]:
    result = cli.invoke(app, ["digest", *args])
    return result.exit_code, result.stdout, result.stderr


def test_dry_run_prints_the_markdown_and_posts_nothing(cli: CliRunner, bot: MemoBot) -> None:
    chat = _memos(bot, platform="console", workspace="console", channel="general")
    code, out, _ = _digest(cli, "--workspace=console", "--channel=general", DAY, "--dry-run")

    assert code == 0
    assert out.strip() == chat.say("bob", "digest now 2025-09-25").markdown
    assert claims(bot) == []


def test_posting_claims_the_day_so_it_is_posted_once(cli: CliRunner, bot: MemoBot) -> None:
    _memos(bot, platform="console", workspace="console", channel="general")
    code, out, _ = _digest(cli, "--workspace=console", "--channel=general", DAY)
    assert code == 0
    assert parse_posts(out) == [("DEVRIVER 2025", datetime(2025, 9, 25).date())]
    assert "Digest for general: posted." in out

    again, out, err = _digest(cli, "--workspace=console", "--channel=general", DAY)
    assert again == 1 and parse_posts(out) == []
    assert "already posted" in err


def test_unknown_channels_and_bad_dates_are_refused(cli: CliRunner, bot: MemoBot) -> None:
    _memos(bot, platform="console", workspace="console", channel="general")
    code, _, err = _digest(cli, "--workspace=console", "--channel=nowhere", DAY)
    assert code == 1 and "memo-bot has no channel nowhere in workspace console" in err
    code, _, err = _digest(cli, "--workspace=console", "--channel=general", "--date=내일")
    assert code == 2 and "not a date" in err


def test_posting_to_slack_goes_through_the_slack_adapter(
    cli: CliRunner,
    bot: MemoBot,
    fake_slack: FakeSlack,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_BASE_URL", fake_slack.base_url)
    _memos(bot)  # Slack workspace T1, channel C1

    code, out, err = _digest(cli, f"--workspace={TEAM}", "--channel=C1", DAY)

    assert code == 0, err
    [post] = [call for call in fake_slack.calls if call.method == "chat.postMessage"]
    assert post.params["channel"] == "C1" and "DEVRIVER 2025 Day 1" in str(post.params["text"])
    assert BOT_TOKEN not in out + err


def test_posting_to_slack_without_tokens_says_what_to_set(cli: CliRunner, bot: MemoBot) -> None:
    _memos(bot)
    code, _, err = _digest(cli, f"--workspace={TEAM}", "--channel=C1", DAY)
    assert code == 2 and "Set the Slack tokens" in err
    assert claims(bot) == [], "nothing claimed, so the scheduler still posts it"
