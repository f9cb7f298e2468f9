"""/memo import on Slack: a form with a file_input, the file downloaded with the bot token."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.slack.views import FILE_BLOCK
from tests.adapters.slack.conftest import (
    BOB,
    BOT_TOKEN,
    TEAM,
    Slack,
    block_text,
    import_submission,
    open_import_form,
    upload_note_file,
)

SAMPLES = Path(__file__).parents[2] / "samples"


@pytest.mark.asyncio
async def test_an_uploaded_note_file_is_downloaded_with_the_bot_token_and_imported(
    slack: Slack,
) -> None:
    content = (SAMPLES / "blog-notes-english.txt").read_bytes()

    answer = await upload_note_file(slack, "harborline.txt", content)

    assert "harborline.txt: 1 post, 5 sessions, 86 lines imported; 0 warnings" in answer
    (download,) = slack.fake.calls_to("files.download")
    assert download.token == BOT_TOKEN
    listing = await slack.command_json("sessions all")
    assert "Zero-Downtime Schema Migrations at 40 TB" in json.dumps(listing, ensure_ascii=False)
    elsewhere = await slack.command_json("sessions all", channel="C2")
    assert "Zero-Downtime" not in json.dumps(elsewhere, ensure_ascii=False)


@pytest.mark.asyncio
async def test_a_file_in_a_legacy_encoding_that_is_not_korean_is_refused_by_name(
    slack: Slack,
) -> None:
    content = "2025-09-06\nConf Day 1\n[Talk]\ncaf\xe9\n".encode("latin-1")

    answer = await upload_note_file(slack, "notes.txt", content)

    assert "notes.txt is not UTF-8, UTF-16 or CP949/EUC-KR, Shift-JIS" in answer
    assert "line 4 has bytes none of them reads" in answer


@pytest.mark.asyncio
async def test_submitting_without_a_file_asks_for_one(slack: Slack) -> None:
    view = await open_import_form(slack)

    status, body = await slack.interactive(import_submission(view, []))

    assert status == 200
    assert json.loads(body) == {
        "response_action": "errors",
        "errors": {FILE_BLOCK: "Choose a note file."},
    }


ALICE_FILE = "2025-09-25\nDEVRIVER 2025 Day1\n[Alice Talk]\n앨리스의 메모\n".encode()
BOB_FILE = "2025-09-25\nDEVRIVER 2025 Day1\n[Bob Talk]\n밥의 메모\n".encode()


@pytest.mark.asyncio
async def test_another_members_import_of_the_same_day_leaves_your_memos_alone(
    slack: Slack,
) -> None:
    await upload_note_file(slack, "alice.txt", ALICE_FILE)

    answer = await upload_note_file(slack, "bob.txt", BOB_FILE, user=BOB)

    assert "bob.txt: 1 post, 1 session, 1 line imported" in answer
    assert "removed" not in answer
    shown = json.dumps(await slack.command_json("show [Alice Talk]"), ensure_ascii=False)
    assert "앨리스의 메모" in shown
    undo = json.dumps(await slack.command_json("undo", user=BOB), ensure_ascii=False)
    assert "앨리스의 메모" not in undo


@pytest.mark.asyncio
async def test_notes_under_another_members_name_become_the_uploaders_with_a_warning(
    slack: Slack,
) -> None:
    await upload_note_file(slack, "alice.txt", ALICE_FILE)
    markdown = "# 2025-09-25\n\n# DEVRIVER 2025 Day1\n\n## [Alice Talk]\n\n### Alice\n\n고친 메모\n"

    answer = await upload_note_file(slack, "day.md", markdown.encode(), user=BOB)

    assert "Alice" in answer and "yours" in answer
    shown = json.dumps(await slack.command_json("show [Alice Talk]"), ensure_ascii=False)
    assert "Alice, 09:00: 앨리스의 메모" in shown
    assert "Bob, 09:00: 고친 메모" in shown


def _many_posts(days: int, sessions: int = 5) -> bytes:
    """A note file of ``days`` posts (one a day), each with ``sessions`` sessions."""
    notes = [f"{number}. 캐시를 두 단계로, p99 210ms → 45ms" for number in range(40)]
    posts = []
    for day in range(days, 0, -1):
        lines = [f"2025-{1 + day // 28:02d}-{1 + day % 28:02d}", f"BIG 2025 Day{day} 메모"]
        for number in range(sessions):
            lines += [f"[Talk {day}-{number}]", *notes[number : number + 20], "-" * 20]
        posts.append("\n".join(lines))
    return ("\n\n".join(posts) + "\n").encode()


@pytest.mark.asyncio
async def test_a_large_file_arriving_slowly_in_pieces_is_imported_whole(slack: Slack) -> None:
    content = _many_posts(60)
    assert len(content) > 200_000
    view = await open_import_form(slack)
    file = slack.fake.add_file(TEAM, "big.txt", content, chunk_size=16_384, pause=0.005)

    await slack.interactive(import_submission(view, [file]))

    (answer,) = await slack.fake.async_wait_for("response_url")
    text = block_text(answer.params) or str(answer.params.get("text"))
    assert "big.txt: 60 posts, 300 sessions" in text
    listing = json.dumps(await slack.command_json("sessions all"), ensure_ascii=False)
    assert "Talk 1-4" in listing and "Talk 60-0" in listing


async def _nothing_imported(slack: Slack) -> None:
    listing = json.dumps(await slack.command_json("sessions all"), ensure_ascii=False)
    assert "Talk" not in listing


@pytest.mark.asyncio
@pytest.mark.parametrize("declares_length", [True, False])
async def test_a_file_over_the_limit_is_refused_whatever_its_file_object_says(
    slack: Slack, declares_length: bool
) -> None:
    slack.bot.import_max_bytes = 90_000
    content = _many_posts(60)

    answer = await upload_note_file(
        slack,
        "big.txt",
        content,
        size=1_000,  # what the file object claims
        chunk_size=8_192,
        pause=0.002,
        declares_length=declares_length,
    )

    assert "big.txt is" in answer and "files can be at most 90,000 bytes" in answer
    await _nothing_imported(slack)


@pytest.mark.asyncio
async def test_a_download_cut_short_imports_nothing(slack: Slack) -> None:
    content = _many_posts(20)

    answer = await upload_note_file(
        slack, "big.txt", content, chunk_size=8_192, pause=0.002, cut_after=len(content) // 2
    )

    assert "did not let me download big.txt" in answer
    await _nothing_imported(slack)


@pytest.mark.asyncio
async def test_a_download_shorter_than_the_file_slack_described_imports_nothing(
    slack: Slack,
) -> None:
    content = _many_posts(20)

    answer = await upload_note_file(
        slack, "big.txt", content, size=len(content) + 500, chunk_size=8_192, declares_length=False
    )

    assert "did not let me download big.txt" in answer
    await _nothing_imported(slack)
