"""Replies over Slack's HTTP interface in the person's Slack language (``users.info`` with
``include_locale``), unless the channel chose one with `/memo language`."""

from __future__ import annotations

import pytest

from tests.adapters.slack.conftest import ALICE, BOB, Slack
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
