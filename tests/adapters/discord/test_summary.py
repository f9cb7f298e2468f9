"""/memo summary on Discord: the subcommand, its autocomplete, deferring when a model is used."""

from __future__ import annotations

import pytest

from bot.core import MemoBot
from tests.adapters.discord.conftest import BOB, Discord
from tests.fakes.openai import FakeOpenAI

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
EPHEMERAL = 64
EDIT_ORIGINAL = "PATCH /webhooks/{application_id}/{token}/messages/@original"


@pytest.fixture
def bot(model_bot: MemoBot) -> MemoBot:
    """The adapter's fixture runs on the core whose summaries a (fake) model writes."""
    return model_bot


async def _note(discord_bot: Discord) -> None:
    await discord_bot.memo("add", session=ENVOY, text="기존 Nginx + Lua 게이트웨이, 라우트 3,400개")
    await discord_bot.memo("add", session=ENVOY, text="> p99 latency 210ms → 45ms", user=BOB)


@pytest.mark.asyncio
async def test_a_summary_is_deferred_at_once_then_delivered(
    discord_bot: Discord,
    fake_openai: FakeOpenAI,
) -> None:
    await _note(discord_bot)
    fake_openai.complete_with_points(("p99 latency 210ms → 45ms", [2]))

    picked = (await discord_bot.choices("summary", "session", session="envoy"))[0]["value"]
    answer = await discord_bot.memo("summary", session=picked)
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
    fake_openai: FakeOpenAI,
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
