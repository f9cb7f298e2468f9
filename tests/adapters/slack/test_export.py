"""/memo export on Slack: acknowledged at once, the file uploaded to the person's DMs."""

from __future__ import annotations

import pytest

from tests.adapters.slack.conftest import ALICE, BOB, Slack, block_text

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"


async def _note(slack: Slack) -> None:
    await slack.command_json("conference DEVRIVER 2025 UTC")
    await slack.command_json(f"add [{ENVOY}] 라우트 3,400개를 xDS로 이관")
    await slack.command_json(f"add [{ENVOY}] > p99 210ms → 45ms <!channel>", user=BOB)


@pytest.mark.asyncio
async def test_the_export_is_uploaded_to_the_persons_direct_messages(slack: Slack) -> None:
    await _note(slack)

    status, body = await slack.command("export txt", user=ALICE)

    assert status == 200 and body in ("", "{}"), "acknowledged with nothing to show yet"
    (response,) = await slack.fake.async_wait_for("response_url")
    (uploaded,) = slack.fake.uploaded_files
    assert uploaded.channel_id == f"D{ALICE.id}", "privately, to the person who asked"
    assert uploaded.filename == uploaded.title == "DEVRIVER-2025.txt"
    text = uploaded.content.decode("utf-8")
    assert f"[{ENVOY}]\n@Alice\n라우트 3,400개를 xDS로 이관\n\n@Bob\n> p99" in text
    assert "<!channel>" in text, "the file keeps the note exactly as written"
    (opened,) = slack.fake.calls_to("conversations.open")
    assert opened.params["users"] == ALICE.id
    assert response.params["response_type"] == "ephemeral"
    shown = block_text(response.params)
    assert "1 day, 1 session, 2 memos" in shown
    assert "I sent it to you in a direct message." in shown


@pytest.mark.asyncio
async def test_nothing_to_export_is_said_and_nothing_uploaded(slack: Slack) -> None:
    status, _ = await slack.command("export 2025-09-24")

    assert status == 200
    (response,) = await slack.fake.async_wait_for("response_url")
    assert block_text(response.params).startswith("No memos on Wed 2025-09-24")
    assert slack.fake.calls_to("files.getUploadURLExternal") == []


@pytest.mark.asyncio
async def test_an_upload_slack_refuses_is_reported_not_lost(slack: Slack) -> None:
    await _note(slack)
    slack.fake.error_next("files.completeUploadExternal", "not_in_channel")

    await slack.command("export")

    (response,) = await slack.fake.async_wait_for("response_url")
    assert "Slack did not take the file" in block_text(response.params)
    assert slack.fake.uploaded_files == []


@pytest.mark.asyncio
async def test_where_the_export_went_is_said_in_the_persons_language(slack: Slack) -> None:
    slack.fake.set_locale(ALICE.id, "ko-KR")
    await _note(slack)

    await slack.command("export txt", user=ALICE)

    (response,) = await slack.fake.async_wait_for("response_url")
    assert block_text(response.params).endswith("다이렉트 메시지로 보냈어요.")


@pytest.mark.asyncio
async def test_an_upload_slack_refuses_is_reported_in_the_persons_language(slack: Slack) -> None:
    slack.fake.set_locale(ALICE.id, "ko-KR")
    await _note(slack)
    slack.fake.error_next("files.completeUploadExternal", "not_in_channel")

    await slack.command("export", user=ALICE)

    (response,) = await slack.fake.async_wait_for("response_url")
    assert "Slack이 파일을 받지 않아서 아무것도 보내지 못했어요." in block_text(response.params)
