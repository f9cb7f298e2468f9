"""A loopback OpenAI-compatible chat-completions endpoint that answers what the test scripts.

It records every request (body and headers) and answers with the next scripted
reply: a completion whose message content is given, a raw body with any HTTP
status, or no answer at all until the test ends (to make the client time out).
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web

from tests.fakes.loopback import LoopbackServer
from tests.fakes.slack import PROXY_VARIABLES

MODEL = "fake-model"
API_KEY = "sk-test-never-log-me"


@dataclass(frozen=True, slots=True)
class Request:
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def prompt(self) -> str:
        return "\n".join(message["content"] for message in self.body["messages"])


@dataclass(frozen=True, slots=True)
class _Scripted:
    status: int
    body: str
    #: Answer nothing until the fake stops.
    hang: bool = False


class FakeOpenAI(LoopbackServer[Request]):
    label = "fake OpenAI"

    def __init__(self) -> None:
        super().__init__()
        self._script: deque[_Scripted] = deque()
        self._released = asyncio.Event()

    def _add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/chat/completions", self._completions)

    @staticmethod
    def _call_name(call: Request) -> str:
        return "chat.completions"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/v1"

    def complete_with(self, content: str) -> None:
        """Answer the next request with a completion whose message is ``content``."""
        completion = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": MODEL,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
        }
        self.respond_with(200, json.dumps(completion))

    def complete_with_points(self, *points: tuple[str, list[int]]) -> None:
        self.complete_with(
            json.dumps({"points": [{"text": text, "memos": memos} for text, memos in points]})
        )

    def respond_with(self, status: int, body: str) -> None:
        with self._condition:
            self._script.append(_Scripted(status, body))

    def hang_next(self) -> None:
        """Leave the next request unanswered until the fake stops."""
        with self._condition:
            self._script.append(_Scripted(0, "", hang=True))

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._released.set)
        super().stop()

    async def _completions(self, request: web.Request) -> web.Response:
        body = await request.json()
        headers = {name.lower(): value for name, value in request.headers.items()}
        with self._condition:
            self._calls.append(Request(body, headers))
            self._condition.notify_all()
            scripted = self._script.popleft() if self._script else _Scripted(500, "{}")
        if scripted.hang:
            await self._released.wait()
        return web.Response(
            status=scripted.status, text=scripted.body, content_type="application/json"
        )


@pytest.fixture
def fake_openai(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    """A started FakeOpenAI (proxies cleared: urllib would send loopback requests to them)."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with FakeOpenAI() as fake:
        yield fake
