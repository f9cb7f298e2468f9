"""Autocomplete, the add-memo form, "Save as memo", command sync and posting to a channel."""

from __future__ import annotations

import os
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from adapters.cli.app import app
from adapters.discord import DiscordOutbound
from bot.invocation import Invocation
from bot.outbound import Delivery
from bot.replies.values import HelpShown, Reply, SessionMemos, Visibility
from bot.sessions import ShowSession
from tests.adapters.discord.conftest import ALICE, BOB, CHANNEL, GUILD, Discord
from tests.fakes.discord import FakeDiscord

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"


def _now() -> datetime:
    return datetime.now(UTC)


POSTGRES = "Postgres 파티셔닝 실전: 30억 row 테이블"


async def _choices(discord_bot: Discord, typed: str) -> list[dict[str, Any]]:
    return await discord_bot.choices("show", "session", session=typed)


async def _submit_form(
    discord_bot: Discord, form: dict[str, Any], values: dict[str, str], user: int = ALICE
) -> dict[str, Any]:
    payload = discord_bot.fake.modal_submit(
        guild_id=GUILD,
        channel_id=CHANNEL,
        user_id=user,
        custom_id=form["data"]["custom_id"],
        components=discord_bot.fake.text_inputs(values),
    )
    return await discord_bot.fake.async_wait_for_callback(
        discord_bot.fake.send_interaction(payload)
    )


def _inputs(form: dict[str, Any]) -> dict[str, Any]:
    return {
        component["custom_id"]: component
        for row in form["data"]["components"]
        for component in row["components"]
    }


@pytest.mark.asyncio
async def test_autocomplete_offers_the_channels_sessions_best_first(discord_bot: Discord) -> None:
    await discord_bot.memo("add", session=ENVOY, text="첫째")
    await discord_bot.memo("add", session=POSTGRES, text="둘째")
    await discord_bot.memo("add", session="다른 채널 세션", text="셋째", channel=CHANNEL + 1)

    newest_first = await _choices(discord_bot, "")
    assert [c["name"].split(" (")[0] for c in newest_first] == [POSTGRES, ENVOY]
    fitting = await _choices(discord_bot, "파티셔닝")
    assert [c["name"].split(" (")[0] for c in fitting] == [POSTGRES]
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in newest_first)


@pytest.mark.asyncio
async def test_a_picked_session_receives_the_memo(discord_bot: Discord) -> None:
    await discord_bot.memo("add", session=POSTGRES, text="첫째")
    picked = (await _choices(discord_bot, "postgres"))[0]["value"]

    answer = await discord_bot.content("add", session=picked, text="월 단위 range 파티션")
    assert f"[{POSTGRES}]" in answer and "#2" in answer


@pytest.mark.asyncio
async def test_add_without_text_opens_a_form_whose_submit_saves_the_memo(
    discord_bot: Discord,
) -> None:
    form = await discord_bot.memo("add", session=ENVOY)
    assert form["type"] == 9
    inputs = _inputs(form)
    assert inputs["session"]["value"] == ENVOY
    assert inputs["memo"]["max_length"] == 4000

    answer = await _submit_form(discord_bot, form, {"session": ENVOY, "memo": "폼으로 저장"})
    assert answer["type"] == 4
    assert "폼으로 저장" in answer["data"]["content"]
    assert answer["data"]["allowed_mentions"] == {"parse": []}


@pytest.mark.asyncio
async def test_a_bad_form_gets_a_private_answer_and_saves_nothing(discord_bot: Discord) -> None:
    form = await discord_bot.memo("add")
    answer = await _submit_form(discord_bot, form, {"session": "   ", "memo": "제목 없음"})
    assert answer["data"]["flags"] & 64
    assert "session title is empty" in answer["data"]["content"]
    assert "No sessions yet" in await discord_bot.content("sessions", date="all")


@pytest.mark.asyncio
async def test_save_as_memo_keeps_the_message_and_its_link(discord_bot: Discord) -> None:
    message = discord_bot.fake.message(CHANNEL, BOB, "밥이 말하길 p99 210ms → 45ms @everyone")
    menu = discord_bot.fake.message_context_menu(
        guild_id=GUILD,
        channel_id=CHANNEL,
        user_id=ALICE,
        name="Save as memo",
        target_message=message,
    )
    form = await discord_bot.fake.async_wait_for_callback(discord_bot.fake.send_interaction(menu))
    assert form["type"] == 9
    assert _inputs(form)["memo"]["value"] == message["content"]

    answer = await _submit_form(discord_bot, form, {"session": ENVOY, "memo": message["content"]})
    assert answer["data"]["allowed_mentions"] == {"parse": []}
    reader = Invocation("discord", str(GUILD), str(CHANNEL), "reader", "reader", "", _now())
    shown = discord_bot.bot.execute(reader, ShowSession(ENVOY)).data
    assert isinstance(shown, SessionMemos)
    assert shown.memos[0].text == message["content"]
    assert shown.memos[0].source_url == (
        f"https://discord.com/channels/{GUILD}/{CHANNEL}/{message['id']}"
    )


