"""The same /memo over Socket Mode: envelopes in over a WebSocket, acks with the response."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from tests.adapters.slack.conftest import (
    BOT_TOKEN,
    TEAM,
    assert_slack_shows_literally,
    block_text,
    command_payload,
)
from tests.fakes.slack import FakeSlack


def _command_payload(fake: FakeSlack, text: str, trigger_id: str | None = None) -> dict[str, Any]:
    ids = fake.request_ids(TEAM)
    return command_payload(text, ids=ids, response_url=fake.response_url(), trigger_id=trigger_id)


async def _command(fake: FakeSlack, text: str, trigger_id: str | None = None) -> dict[str, Any]:
    envelope_id = fake.socket_send("slash_commands", _command_payload(fake, text, trigger_id))
    ack = await fake.async_wait_for_ack(envelope_id)
    payload: dict[str, Any] = ack["payload"]
    return payload


@pytest.mark.asyncio
async def test_a_command_over_socket_mode_is_answered_in_the_ack(socket_mode: FakeSlack) -> None:
    answer = await _command(socket_mode, "add [Socket 세션] 소켓으로 저장 &lt;!here&gt;")

    assert answer["response_type"] == "ephemeral"
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
async def test_an_undo_whose_ack_was_lost_comes_again_answered_alike_and_restores_one_memo(
    socket_mode: FakeSlack,
) -> None:
    for text in ("add [Socket 세션] 하나", "add [Socket 세션] 둘", "delete 1", "delete 2"):
        await _command(socket_mode, text)
    envelope_id = socket_mode.socket_send(
        "slash_commands", _command_payload(socket_mode, "undo"), lose_ack=True
    )
    lost = await asyncio.to_thread(socket_mode.wait_for_lost_ack, envelope_id)

    assert socket_mode.redeliver_unacked() == [envelope_id]
    again = await socket_mode.async_wait_for_ack(envelope_id)

    assert again["payload"] == lost["payload"]
    assert "Restored #2" in block_text(again["payload"])
    shown = block_text(await _command(socket_mode, "show [Socket 세션]"))
    assert "#2 Alice" in shown and "#1 Alice" not in shown


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


@pytest.mark.parametrize("reason", ["refresh_requested", "warning"])
@pytest.mark.asyncio
async def test_after_a_disconnect_message_the_bot_connects_anew_and_keeps_answering(
    socket_mode: FakeSlack, reason: str
) -> None:
    await _command(socket_mode, "add [Socket 세션] 새로 고치기 전")

    socket_mode.socket_disconnect(reason)
    await socket_mode.async_wait_for_socket_connections(2)

    answer = await _command(socket_mode, "add [Socket 세션] 새 연결에서")
    assert "#2" in json.dumps(answer["blocks"], ensure_ascii=False)
    assert len(socket_mode.calls_to("apps.connections.open")) == 2


@pytest.mark.asyncio
async def test_a_command_whose_ack_was_lost_comes_again_and_is_stored_once(
    socket_mode: FakeSlack,
) -> None:
    """The bot stored the memo and acked, then the connection was cut (no close frame) with
    the ack on its way: the bot notices and connects anew, Slack sends the same envelope
    there, and it stores nothing new."""
    sent = socket_mode.socket_send(
        "slash_commands", _command_payload(socket_mode, "add [Socket 세션] 한 번만"), lose_ack=True
    )
    await asyncio.to_thread(socket_mode.wait_for_lost_ack, sent)

    socket_mode.abort_socket()
    ack = await socket_mode.async_wait_for_ack(sent, timeout=30)

    assert socket_mode.socket_connections == 2
    assert [d["envelope_id"] for d in socket_mode.deliveries] == [sent, sent]
    assert "#1" in json.dumps(ack["payload"]["blocks"], ensure_ascii=False)
    shown = await _command(socket_mode, "show [Socket 세션]")
    assert "1 memo" in json.dumps(shown["blocks"], ensure_ascii=False)


@pytest.mark.asyncio
async def test_an_uninstall_over_socket_mode_stops_the_digest(socket_mode: FakeSlack) -> None:
    await _command(socket_mode, "digest at 18:00")

    for envelope in socket_mode.uninstall(BOT_TOKEN):
        await socket_mode.async_wait_for_ack(socket_mode.socket_send("events_api", envelope))

    socket_mode.add_workspace(TEAM, BOT_TOKEN)  # installed again
    shown = json.dumps(await _command(socket_mode, "digest"), ensure_ascii=False)
    assert "The daily digest is off (the app was uninstalled from this workspace on " in shown
