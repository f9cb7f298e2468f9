"""A loopback Slack for tests: Web API, ``response_url``s and Socket Mode, recording every request.

The real slack_sdk / slack_bolt clients are pointed at it (``base_url=fake.base_url``), so adapter
tests exercise the same HTTP and WebSocket code paths as production without a network or a
workspace. Messages the bot posts stay in their channel's history, with their message metadata,
for ``conversations.history`` (newest first, ``oldest``/``latest``/``inclusive``, ``limit`` and
``cursor`` paging, metadata only with ``include_all_metadata``, and only in channels the bot is
a member of), as Slack documents it: like Slack's, that history holds only top-level messages (a
thread's parent with its ``reply_count``), and a thread's replies come from
``conversations.replies`` (oldest first, the same paging). A message's ``ts`` is the fake's
clock (``set_time``).

The server runs on its own thread and event loop: sync tests can block on it, and async tests can
run the bot on their own loop while the fake keeps answering.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp import WSMsgType, web

from tests.fakes.loopback import LoopbackServer

JsonDict = dict[str, Any]

APP_ID = "A0FAKE"
HELLO: JsonDict = {
    "type": "hello",
    "num_connections": 1,
    "debug_info": {"host": "fake", "approximate_connection_time": 18060},
    "connection_info": {"app_id": APP_ID},
}
FIRST_TS_SECONDS = 1727222400
#: conversations.history's ``limit``: Slack's default and its documented maximum.
HISTORY_DEFAULT_LIMIT = 100
HISTORY_MAX_LIMIT = 999
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")


@dataclass(frozen=True)
class Call:
    """One request the fake received, as the assertions of a test want to see it.

    ``method`` is the Web API method ("chat.postMessage") or "response_url". ``params`` merges the
    query string, form and JSON bodies, with JSON text in form fields (``blocks``, ``view``)
    decoded. ``headers`` has lower-case names, so lookups do not depend on the client's spelling.
    """

    method: str
    token: str | None
    params: dict[str, Any]
    headers: dict[str, str]


@dataclass(frozen=True)
class UploadedFile:
    """A file a client uploaded (files.getUploadURLExternal, the POST, completeUploadExternal)."""

    file_id: str
    filename: str
    content: bytes
    #: Where files.completeUploadExternal shared it; None until it was completed.
    channel_id: str | None
    title: str | None
    initial_comment: str | None


@dataclass(frozen=True)
class _StoredFile:
    """A file someone uploaded, and how the fake's "network" hands it out."""

    team_id: str
    content: bytes
    #: Sent in pieces of this many bytes, each flushed, ``pause`` seconds apart (None: at once).
    chunk_size: int | None
    pause: float
    #: Whether the answer declares its length (``Content-Length``) or is sent chunked.
    declares_length: bool
    #: The connection drops after this many bytes of the body (None: it arrives whole).
    cut_after: int | None


@dataclass(frozen=True)
class Workspace:
    """An installation the fake knows, found by its bot token: one workspace's, or a whole org's.

    An org-wide install (``is_enterprise_install``, Enterprise Grid) is no single workspace:
    like Slack, auth.test reports the enterprise's id as its ``team_id``, and its token acts in
    every workspace of the org the install covers (``FakeSlack.covers``).
    """

    team_id: str
    team_name: str
    bot_token: str
    bot_user_id: str
    admins: frozenset[str]
    owners: frozenset[str]
    enterprise_id: str | None = None
    enterprise_name: str | None = None
    is_enterprise_install: bool = False

    @property
    def bot_id(self) -> str:
        return f"B{self.team_id}"


@dataclass(frozen=True)
class _Grant:
    """What ``oauth.v2.access`` hands out for one registered code (once: codes are single-use)."""

    workspace: Workspace
    installer_user_id: str
    scopes: str


@dataclass(frozen=True)
class _Failure:
    """An injected answer that replaces the normal one for a single call."""

    status: int
    body: JsonDict
    headers: dict[str, str]


class _SlackError(Exception):
    """Raised by a method handler for an ``{"ok": false, "error": ...}`` answer with HTTP 200."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def _decode(value: Any) -> Any:
    """Decode JSON text that slack_sdk puts in form fields, so tests compare objects, not text."""
    if isinstance(value, str) and value.startswith(("{", "[")):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def _params(request: web.Request) -> dict[str, Any]:
    """Query string, form body and JSON body of a request, merged the way Slack reads them."""
    params: dict[str, Any] = {key: _decode(value) for key, value in request.query.items()}
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        params.update({key: _decode(value) for key, value in form.items()})
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme == "Basic":
        # oauth.v2.access: slack_sdk sends the client credentials as basic auth, not in the body.
        # Decoded by hand: aiohttp 3.14 deprecates BasicAuth, and the tests turn warnings to errors.
        client_id, _, client_secret = base64.b64decode(credentials).decode().partition(":")
        params.setdefault("client_id", client_id)
        params.setdefault("client_secret", client_secret)
    return params


def _token(request: web.Request, params: dict[str, Any]) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme == "Bearer" and value:
        return value
    token = params.get("token")
    return token if isinstance(token, str) else None


def _truthy(value: Any) -> bool:
    """A boolean argument as Slack reads it: ``true`` or ``1`` (slack_sdk sends ``1``)."""
    return str(value).lower() in ("1", "true")


def _json(body: JsonDict, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """Slack answers ``application/json; charset=utf-8``; aiohttp's json_response does the same."""
    return web.json_response(body, status=status, headers=headers)


# Block Kit as Slack documents it (docs.slack.dev/reference/block-kit): what the fake accepts.

_TEXT_STYLES = frozenset(
    {"bold", "italic", "strike", "code", "underline", "highlight", "client_highlight", "unlink"}
)
_LINK_STYLES = frozenset({"bold", "italic", "strike", "code"})
#: Rich text elements: required fields, optional fields.
_INLINE_ELEMENTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "text": (frozenset({"text"}), frozenset({"style"})),
    "link": (frozenset({"url"}), frozenset({"text", "unsafe", "style"})),
    "emoji": (frozenset({"name"}), frozenset({"unicode", "skin_tone", "style"})),
    "channel": (frozenset({"channel_id"}), frozenset({"style"})),
    "user": (frozenset({"user_id"}), frozenset({"style"})),
    "usergroup": (frozenset({"usergroup_id"}), frozenset({"style"})),
    "broadcast": (frozenset({"range"}), frozenset({"style"})),
    "date": (frozenset({"timestamp", "format"}), frozenset({"url", "fallback"})),
    "color": (frozenset({"value"}), frozenset()),
}
#: Elements that notify people: a reply of ours must never contain one.
PINGING_ELEMENTS = frozenset({"user", "usergroup", "broadcast"})


class _Invalid(Exception):
    """A block Slack would refuse, with the path to the offending part."""


def _fields(obj: Any, path: str, required: set[str], optional: set[str]) -> None:
    if not isinstance(obj, dict):
        raise _Invalid(f"{path}: not an object")
    missing = required - obj.keys()
    if missing:
        raise _Invalid(f"{path}: missing {sorted(missing)}")
    unknown = obj.keys() - required - optional
    if unknown:
        raise _Invalid(f"{path}: unknown fields {sorted(unknown)}")