@pytest.mark.asyncio
async def test_posting_to_a_channel_splits_and_never_pings(discord_bot: Discord) -> None:
    outbound = DiscordOutbound(discord_bot.service.client)
    long = "\n".join(f"- @everyone line {n} " + "가" * 90 for n in range(40))
    digest = Reply(long, Visibility.PUBLIC, HelpShown((), None))
    delivered = await outbound.post(str(GUILD), str(CHANNEL), digest, Delivery("k1", _now()))

    posts = discord_bot.fake.calls_to("POST /channels/{channel_id}/messages")
    assert delivered.message_id and len(posts) == 3
    assert all(len(call.json["content"]) <= 2000 for call in posts)
    assert all(call.json["allowed_mentions"] == {"parse": []} for call in posts)


def test_discord_sync_registers_the_commands_and_prints_the_invite(
    fake_discord: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Registering needs only the token: the configured database is never opened or created."""
    monkeypatch.setenv("DISCORD_TOKEN", "fake-token")
    never_opened = tmp_path / "production" / "memo-bot.db"
    monkeypatch.setenv("MEMO_DATABASE_URL", f"sqlite:///{never_opened}")
    runner = CliRunner()

    not_invited = runner.invoke(app, ["discord", "sync", "--guild", str(GUILD)])
    assert not_invited.exit_code == 1
    assert "not in server" in not_invited.output and "client_id=" in not_invited.output

    fake_discord.add_guild(GUILD, "Team One", [CHANNEL])
    in_guild = runner.invoke(app, ["discord", "sync", "--guild", str(GUILD)])
    assert in_guild.exit_code == 0, in_guild.output
    names = sorted(command["name"] for command in fake_discord.guild_commands(GUILD))
    assert names == ["Save as memo", "memo"]
    assert "scope=bot+applications.commands" in in_guild.output
    assert f"client_id={fake_discord.application_id}" in in_guild.output

    everywhere = runner.invoke(app, ["discord", "sync"])
    assert everywhere.exit_code == 0, everywhere.output
    memo = next(c for c in fake_discord.global_commands if c["name"] == "memo")
    assert {option["name"] for option in memo["options"]} >= {
        "add",
        "attend",
        "sessions",
        "show",
        "edit",
        "delete",
        "undo",
        "conference",
        "help",
    }
    assert memo["dm_permission"] is False
    assert not never_opened.parent.exists()


def test_memo_bot_run_connects_to_discord_and_stops_on_sigterm(
    fake_discord: FakeDiscord, database_url: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The composition root: DISCORD_TOKEN alone starts the Discord client, which answers."""
    fake_discord.add_guild(GUILD, "Team One", [CHANNEL])
    monkeypatch.setenv("DISCORD_TOKEN", "fake-token")
    monkeypatch.setenv("MEMO_DATABASE_URL", database_url.render_as_string(hide_password=False))
    for name in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    answers: list[dict[str, Any]] = []
    finished = threading.Event()

    def use_it_then_stop() -> None:
        try:
            fake_discord.wait_for_ready(timeout=30)
            payload = fake_discord.slash_command(
                guild_id=GUILD,
                channel_id=CHANNEL,
                user_id=ALICE,
                name="memo",
                options=[
                    {
                        "name": "add",
                        "type": 1,
                        "options": [
                            {"name": "session", "type": 3, "value": ENVOY},
                            {"name": "text", "type": 3, "value": "run 으로 띄운 봇"},
                        ],
                    }
                ],
            )
            interaction = fake_discord.send_interaction(payload)
            answers.append(fake_discord.wait_for_callback(interaction, 30))
        finally:
            if not finished.is_set():  # `run` waits for SIGTERM, as under a process manager
                os.kill(os.getpid(), signal.SIGTERM)

    helper = threading.Thread(target=use_it_then_stop)
    helper.start()
    result = CliRunner().invoke(app, ["run"])
    finished.set()
    helper.join(timeout=60)

    assert result.exit_code == 0, result.output
    assert "run 으로 띄운 봇" in answers[0]["data"]["content"]


def test_memo_bot_run_exits_when_discord_refuses_the_bot(
    fake_discord: FakeDiscord, database_url: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With Discord the only platform, a token it refuses leaves no one to serve: a bot that
    looked alive would answer no one, so run exits (with Slack too, Slack would keep serving:
    tests/adapters/discord/test_service.py)."""
    fake_discord.add_guild(GUILD, "Team One", [CHANNEL])
    monkeypatch.setenv("DISCORD_TOKEN", "fake-token")
    monkeypatch.setenv("MEMO_DATABASE_URL", database_url.render_as_string(hide_password=False))

    def refuse_the_token() -> None:
        fake_discord.wait_for_ready(timeout=30)
        payload = fake_discord.slash_command(
            guild_id=GUILD,
            channel_id=CHANNEL,
            user_id=ALICE,
            name="memo",
            options=[{"name": "help", "type": 1, "options": []}],
        )
        fake_discord.wait_for_callback(fake_discord.send_interaction(payload), 30)  # running
        fake_discord.drop_gateway(4004)  # Authentication failed: discord.py does not retry

    helper = threading.Thread(target=refuse_the_token)
    helper.start()
    result = CliRunner().invoke(app, ["run"])
    helper.join(timeout=60)

    assert result.exit_code == 1
    assert "DiscordService" in result.output and "4004" in result.output
