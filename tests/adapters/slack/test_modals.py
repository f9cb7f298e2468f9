"""The add-memo modal, its session search, the "Save as memo" shortcut, and App Home."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.slack.views import NEW_BLOCK, PICK_BLOCK, TEXT_BLOCK
from bot.invocation import Invocation
from bot.replies.values import SessionMemos
from bot.sessions import ShowSession
from tests.adapters.slack.conftest import (
    ALICE,
    TEAM,
    Slack,
    SlackUser,
    assert_slack_shows_literally,
    block_text,
    new_view_id,
    view_submission,
)

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
POSTGRES = "Postgres 파티셔닝 실전: 30억 row 테이블"


async def _open_modal(slack: Slack, text: str = "") -> dict[str, Any]:
    status, body = await slack.command(text)
    assert status == 200
    assert body in ("", "{}") or json.loads(body) == {}, "no visible answer: the modal opens"
    call = (await slack.fake.async_wait_for("views.open"))[-1]
    view: dict[str, Any] = call.params["view"]
    assert view["callback_id"] == "memo_add"
    return view


def _submission(
    view: dict[str, Any],
    *,
    picked: str | None = None,
    new_title: str | None = None,
    text: str | None = None,
    view_id: str | None = None,
    user: SlackUser = ALICE,
) -> dict[str, Any]:
    """The view_submission payload Slack sends when the modal's Save is pressed."""
    values: dict[str, Any] = {
        PICK_BLOCK: {"session_select": {"type": "external_select", "selected_option": None}},
        NEW_BLOCK: {"session_title": {"type": "plain_text_input", "value": new_title}},
        TEXT_BLOCK: {"memo_text": {"type": "plain_text_input", "value": text}},
    }
    if picked is not None:
        values[PICK_BLOCK]["session_select"]["selected_option"] = {
            "text": {"type": "plain_text", "text": "picked"},
            "value": picked,
        }
    return view_submission(view, values, user, view_id or new_view_id())


async def _submit(slack: Slack, payload: dict[str, Any]) -> dict[str, Any]:
    status, body = await slack.interactive(payload)
    assert status == 200, body
    answer: dict[str, Any] = json.loads(body) if body else {}
    return answer


async def _options(slack: Slack, view: dict[str, Any], typed: str) -> list[dict[str, Any]]:
    status, body = await slack.suggest(view, typed)
    assert status == 200, body
    options: list[dict[str, Any]] = json.loads(body)["options"]
    return options


@pytest.mark.asyncio
async def test_memo_without_text_opens_the_modal(slack: Slack) -> None:
    view = await _open_modal(slack, "")
    assert [block["block_id"] for block in view["blocks"]] == [PICK_BLOCK, NEW_BLOCK, TEXT_BLOCK]
    assert slack.fake.calls_to("views.open")[0].params["trigger_id"].startswith("trigger-")


@pytest.mark.asyncio
async def test_add_with_a_title_but_no_note_opens_the_modal_with_the_title(slack: Slack) -> None:
    view = await _open_modal(slack, f"add [{ENVOY}]")
    new_title = view["blocks"][1]["element"]
    assert new_title["initial_value"] == ENVOY


@pytest.mark.asyncio
async def test_the_session_search_offers_this_channels_sessions(slack: Slack) -> None:
    await slack.command_json(f"add [{ENVOY}] 메모")
    await slack.command_json(f"add [{POSTGRES}] 메모")
    await slack.command_json("add [다른 채널 세션] 메모", channel="C2")
    view = await _open_modal(slack)

    everything = await _options(slack, view, "")
    assert [option["text"]["text"][:8] for option in everything] == ["Postgres", "Envoy로 갈"]
    fitting = await _options(slack, view, "파티셔닝")
    assert len(fitting) == 1 and fitting[0]["text"]["text"].startswith("Postgres 파티셔닝")
    assert all(len(option["text"]["text"]) <= 75 for option in everything)


@pytest.mark.asyncio
async def test_saving_a_picked_session_updates_the_modal_and_posts_to_the_channel(
    slack: Slack,
) -> None:
    await slack.command_json(f"add [{ENVOY}] 첫 메모")
    view = await _open_modal(slack)
    picked = (await _options(slack, view, "envoy"))[0]["value"]

    answer = await _submit(slack, _submission(view, picked=picked, text="xDS 로 동적 배포"))

    assert answer["response_action"] == "update"
    assert "xDS 로 동적 배포" in json.dumps(answer["view"], ensure_ascii=False)
    # The first memo's announcement, then this one's.
    posted = (await slack.fake.async_wait_for("chat.postMessage", 2))[-1]
    assert posted.params["channel"] == "C1"
    assert "xDS 로 동적 배포" in json.dumps(posted.params["blocks"], ensure_ascii=False)
    shown = await slack.command_json(f"show [{ENVOY}]")
    assert "xDS 로 동적 배포" in json.dumps(shown, ensure_ascii=False)


