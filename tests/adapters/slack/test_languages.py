"""Replies over Slack's HTTP interface in the person's Slack language (``users.info`` with
``include_locale``), unless the channel chose one with `/memo language`."""

from __future__ import annotations

import json

import pytest

from adapters.slack.views import FILE_BLOCK, PICK_BLOCK, TEXT_BLOCK
from tests.adapters.slack.conftest import (
    ALICE,
    BOB,
    Slack,
    import_submission,
    new_view_id,
    open_import_form,
    upload_note_file,
    view_submission,
)
from tests.adapters.slack.conftest import block_text as _text

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"


@pytest.mark.asyncio
async def test_each_person_gets_their_slack_language_in_an_auto_channel(slack: Slack) -> None:
    slack.fake.set_locale(ALICE.id, "ko-KR")
    slack.fake.set_locale(BOB.id, "en-US")

    korean = await slack.command_json(f"add [{ENVOY}] 라우트 3,400개", user=ALICE)
    english = await slack.command_json(f"add [{ENVOY}] xDS rollout", user=BOB)

    assert _text(korean).startswith(f"Alice 님이 [{ENVOY}]에 메모했어요 · #1")
    assert _text(english).startswith(f"Bob noted in [{ENVOY}] · #2")
    calls = slack.fake.calls_to("users.info")
    assert calls and all(call.params.get("include_locale") for call in calls)


@pytest.mark.asyncio
async def test_the_language_is_asked_once_and_kept_for_the_next_commands(slack: Slack) -> None:
    slack.fake.set_locale(ALICE.id, "ko-KR")
    await slack.command_json(f"add [{ENVOY}] 메모")
    shown = await slack.command_json(f"요약 [{ENVOY}]")
    assert "참석: Alice · 메모 1개" in _text(shown)
    assert [call.params["user"] for call in slack.fake.calls_to("users.info")] == [ALICE.id]


@pytest.mark.asyncio
async def test_a_channel_language_overrides_the_person_and_only_in_that_channel(
    slack: Slack,
) -> None:
    slack.fake.set_locale(ALICE.id, "ko-KR")
    changed = await slack.command_json("language en")
    assert changed["response_type"] == "in_channel", "everyone sees the channel's choice"
    assert _text(changed) == "This channel's language is now English."

    here = await slack.command_json("sessions")
    elsewhere = await slack.command_json("sessions", channel="C2")
    assert _text(here).startswith("Sessions on ")
    assert "세션" in _text(elsewhere) and "Sessions on" not in _text(elsewhere)


@pytest.mark.asyncio
async def test_a_refusal_and_help_come_in_the_persons_language(slack: Slack) -> None:
    slack.fake.set_locale(ALICE.id, "ko-KR")
    refused = await slack.command_json("delete abc")
    assert _text(refused).startswith("어느 메모인가요?")
    unknown = await slack.command_json("nonsense")
    assert _text(unknown).startswith("/memo nonsense 명령은 없어요.")
    assert "/memo add [Session title] note (추가): 메모를 저장해요." in _text(unknown)


@pytest.mark.asyncio
async def test_a_person_slack_gives_no_locale_gets_the_default(slack: Slack) -> None:
    answer = await slack.command_json(f"add [{ENVOY}] 메모")
    assert _text(answer).startswith("Alice noted in")


@pytest.mark.asyncio
async def test_save_as_memo_opens_the_form_in_the_persons_language(slack: Slack) -> None:
    slack.fake.set_locale(ALICE.id, "ko-KR")

    view = await slack.save_as_memo("p99 210ms → 45ms")

    assert view["title"]["text"] == "메모 추가"
    assert [block["label"]["text"] for block in view["blocks"]] == ["세션", "…또는 새 세션", "메모"]
    assert view["blocks"][2]["element"]["initial_value"] == "p99 210ms → 45ms"


@pytest.mark.asyncio
async def test_the_forms_field_errors_are_in_the_persons_language(slack: Slack) -> None:
    slack.fake.set_locale(ALICE.id, "ko-KR")
    view = await slack.save_as_memo("세션을 안 고른 메모")
    values = {
        PICK_BLOCK: {"session_select": {"type": "external_select", "selected_option": None}},
        TEXT_BLOCK: {"memo_text": {"type": "plain_text_input", "value": "세션을 안 고른 메모"}},
    }

    status, body = await slack.interactive(view_submission(view, values, ALICE, new_view_id()))

    assert status == 200
    assert json.loads(body) == {
        "response_action": "errors",
        "errors": {PICK_BLOCK: "세션을 고르거나 아래에 새 세션 제목을 입력해 주세요."},
    }
    assert slack.fake.calls_to("chat.postMessage") == []


@pytest.mark.asyncio
async def test_an_import_form_without_a_file_asks_in_the_persons_language(slack: Slack) -> None:
    slack.fake.set_locale(ALICE.id, "ko-KR")
    view = await open_import_form(slack)

    status, body = await slack.interactive(import_submission(view, []))

    assert status == 200
    assert json.loads(body)["errors"] == {FILE_BLOCK: "메모 파일을 골라 주세요."}


@pytest.mark.asyncio
async def test_a_download_cut_short_is_told_in_the_persons_language(slack: Slack) -> None:
    slack.fake.set_locale(ALICE.id, "ko-KR")
    content = "2025-09-25\nDEVRIVER 2025 Day1\n[Talk]\n메모\n".encode() * 400

    answer = await upload_note_file(
        slack, "big.txt", content, chunk_size=8_192, cut_after=len(content) // 2
    )

    assert answer.startswith(
        "Slack에서 big.txt 파일을 끝까지 받지 못해 아무것도 가져오지 않았어요."
    )
