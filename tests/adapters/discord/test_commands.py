"""/memo on Discord through the real discord.py client: interactions in, callbacks out."""

from __future__ import annotations

import pytest

from tests.adapters.discord.conftest import (
    ALICE,
    BOB,
    CHANNEL,
    MANAGE_MESSAGES,
    MODERATOR,
    OTHER_GUILD,
    OTHER_GUILD_CHANNEL,
    Discord,
)

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
EPHEMERAL = 64


@pytest.mark.asyncio
async def test_add_answers_privately_and_announces_the_memo_without_mentions(
    announcing: Discord,
) -> None:
    answer = await announcing.memo("add", session=ENVOY, text="라우트 3,400개")

    assert answer["type"] == 4
    data = answer["data"]
    assert data.get("flags", 0) & EPHEMERAL
    assert "#1" in data["content"] and data["allowed_mentions"] == {"parse": []}
    [post] = await announcing.fake.async_wait_for("POST /channels/{channel_id}/messages")
    assert post.path == f"/channels/{CHANNEL}/messages"
    assert post.json is not None
    # The session's first memo: the message its thread is started from.
    assert post.json["content"].startswith(f"[{ENVOY}] · ")
    assert f"\n**User {ALICE}** noted in [{ENVOY}] · #1" in post.json["content"]
    assert "라우트 3,400개" in post.json["content"]
    assert post.json["allowed_mentions"] == {"parse": []}


@pytest.mark.asyncio
async def test_every_subcommand_answers(discord_bot: Discord) -> None:
    async def private(subcommand: str, **options: object) -> str:
        answer = await discord_bot.memo(subcommand, **options)
        assert answer["type"] == 4, answer
        assert answer["data"]["flags"] & EPHEMERAL, f"{subcommand} answers privately"
        return str(answer["data"]["content"])

    conference = await discord_bot.memo(
        "conference", name="DEVRIVER 2025", time_zone="Asia/Seoul", first_day="2025-09-25"
    )
    assert "DEVRIVER 2025" in conference["data"]["content"]
    assert conference["data"].get("flags", 0) & EPHEMERAL == 0
    assert "attending" in await private("attend", session=ENVOY)
    await discord_bot.memo("add", session=ENVOY, text="p99 210ms → 54ms")
    assert "45ms" in await private("edit", memo_id=1, text="p99 210ms → 45ms")
    assert f"[{ENVOY}]" in await private("sessions", date="all")
    assert "p99 210ms → 45ms" in await private("show", session=ENVOY)
    assert "`/memo undo`" in await private("delete", memo_id=1)
    assert "Restored #1" in await private("undo")
    assert "`/memo add [Session title] note`" in await private("help")
    summary = await private("summary", session=ENVOY)
    assert summary.startswith(f"**[{ENVOY}]**") and "p99 210ms → 45ms" in summary
    assert "[" + ENVOY + "]" in await private("search", query="45ms")


@pytest.mark.asyncio
async def test_typed_options_are_checked_like_text(discord_bot: Discord) -> None:
    assert "is not a date" in await discord_bot.content("sessions", date="내일")
    assert "not a time zone" in await discord_bot.content(
        "conference", name="X", time_zone="Mars/Olympus"
    )
    assert "There is no memo #77" in await discord_bot.content("delete", memo_id=77)


@pytest.mark.asyncio
async def test_others_memos_need_manage_messages(discord_bot: Discord) -> None:
    await discord_bot.memo("add", session=ENVOY, text="앨리스의 메모", user=ALICE)

    refused = await discord_bot.content("delete", memo_id=1, user=BOB)
    assert "Only the author of #1" in refused
    allowed = await discord_bot.content(
        "delete", memo_id=1, user=MODERATOR, permissions=MANAGE_MESSAGES
    )
    assert "Deleted #1" in allowed


@pytest.mark.asyncio
async def test_a_memo_cannot_ping_anyone(discord_bot: Discord) -> None:
    hostile = "@everyone @here <@1300000000000000102> <@&1300000000000000001> [docs](https://evil.example)"
    answer = await discord_bot.memo("add", session=ENVOY, text=hostile)
    shown = await discord_bot.memo("show", session=ENVOY)

    for data in (answer["data"], shown["data"]):
        assert data["allowed_mentions"] == {"parse": []}
        assert "[docs\\](https" in data["content"], "the link's bracket is escaped: no masked link"
        assert "\\<@1300000000000000102>" in data["content"]


