"""Slack: an untitled note while several talks run gets buttons; a click stores it, once.

Through the real Bolt HTTP path and the fake Slack. Commands over HTTP are stamped with
the real clock, so the programme is written around the moment the test runs.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.agenda.importing import ImportAgenda
from tests.adapters.slack.conftest import ALICE, BOB, TEAM, Slack, SlackUser, block_text
from tests.chat import Chat
from tests.programmes import running_now


def _import(slack: Slack, channel: str = "C1") -> None:
    chat = Chat(slack.bot, workspace=TEAM, channel=channel, now=datetime.now(UTC))
    done = chat.run(
        "alice",
        ImportAgenda(
            "live.ics",
            running_now((("Rust in production", "A"), ("<!channel> Go generics", "B"))),
            conference="Live",
        ),
    )
    assert done.ok, done.markdown


def _buttons(answer: dict[str, Any]) -> list[dict[str, Any]]:
    (actions,) = [block for block in answer["blocks"] if block["type"] == "actions"]
    buttons: list[dict[str, Any]] = actions["elements"]
    return buttons


def _click(
    slack: Slack,
    button: dict[str, Any],
    *,
    user: SlackUser = ALICE,
    channel: str = "C1",
    trigger_id: str | None = None,
) -> dict[str, Any]:
    """The block_actions payload Slack sends when ``user`` clicks ``button``."""
    return {
        "type": "block_actions",
        **slack.fake.interaction_ids(TEAM),
        "user": {"id": user.id, "username": user.name, "name": user.name, "team_id": TEAM},
        "api_app_id": "A0FAKE",
        "token": "legacy-verification-token",
        "container": {"type": "message", "channel_id": channel, "is_ephemeral": True},
        "trigger_id": trigger_id or f"trigger-{uuid.uuid4().hex}",
        "channel": {"id": channel, "name": "general"},
        "response_url": slack.fake.response_url(),
        "actions": [{**button, "block_id": "pick", "action_ts": "1727222400.000200"}],
    }


async def _answered(slack: Slack, count: int) -> dict[str, Any]:
    calls = await slack.fake.async_wait_for("response_url", count)
    params: dict[str, Any] = calls[count - 1].params
    return params


async def _memos(slack: Slack, title: str) -> str:
    return block_text(await slack.command_json(f"show [{title}]"))


@pytest.mark.asyncio
async def test_a_click_stores_the_note_in_that_talk_and_announces_it(slack: Slack) -> None:
    _import(slack)

    question = await slack.command_json("add 소유권 모델이 핵심")

    assert question["response_type"] == "ephemeral"
    assert "2 talks are running now" in block_text(question)
    buttons = _buttons(question)
    assert [button["text"]["text"] for button in buttons] == [
        "1. Rust in production",
        "2. <!channel> Go generics",
    ]
    assert slack.fake.calls_to("chat.postMessage") == []
    status, _ = await slack.interactive(_click(slack, buttons[0]))
    assert status == 200

    answer = await _answered(slack, 1)
    assert answer["replace_original"] is True  # the question and its buttons go
    assert "Rust in production" in block_text(answer)
    posted = (await slack.fake.async_wait_for("chat.postMessage"))[-1]
    assert "소유권 모델이 핵심" in block_text(posted.params)
    assert "소유권 모델이 핵심" in await _memos(slack, "Rust in production")
    assert "소유권 모델이 핵심" not in await _memos(slack, "<!channel> Go generics")


@pytest.mark.asyncio
async def test_copies_strangers_and_second_clicks_change_nothing(slack: Slack) -> None:
    _import(slack)
    _import(slack, channel="C2")
    buttons = _buttons(await slack.command_json("add 한 번만"))

    first = _click(slack, buttons[1], trigger_id="trigger-first")
    assert (await slack.interactive(first))[0] == 200
    await _answered(slack, 1)
    await slack.fake.async_wait_for("chat.postMessage")
    # The same click delivered again: answered by the core as before, nothing sent again.
    assert (await slack.interactive({**first, "response_url": slack.fake.response_url()}))[0] == 200
    # bob clicking alice's button, a click claiming another channel, a second click.
    for click, says in (
        (_click(slack, buttons[0], user=BOB), "Only the person who wrote this note"),
        (_click(slack, buttons[0], channel="C2"), "no longer open"),
        (_click(slack, buttons[0]), "saved already"),
    ):
        before = len(slack.fake.calls_to("response_url"))
        assert (await slack.interactive(click))[0] == 200
        answer = await _answered(slack, before + 1)
        assert says in block_text(answer), block_text(answer)
        assert answer["replace_original"] is False

    assert len(slack.fake.calls_to("chat.postMessage")) == 1
    assert len(slack.fake.calls_to("response_url")) == 4
    assert "한 번만" in await _memos(slack, "<!channel> Go generics")
    assert "한 번만" not in await _memos(slack, "Rust in production")


@pytest.mark.asyncio
async def test_the_modal_session_select_offers_the_running_talks_first(slack: Slack) -> None:
    await slack.command_json("add [Earlier session] 아침 메모")
    _import(slack)
    status, _ = await slack.command("add")
    assert status == 200
    view = (await slack.fake.async_wait_for("views.open"))[-1].params["view"]

    status, body = await slack.suggest(view, "")

    assert status == 200
    labels = [option["text"]["text"] for option in json.loads(body)["options"]]
    assert [label.split(" (")[0] for label in labels[:2]] == [
        "Rust in production",
        "<!channel> Go generics",
    ]
    assert labels[2].startswith("Earlier session")
