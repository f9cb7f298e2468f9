"""/memo search on Discord: typed options (query, session with autocomplete, a user, a date)
through the real discord.py client and the fake Discord, answered privately."""

from __future__ import annotations

import pytest

from tests.adapters.discord.conftest import ALICE, BOB, OTHER_CHANNEL, Discord, UserOption

CACHE_TALK = "대규모 결제 트래픽에서 살아남는 Redis 캐시 설계"
KAFKA_TALK = "Kafka 없이 만든 이벤트 파이프라인"
EPHEMERAL = 64


@pytest.mark.asyncio
async def test_search_answers_privately_with_emphasised_hits(discord_bot: Discord) -> None:
    await discord_bot.memo("add", session=CACHE_TALK, text="캐시를 두 단계로 @everyone")
    await discord_bot.memo("add", session=KAFKA_TALK, text="outbox 테이블이 큐 역할")
    await discord_bot.memo("add", session=CACHE_TALK, text="비밀 캐시", channel=OTHER_CHANNEL)

    answer = await discord_bot.memo("search", query="캐시")

    data = answer["data"]
    assert data["flags"] & EPHEMERAL
    assert data["allowed_mentions"] == {"parse": []}
    assert f"- [{CACHE_TALK}] · User {ALICE} · " in data["content"]
    assert "**캐시**를 두 단계로" in data["content"]
    assert "비밀" not in data["content"], "another channel's memo"


@pytest.mark.asyncio
async def test_search_options_filter_by_session_person_and_day(discord_bot: Discord) -> None:
    await discord_bot.memo("add", session=CACHE_TALK, text="장애 대응 앨리스", user=ALICE)
    await discord_bot.memo("add", session=CACHE_TALK, text="장애 대응 밥", user=BOB)
    await discord_bot.memo("add", session=KAFKA_TALK, text="장애 재처리 밥", user=BOB)

    content = await discord_bot.content(
        "search", query="장애", author=UserOption(BOB), session=CACHE_TALK
    )
    assert "장애** 대응 밥" in content
    assert "앨리스" not in content and "재처리" not in content

    no_day = await discord_bot.content("search", query="장애", date="2025-13-40")
    assert "is not a date" in no_day


@pytest.mark.asyncio
async def test_search_offers_the_channels_sessions_to_pick(discord_bot: Discord) -> None:
    await discord_bot.memo("add", session=CACHE_TALK, text="캐시를 두 단계로")
    await discord_bot.memo("add", session=KAFKA_TALK, text="캐시 없이 outbox")
    choices = await discord_bot.choices("search", "session", query="캐시", session="kafka")
    picked = choices[0]
    assert picked["name"].startswith(KAFKA_TALK)

    answer = await discord_bot.content("search", query="캐시", session=picked["value"])
    assert "outbox" in answer and "두 단계로" not in answer