def _text_object(obj: Any, path: str, *, plain_only: bool = False, limit: int = 3000) -> None:
    _fields(obj, path, {"type", "text"}, {"emoji", "verbatim"})
    kind = obj["type"]
    if kind not in ("plain_text", "mrkdwn") or (plain_only and kind != "plain_text"):
        raise _Invalid(f"{path}: text object of type {kind!r}")
    if not isinstance(obj["text"], str) or not 1 <= len(obj["text"]) <= limit:
        raise _Invalid(f"{path}: text must be 1 to {limit} characters")
    if (kind == "plain_text" and "verbatim" in obj) or (kind == "mrkdwn" and "emoji" in obj):
        raise _Invalid(f"{path}: field not allowed for {kind}")


def _style(style: Any, path: str, allowed: frozenset[str]) -> None:
    if not isinstance(style, dict) or not style.keys() <= allowed:
        raise _Invalid(f"{path}: style must be an object of {sorted(allowed)}")
    if not all(isinstance(value, bool) for value in style.values()):
        raise _Invalid(f"{path}: style values must be booleans")


def _inline(element: Any, path: str, allowed: frozenset[str] | None = None) -> None:
    kind = element.get("type") if isinstance(element, dict) else None
    if kind not in _INLINE_ELEMENTS or (allowed is not None and kind not in allowed):
        raise _Invalid(f"{path}: rich text element of type {kind!r}")
    required, optional = _INLINE_ELEMENTS[kind]
    _fields(element, path, {"type", *required}, set(optional))
    for name in required:
        if not isinstance(element[name], str) or not element[name]:
            raise _Invalid(f"{path}: {name} must be non-empty text")
    if "text" in element and (not isinstance(element["text"], str) or not element["text"]):
        raise _Invalid(f"{path}: text must be non-empty text")
    if "style" in element:
        _style(element["style"], path, _LINK_STYLES if kind == "link" else _TEXT_STYLES)


def _inline_list(elements: Any, path: str, allowed: frozenset[str] | None = None) -> None:
    if not isinstance(elements, list):
        raise _Invalid(f"{path}: elements must be a list")
    for index, element in enumerate(elements):
        _inline(element, f"{path}[{index}]", allowed)


def _border(obj: dict[str, Any], path: str) -> None:
    if "border" in obj and obj["border"] not in (0, 1):
        raise _Invalid(f"{path}: border must be 0 or 1")


def _rich_text_object(obj: Any, path: str) -> None:
    kind = obj.get("type") if isinstance(obj, dict) else None
    if kind == "rich_text_section":
        _fields(obj, path, {"type", "elements"}, set())
        _inline_list(obj["elements"], f"{path}.elements")
    elif kind == "rich_text_quote":
        _fields(obj, path, {"type", "elements"}, {"border"})
        _inline_list(obj["elements"], f"{path}.elements")
        _border(obj, path)
    elif kind == "rich_text_preformatted":
        _fields(obj, path, {"type", "elements"}, {"border", "language"})
        _inline_list(obj["elements"], f"{path}.elements", frozenset({"text", "link"}))
        _border(obj, path)
    elif kind == "rich_text_list":
        _fields(obj, path, {"type", "style", "elements"}, {"indent", "offset", "border"})
        if obj["style"] not in ("bullet", "ordered"):
            raise _Invalid(f"{path}: style must be bullet or ordered")
        if not isinstance(obj["elements"], list) or not obj["elements"]:
            raise _Invalid(f"{path}: a list needs items")
        for index, item in enumerate(obj["elements"]):
            if not isinstance(item, dict) or item.get("type") != "rich_text_section":
                raise _Invalid(f"{path}.elements[{index}]: list items are rich_text_section")
            _rich_text_object(item, f"{path}.elements[{index}]")
        for name, low, high in (("indent", 0, 8), ("offset", 0, 10**6)):
            if name in obj and (not isinstance(obj[name], int) or not low <= obj[name] <= high):
                raise _Invalid(f"{path}: {name} must be a number from {low} to {high}")
        _border(obj, path)
    else:
        raise _Invalid(f"{path}: rich text object of type {kind!r}")


def _block(block: Any, path: str) -> None:
    kind = block.get("type") if isinstance(block, dict) else None
    if kind == "rich_text":
        _fields(block, path, {"type", "elements"}, {"block_id"})
        if not isinstance(block["elements"], list) or not block["elements"]:
            raise _Invalid(f"{path}: rich_text needs elements")
        for index, obj in enumerate(block["elements"]):
            _rich_text_object(obj, f"{path}.elements[{index}]")
    elif kind == "section":
        _fields(block, path, {"type"}, {"text", "fields", "accessory", "block_id", "expand"})
        if "text" in block:
            _text_object(block["text"], f"{path}.text")
        elif not block.get("fields"):
            raise _Invalid(f"{path}: a section needs text or fields")
    elif kind == "context":
        _fields(block, path, {"type", "elements"}, {"block_id"})
        if not isinstance(block["elements"], list) or not 1 <= len(block["elements"]) <= 10:
            raise _Invalid(f"{path}: a context holds 1 to 10 elements")
        for index, element in enumerate(block["elements"]):
            _text_object(element, f"{path}.elements[{index}]")
    elif kind == "header":
        _fields(block, path, {"type", "text"}, {"block_id"})
        _text_object(block["text"], f"{path}.text", plain_only=True, limit=150)
    elif kind == "divider":
        _fields(block, path, {"type"}, {"block_id"})
    elif kind == "actions":
        _fields(block, path, {"type", "elements"}, {"block_id"})
        if not isinstance(block["elements"], list) or not 1 <= len(block["elements"]) <= 25:
            raise _Invalid(f"{path}: an actions block holds 1 to 25 elements")
        for index, element in enumerate(block["elements"]):
            _button(element, f"{path}.elements[{index}]")
    elif kind == "input":
        _fields(
            block,
            path,
            {"type", "label", "element"},
            {"block_id", "hint", "optional", "dispatch_action"},
        )
        _text_object(block["label"], f"{path}.label", plain_only=True, limit=2000)
        if not isinstance(block["element"], dict) or "type" not in block["element"]:
            raise _Invalid(f"{path}: an input needs an element")
    else:
        raise _Invalid(f"{path}: block of type {kind!r}")


def _button(element: Any, path: str) -> None:
    """A button as Slack takes it: plain text of at most 75 characters, a unique-enough
    action id of at most 255, a value of at most 2,000."""
    if not isinstance(element, dict) or element.get("type") != "button":
        raise _Invalid(f"{path}: only buttons are modelled in actions blocks")
    _fields(element, path, {"type", "text", "action_id"}, {"value", "style", "url"})
    _text_object(element["text"], f"{path}.text", plain_only=True, limit=75)
    if not isinstance(element["action_id"], str) or not 0 < len(element["action_id"]) <= 255:
        raise _Invalid(f"{path}: action_id of 1 to 255 characters")
    if len(str(element.get("value", ""))) > 2000:
        raise _Invalid(f"{path}: value over 2000 characters")


def block_errors(blocks: Any, max_blocks: int = 50) -> list[str]:
    """Why Slack would refuse ``blocks`` (``invalid_blocks``); empty when it would take them."""
    if not isinstance(blocks, list):
        return ["blocks: not a list"]
    if len(blocks) > max_blocks:
        return [f"blocks: {len(blocks)} blocks, more than {max_blocks}"]
    errors = []
    for index, block in enumerate(blocks):
        try:
            _block(block, f"blocks[{index}]")
        except _Invalid as error:
            errors.append(str(error))
    return errors


