"""Signature and request-shape attacks on the real Slack HTTP server (and Socket Mode).

The promise: a request that is not signed by Slack, or not shaped like anything Slack
sends, is refused (400, 401 or 413) before any work; nothing is stored; the refusal is one
WARNING line that holds neither the body nor a secret, and nothing is logged as an ERROR.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Awaitable, Callable, Collection
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from bot.core import MemoBot
from storage.models import Base
from tests.adapters.slack.conftest import SIGNING_SECRET, TEAM, Slack, command_payload
from tests.adapters.slack.test_modals import _submission as modal_submission
from tests.fakes.slack import FakeSlack

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
#: Text that must never reach a log line: it stands for a memo someone typed.
SECRET_NOTE = "비밀메모-do-not-log"


def _sign(timestamp: str, body: bytes) -> str:
    """Slack's signature over the raw bytes (slack_sdk's signer wants UTF-8 text)."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()


def _command_form(**overrides: str) -> dict[str, str]:
    form = command_payload(
        f"add [공격 세션] {SECRET_NOTE}",
        ids={"team_id": TEAM, "is_enterprise_install": "false"},
        response_url="http://127.0.0.1:9/response/x",
    )
    form.update(overrides)
    return form


def _stored_rows(bot: MemoBot) -> int:
    with bot.database.engine.connect() as connection:
        return sum(
            connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        )


def _assert_refused_quietly(caplog: pytest.LogCaptureFixture, case: str = "") -> None:
    """One WARNING, no ERROR, and no log record holding the body, the secret or a signature."""
    records = caplog.records
    messages = [r.getMessage() for r in records]
    assert not [r for r in records if r.levelno >= logging.ERROR], (case, messages)
    assert len([r for r in records if r.levelno == logging.WARNING]) == 1, (case, messages)
    for record in records:
        logged = record.getMessage() + (record.exc_text or "")
        for text in (SECRET_NOTE, SIGNING_SECRET, "v0="):
            assert text not in logged, f"{case}: {text!r} reached the log: {logged!r}"


async def _refused(
    caplog: pytest.LogCaptureFixture,
    bot: MemoBot,
    request: Awaitable[tuple[int, str]],
    statuses: Collection[int] = (400,),
    case: str = "",
) -> str:
    """Send ``request``: refused with one of ``statuses``, nothing stored, one quiet WARNING."""
    caplog.clear()
    with caplog.at_level(logging.INFO):
        status, answer = await request
    assert status in statuses, (case, status, answer)
    assert _stored_rows(bot) == 0, case
    _assert_refused_quietly(caplog, case)
    return answer


