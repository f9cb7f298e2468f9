"""/memo agenda import on Slack: the programme comes through a file form, like a note import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapters.slack.views import FILE_BLOCK
from tests.adapters.slack.conftest import ALICE, TEAM, Slack, block_text, import_submission

SAMPLES = Path(__file__).parents[2] / "samples"


async def _open_agenda_form(slack: Slack) -> dict[str, Any]:
    opened = len(slack.fake.calls_to("views.open"))
    status, body = await slack.command("agenda import")
    assert status == 200 and body in ("", "{}"), "no visible answer: the form opens"
    call = (await slack.fake.async_wait_for("views.open", opened + 1))[-1]
    view: dict[str, Any] = call.params["view"]
    assert view["callback_id"] == "memo_agenda_import"
    (block,) = view["blocks"]
    assert block["element"]["type"] == "file_input"
    assert "ics" in block["element"]["filetypes"]
    return view


@pytest.mark.asyncio
async def test_an_uploaded_programme_is_imported_and_the_agenda_shows_it(slack: Slack) -> None:
    view = await _open_agenda_form(slack)
    file = slack.fake.add_file(TEAM, "agenda.ics", (SAMPLES / "agenda.ics").read_bytes())
    answered = len(slack.fake.calls_to("response_url"))

    status, body = await slack.interactive(import_submission(view, [file]))

    assert status == 200 and body in ("", "{}"), "the form closes at once"
    answer = (await slack.fake.async_wait_for("response_url", answered + 1))[-1]
    assert answer.params["response_type"] == "ephemeral"
    text = block_text(answer.params) or str(answer.params.get("text"))
    assert "agenda.ics: 52 talks for" in text and "52 new sessions" in text
    shown = block_text(await slack.command_json("agenda 2025-09-26"))
    assert "Kafka 없이 만든 이벤트 파이프라인" in shown and "301호" in shown


@pytest.mark.asyncio
async def test_submitting_the_programme_form_without_a_file_asks_for_one(slack: Slack) -> None:
    view = await _open_agenda_form(slack)
    status, body = await slack.interactive(import_submission(view, []))
    assert status == 200
    assert "Choose a programme file." in body and FILE_BLOCK in body


@pytest.mark.asyncio
async def test_a_programme_problem_is_told_in_the_persons_language(slack: Slack) -> None:
    slack.fake.set_locale(ALICE.id, "ko-KR")
    view = await _open_agenda_form(slack)
    csv = "title,date,start,end\nKafka 운영기,2025-09-25,13:40,25시\n".encode()
    file = slack.fake.add_file(TEAM, "agenda.csv", csv)
    answered = len(slack.fake.calls_to("response_url"))

    await slack.interactive(import_submission(view, [file]))

    answer = (await slack.fake.async_wait_for("response_url", answered + 1))[-1]
    text = block_text(answer.params) or str(answer.params.get("text"))
    assert (
        "agenda.csv: 2번째 줄: “25시”은(는) 13:40 같은 시각이 아니에요. 아무것도 바꾸지 않았어요."
        in text
    )
    shown = block_text(await slack.command_json("agenda 2025-09-25"))
    assert "Kafka" not in shown, "nothing is imported"