def payload_errors(payload: Any) -> list[str]:
    """Why Slack would refuse a message or view payload's blocks (messages 50, views 100)."""
    if not isinstance(payload, dict):
        return []
    errors: list[str] = []
    if "blocks" in payload:
        errors += block_errors(payload["blocks"])
    view = payload.get("view")
    if isinstance(view, dict) and "blocks" in view:
        errors += block_errors(view["blocks"], max_blocks=100)
    return errors


def rich_elements(blocks: Any) -> Iterator[dict[str, Any]]:
    """Every inline element of every rich_text block, in order."""
    for block in blocks or []:
        if block.get("type") != "rich_text":
            continue
        for obj in block["elements"]:
            items = obj["elements"] if obj["type"] == "rich_text_list" else [obj]
            for item in items:
                yield from item["elements"]


def _element_shown(element: dict[str, Any]) -> str:
    kind = element["type"]
    if kind == "text":
        return str(element["text"])
    if kind == "link":
        return str(element.get("text") or element["url"])
    if kind == "emoji":
        return f":{element['name']}:"
    if kind == "channel":
        return f"#{element['channel_id']}"
    if kind == "user":
        return f"@{element['user_id']}"
    if kind == "broadcast":
        return f"@{element['range']}"
    return ""


def shown_text(blocks: Any) -> str:
    """What a person reads in ``blocks``, as plain text: list items as ``• `` or ``1. `` lines."""
    lines: list[str] = []
    for block in blocks or []:
        kind = block.get("type")
        if kind in ("section", "header") and "text" in block:
            lines.append(block["text"]["text"])
        elif kind == "context":
            lines.extend(element.get("text", "") for element in block["elements"])
        elif kind == "rich_text":
            for obj in block["elements"]:
                if obj["type"] != "rich_text_list":
                    lines.append("".join(_element_shown(e) for e in obj["elements"]))
                    continue
                number = obj.get("offset", 0)
                for item in obj["elements"]:
                    number += 1
                    marker = f"{number}. " if obj["style"] == "ordered" else "• "
                    indent = "   " * obj.get("indent", 0)
                    line = "".join(_element_shown(e) for e in item["elements"])
                    lines.append(indent + marker + line)
    return "\n".join(lines)


def styled_texts(blocks: Any, style: str) -> list[str]:
    """The texts shown with ``style`` ("bold", "italic", "code"), in order."""
    return [
        _element_shown(element)
        for element in rich_elements(blocks)
        if (element.get("style") or {}).get(style)
    ]


