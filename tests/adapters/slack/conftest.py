"""The Slack adapter under test: the real Bolt app on a loopback HTTP port, the fake Slack
(tests/fakes/slack.py) behind it, and a client that signs requests like Slack does."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest_asyncio
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier

from adapters.slack import SlackConfig, build_app
from adapters.slack.outbound import SlackOutbound
from adapters.slack.server import HttpServer, SocketModeLink, web_app
from adapters.slack.views import FILE_ACTION, FILE_BLOCK, PICK_ACTION, PICK_BLOCK
from bot.announcing import Announcer
from bot.core import MemoBot
from tests.fakes.slack import (  # noqa: F401
    PINGING_ELEMENTS,
    Call,
    FakeSlack,
    fake_slack,
    payload_errors,
    rich_elements,
    shown_text,
    styled_texts,
)

SIGNING_SECRET = "test-signing-secret"
TEAM = "T1"
BOT_TOKEN = "xoxb-team-one"
APP_TOKEN = "xapp-1-A0FAKE-test"


@dataclass
class SlackUser:
    id: str
    name: str


ALICE = SlackUser("UALICE", "alice")
BOB = SlackUser("UBOB", "bob")
ADMIN = SlackUser("UADMIN", "admin")


def command_payload(
    text: str,
    *,
    ids: dict[str, Any],
    response_url: str,
    user: SlackUser = ALICE,
    channel: str = "C1",
    trigger_id: str | None = None,
) -> dict[str, Any]:
    """A `/memo` slash command as Slack sends it (``text`` already escaped); ``ids`` are the
    team's as ``FakeSlack.request_ids`` gives them."""
    return {
        "token": "legacy-verification-token",
        **ids,
        "team_domain": "team",
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user.id,
        "user_name": user.name,
        "command": "/memo",
        "text": text,
        "api_app_id": "A0FAKE",
        "response_url": response_url,
        "trigger_id": trigger_id or f"trigger-{uuid.uuid4().hex}",
    }


@dataclass
class Slack:
    """Sends what Slack would send to the bot, signed, and returns what the bot answered."""

    base_url: str
    session: aiohttp.ClientSession
    fake: FakeSlack
    bot: MemoBot
    signer: SignatureVerifier = field(default_factory=lambda: SignatureVerifier(SIGNING_SECRET))

    async def post(
        self,
        path: str,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        signed = signature or self.signer.generate_signature(timestamp=stamp, body=body)
        async with self.session.post(
            self.base_url + path,
            data=body,
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signed,
                **(headers or {}),
            },
        ) as response:
            return response.status, await response.text()

    async def command(
        self,
        text: str,
        *,
        user: SlackUser = ALICE,
        channel: str = "C1",
        team: str = TEAM,
        trigger_id: str | None = None,
        response_url: str | None = None,
        signature: str | None = None,
    ) -> tuple[int, str]:
        """`/memo <text>` as Slack posts it: form-encoded, with &, < and > escaped, and the
        team's Enterprise Grid ids (``enterprise_id``, ``is_enterprise_install``) as the fake
        knows them. The same ``trigger_id`` and ``response_url`` again make it the same
        request again."""
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        ids = self.fake.request_ids(team)
        form = command_payload(
            escaped,
            ids={**ids, "is_enterprise_install": str(ids["is_enterprise_install"]).lower()},
            response_url=response_url or self.fake.response_url(),
            user=user,
            channel=channel,
            trigger_id=trigger_id,
        )
        return await self.post(
            "/slack/events",
            urlencode(form).encode(),
            "application/x-www-form-urlencoded",
            signature=signature,
        )

    async def command_json(self, text: str, **kwargs: Any) -> dict[str, Any]:
        status, body = await self.command(text, **kwargs)
        assert status == 200, body
        answer: dict[str, Any] = json.loads(body)
        assert not payload_errors(answer), payload_errors(answer)
        return answer

    async def interactive(self, payload: dict[str, Any]) -> tuple[int, str]:
        """An interaction's payload, signed; the answer's blocks must be ones Slack takes."""
        body = urlencode({"payload": json.dumps(payload)}).encode()
        status, answer = await self.post("/slack/events", body, "application/x-www-form-urlencoded")
        if status == 200 and answer.startswith("{"):
            errors = payload_errors(json.loads(answer))
            assert not errors, errors
        return status, answer

    async def save_as_memo(self, text: str, ts: str = "1727222400.000100") -> dict[str, Any]:
        """The "Save as memo" shortcut on bob's message ``text`` in C1; the form it opens."""
        opened = len(self.fake.calls_to("views.open"))
        status, _ = await self.interactive(
            {
                "type": "message_action",
                "callback_id": "save_as_memo",
                "trigger_id": "trigger-shortcut",
                "team": {"id": TEAM, "domain": "team"},
                "user": {"id": ALICE.id, "name": ALICE.name, "team_id": TEAM},
                "channel": {"id": "C1", "name": "general"},
                "message": {"type": "message", "user": "UBOB", "ts": ts, "text": text},
                "message_ts": ts,
                "response_url": self.fake.response_url(),
            }
        )
        assert status == 200
        view: dict[str, Any] = (await self.fake.async_wait_for("views.open", opened + 1))[
            -1
        ].params["view"]
        return view

    async def suggest(
        self, view: dict[str, Any], typed: str, *, user: SlackUser = ALICE, team: str = TEAM
    ) -> tuple[int, str]:
        """What Slack sends while ``typed`` is typed into the add-memo modal's session select."""
        return await self.interactive(
            {
                "type": "block_suggestion",
                "user": {"id": user.id, "name": user.name, "team_id": team},
                "team": {"id": team, "domain": "team"},
                "api_app_id": "A0FAKE",
                "action_id": PICK_ACTION,
                "block_id": PICK_BLOCK,
                "value": typed,
                "view": view,
            }
        )

    async def event(self, event: dict[str, Any], *, team: str = TEAM) -> tuple[int, str]:
        return await self.send_event(self.fake.event_callback(event, team))

    async def send_event(self, envelope: dict[str, Any]) -> tuple[int, str]:
        """An Events API envelope (``FakeSlack.event_callback``, ``uninstall`` ...), signed."""
        return await self.post("/slack/events", json.dumps(envelope).encode(), "application/json")


