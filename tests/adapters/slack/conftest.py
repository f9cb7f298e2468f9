"""The Slack adapter under test: the real Bolt app on a loopback HTTP port, the fake Slack
(tests/fakes/slack.py) behind it, and a client that signs requests like Slack does."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest_asyncio
from slack_sdk.signature import SignatureVerifier

from adapters.slack import SlackConfig, build_app
from adapters.slack.server import HttpServer, SocketModeLink, web_app
from bot.core import MemoBot
from tests.fakes.slack import FakeSlack, fake_slack  # noqa: F401

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
        signature: str | None = None,
    ) -> tuple[int, str]:
        """`/memo <text>` as Slack posts it: form-encoded, with &, < and > escaped."""
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        form = {
            "token": "legacy-verification-token",
            "team_id": team,
            "team_domain": "team",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user.id,
            "user_name": user.name,
            "command": "/memo",
            "text": escaped,
            "api_app_id": "A0FAKE",
            "response_url": self.fake.response_url(),
            "trigger_id": trigger_id or f"trigger-{uuid.uuid4().hex}",
        }
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
        return answer

    async def interactive(self, payload: dict[str, Any]) -> tuple[int, str]:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.post("/slack/events", body, "application/x-www-form-urlencoded")

    async def event(self, event: dict[str, Any], *, team: str = TEAM) -> tuple[int, str]:
        envelope = {
            "token": "legacy-verification-token",
            "team_id": team,
            "api_app_id": "A0FAKE",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10]}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}],
        }
        return await self.post("/slack/events", json.dumps(envelope).encode(), "application/json")


def block_text(answer: dict[str, Any]) -> str:
    """Everything a person reads in a message or view: the text of its blocks."""
    texts = []
    for block in answer.get("blocks") or []:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts.extend(element.get("text", "") for element in block.get("elements", []))
    return "\n".join(texts)


def bolt_config(fake: FakeSlack, **overrides: Any) -> SlackConfig:
    settings: dict[str, Any] = {
        "api_base_url": fake.base_url,
        "bot_token": BOT_TOKEN,
        "signing_secret": SIGNING_SECRET,
        **overrides,
    }
    return SlackConfig(**settings)


@pytest_asyncio.fixture
async def slack(fake_slack: FakeSlack, bot: MemoBot) -> AsyncIterator[Slack]:  # noqa: F811
    """One workspace (T1) with a bot token; alice and bob are members, admin is an admin."""
    fake_slack.add_workspace(TEAM, BOT_TOKEN, admins={ADMIN.id})
    for person in (ALICE, BOB, ADMIN):
        fake_slack.name_user(person.id, person.name.capitalize())
    app = build_app(bot, bolt_config(fake_slack), bot.database.engine)
    server = HttpServer(web_app(app, SIGNING_SECRET), "127.0.0.1", 0)
    port = await server.start()
    async with aiohttp.ClientSession() as session:
        yield Slack(f"http://127.0.0.1:{port}", session, fake_slack, bot)
    await server.stop()


@pytest_asyncio.fixture
async def socket_mode(fake_slack: FakeSlack, bot: MemoBot) -> AsyncIterator[FakeSlack]:  # noqa: F811
    """The same workspace over Socket Mode: the bot connected to the fake's WebSocket."""
    fake_slack.add_workspace(TEAM, BOT_TOKEN)
    fake_slack.name_user(ALICE.id, "Alice")
    config = bolt_config(fake_slack, signing_secret=None, app_token=APP_TOKEN)
    link = SocketModeLink(build_app(bot, config, bot.database.engine), APP_TOKEN)
    await link.start()
    await fake_slack.async_socket_connected()
    yield fake_slack
    await link.stop()
