"""/memo summary on Discord: the subcommand, its autocomplete, deferring when a model is used."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.core import MemoBot
from bot.llm import LlmConfig
from bot.summary import Summaries
from storage.database import Database
from tests.adapters.discord.conftest import ALICE, BOB, CHANNEL, GUILD, Discord
from tests.fakes.openai import API_KEY, MODEL, FakeOpenAI, fake_openai  # noqa: F401

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
EPHEMERAL = 64
EDIT_ORIGINAL = "PATCH /webhooks/{application_id}/{token}/messages/@original"


@pytest.fixture
def bot(database: Database, fake_openai: FakeOpenAI) -> Iterator[MemoBot]:  # noqa: F811
    """The core with a model for summaries (replaces the plain one the Discord fixture uses)."""
    config = LlmConfig(fake_openai.base_url, MODEL, API_KEY, timeout=1.0)
    bot = MemoBot(database, summaries=Summaries(config))
    yield bot
    bot.close()


async def _note(discord_bot: Discord) -> None:
    await discord_bot.memo("add", session=ENVOY, text="기존 Nginx + Lua 게이트웨이, 라우트 3,400개")
    await discord_bot.memo("add", session=ENVOY, text="> p99 latency 210ms → 45ms", user=BOB)


async def _picked(discord_bot: Discord, typed: str) -> str:
    """The value autocomplete offers first for the summary's session option."""
    payload = discord_bot.fake.autocomplete(
        guild_id=GUILD,
        channel_id=CHANNEL,
        user_id=ALICE,
        name="memo",
        options=[
            {
                "name": "summary",
                "type": 1,
                "options": [{"name": "session", "type": 3, "value": typed}],
            }
        ],
        focused="session",
    )
    answer: dict[str, Any] = await discord_bot.fake.async_wait_for_callback(
        discord_bot.fake.send_interaction(payload)
    )
    assert answer["type"] == 8, answer
    return str(answer["data"]["choices"][0]["value"])


@pytest.mark.asyncio
async def test_a_summary_is_deferred_at_once_then_delivered(
    discord_bot: Discord,
    fake_openai: FakeOpenAI,  # noqa: F811
) -> None:
    await _note(discord_bot)
    fake_openai.complete_with_points(("p99 latency 210ms → 45ms", [2]))

    answer = await discord_bot.memo("summary", session=await _picked(discord_bot, "envoy"))
    assert answer == {"type": 5, "data": {"flags": EPHEMERAL}}, "deferred, privately"
    (edited,) = await discord_bot.fake.async_wait_for(EDIT_ORIGINAL)
    content = edited.json["content"]
    assert content.startswith(f"**[{ENVOY}]**")
    assert f"- p99 latency 210ms → 45ms · User {BOB}" in content
    assert "3,400" not in content
    assert edited.json["allowed_mentions"] == {"parse": []}


@pytest.mark.asyncio
async def test_the_deferral_does_not_wait_for_a_silent_model(
    discord_bot: Discord,
    fake_openai: FakeOpenAI,  # noqa: F811
) -> None:
    await _note(discord_bot)
    fake_openai.hang_next()

    answer = await discord_bot.memo("summary", session=ENVOY)
    assert answer["type"] == 5
    (edited,) = await discord_bot.fake.async_wait_for(EDIT_ORIGINAL)
    assert "210ms → 45ms" in edited.json["content"], "the local summary, after the timeout"


@pytest.mark.asyncio
async def test_an_unknown_session_gets_a_short_answer(discord_bot: Discord) -> None:
    await discord_bot.memo("summary", session="아무도 안 들은 세션")
    (edited,) = await discord_bot.fake.async_wait_for(EDIT_ORIGINAL)
    assert edited.json["content"].startswith("No session called [아무도 안 들은 세션]")
