"""/memo import on Discord: an attachment option, downloaded from Discord, imported, answered."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adapters.discord.conftest import (
    ALICE,
    BOB,
    CHANNEL,
    EDIT_ORIGINAL,
    OTHER_CHANNEL,
    AttachmentOption,
    Discord,
    import_file,
)

SAMPLES = Path(__file__).parents[2] / "samples"


@pytest.mark.asyncio
async def test_an_attached_note_file_is_downloaded_and_imported(discord_bot: Discord) -> None:
    content = (SAMPLES / "blog-notes.txt").read_bytes()

    answer = await import_file(discord_bot, "blog-notes.txt", content)

    assert answer["content"].startswith(
        "blog-notes.txt: 3 posts, 16 sessions, 333 lines imported; 0 warnings\n\n"
        "- **DEVRIVER 2025** · Thu 2025-09-25 to Sat 2025-09-27 · 3 posts\n"
    )
    assert answer["allowed_mentions"] == {"parse": []}
    assert len(discord_bot.fake.attachment_downloads) == 1
    listing = await discord_bot.content("sessions", date="all")
    assert "[Kafka 없이 만든 이벤트 파이프라인]" in listing
    assert "[웹소켓 기반 실시간 협업 에디터 개발기]" in listing
    assert f"attended by User {ALICE}" in listing
    elsewhere = await discord_bot.content("sessions", date="all", channel=OTHER_CHANNEL)
    assert "Kafka" not in elsewhere


@pytest.mark.asyncio
async def test_a_binary_attachment_gets_a_clear_private_answer(discord_bot: Discord) -> None:
    answer = await import_file(discord_bot, "photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")

    assert answer["content"].startswith("photo.jpg is not a text file (line 1 has a NUL byte)")
    listing = await discord_bot.content("sessions", date="all", channel=CHANNEL)
    assert "Kafka" not in listing


ALICE_FILE = "2025-09-25\nDEVRIVER 2025 Day1\n[Alice Talk]\n앨리스의 메모\n".encode()
BOB_FILE = "2025-09-25\nDEVRIVER 2025 Day1\n[Bob Talk]\n밥의 메모\n".encode()


@pytest.mark.asyncio
async def test_another_members_import_of_the_same_day_leaves_your_memos_alone(
    discord_bot: Discord,
) -> None:
    await import_file(discord_bot, "alice.txt", ALICE_FILE)

    answer = await import_file(discord_bot, "bob.txt", BOB_FILE, user=BOB)

    assert answer["content"].startswith("bob.txt: 1 post, 1 session, 1 line imported")
    assert "removed" not in answer["content"]
    shown = await discord_bot.content("show", session="Alice Talk")
    assert "앨리스의 메모" in shown


@pytest.mark.asyncio
async def test_notes_under_another_members_name_become_the_uploaders_with_a_warning(
    discord_bot: Discord,
) -> None:
    await import_file(discord_bot, "alice.txt", ALICE_FILE)
    markdown = (
        f"# 2025-09-25\n\n# DEVRIVER 2025 Day1\n\n## [Alice Talk]\n\n### User {ALICE}\n\n"
        "고친 메모\n"
    )

    answer = await import_file(discord_bot, "day.md", markdown.encode(), user=BOB)

    assert f"User {ALICE}" in answer["content"] and "yours" in answer["content"]
    shown = await discord_bot.content("show", session="Alice Talk")
    assert "앨리스의 메모" in shown
    assert "고친 메모" in shown and f"User {BOB}" in shown


@pytest.mark.asyncio
async def test_an_attachment_whose_download_breaks_off_imports_nothing(
    discord_bot: Discord,
) -> None:
    content = (SAMPLES / "blog-notes.txt").read_bytes()
    attachment = discord_bot.fake.add_attachment("notes.txt", content, cut_after=len(content) // 2)

    answer = await discord_bot.memo("import", file=AttachmentOption(attachment))

    assert answer["type"] == 5
    (edited,) = await discord_bot.fake.async_wait_for(EDIT_ORIGINAL)
    assert edited.json["content"].startswith("Discord did not let me download notes.txt")
    listing = await discord_bot.content("sessions", date="all")
    assert "Kafka" not in listing


@pytest.mark.asyncio
async def test_a_broken_download_is_told_in_the_persons_language(discord_bot: Discord) -> None:
    content = (SAMPLES / "blog-notes.txt").read_bytes()
    attachment = discord_bot.fake.add_attachment("notes.txt", content, cut_after=len(content) // 2)

    await discord_bot.memo("import", file=AttachmentOption(attachment), locale="ko")

    (edited,) = await discord_bot.fake.async_wait_for(EDIT_ORIGINAL)
    assert edited.json["content"].startswith(
        "Discord에서 notes.txt 파일을 끝까지 받지 못해 아무것도 가져오지 않았어요."
    )


@pytest.mark.asyncio
async def test_an_unreadable_file_is_told_in_the_persons_language(discord_bot: Discord) -> None:
    attachment = discord_bot.fake.add_attachment("notes.txt", b"2025-09-25\nDay 1\n\x00\n")

    await discord_bot.memo("import", file=AttachmentOption(attachment), locale="ko")

    (edited,) = await discord_bot.fake.async_wait_for(EDIT_ORIGINAL)
    assert edited.json["content"].startswith(
        "notes.txt은(는) 텍스트 파일이 아니에요(3번째 줄에 NUL 바이트가 있어요)."
    )
