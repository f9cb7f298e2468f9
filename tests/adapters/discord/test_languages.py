"""Replies through the real discord.py client in the person's ``interaction.locale``,
unless the channel chose a language; and the command descriptions Discord gets in
``ko`` and ``en-US``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands
from typer.testing import CliRunner

from adapters.cli.app import app
from adapters.discord.commands import MemoCommands
from adapters.discord.translator import CatalogTranslator
from tests.adapters.discord.conftest import BOB, CHANNEL, GUILD, Discord
from tests.fakes.discord import FakeDiscord, fake_discord  # noqa: F401

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"


@pytest.mark.asyncio
async def test_each_person_gets_their_discord_language(discord_bot: Discord) -> None:
    korean = await discord_bot.content("add", session=ENVOY, text="라우트 3,400개", locale="ko")
    english = await discord_bot.content(
        "add", session=ENVOY, text="xDS rollout", user=BOB, locale="en-US"
    )
    assert " 님이 " in korean and "에 메모했어요 · #1" in korean
    assert " noted in " in english and "#2" in english


@pytest.mark.asyncio
async def test_a_channel_language_overrides_the_client_language(discord_bot: Discord) -> None:
    changed = await discord_bot.content("language", language="ko", locale="en-US")
    assert changed == "이 채널의 언어를 바꿨어요: 한국어."
    shown = await discord_bot.content("sessions", locale="en-US")
    assert "세션" in shown and "Sessions" not in shown
    other = await discord_bot.content("sessions", locale="en-US", channel=CHANNEL + 1)
    assert other.startswith("**Sessions on ")


@pytest.mark.asyncio
async def test_a_refusal_from_options_is_in_the_persons_language(discord_bot: Discord) -> None:
    answer = await discord_bot.content("search", query="   ", locale="ko")
    assert answer.startswith("무엇을 찾을까요?")


async def _translated(locale: str) -> dict[str, Any]:
    client = discord.Client(intents=discord.Intents.none())
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    MemoCommands(None).register(tree)
    await tree.set_translator(CatalogTranslator())
    memo = next(command for command in tree.get_commands() if command.name == "memo")
    payload: dict[str, Any] = await memo.get_translated_payload(tree, tree.translator)  # type: ignore[union-attr,arg-type]
    return payload


@pytest.mark.asyncio
async def test_discord_gets_every_description_in_korean_and_english() -> None:
    payload = await _translated("ko")
    assert payload["description_localizations"] == {
        "ko": "이 채널의 컨퍼런스 세션 메모",
        "en-US": "Conference session notes for this channel",
    }
    add = next(option for option in payload["options"] if option["name"] == "add")
    assert add["description_localizations"]["ko"] == "세션에 메모 저장"
    session = next(option for option in add["options"] if option["name"] == "session")
    assert session["description_localizations"]["ko"] == "세션 (고르거나 새 제목 입력)"
    described = [option for option in payload["options"] if option.get("description")]
    untranslated = [
        option["name"]
        for option in described
        if set(option.get("description_localizations", {})) != {"ko", "en-US"}
    ]
    assert untranslated == []


@pytest.mark.asyncio
async def test_the_add_form_is_in_the_persons_client_language(discord_bot: Discord) -> None:
    korean = await discord_bot.memo("add", locale="ko")
    english = await discord_bot.memo("add", user=BOB, locale="en-US")
    assert korean["type"] == english["type"] == 9
    assert korean["data"]["title"] == "메모 추가"
    assert english["data"]["title"] == "Add a memo"
    labels = [row["components"][0]["label"] for row in korean["data"]["components"]]
    assert labels == ["세션", "메모"]


def test_a_korean_client_sees_the_save_as_memo_menu_in_korean(
    fake_discord: FakeDiscord,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`memo-bot discord sync` sends the message menu's Korean name; its name (what an
    interaction carries) stays English."""
    monkeypatch.setenv("DISCORD_TOKEN", "fake-token")
    monkeypatch.setenv("MEMO_DATABASE_URL", f"sqlite:///{tmp_path / 'memo-bot.db'}")
    fake_discord.add_guild(GUILD, "Team One", [CHANNEL])

    synced = CliRunner().invoke(app, ["discord", "sync", "--guild", str(GUILD)])

    assert synced.exit_code == 0, synced.output
    menu = next(c for c in fake_discord.guild_commands(GUILD) if c["type"] == 3)
    assert menu["name"] == "Save as memo"
    assert menu["name_localizations"] == {"ko": "메모로 저장", "en-US": "Save as memo"}