async def _post_raw(
    slack: Slack,
    body: bytes | io.BytesIO,
    content_type: str | None,
    *,
    timestamp: str | None,
    signature: str | None,
) -> tuple[int, str]:
    headers = {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if timestamp is not None:
        headers["X-Slack-Request-Timestamp"] = timestamp
    if signature is not None:
        headers["X-Slack-Signature"] = signature
    async with slack.session.post(
        slack.base_url + "/slack/events", data=body, headers=headers
    ) as response:
        return response.status, await response.text()


def _now() -> str:
    return str(int(time.time()))


_GOOD_BODY = urlencode(_command_form()).encode()


# Each case: (name, body, content type, timestamp, signature: "sign" | None | literal).
_UNSIGNED_OR_BADLY_SIGNED = [
    ("no signature headers", _GOOD_BODY, FORM, None, None),
    ("timestamp abc", _GOOD_BODY, FORM, "abc", "sign"),
    ("timestamp empty", _GOOD_BODY, FORM, "", "sign"),
    ("timestamp 1e3", _GOOD_BODY, FORM, "1e3", "sign"),
    ("timestamp with spaces", _GOOD_BODY, FORM, " 1700000000 ", "sign"),
    ("timestamp in other digits", _GOOD_BODY, FORM, "١٧٠٠٠٠٠٠٠٠", "sign"),
    ("timestamp negative", _GOOD_BODY, FORM, "-5", "sign"),
    ("timestamp huge", _GOOD_BODY, FORM, "9" * 400, "sign"),
    ("timestamp six minutes old", _GOOD_BODY, FORM, str(int(time.time()) - 360), "sign"),
    ("timestamp six minutes ahead", _GOOD_BODY, FORM, "future", "sign"),
    ("signature of zeros", _GOOD_BODY, FORM, "now", "v0=" + "0" * 64),
    ("signature empty", _GOOD_BODY, FORM, "now", ""),
    ("signature not hex", _GOOD_BODY, FORM, "now", "v0=" + "zz" * 32),
    ("signature non-ascii", _GOOD_BODY, FORM, "now", "v0=" + "é" * 64),
    ("signature of another version", _GOOD_BODY, FORM, "now", "v1=" + "0" * 64),
    ("signature too long", _GOOD_BODY, FORM, "now", "v0=" + "0" * 5000),
    ("unsigned garbage json", b"{garbage", JSON, "now", "v0=" + "1" * 64),
    ("unsigned garbage payload", b"payload=%7Bx", FORM, "now", "v0=" + "1" * 64),
    ("unsigned binary", b"\xff\xfe" + SECRET_NOTE.encode(), FORM, "now", "v0=" + "1" * 64),
]


def _timestamp(spec: str | None) -> str | None:
    if spec == "now":
        return _now()
    if spec == "future":
        return str(int(time.time()) + 360)
    return spec


@pytest.mark.asyncio
async def test_a_request_not_signed_by_slack_is_refused_before_any_work(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    for case, body, content_type, timestamp, signature in _UNSIGNED_OR_BADLY_SIGNED:
        stamp = _timestamp(timestamp)
        signed = _sign(stamp or "", body) if signature == "sign" else signature
        request = _post_raw(slack, body, content_type, timestamp=stamp, signature=signed)
        await _refused(caplog, slack.bot, request, (400, 401), case)
        assert not slack.fake.calls, f"{case}: no Web API call was made for it"


# Signed by someone holding the secret, but not shaped like anything Slack sends.
_SIGNED_MALFORMED = [
    ("binary body", b"\xff\xfe" + SECRET_NOTE.encode(), FORM, 400),
    ("garbage json", b"{garbage " + SECRET_NOTE.encode(), JSON, 400),
    ("garbage json as a form", b"{garbage " + SECRET_NOTE.encode(), FORM, 400),
    ("garbage payload", b"payload=%7Bx" + SECRET_NOTE.encode(), FORM, 400),
    ("payload not an object", b"payload=%5B1%2C2%5D", FORM, 400),
    ("payload a number", b"payload=1", FORM, 400),
    ("json array", b"[1, 2]", JSON, 400),
    ("json string", b'"' + SECRET_NOTE.encode() + b'"', JSON, 400),
    ("team not an object", json.dumps({"type": "event_callback", "team": 5}).encode(), JSON, 400),
    ("empty body", b"", FORM, 400),
    ("plain text content type", _GOOD_BODY, "text/plain", 400),
    ("no content type", _GOOD_BODY, None, 400),
    ("multipart content type", _GOOD_BODY, "multipart/form-data; boundary=x", 400),
    ("form that is json", b'{"command": "/memo"}', FORM, 400),
    (
        "channel id over 64 characters",
        urlencode(_command_form(channel_id="C" * 65)).encode(),
        FORM,
        400,
    ),
    ("channel id empty", urlencode(_command_form(channel_id="")).encode(), FORM, 400),
    (
        "channel id missing",
        urlencode({k: v for k, v in _command_form().items() if k != "channel_id"}).encode(),
        FORM,
        400,
    ),
    ("team id over 64 characters", urlencode(_command_form(team_id="T" * 65)).encode(), FORM, 400),
    ("user id over 64 characters", urlencode(_command_form(user_id="U" * 65)).encode(), FORM, 400),
    (
        "trigger id over 128 characters",
        urlencode(_command_form(trigger_id="t" * 300)).encode(),
        FORM,
        400,
    ),
]


@pytest.mark.asyncio
async def test_a_signed_request_of_a_shape_slack_never_sends_is_refused_clearly(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    for case, body, content_type, expected in _SIGNED_MALFORMED:
        stamp = _now()
        signature = _sign(stamp, body)
        request = _post_raw(slack, body, content_type, timestamp=stamp, signature=signature)
        answer = await _refused(caplog, slack.bot, request, (expected,), case)
        assert answer.strip(), f"{case}: the refusal says what was wrong"
        assert SECRET_NOTE not in answer, case
    assert not slack.fake.calls_to("users.info") and not slack.fake.calls_to("views.open")


def _submission(private_metadata: str, view_id: str = "VSHAPE1") -> dict[str, Any]:
    view = {"type": "modal", "callback_id": "memo_add", "private_metadata": private_metadata}
    return modal_submission(view, new_title="세션", text=SECRET_NOTE, view_id=view_id)


_SIGNED_MALFORMED_INTERACTIONS = [
    ("modal channel over 64 characters", _submission(json.dumps({"channel": "C" * 65}))),
    ("modal metadata not json", _submission("{nope")),
    ("modal metadata not an object", _submission("[1]")),
    ("modal view id over 128 characters", _submission(json.dumps({"channel": "C1"}), "V" * 300)),
]


@pytest.mark.asyncio
async def test_a_signed_interaction_with_a_malformed_view_is_refused(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    for case, payload in _SIGNED_MALFORMED_INTERACTIONS:
        await _refused(caplog, slack.bot, slack.interactive(payload), case=case)


@pytest.mark.asyncio
async def test_an_over_long_workspace_id_is_refused_before_an_install_is_looked_up(
    distributed: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """In an app installed in many workspaces, Bolt would look the workspace up first."""
    request = distributed.command(f"add [세션] {SECRET_NOTE}", team="T" * 65)
    await _refused(caplog, distributed.bot, request)


@pytest.mark.asyncio
async def test_a_huge_body_is_refused_unread(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    body = urlencode(_command_form(text="add [세션] " + SECRET_NOTE * 200_000)).encode()
    stamp = _now()
    streamed = io.BytesIO(body)
    request = _post_raw(slack, streamed, FORM, timestamp=stamp, signature=_sign(stamp, body))
    await _refused(caplog, slack.bot, request, (413,))


@pytest.mark.asyncio
async def test_a_captured_request_replayed_later_is_refused_and_stores_nothing(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """A request Slack really signed 301 seconds ago: what a replay of it looks like now."""
    body = urlencode(_command_form()).encode()
    captured_at = str(int(time.time()) - 301)
    signature = _sign(captured_at, body)
    request = _post_raw(slack, body, FORM, timestamp=captured_at, signature=signature)
    await _refused(caplog, slack.bot, request, (401,))


@pytest.mark.asyncio
async def test_a_request_replayed_within_the_window_stores_the_memo_once(slack: Slack) -> None:
    body = urlencode(_command_form()).encode()
    stamp = _now()
    for _ in range(3):
        status, _ = await _post_raw(
            slack, body, FORM, timestamp=stamp, signature=_sign(stamp, body)
        )
        assert status == 200
    shown = await slack.command_json("show [공격 세션]")
    assert "Attended by Alice · 1 memo" in shown["text"]


@pytest.mark.asyncio
async def test_refusals_in_bulk_leave_the_server_answering(slack: Slack) -> None:
    """A few hundred malformed requests in a row, then a real one works."""
    for index in range(200):
        body = [b"{garbage", b"\xff\xfe", b"payload=%7Bx"][index % 3]
        status, _ = await _post_raw(slack, body, FORM, timestamp="abc", signature="v0=1")
        assert status in (400, 401)
    answer = await slack.command_json("add [공격 세션] 정상 메모")
    assert answer["response_type"] == "ephemeral"
    assert _stored_rows(slack.bot) > 0


# Socket Mode: the same payload shapes arrive in envelopes over the WebSocket.


def _socket_command(fake: FakeSlack, **overrides: Any) -> str:
    payload: dict[str, Any] = {**_command_form(), "response_url": fake.response_url()}
    payload.update(overrides)
    return fake.socket_send("slash_commands", payload)


_MALFORMED_ENVELOPES: list[tuple[str, Callable[[FakeSlack], str]]] = [
    ("channel id over 64 characters", lambda fake: _socket_command(fake, channel_id="C" * 65)),
    ("user id not text", lambda fake: _socket_command(fake, user_id=12345)),
    ("command text not text", lambda fake: _socket_command(fake, text=["add", SECRET_NOTE])),
    ("team not an object", lambda fake: fake.socket_send("events_api", {"team": 5, "event": {}})),
    ("payload a list", lambda fake: fake.socket_send("interactive", [SECRET_NOTE])),
]


@pytest.mark.asyncio
async def test_a_malformed_envelope_is_acknowledged_unanswered_and_the_link_keeps_working(
    socket_mode: FakeSlack, bot: MemoBot, caplog: pytest.LogCaptureFixture
) -> None:
    for case, send in _MALFORMED_ENVELOPES:
        caplog.clear()
        with caplog.at_level(logging.INFO):
            envelope_id = send(socket_mode)
            ack = await socket_mode.async_wait_for_ack(envelope_id)

        assert "payload" not in ack, f"{case}: acknowledged (no redelivery), nothing answered"
        assert _stored_rows(bot) == 0, case
        _assert_refused_quietly(caplog, case)
    envelope_id = _socket_command(socket_mode)
    answer = (await socket_mode.async_wait_for_ack(envelope_id))["payload"]
    assert answer["response_type"] == "ephemeral", "the link still answers"


@pytest.mark.asyncio
async def test_a_frame_that_is_no_envelope_does_not_break_the_link(
    socket_mode: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    for frame in ("{garbage", "\ufffd\ufffd", "[1, 2]", '{"type": "x"}'):
        caplog.clear()
        with caplog.at_level(logging.INFO):
            socket_mode.socket_send_raw(frame)
            envelope_id = _socket_command(socket_mode)
            answer = (await socket_mode.async_wait_for_ack(envelope_id))["payload"]

        assert answer["response_type"] == "ephemeral", frame
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR], frame