@pytest.mark.asyncio
async def test_a_long_reply_is_split_within_discords_limits(discord_bot: Discord) -> None:
    for index in range(12):
        await discord_bot.memo("add", session=ENVOY, text=f"{index:02d} " + "가나다라 " * 180)

    answer = await discord_bot.memo("show", session=ENVOY)
    followups = await discord_bot.fake.async_wait_for("POST /webhooks/{application_id}/{token}")
    pieces = [answer["data"]["content"]] + [call.json["content"] for call in followups]

    assert all(len(piece) <= 2000 for piece in pieces)
    assert 2 <= len(pieces) <= 5
    assert all(call.json["flags"] & EPHEMERAL for call in followups)
    assert all(call.json["allowed_mentions"] == {"parse": []} for call in followups)
    assert "00 가나다라" in pieces[0]


@pytest.mark.asyncio
async def test_two_servers_never_see_each_others_memos(discord_bot: Discord) -> None:
    await discord_bot.memo("add", session=ENVOY, text="팀 1의 비밀")

    other = await discord_bot.content(
        "show", session=ENVOY, guild=OTHER_GUILD, channel=OTHER_GUILD_CHANNEL
    )
    assert "No session called" in other and "팀 1의 비밀" not in other
    listing = await discord_bot.content(
        "sessions", date="all", guild=OTHER_GUILD, channel=OTHER_GUILD_CHANNEL
    )
    assert "No sessions yet" in listing


@pytest.mark.asyncio
async def test_the_bot_resumes_after_the_gateway_drops_and_keeps_answering(
    discord_bot: Discord,
) -> None:
    await discord_bot.memo("add", session=ENVOY, text="끊기 전")
    discord_bot.fake.drop_gateway()
    await discord_bot.fake.async_wait_for_ready()

    assert discord_bot.fake.resume_count == 1
    assert discord_bot.fake.identify_count == 1
    answer = await discord_bot.content("add", session=ENVOY, text="다시 연결된 뒤")
    assert "#2" in answer


@pytest.mark.asyncio
async def test_a_slow_answer_is_deferred_then_delivered(discord_bot: Discord) -> None:
    discord_bot.service.client.replier.defer_after = 0.0  # as if the database were slow

    answer = await discord_bot.memo(
        "conference", name="DEVRIVER 2025", time_zone="Asia/Seoul", channel=CHANNEL
    )
    assert answer == {"type": 5, "data": {"flags": EPHEMERAL}}
    edited = await discord_bot.fake.async_wait_for(
        "PATCH /webhooks/{application_id}/{token}/messages/@original"
    )
    assert "DEVRIVER 2025" in edited[-1].json["content"]
    public = await discord_bot.fake.async_wait_for("POST /webhooks/{application_id}/{token}")
    assert public[-1].json.get("flags", 0) & EPHEMERAL == 0, "the public answer is public"


@pytest.mark.asyncio
async def test_conferences_and_the_sessions_of_one_by_its_option(discord_bot: Discord) -> None:
    await discord_bot.memo("conference", name="DEVRIVER 2024", time_zone="Asia/Seoul")
    await discord_bot.memo("add", session="Keynote", text="작년 키노트")
    await discord_bot.memo("conference", name="DEVRIVER 2025", time_zone="Asia/Seoul")
    await discord_bot.memo("add", session=ENVOY, text="올해 메모")

    listed = await discord_bot.memo("conferences")
    last_year = await discord_bot.memo("sessions", conference="devriver 2024")
    both = await discord_bot.memo("sessions", date="all", conference="DEVRIVER 2024")

    assert listed["data"]["flags"] & EPHEMERAL
    content = listed["data"]["content"]
    assert "- **DEVRIVER 2025** · Asia/Seoul · " in content
    assert content.index("DEVRIVER 2025") < content.index("DEVRIVER 2024")
    assert "**current**" in content.split("\n")[1]
    assert "[Keynote]" in last_year["data"]["content"]
    assert ENVOY not in last_year["data"]["content"]
    assert "Give a date or a conference, not both" in both["data"]["content"]
