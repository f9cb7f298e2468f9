"""Requests Slack delivers twice (the same trigger or view id): done once, answered alike,
announced once. Slack sends a Socket Mode envelope again when the acknowledgement did not
reach it in time; over HTTP a retrying proxy does the same."""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from pathlib import Path

import pytest

from tests.adapters.slack.conftest import TEAM, Slack, block_text, import_submission
from tests.adapters.slack.test_modals import _open_modal, _submission, _submit
from tests.outbox import all_delivered
from tests.polling import logged, until

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
NOTES = (Path(__file__).parents[2] / "samples" / "blog-notes-english.txt").read_bytes()


async def _two_deleted_memos(slack: Slack) -> None:
    for text in (f"add [{ENVOY}] 하나", f"add [{ENVOY}] 둘", "delete 1", "delete 2"):
        await slack.command_json(text)


async def _shown(slack: Slack) -> str:
    return block_text(await slack.command_json(f"show [{ENVOY}]"))


@pytest.mark.parametrize("at_once", [False, True], ids=["again", "at-once"])
@pytest.mark.asyncio
async def test_undo_sent_twice_restores_one_memo_and_is_answered_alike(
    slack: Slack, at_once: bool
) -> None:
    await _two_deleted_memos(slack)
    copies = [partial(slack.command_json, "undo", trigger_id="trigger-undo") for _ in range(2)]

    if at_once:
        first, again = await asyncio.gather(*(copy() for copy in copies))
    else:
        first, again = [await copy() for copy in copies]

    assert again == first
    assert "Restored #2" in block_text(first)
    shown = await _shown(slack)
    assert "#2 Alice" in shown and "#1 Alice" not in shown


@pytest.mark.asyncio
async def test_a_form_submitted_twice_saves_once_and_is_announced_once(slack: Slack) -> None:
    view = await _open_modal(slack)
    payload = _submission(view, new_title=ENVOY, text="한 번만 알림", view_id="VTWICE")

    first = await _submit(slack, payload)
    again = await _submit(slack, payload)

    assert first["response_action"] == "update" and again == first
    await slack.fake.async_wait_for("chat.postMessage")
    await until(all_delivered(slack.bot.database), "the outbox to owe nothing more")
    assert block_text(await slack.command_json(f"show [{ENVOY}]")).count("한 번만 알림") == 1
    assert len(slack.fake.calls_to("chat.postMessage")) == 1


@pytest.mark.asyncio
async def test_a_form_refused_then_sent_corrected_with_its_view_id_is_saved(
    slack: Slack,
) -> None:
    view = await _open_modal(slack)
    refused = await _submit(slack, _submission(view, new_title=ENVOY, text="  ", view_id="VFIX"))
    assert refused["response_action"] == "errors"

    saved = await _submit(slack, _submission(view, new_title=ENVOY, text="고침", view_id="VFIX"))

    assert saved["response_action"] == "update"
    assert "고침" in await _shown(slack)


@pytest.mark.asyncio
async def test_a_message_saved_by_the_shortcut_and_submitted_twice_is_one_memo(
    slack: Slack,
) -> None:
    view = await slack.save_as_memo("p99 210ms → 45ms")
    payload = _submission(view, new_title=ENVOY, text="p99 210ms → 45ms", view_id="VSHORTCUT")

    first, again = await asyncio.gather(_submit(slack, payload), _submit(slack, payload))

    assert again == first
    assert (await _shown(slack)).count("p99 210ms → 45ms") == 1


@pytest.mark.asyncio
async def test_an_import_form_submitted_twice_imports_once_and_answers_once(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.core")
    await slack.command("import")
    view = (await slack.fake.async_wait_for("views.open"))[-1].params["view"]
    payload = import_submission(view, [slack.fake.add_file(TEAM, "harborline.txt", NOTES)])

    for _ in range(2):
        status, body = await slack.interactive(payload)
        assert status == 200 and body in ("", "{}")

    caplog.set_level(logging.INFO, logger="adapters.slack.listeners")
    copy_done = logged(caplog, "not answered again", 1)
    answers = partial(slack.fake.calls_to, "response_url")
    await until(lambda: len(answers()) == 2 or (copy_done() and len(answers()) == 1), "answers")
    (answer,) = answers()
    assert "5 sessions, 86 lines imported" in block_text(answer.params)
    listing = block_text(await slack.command_json("sessions all"))
    assert listing.count("Zero-Downtime Schema Migrations at 40 TB") == 1
    assert "1 memo" in listing and "2 memos" not in listing
    assert len(slack.fake.calls_to("response_url")) == 1