@pytest.mark.asyncio
async def test_a_new_title_in_the_modal_creates_the_session(slack: Slack) -> None:
    view = await _open_modal(slack)
    answer = await _submit(slack, _submission(view, new_title=POSTGRES, text="파티션 96개"))
    assert answer["response_action"] == "update"
    listing = await slack.command_json("sessions all")
    assert POSTGRES.split(":")[0] in json.dumps(listing, ensure_ascii=False)


@pytest.mark.parametrize(
    ("fields", "block", "words"),
    [
        ({"text": "세션이 없음"}, PICK_BLOCK, "Pick a session"),
        ({"picked": "1", "new_title": "둘 다", "text": "메모"}, NEW_BLOCK, "not both"),
        ({"new_title": "빈 메모", "text": "   "}, TEXT_BLOCK, "The memo is empty"),
        ({"new_title": "너무 긴 메모", "text": "가" * 4001}, TEXT_BLOCK, "at most 4,000"),
        ({"new_title": "[" * 1 + "x" * 201, "text": "제목이 김"}, NEW_BLOCK, "at most 200"),
    ],
)
@pytest.mark.asyncio
async def test_invalid_input_shows_next_to_its_field_and_saves_nothing(
    slack: Slack, fields: dict[str, str], block: str, words: str
) -> None:
    view = await _open_modal(slack)
    answer = await _submit(slack, _submission(view, **fields))

    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [block]
    assert words in answer["errors"][block]
    assert slack.fake.calls_to("chat.postMessage") == []
    listing = await slack.command_json("sessions all")
    assert "No sessions yet" in json.dumps(listing)


@pytest.mark.asyncio
async def test_a_retried_submission_stores_the_memo_once(slack: Slack) -> None:
    view = await _open_modal(slack)
    payload = _submission(view, new_title=ENVOY, text="재시도된 저장", view_id="VRETRY")
    first = await _submit(slack, payload)
    again = await _submit(slack, payload)

    assert first == again
    shown = await slack.command_json(f"show [{ENVOY}]")
    assert block_text(shown).count("재시도된 저장") == 1


@pytest.mark.asyncio
async def test_a_rate_limited_post_is_retried_after_the_wait_slack_asks_for(slack: Slack) -> None:
    slack.fake.rate_limit_next("chat.postMessage", retry_after=1)
    view = await _open_modal(slack)
    await _submit(slack, _submission(view, new_title=ENVOY, text="429 뒤에 올라감"))

    posts = await slack.fake.async_wait_for("chat.postMessage", count=2)
    assert "429 뒤에 올라감" in json.dumps(posts[-1].params["blocks"], ensure_ascii=False)


@pytest.mark.asyncio
async def test_save_as_memo_keeps_the_message_text_and_its_link(slack: Slack) -> None:
    view = await slack.save_as_memo(
        "<@UBOB|bob> 말로는 p99 210ms → 45ms &amp; <https://x.example|슬라이드>"
    )
    prefilled = view["blocks"][2]["element"]["initial_value"]
    assert prefilled == "@bob 말로는 p99 210ms → 45ms & 슬라이드 (https://x.example)"

    await _submit(slack, _submission(view, new_title=ENVOY, text=prefilled))

    permalink = (await slack.fake.async_wait_for("chat.getPermalink"))[-1]
    assert permalink.params["message_ts"] == "1727222400.000100"
    shown = slack.bot.execute(
        Invocation("slack", TEAM, "C1", "UREADER", "reader", "", datetime.now(UTC)),
        ShowSession(ENVOY),
    ).data
    assert isinstance(shown, SessionMemos)
    memo = shown.memos[0]
    assert memo.text == prefilled
    assert memo.source_url == "https://fake-slack.example/archives/C1/p1727222400000100"


@pytest.mark.asyncio
async def test_app_home_lists_the_persons_own_memos(slack: Slack) -> None:
    await slack.command_json(f"add [{ENVOY}] 홈에 보일 메모 <!channel>")
    status, _ = await slack.event(
        {"type": "app_home_opened", "user": ALICE.id, "channel": "D1", "tab": "home"}
    )
    assert status == 200
    published = (await slack.fake.async_wait_for("views.publish"))[-1]
    assert published.params["user_id"] == ALICE.id
    assert published.params["view"]["type"] == "home"
    assert_slack_shows_literally(published.params, "홈에 보일 메모 <!channel>")
    assert "#C1" in block_text(published.params), "a link to the memo's channel"


@pytest.mark.asyncio
async def test_a_memo_saved_from_the_form_cannot_ping_or_spoof_either(slack: Slack) -> None:
    view = await _open_modal(slack)
    hostile = "<!channel> <@U123> <https://evil.example|docs> & more"
    answer = await _submit(slack, _submission(view, new_title="<!here> 세션", text=hostile))

    posted = (await slack.fake.async_wait_for("chat.postMessage"))[-1]
    for outgoing in (answer, posted.params):
        assert_slack_shows_literally(outgoing, hostile, "<!here> 세션")