class FakeSlack(LoopbackServer[Call]):
    """The fake server (see the module docstring): ``with FakeSlack() as fake`` or the fixture."""

    label = "fake Slack"

    def __init__(self) -> None:
        super().__init__()
        self._acks: list[JsonDict] = []
        self._failures: dict[str, deque[_Failure]] = {}
        self._workspaces: dict[str, Workspace] = {}
        self._grants: dict[str, _Grant] = {}
        self._display_names: dict[str, str] = {}
        self._locales: dict[str, str] = {}
        # Enterprise Grid: the org of each workspace in one, and the org-wide installs' teams.
        self._team_enterprise: dict[str, str] = {}
        self._org_teams: dict[str, set[str]] = {}
        # Bot tokens of uninstalled apps and revoked tokens: refused with token_revoked.
        self._revoked: set[str] = set()
        self._event_counter = itertools.count(1)
        self._socket: web.WebSocketResponse | None = None
        self._socket_connections = 0
        # Socket Mode envelopes not acked yet, with the connection they were last sent on, and
        # every envelope sent (redeliveries too), in order.
        self._pending: dict[str, tuple[JsonDict, web.WebSocketResponse]] = {}
        self._deliveries: list[JsonDict] = []
        # Envelopes whose next ack is lost on the way (as when the connection dies under it).
        self._losing_acks: set[str] = set()
        self._lost_acks: list[JsonDict] = []
        # The TCP transport under each connection, to cut it without a close frame.
        self._transports: dict[web.WebSocketResponse, asyncio.BaseTransport] = {}
        # Files people uploaded (a modal's file_input), by file id.
        self._files: dict[str, _StoredFile] = {}
        # What the bot posted, by (team, channel), oldest first; channels the bot is not in.
        self._history: dict[tuple[str, str], list[JsonDict]] = {}
        self._outside: set[str] = set()
        # Channels where the bot must be a member to post: public (it may join) or private.
        self._members_only: dict[str, bool] = {}
        # Only the server thread touches these.
        self._ts_seconds = FIRST_TS_SECONDS
        self._ts_counter = itertools.count(100, 100)
        self._view_counter = itertools.count(1)
        self._file_counter = itertools.count(1)
        self._uploads: dict[str, UploadedFile] = {}
        self._methods: dict[str, Callable[[Call], JsonDict]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "views.open": self._view,
            "views.push": self._view,
            "views.update": self._view,
            "views.publish": self._view,
            "users.info": self._users_info,
            "oauth.v2.access": self._oauth_v2_access,
            "apps.connections.open": self._apps_connections_open,
            "conversations.open": self._conversations_open,
            "conversations.join": self._conversations_join,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }

    def _add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket-mode", self._socket_mode)
        app.router.add_get("/files-pri/{file_id}/{name}", self._file_download)

    # Configuration

    @property
    def base_url(self) -> str:
        """slack_sdk's ``base_url``: it urljoins the method name, so the trailing slash matters."""
        return f"http://127.0.0.1:{self._port}/api/"

    def add_workspace(
        self,
        team_id: str,
        bot_token: str,
        *,
        team_name: str = "Fake Team",
        bot_user_id: str = "UBOT",
        admins: frozenset[str] | set[str] = frozenset(),
        owners: frozenset[str] | set[str] = frozenset(),
        enterprise_id: str | None = None,
        enterprise_name: str = "Fake Org",
    ) -> Workspace:
        """Make ``bot_token`` valid for ``team_id``; users.info reports admins and owners.

        With ``enterprise_id`` the workspace is in that Enterprise Grid org (a workspace
        install inside an org): requests from it carry the ``enterprise_id``.
        """
        workspace = Workspace(
            team_id,
            team_name,
            bot_token,
            bot_user_id,
            frozenset(admins),
            frozenset(owners),
            enterprise_id=enterprise_id,
            enterprise_name=enterprise_name if enterprise_id else None,
        )
        with self._condition:
            self._workspaces[bot_token] = workspace
            self._revoked.discard(bot_token)
            if enterprise_id:
                self._team_enterprise[team_id] = enterprise_id
        return workspace

    def add_org_install(
        self,
        enterprise_id: str,
        bot_token: str,
        team_ids: Iterable[str],
        *,
        enterprise_name: str = "Fake Org",
        bot_user_id: str = "WBOT",
        admins: frozenset[str] | set[str] = frozenset(),
    ) -> Workspace:
        """An org-wide install of the app in ``enterprise_id``, granted to ``team_ids``.

        Requests from those workspaces carry ``enterprise_id`` and ``is_enterprise_install``;
        the token is valid in each of them.
        """
        workspace = Workspace(
            enterprise_id,
            enterprise_name,
            bot_token,
            bot_user_id,
            frozenset(admins),
            frozenset(),
            enterprise_id=enterprise_id,
            enterprise_name=enterprise_name,
            is_enterprise_install=True,
        )
        with self._condition:
            self._workspaces[bot_token] = workspace
            self._revoked.discard(bot_token)
            self._org_teams[enterprise_id] = set(team_ids)
            for team_id in team_ids:
                self._team_enterprise[team_id] = enterprise_id
        return workspace

    def add_oauth_code(
        self,
        code: str,
        team_id: str,
        bot_token: str,
        *,
        team_name: str = "Fake Team",
        installer_user_id: str = "UINSTALLER",
        scopes: str = "commands,chat:write,users:read",
        enterprise_id: str | None = None,
    ) -> None:
        """Let oauth.v2.access exchange ``code`` (once) for ``bot_token`` of ``team_id``."""
        workspace = self.add_workspace(
            team_id, bot_token, team_name=team_name, enterprise_id=enterprise_id
        )
        with self._condition:
            self._grants[code] = _Grant(workspace, installer_user_id, scopes)

    def add_org_oauth_code(
        self,
        code: str,
        enterprise_id: str,
        bot_token: str,
        team_ids: Iterable[str],
        *,
        enterprise_name: str = "Fake Org",
        installer_user_id: str = "WINSTALLER",
        scopes: str = "commands,chat:write,users:read",
    ) -> None:
        """Let oauth.v2.access exchange ``code`` (once) for an org-wide install's token."""
        workspace = self.add_org_install(
            enterprise_id, bot_token, team_ids, enterprise_name=enterprise_name
        )
        with self._condition:
            self._grants[code] = _Grant(workspace, installer_user_id, scopes)

    def request_ids(self, team_id: str) -> JsonDict:
        """The ids Slack puts in a request from a person in ``team_id``.

        A slash command carries them as form fields (``is_enterprise_install`` as
        "true"/"false"); ``enterprise_id`` is there only in an Enterprise Grid org, and
        ``is_enterprise_install`` is true when an org-wide install serves the workspace.
        """
        with self._condition:
            enterprise_id = self._team_enterprise.get(team_id)
            org_wide = team_id in self._org_teams.get(enterprise_id or "", set())
        ids: JsonDict = {"team_id": team_id, "is_enterprise_install": org_wide}
        if enterprise_id:
            ids["enterprise_id"] = enterprise_id
        return ids

    def interaction_ids(self, team_id: str) -> JsonDict:
        """The ids an interaction payload (a modal's submission, a shortcut) carries for a person
        in ``team_id``: ``team``, ``enterprise`` and ``is_enterprise_install``. With an org-wide
        install ``team`` is null (the workspace is then only in ``user.team_id``)."""
        ids = self.request_ids(team_id)
        enterprise_id = ids.get("enterprise_id")
        with self._condition:
            names = {w.enterprise_id: w.enterprise_name for w in self._workspaces.values()}
        enterprise = (
            {"id": enterprise_id, "name": names.get(enterprise_id)} if enterprise_id else None
        )
        team: JsonDict = {"id": team_id, "domain": team_id.lower()}
        if enterprise:
            team |= {"enterprise_id": enterprise["id"], "enterprise_name": enterprise["name"]}
        org_wide = ids["is_enterprise_install"]
        return {
            "team": None if org_wide else team,
            "enterprise": enterprise,
            "is_enterprise_install": org_wide,
        }

    def event_callback(self, event: JsonDict, team_id: str) -> JsonDict:
        """The Events API envelope of ``event`` in ``team_id``, with its ``authorizations``."""
        ids = self.request_ids(team_id)
        authorization = {**ids, "user_id": "UBOT", "is_bot": True}
        return self._envelope(event, team_id, ids.get("enterprise_id"), authorization)

    def uninstall(self, bot_token: str) -> list[JsonDict]:
        """Uninstall the app whose bot token this is: what Slack does and sends.

        The token is refused from now on (``token_revoked``), and the app is sent
        ``app_uninstalled`` and ``tokens_revoked`` (Slack does not promise their order).
        """
        workspace = self._revoke(bot_token)
        return [
            self._installation_event(workspace, {"type": "app_uninstalled"}),
            self._tokens_revoked(workspace),
        ]

    def revoke_bot_token(self, bot_token: str) -> JsonDict:
        """Revoke the bot token (the app stays installed): the ``tokens_revoked`` event."""
        return self._tokens_revoked(self._revoke(bot_token))

    def _revoke(self, bot_token: str) -> Workspace:
        with self._condition:
            self._revoked.add(bot_token)
            return self._workspaces[bot_token]

    def _tokens_revoked(self, workspace: Workspace) -> JsonDict:
        tokens = {"oauth": [], "bot": [workspace.bot_user_id]}
        return self._installation_event(workspace, {"type": "tokens_revoked", "tokens": tokens})

    def _installation_event(self, workspace: Workspace, event: JsonDict) -> JsonDict:
        """An event about an installation itself: an org-wide one names no workspace."""
        team_id = None if workspace.is_enterprise_install else workspace.team_id
        authorization = {
            "enterprise_id": workspace.enterprise_id,
            "team_id": team_id,
            "user_id": workspace.bot_user_id,
            "is_bot": True,
            "is_enterprise_install": workspace.is_enterprise_install,
        }
        return self._envelope(event, workspace.team_id, workspace.enterprise_id, authorization)

    def _envelope(
        self, event: JsonDict, team_id: str, enterprise_id: str | None, authorization: JsonDict
    ) -> JsonDict:
        envelope: JsonDict = {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{next(self._event_counter):08d}",
            "event_time": int(time.time()),
            "authorizations": [authorization],
        }
        if enterprise_id:
            envelope["enterprise_id"] = enterprise_id
        return envelope

    def covers(self, workspace: Workspace, team_id: str) -> bool:
        """Whether ``workspace``'s token may act in ``team_id`` (its own, or its org's)."""
        if workspace.is_enterprise_install:
            with self._condition:
                return team_id in self._org_teams.get(workspace.team_id, set())
        return workspace.team_id == team_id

    def add_file(
        self,
        team_id: str,
        name: str,
        content: bytes,
        *,
        size: int | None = None,
        chunk_size: int | None = None,
        pause: float = 0.0,
        declares_length: bool = True,
        cut_after: int | None = None,
    ) -> JsonDict:
        """A file someone uploaded in ``team_id``: its file object, as a file_input submits it.

        Like Slack, the fake serves it at ``url_private_download`` only to a request with
        a bot token of that workspace (``Authorization: Bearer``); each download is
        recorded as a call named "files.download". A slow network sends the body in
        ``chunk_size`` pieces ``pause`` seconds apart; ``declares_length=False`` sends it
        chunked, without ``Content-Length``; ``cut_after`` drops the connection after so
        many bytes. ``size`` is what the file object says (default: the real size).
        """
        file_id = f"F{uuid.uuid4().hex[:10].upper()}"
        stored = _StoredFile(team_id, content, chunk_size, pause, declares_length, cut_after)
        with self._condition:
            self._files[file_id] = stored
        # Slack percent-encodes the name in the URL, whatever characters it has.
        url = f"http://127.0.0.1:{self._port}/files-pri/{team_id}-{file_id}/{quote(name, safe='')}"
        return {
            "id": file_id,
            "name": name,
            "title": name,
            "mimetype": "text/plain",
            "filetype": "text",
            "size": len(content) if size is None else size,
            "url_private": url,
            "url_private_download": url,
        }

    def name_user(self, user_id: str, display_name: str) -> None:
        """The display name ``users.info`` reports for a user (default: ``user-<id>``)."""
        with self._condition:
            self._display_names[user_id] = display_name

    def set_locale(self, user_id: str, locale: str) -> None:
        """The locale ``users.info`` reports for a user when asked ``include_locale``
        (default: none, as for a call without it)."""
        with self._condition:
            self._locales[user_id] = locale

    def set_time(self, moment: datetime) -> None:
        """Slack's clock: messages posted from now on get ``ts`` values from ``moment`` on
        (still increasing), so a test on a fake clock finds them where it looks."""
        self._run(self._set_time(int(moment.timestamp())))

    async def _set_time(self, seconds: int) -> None:
        self._ts_seconds = seconds
        self._ts_counter = itertools.count(100, 100)

    def keep_bot_out_of(self, channel_id: str) -> None:
        """The bot is not a member of ``channel_id``: it may post there (chat:write.public),
        but Slack refuses it the channel's history (``not_in_channel``)."""
        with self._condition:
            self._outside.add(channel_id)

    def require_membership(self, channel_id: str, *, private: bool = False) -> None:
        """Posting in ``channel_id`` needs the bot to be a member (an app without
        chat:write.public, or a private channel): ``not_in_channel`` until it joins
        (``conversations.join``, public channels only) or someone invites it."""
        with self._condition:
            self._members_only[channel_id] = private

    def invite_bot(self, channel_id: str) -> None:
        """Someone ``/invite``s the bot: it is a member of ``channel_id`` from now on."""
        with self._condition:
            self._members_only.pop(channel_id, None)
            self._outside.discard(channel_id)

    def messages(self, channel_id: str) -> list[JsonDict]:
        """Every message posted in ``channel_id`` (any workspace), oldest first."""
        with self._condition:
            found = [m for (_, c), kept in self._history.items() if c == channel_id for m in kept]
        return sorted(found, key=lambda message: float(message["ts"]))

    def rate_limit_next(self, method: str, retry_after: int = 1) -> None:
        """Answer the next call of ``method`` with HTTP 429 and ``Retry-After``, as Slack does."""
        body = {"ok": False, "error": "ratelimited"}
        self._inject(method, _Failure(429, body, {"Retry-After": str(retry_after)}))

    def fail_next(self, method: str, status: int = 503) -> None:
        """Answer the next call of ``method`` with an HTTP error status."""
        self._inject(method, _Failure(status, {"ok": False, "error": f"http_{status}"}, {}))

    def error_next(self, method: str, error: str) -> None:
        """Answer the next call of ``method`` with HTTP 200 ``{"ok": false, "error": error}``."""
        self._inject(method, _Failure(200, {"ok": False, "error": error}, {}))

    def _inject(self, method: str, failure: _Failure) -> None:
        with self._condition:
            self._failures.setdefault(method, deque()).append(failure)

    def response_url(self) -> str:
        """A fresh URL to hand out as an interaction's ``response_url``."""
        return f"http://127.0.0.1:{self._port}/response/{uuid.uuid4().hex}"

    # Recorded requests

    @staticmethod
    def _call_name(call: Call) -> str:
        """``calls_to`` and ``wait_for`` take Web API method names ("chat.postMessage")."""
        return call.method

    @property
    def uploaded_files(self) -> list[UploadedFile]:
        """Every file uploaded and completed (shared) so far, in order."""
        with self._condition:
            return [upload for upload in self._uploads.values() if upload.channel_id is not None]

    # Socket Mode

    @property
    def socket_connections(self) -> int:
        """How many Socket Mode connections were accepted (each got a hello) so far."""
        with self._condition:
            return self._socket_connections

    @property
    def acks(self) -> list[JsonDict]:
        """Every message a Socket Mode client sent, in order: the acks of envelopes."""
        with self._condition:
            return list(self._acks)

    def socket_connected(self, timeout: float = 10.0) -> None:
        """Block until a Socket Mode client is connected and has been sent its hello."""
        self._wait(lambda: self._socket is not None, timeout, lambda: "a Socket Mode client")

    async def async_socket_connected(self, timeout: float = 10.0) -> None:
        await asyncio.to_thread(self.socket_connected, timeout)

    def socket_send(
        self,
        envelope_type: str,
        payload: JsonDict,
        *,
        accepts_response_payload: bool = True,
        retry_attempt: int = 0,
        retry_reason: str = "",
        lose_ack: bool = False,
    ) -> str:
        """Send an envelope ("slash_commands", "interactive", "events_api"); return its id.

        Until the client acks it, the envelope is pending: Slack sends it again, with the
        same ``envelope_id`` and the next ``retry_attempt``, when the connection it went out
        on is gone (on the current or next connection) or on ``redeliver_unacked``.
        ``lose_ack`` loses the client's first ack of it (``lost_acks``), as when the
        connection dies while the ack is on its way.
        """
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        with self._condition:
            socket = self._socket
            if lose_ack:
                self._losing_acks.add(envelope_id)
        if socket is None:
            raise AssertionError("fake Slack: no Socket Mode client is connected")
        self._run(self._deliver(socket, envelope))
        return envelope_id

    def socket_send_raw(self, frame: str) -> None:
        """Send one text frame as it is, not as an envelope: anything a broken peer could send."""
        with self._condition:
            socket = self._socket
        if socket is None:
            raise AssertionError("fake Slack: no Socket Mode client is connected")
        self._run(socket.send_str(frame))

    @property
    def deliveries(self) -> list[JsonDict]:
        """Every envelope sent to a Socket Mode client (redeliveries too), in order."""
        with self._condition:
            return list(self._deliveries)

    @property
    def lost_acks(self) -> list[JsonDict]:
        """Acks the client sent that were lost on the way (see ``socket_send``'s ``lose_ack``)."""
        with self._condition:
            return list(self._lost_acks)

    def wait_for_lost_ack(self, envelope_id: str, timeout: float = 10.0) -> JsonDict:
        """Block until the client sent the ack of ``envelope_id`` that the fake lost."""

        def lost() -> JsonDict | None:
            return next((a for a in self._lost_acks if a.get("envelope_id") == envelope_id), None)

        return self._wait_for_value(lost, timeout, lambda: f"the lost ack of {envelope_id}")

    def redeliver_unacked(self) -> list[str]:
        """Send every unacked envelope again on the current connection, as Slack does when an
        ack is late; returns their ids."""
        return self._run(self._redeliver(lambda _sent_on: True))

    def wait_for_socket_connections(self, count: int, timeout: float = 10.0) -> None:
        """Block until ``count`` connections were accepted and one of them is still open."""
        self._wait(
            lambda: self._socket_connections >= count and self._socket is not None,
            timeout,
            lambda: f"{count} Socket Mode connections (so far {self._socket_connections})",
        )

    async def async_wait_for_socket_connections(self, count: int, timeout: float = 10.0) -> None:
        await asyncio.to_thread(self.wait_for_socket_connections, count, timeout)

    def socket_disconnect(self, reason: str) -> None:
        """Send Slack's ``disconnect`` message: "warning" (this connection closes in about ten
        seconds) or "refresh_requested" (time to reconnect). The client should connect anew."""
        with self._condition:
            socket = self._socket
        if socket is None:
            raise AssertionError("fake Slack: no Socket Mode client is connected")
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake-applink"}}
        self._run(socket.send_json(message))

    def abort_socket(self) -> None:
        """Cut the current connection's TCP stream: no close frame, as when a network dies."""
        with self._condition:
            socket, self._socket = self._socket, None
            transport = self._transports.get(socket) if socket is not None else None
        if transport is None:
            raise AssertionError("fake Slack: no Socket Mode client is connected")
        self._loop.call_soon_threadsafe(transport.abort)

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> JsonDict:
        """Block until the client acked ``envelope_id``; return its ack (with any "payload").

        An ack whose payload has blocks Slack would refuse fails here, as Slack would.
        """

        def ack() -> JsonDict | None:
            return next((a for a in self._acks if a.get("envelope_id") == envelope_id), None)

        found = self._wait_for_value(
            ack, timeout, lambda: f"the ack of {envelope_id}; acks so far: {self._acks}"
        )
        if "_invalid_blocks" in found:
            raise AssertionError(
                f"fake Slack: invalid blocks in an ack: {found['_invalid_blocks']}"
            )
        return found

    async def async_wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> JsonDict:
        return await asyncio.to_thread(self.wait_for_ack, envelope_id, timeout)

    def drop_socket(self) -> None:
        """Close the current connection from the server side, as Slack does every few hours.

        The close is only scheduled, not awaited: the client may run on the caller's event loop,
        which has to keep running to finish the close handshake. The connection stops counting as
        connected at once, so a following ``socket_connected`` waits for the reconnection.
        """
        with self._condition:
            socket, self._socket = self._socket, None
        if socket is None:
            raise AssertionError("fake Slack: no Socket Mode client is connected")
        asyncio.run_coroutine_threadsafe(socket.close(), self._loop)

    # Server side

    def _record(self, call: Call) -> web.Response | None:
        """Record ``call``; return the injected failure that answers it, if one is queued."""
        with self._condition:
            self._calls.append(call)
            self._condition.notify_all()
            queued = self._failures.get(call.method)
            failure = queued.popleft() if queued else None
        if failure is None:
            return None
        return _json(failure.body, failure.status, failure.headers)

    async def _api(self, request: web.Request) -> web.Response:
        params = await _params(request)
        headers = {name.lower(): value for name, value in request.headers.items()}
        call = Call(request.match_info["method"], _token(request, params), params, headers)
        failure = self._record(call)
        if failure is not None:
            return failure
        handler = self._methods.get(call.method)
        if handler is None:
            return _json({"ok": False, "error": "unknown_method"})
        try:
            answer = _json(handler(call))
        except _SlackError as error:
            return _json({"ok": False, "error": error.error})
        await self._maybe_late(call.method, request)
        return answer

    async def _response_url(self, request: web.Request) -> web.Response:
        params = await _params(request)
        params["_response_url"] = f"http://127.0.0.1:{self._port}{request.path}"
        headers = {name.lower(): value for name, value in request.headers.items()}
        failure = self._record(Call("response_url", None, params, headers))
        if failure is not None:
            return failure
        if payload_errors(params):
            return web.Response(status=400, text="invalid_blocks")
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        """Step 2 of files_upload_v2: the file's bytes, POSTed to the URL step 1 handed out."""
        file_id = request.match_info["file_id"]
        content = await request.read()
        headers = {name.lower(): value for name, value in request.headers.items()}
        failure = self._record(Call("upload", None, {"file_id": file_id}, headers))
        if failure is not None:
            return failure
        with self._condition:
            pending = self._uploads.get(file_id)
            if pending is None:
                return web.Response(status=404, text="unknown upload")
            self._uploads[file_id] = replace(pending, content=content)
        return web.Response(text=f"OK - {len(content)}")

    async def _file_download(self, request: web.Request) -> web.StreamResponse:
        headers = {name.lower(): value for name, value in request.headers.items()}
        authorization = headers.get("authorization", "")
        token = authorization.partition("Bearer ")[2] or None
        self._record(Call("files.download", token, {"path": request.path}, headers))
        file_id = request.match_info["file_id"].partition("-")[2]
        with self._condition:
            stored = self._files.get(file_id)
            workspace = self._workspaces.get(token or "")
            revoked = token in self._revoked
        if (
            stored is None
            or workspace is None
            or revoked
            or not self.covers(workspace, stored.team_id)
        ):
            # Slack answers an unauthorised download with its sign-in page, not the file.
            return web.Response(text="<html>Sign in to Slack</html>", content_type="text/html")
        if stored.chunk_size is None and stored.declares_length and stored.cut_after is None:
            return web.Response(body=stored.content, content_type="application/octet-stream")
        return await self._stream_file(request, stored)

    @staticmethod
    async def _stream_file(request: web.Request, stored: _StoredFile) -> web.StreamResponse:
        """The file's body the way a slow or broken network delivers it (see ``add_file``)."""
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        if stored.declares_length:
            response.content_length = len(stored.content)
        else:
            response.enable_chunked_encoding()
        await response.prepare(request)
        body = stored.content[: stored.cut_after]
        step = stored.chunk_size or len(body) or 1
        for start in range(0, len(body), step):
            await response.write(body[start : start + step])
            if stored.pause:
                await asyncio.sleep(stored.pause)  # the network's pace, not a test waiting
        if stored.cut_after is not None:
            assert request.transport is not None
            request.transport.close()  # the connection drops before the body is complete
            return response
        await response.write_eof()
        return response

    async def _socket_mode(self, request: web.Request) -> web.WebSocketResponse:
        # No heartbeat and no receive timeout: idle clients stay connected; aiohttp answers pings.
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._open_sockets.add(socket)
        if request.transport is not None:
            self._transports[socket] = request.transport
        await socket.send_json(HELLO)
        with self._condition:
            self._socket = socket
            self._socket_connections += 1
            self._condition.notify_all()
        try:
            await self._redeliver(lambda sent_on: sent_on not in self._open_sockets)
            async for message in socket:
                if message.type is WSMsgType.TEXT:
                    ack = json.loads(message.data)
                    errors = payload_errors(ack.get("payload"))
                    if errors:
                        ack["_invalid_blocks"] = errors
                    self._received_ack(ack)
        finally:
            self._open_sockets.discard(socket)
            self._transports.pop(socket, None)
            with self._condition:
                if self._socket is socket:
                    self._socket = None
            # What went out on this connection and was never acked goes out again.
            await self._redeliver(lambda sent_on: sent_on is socket)
        return socket

    def _received_ack(self, ack: JsonDict) -> None:
        envelope_id = ack.get("envelope_id")
        with self._condition:
            if envelope_id in self._losing_acks:
                self._losing_acks.discard(envelope_id)
                self._lost_acks.append(ack)
            else:
                self._acks.append(ack)
                self._pending.pop(str(envelope_id), None)
            self._condition.notify_all()

    async def _deliver(self, socket: web.WebSocketResponse, envelope: JsonDict) -> None:
        with self._condition:
            self._pending[envelope["envelope_id"]] = (envelope, socket)
            self._deliveries.append(envelope)
            self._condition.notify_all()
        await socket.send_json(envelope)

    async def _redeliver(self, due: Callable[[web.WebSocketResponse], bool]) -> list[str]:
        """Send the pending envelopes ``due`` (by the connection they went out on) again on the
        current connection, with the same id and the next ``retry_attempt``."""
        with self._condition:
            socket = self._socket
            if socket is None:
                return []  # the next connection will take them
            again = [
                {
                    **envelope,
                    "retry_attempt": envelope["retry_attempt"] + 1,
                    "retry_reason": "timeout",
                }
                for envelope, sent_on in self._pending.values()
                if due(sent_on)
            ]
        for envelope in again:
            await self._deliver(socket, envelope)
        return [envelope["envelope_id"] for envelope in again]

    # Web API methods

    def _workspace(self, call: Call) -> Workspace:
        if call.token is None:
            raise _SlackError("not_authed")
        with self._condition:
            workspace = self._workspaces.get(call.token)
            revoked = call.token in self._revoked
        if workspace is None:
            raise _SlackError("invalid_auth")
        if revoked:
            raise _SlackError("token_revoked")
        return workspace

    def _next_ts(self) -> str:
        seconds, micros = divmod(next(self._ts_counter), 1_000_000)
        return f"{self._ts_seconds + seconds}.{micros:06d}"

    @staticmethod
    def _channel(call: Call) -> str:
        channel = call.params.get("channel")
        if not channel:
            raise _SlackError("channel_not_found")
        return str(channel)

    def _auth_test(self, call: Call) -> JsonDict:
        """Who the token is; in an Enterprise Grid org also ``enterprise_id`` (an org-wide
        install's ``team_id`` is the enterprise's own id)."""
        workspace = self._workspace(call)
        answer: JsonDict = {
            "ok": True,
            "url": f"https://{workspace.team_id.lower()}.fake-slack.example/",
            "team": workspace.team_name,
            "user": "bot",
            "team_id": workspace.team_id,
            "user_id": workspace.bot_user_id,
            "bot_id": workspace.bot_id,
            "is_enterprise_install": workspace.is_enterprise_install,
        }
        if workspace.enterprise_id:
            answer["enterprise_id"] = workspace.enterprise_id
        return answer

    @staticmethod
    def _valid_blocks(call: Call) -> None:
        """Refuse blocks as Slack does (``invalid_blocks``); ``Call.params`` keeps the details."""
        if payload_errors(call.params):
            raise _SlackError("invalid_blocks")

    def _chat_post_message(self, call: Call) -> JsonDict:
        workspace = self._workspace(call)
        channel = self._channel(call)
        with self._condition:
            if channel in self._members_only:
                raise _SlackError("not_in_channel")
        text, blocks = call.params.get("text"), call.params.get("blocks")
        if not text and not blocks:
            raise _SlackError("no_text")
        self._valid_blocks(call)
        ts = self._next_ts()
        message: JsonDict = {
            "type": "message",
            "user": workspace.bot_user_id,
            "bot_id": workspace.bot_id,
            "team": workspace.team_id,
            "text": text or "",
            "ts": ts,
        }
        if blocks:
            message["blocks"] = blocks
        if call.params.get("thread_ts"):
            message["thread_ts"] = call.params["thread_ts"]
        metadata = call.params.get("metadata")
        if metadata is not None:
            if not isinstance(metadata, dict) or not metadata.get("event_type"):
                raise _SlackError("invalid_metadata_format")
            message["metadata"] = {
                "event_type": metadata["event_type"],
                "event_payload": metadata.get("event_payload", {}),
            }
        with self._condition:
            self._history.setdefault((workspace.team_id, channel), []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _conversations_history(self, call: Call) -> JsonDict:
        """The channel's top-level messages, newest first: as on Slack, a thread's replies
        are not there, only their parent (with ``reply_count``); see ``_conversations_replies``.
        """
        kept = self._readable(call)
        parents = [
            message for message in kept if message.get("thread_ts", message["ts"]) == message["ts"]
        ]
        shown = [_with_replies(parent, kept) for parent in reversed(parents)]
        return self._page(call, shown) | {
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
        }

    def _conversations_replies(self, call: Call) -> JsonDict:
        """The thread of the message ``ts``, oldest first: its parent, then its replies
        (``thread_not_found`` if the channel has no such message)."""
        kept = self._readable(call)
        ts = str(call.params.get("ts") or "")
        parent = next((message for message in kept if message["ts"] == ts), None)
        if parent is None:
            raise _SlackError("thread_not_found")
        thread = [_with_replies(parent, kept)] + [
            message for message in kept if message.get("thread_ts") == ts and message["ts"] != ts
        ]
        return self._page(call, thread)

    def _readable(self, call: Call) -> list[JsonDict]:
        """The channel's messages, oldest first, if the bot may read it."""
        workspace = self._workspace(call)
        channel = self._channel(call)
        with self._condition:
            if channel in self._outside:
                raise _SlackError("not_in_channel")
            return list(self._history.get((workspace.team_id, channel), []))

    @staticmethod
    def _page(call: Call, ordered: list[JsonDict]) -> JsonDict:
        """One page of ``ordered``: ``oldest`` and ``latest`` bound the range (exclusive,
        unless ``inclusive``); a page holds ``limit`` messages, ``has_more`` and the cursor of
        the next one say whether more of the range is left. Metadata only with
        ``include_all_metadata``."""
        params = call.params
        try:
            limit = int(params.get("limit") or HISTORY_DEFAULT_LIMIT)
            oldest = float(params.get("oldest") or 0)
            latest = float(params["latest"]) if params.get("latest") else float("inf")
        except ValueError:
            raise _SlackError("invalid_arguments") from None
        limit = max(1, min(limit, HISTORY_MAX_LIMIT))
        inclusive = _truthy(params.get("inclusive"))
        in_range = [
            message
            for message in ordered
            if (oldest <= float(message["ts"]) if inclusive else oldest < float(message["ts"]))
            and (float(message["ts"]) <= latest if inclusive else float(message["ts"]) < latest)
        ]
        start = 0
        if params.get("cursor"):
            after_ts = base64.b64decode(str(params["cursor"])).decode().removeprefix("next_ts:")
            start = next((i for i, m in enumerate(in_range) if m["ts"] == after_ts), len(in_range))
        page = in_range[start : start + limit]
        with_metadata = _truthy(params.get("include_all_metadata"))
        messages = [
            message if with_metadata else {k: v for k, v in message.items() if k != "metadata"}
            for message in page
        ]
        more = start + limit < len(in_range)
        answer: JsonDict = {"ok": True, "messages": messages, "has_more": more}
        if more:
            next_ts = in_range[start + limit]["ts"]
            cursor = base64.b64encode(f"next_ts:{next_ts}".encode()).decode()
            answer["response_metadata"] = {"next_cursor": cursor}
        return answer

    def _chat_post_ephemeral(self, call: Call) -> JsonDict:
        self._workspace(call)
        self._channel(call)
        self._valid_blocks(call)
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, call: Call) -> JsonDict:
        """The message changes in the channel's history (a ``ts`` that is not there:
        ``message_not_found``; another's message: ``cant_update_message``)."""
        workspace = self._workspace(call)
        channel = self._channel(call)
        self._valid_blocks(call)
        with self._condition:
            message = self._own_message(workspace, channel, call, "cant_update_message")
            message["text"] = call.params.get("text", "")
            if call.params.get("blocks"):
                message["blocks"] = call.params["blocks"]
            message["edited"] = {"user": workspace.bot_user_id, "ts": self._next_ts()}
        return {"ok": True, "channel": channel, "ts": message["ts"], "text": message["text"]}

    def _chat_delete(self, call: Call) -> JsonDict:
        """The message leaves the channel's history (as ``_chat_update`` for what it refuses)."""
        workspace = self._workspace(call)
        channel = self._channel(call)
        with self._condition:
            message = self._own_message(workspace, channel, call, "cant_delete_message")
            self._history[(workspace.team_id, channel)].remove(message)
        return {"ok": True, "channel": channel, "ts": message["ts"]}

    def _own_message(
        self, workspace: Workspace, channel: str, call: Call, refused: str
    ) -> JsonDict:
        """The bot's message ``ts`` of the channel (under ``_condition``)."""
        ts = call.params.get("ts")
        kept = self._history.get((workspace.team_id, channel), [])
        message = next((m for m in kept if m["ts"] == ts), None)
        if message is None:
            raise _SlackError("message_not_found")
        if message.get("user") != workspace.bot_user_id:
            raise _SlackError(refused)
        return message

    def _chat_get_permalink(self, call: Call) -> JsonDict:
        self._workspace(call)
        channel = self._channel(call)
        ts = call.params.get("message_ts")
        if not ts:
            raise _SlackError("message_not_found")
        permalink = f"https://fake-slack.example/archives/{channel}/p{str(ts).replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": permalink}

    def _view(self, call: Call) -> JsonDict:
        workspace = self._workspace(call)
        view = call.params.get("view")
        if not isinstance(view, dict):
            raise _SlackError("invalid_arguments")
        self._valid_blocks(call)
        number = next(self._view_counter)
        view_id = call.params.get("view_id") or f"V{number:010d}"
        defaults = {"blocks": [], "private_metadata": "", "callback_id": "", "external_id": ""}
        echoed = {
            **defaults,
            **view,
            "id": view_id,
            "team_id": workspace.team_id,
            "app_id": APP_ID,
            "bot_id": workspace.bot_id,
            "state": {"values": {}},
            "hash": f"{FIRST_TS_SECONDS}.{number:08d}",
        }
        return {"ok": True, "view": echoed}

    def _users_info(self, call: Call) -> JsonDict:
        workspace = self._workspace(call)
        user_id = call.params.get("user")
        if not user_id:
            raise _SlackError("user_not_found")
        with self._condition:
            display_name = self._display_names.get(str(user_id))
            locale = self._locales.get(str(user_id))
        name = f"user-{str(user_id).lower()}"
        # Slack sends the locale only to a call with include_locale=true.
        asked = str(call.params.get("include_locale", "")).lower() in ("true", "1")
        return {
            "ok": True,
            "user": {
                **({"locale": locale} if asked and locale else {}),
                "id": user_id,
                "team_id": workspace.team_id,
                "name": name,
                "real_name": name,
                "is_admin": user_id in workspace.admins or user_id in workspace.owners,
                "is_owner": user_id in workspace.owners,
                "is_bot": user_id == workspace.bot_user_id,
                "profile": {"display_name": display_name or name, "real_name": name},
            },
        }

    def _oauth_v2_access(self, call: Call) -> JsonDict:
        """A code is good for one exchange: the second (even a concurrent one) is refused."""
        with self._condition:
            grant = self._grants.pop(str(call.params.get("code")), None)
        if grant is None:
            raise _SlackError("invalid_code")
        workspace = grant.workspace
        enterprise = (
            {"id": workspace.enterprise_id, "name": workspace.enterprise_name}
            if workspace.enterprise_id
            else None
        )
        return {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": grant.installer_user_id},
            "scope": grant.scopes,
            "token_type": "bot",
            "access_token": workspace.bot_token,
            "bot_user_id": workspace.bot_user_id,
            # An org-wide install is for no single workspace: Slack says team null.
            "team": None
            if workspace.is_enterprise_install
            else {"id": workspace.team_id, "name": workspace.team_name},
            "enterprise": enterprise,
            "is_enterprise_install": workspace.is_enterprise_install,
        }

    def _conversations_join(self, call: Call) -> JsonDict:
        """The bot joins a public channel (channels:join); a private one takes an invite."""
        self._workspace(call)
        channel = self._channel(call)
        with self._condition:
            if self._members_only.get(channel):
                raise _SlackError("method_not_supported_for_channel_type")
            self._members_only.pop(channel, None)
            self._outside.discard(channel)
        return {"ok": True, "channel": {"id": channel, "is_member": True}}

    def _conversations_open(self, call: Call) -> JsonDict:
        """A direct message with one user: ``D`` + the user id, as stable as Slack's."""
        self._workspace(call)
        users = str(call.params.get("users") or "")
        if not users or "," in users:
            raise _SlackError("user_not_found")
        return {"ok": True, "channel": {"id": f"D{users}", "is_im": True}}

    def _files_get_upload_url(self, call: Call) -> JsonDict:
        self._workspace(call)
        filename, length = call.params.get("filename"), call.params.get("length")
        if not filename or not str(length or "").isdigit():
            raise _SlackError("invalid_arguments")
        file_id = f"F{next(self._file_counter):08d}"
        with self._condition:
            self._uploads[file_id] = UploadedFile(file_id, str(filename), b"", None, None, None)
        return {
            "ok": True,
            "file_id": file_id,
            "upload_url": f"http://127.0.0.1:{self._port}/upload/{file_id}",
        }

    def _files_complete_upload(self, call: Call) -> JsonDict:
        self._workspace(call)
        files = call.params.get("files")
        if not isinstance(files, list) or not files:
            raise _SlackError("invalid_arguments")
        channel = call.params.get("channel_id") or call.params.get("channels")
        completed = []
        with self._condition:
            for entry in files:
                upload = self._uploads.get(str(entry.get("id")))
                if upload is None or not upload.content:
                    raise _SlackError("file_not_found")
                upload = replace(
                    upload,
                    channel_id=str(channel or ""),
                    title=entry.get("title"),
                    initial_comment=call.params.get("initial_comment"),
                )
                self._uploads[upload.file_id] = upload
                completed.append(
                    {"id": upload.file_id, "name": upload.filename, "title": upload.title}
                )
            self._condition.notify_all()
        return {"ok": True, "files": completed}

    def _apps_connections_open(self, call: Call) -> JsonDict:
        if call.token is None:
            raise _SlackError("not_authed")
        if not call.token.startswith("xapp-"):
            raise _SlackError("not_allowed_token_type")
        ticket = uuid.uuid4().hex
        url = f"ws://127.0.0.1:{self._port}/socket-mode?ticket={ticket}&app_id={APP_ID}"
        return {"ok": True, "url": url}


@pytest.fixture
def fake_slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    """A started FakeSlack, stopped after the test.

    The proxy variables are cleared because slack_sdk ignores NO_PROXY: with HTTPS_PROXY set (as on
    some CI runners) every client would send its loopback requests to the proxy.
    """
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with FakeSlack() as fake:
        yield fake


def _with_replies(message: JsonDict, kept: list[JsonDict]) -> JsonDict:
    """``message`` as history shows it: a thread's parent with its ``reply_count``."""
    replies = [m for m in kept if m.get("thread_ts") == message["ts"] and m["ts"] != message["ts"]]
    if not replies:
        return message
    return message | {
        "thread_ts": message["ts"],
        "reply_count": len(replies),
        "latest_reply": replies[-1]["ts"],
    }