def posts_of(fake: FakeSlack, what: str) -> list[Call]:
    """The bot's ``chat.postMessage`` calls of one kind ("digest", "memo"), by their metadata."""
    return [
        call
        for call in fake.calls_to("chat.postMessage")
        if (call.params.get("metadata") or {}).get("event_type") == f"memo_bot_{what}"
    ]


def block_text(answer: dict[str, Any]) -> str:
    """Everything a person reads in a message or view: the text of its blocks."""
    return shown_text(slack_blocks(answer))


def bold_text(answer: dict[str, Any]) -> list[str]:
    """The parts of a message or view shown in bold, in order."""
    return styled_texts(slack_blocks(answer), "bold")


def code_text(answer: dict[str, Any]) -> list[str]:
    """The parts of a message or view shown as code, in order."""
    return styled_texts(slack_blocks(answer), "code")


def slack_blocks(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The blocks of a message, or of the view a payload carries."""
    blocks = payload.get("blocks")
    if blocks is None and isinstance(payload.get("view"), dict):
        blocks = payload["view"].get("blocks")
    return list(blocks or [])


def _runs(blocks: list[dict[str, Any]]) -> list[str]:
    """Texts Slack shows in one piece: consecutive text elements of one style, plain texts."""
    runs: list[str] = []
    last_style: object = None
    for element in rich_elements(blocks):
        if element["type"] == "text" and runs and element.get("style") == last_style:
            runs[-1] += element["text"]
        else:
            runs.append(element.get("text", "") if element["type"] in ("text", "link") else "")
        last_style = element.get("style") if element["type"] == "text" else object()
    for block in blocks:
        texts = [block.get("text"), *block.get("elements", [])]
        runs.extend(
            t["text"] for t in texts if isinstance(t, dict) and t.get("type") == "plain_text"
        )
    return runs


def _mrkdwn_strings(payload: Any) -> Iterator[str]:
    """Every string of ``payload`` that Slack parses as mrkdwn (and for mentions)."""
    if isinstance(payload, dict):
        if payload.get("type") == "mrkdwn":
            yield str(payload.get("text", ""))
        for key, value in payload.items():
            if key != "text" or isinstance(value, (dict, list)):
                yield from _mrkdwn_strings(value)
    elif isinstance(payload, list):
        for item in payload:
            yield from _mrkdwn_strings(item)


def assert_slack_shows_literally(
    payload: dict[str, Any], *typed: str, own_links: tuple[str, ...] = ()
) -> None:
    """Each of ``typed`` is shown as written, and nothing in ``payload`` pings or hides a link.

    User text must be in ``text`` elements (or ``plain_text``), never in a string Slack
    parses as mrkdwn; the notification ``text`` is sent with ``mrkdwn: false`` and its
    ``<`` escaped. The only links are ``own_links``, the bot's own.
    """
    assert not payload_errors(payload), payload_errors(payload)
    blocks = slack_blocks(payload)
    runs = _runs(blocks)
    for text in typed:
        assert any(text in run for run in runs), f"{text!r} not shown as written in {runs}"
    for mrkdwn in _mrkdwn_strings(payload):
        for text in typed:
            escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            assert text not in mrkdwn and escaped not in mrkdwn, f"user text in mrkdwn: {mrkdwn!r}"
    for element in rich_elements(blocks):
        assert element["type"] not in PINGING_ELEMENTS, element
        assert element["type"] != "link" or element["url"] in own_links, element
    if "text" in payload and "blocks" in payload:
        assert payload.get("mrkdwn") is False, "the notification text is not read as mrkdwn"
        assert "<" not in payload["text"], "no mention or link can hide in the notification text"


async def open_import_form(slack: Slack, user: SlackUser = ALICE) -> dict[str, Any]:
    """``/memo import``: the form Slack is asked to open, checked to be the upload form."""
    opened = len(slack.fake.calls_to("views.open"))
    status, body = await slack.command("import", user=user)
    assert status == 200
    assert body in ("", "{}"), "no visible answer: the form opens"
    call = (await slack.fake.async_wait_for("views.open", opened + 1))[-1]
    view: dict[str, Any] = call.params["view"]
    assert view["callback_id"] == "memo_import"
    (block,) = view["blocks"]
    assert block["element"]["type"] == "file_input"
    return view


def view_submission(
    view: dict[str, Any], values: dict[str, Any], user: SlackUser, view_id: str
) -> dict[str, Any]:
    """The view_submission payload Slack sends when a modal is submitted with ``values``."""
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "team"},
        "user": {"id": user.id, "username": user.name, "name": user.name, "team_id": TEAM},
        "api_app_id": "A0FAKE",
        "token": "legacy-verification-token",
        "trigger_id": "trigger-submit",
        "view": {**view, "id": view_id, "team_id": TEAM, "state": {"values": values}},
        "response_urls": [],
    }


def new_view_id() -> str:
    """An id as Slack gives each view it opens: a copy of a submission has the same one,
    another person's form never does (the core tells copies of a request by it)."""
    return f"V{uuid.uuid4().hex[:10].upper()}"


def import_submission(
    view: dict[str, Any],
    files: list[dict[str, Any]],
    user: SlackUser = ALICE,
    view_id: str | None = None,
) -> dict[str, Any]:
    """The view_submission Slack sends when the form's Import is pressed with a file."""
    values = {FILE_BLOCK: {FILE_ACTION: {"type": "file_input", "files": files}}}
    return view_submission(view, values, user, view_id or new_view_id())


async def upload_note_file(
    slack: Slack, name: str, content: bytes, user: SlackUser = ALICE, **serving: Any
) -> str:
    """Upload ``content`` through the form as ``user``; the private answer that follows.

    ``serving`` tells the fake how Slack hands the file out (``FakeSlack.add_file``).
    """
    view = await open_import_form(slack, user)
    file = slack.fake.add_file(TEAM, name, content, **serving)
    answered = len(slack.fake.calls_to("response_url"))
    status, body = await slack.interactive(import_submission(view, [file], user))
    assert status == 200 and body in ("", "{}"), "the form closes at once"
    answer = (await slack.fake.async_wait_for("response_url", answered + 1))[-1]
    assert answer.params["response_type"] == "ephemeral"
    return block_text(answer.params) or str(answer.params.get("text"))


def bolt_config(fake: FakeSlack, **overrides: Any) -> SlackConfig:
    settings: dict[str, Any] = {
        "api_base_url": fake.base_url,
        "bot_token": BOT_TOKEN,
        "signing_secret": SIGNING_SECRET,
        **overrides,
    }
    return SlackConfig(**settings)


@asynccontextmanager
async def announcing(bot: MemoBot, app: AsyncApp) -> AsyncIterator[Announcer]:
    """The outbox's worker posting through ``app``, as ``memo-bot run`` runs it beside Bolt:
    memos' announcements reach the fake's channels."""
    announcer = Announcer(bot.database, {"slack": SlackOutbound(app)}, bot)
    await announcer.start()
    try:
        yield announcer
    finally:
        await announcer.stop()


@pytest_asyncio.fixture
async def slack(fake_slack: FakeSlack, bot: MemoBot) -> AsyncIterator[Slack]:  # noqa: F811
    """One workspace (T1) with a bot token; alice and bob are members, admin is an admin."""
    fake_slack.add_workspace(TEAM, BOT_TOKEN, admins={ADMIN.id})
    for person in (ALICE, BOB, ADMIN):
        fake_slack.name_user(person.id, person.name.capitalize())
    app = build_app(bot, bolt_config(fake_slack), bot.database.engine)
    server = HttpServer(web_app(app, SIGNING_SECRET), "127.0.0.1", 0)
    port = await server.start()
    async with announcing(bot, app), aiohttp.ClientSession() as session:
        yield Slack(f"http://127.0.0.1:{port}", session, fake_slack, bot)
    await server.stop()


@pytest_asyncio.fixture
async def socket_mode(fake_slack: FakeSlack, bot: MemoBot) -> AsyncIterator[FakeSlack]:  # noqa: F811
    """The same workspace over Socket Mode: the bot connected to the fake's WebSocket."""
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    fake_slack.name_user(ALICE.id, "Alice")
    config = bolt_config(fake_slack, signing_secret=None, app_token=APP_TOKEN)
    app = build_app(bot, config, bot.database.engine)
    link = SocketModeLink(app, APP_TOKEN)
    await link.start()
    async with announcing(bot, app):
        await fake_slack.async_socket_connected()
        yield fake_slack
    await link.stop()
