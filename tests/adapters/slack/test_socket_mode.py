"""The same /memo over Socket Mode: envelopes in over a WebSocket, acks with the response."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.adapters.slack.conftest import assert_slack_shows_literally, block_text, command_payload
from tests.fakes.slack import FakeSlack


async def _command(fake: FakeSlack, text: str, trigger_id: str | None = None) -> dict[str, Any]:
    payload = command_payload(text, response_url=fake.response_url(), trigger_id=trigger_id)
    envelope_id = fake.socket_send("slash_commands", payload)
    ack = await fake.async_wait_for_ack(envelope_id)
    payload: dict[str, Any] = ack["payload"]
    return payload


@pytest.mark.asyncio
async def test_a_command_over_socket_mode_is_answered_in_the_ack(socket_mode: FakeSlack) -> None:
    answer = await _command(socket_mode, "add [Socket 세션] 소켓으로 저장 &lt;!here&gt;")

    assert answer["response_type"] == "in_channel"
    assert_slack_shows_literally(answer, "소켓으로 저장 <!here>")
    shown = await _command(socket_mode, "show [Socket 세션]")
    assert "#1 Alice" in block_text(shown)


@pytest.mark.asyncio
async def test_a_retried_envelope_stores_once(socket_mode: FakeSlack) -> None:
    await _command(socket_mode, "add [Socket 세션] 한 번", trigger_id="trigger-same")
    await _command(socket_mode, "add [Socket 세션] 한 번", trigger_id="trigger-same")
    shown = await _command(socket_mode, "show [Socket 세션]")
    assert "1 memo" in json.dumps(shown["blocks"], ensure_ascii=False)


@pytest.mark.asyncio
async def test_after_the_socket_drops_the_bot_reconnects_and_keeps_answering(
    socket_mode: FakeSlack,
) -> None:
    await _command(socket_mode, "add [Socket 세션] 끊기 전")
    socket_mode.drop_socket()
    await socket_mode.async_wait_for("apps.connections.open", count=2)
    await socket_mode.async_socket_connected()

    answer = await _command(socket_mode, "add [Socket 세션] 다시 연결된 뒤")
    assert "#2" in json.dumps(answer["blocks"], ensure_ascii=False)
