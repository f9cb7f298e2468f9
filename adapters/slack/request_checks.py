"""Refusing what Slack never sends, before any work: one WARNING line, never the body.

- ``read_http_request`` stands in front of Bolt on the HTTP server. Bolt parses a
  body before it checks the signature, and slack_sdk's ``SignatureVerifier`` raises
  on a timestamp that is not an integer or a signature with non-ASCII characters,
  so malformed requests came out as 500s with a traceback (and a failed signature
  made Bolt log the body at INFO). Here the size, encoding and header shapes are
  checked first, then the signature (slack_sdk's verifier), then the body is parsed
  into Bolt's request the way Bolt does it.
- ``refused_frame`` and ``socket_mode_request`` do the same for Socket Mode frames.
- Both then check the ids and fields the listeners read (``payload_problem``): the
  core refuses ids over 64 characters with ``ValueError``, which surfaced as a 500.
  This runs before Bolt's own middleware too, whose authorization would look an
  unknown workspace up (and log an ERROR) in an app installed in many workspaces.

Only a request that passes all of it reaches Bolt's dispatch.

Statuses: 401 when the request cannot be shown to come from Slack, 413 for a body
over the limit, 400 for a signed request of a shape Slack never sends (its answer
says what was wrong, in words that quote nothing from the request).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from adapters.slack.views import MODAL_CALLBACKS, ModalContext
from bot.invocation import MAX_DELIVERY_ID_LENGTH, MAX_EXTERNAL_ID_LENGTH

logger = logging.getLogger(__name__)

#: The largest body read: aiohttp's default ``client_max_size``, which also bounds
#: ``request.read()`` when no Content-Length says it in advance. Slack's largest
#: request to us is a submitted add-memo form: its 3,000-character memo is under
#: 30 KB even percent-encoded.
MAX_BODY_BYTES = 1024 * 1024
#: Slack signs with the request's Unix time in seconds: ASCII digits only
#: (``int()`` would also take ``" 1e3"``-like spellings, other scripts' digits, ``_``).
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
#: Version 0 of Slack's signature: an HMAC-SHA256, hex.
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
#: What Slack posts to a request URL: forms (commands, interactions) and JSON (events).
_CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "application/json"})
#: The prefixes the listeners put before a trigger or view id to make a delivery id.
_LONGEST_DELIVERY_PREFIX = len("command:")


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request is refused, and with which HTTP status."""

    status: int
    reason: str

    def log(self, transport: str) -> None:
        logger.warning(
            "refused a Slack request over %s (%s): %s", transport, self.status, self.reason
        )


#: Bolt's request parsing fails on these for bodies that are not what Slack sends.
_PARSE_ERRORS = (ValueError, TypeError, AttributeError, KeyError, IndexError)


async def read_http_request(
    request: web.Request, verifier: SignatureVerifier
) -> AsyncBoltRequest | Refusal:
    """The Bolt request for a POST to the events URL, or why it is refused."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return Refusal(413, f"the body is over {MAX_BODY_BYTES:,} bytes")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return Refusal(413, f"the body is over {MAX_BODY_BYTES:,} bytes")
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(400, "the body is not UTF-8 text")
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    if not _TIMESTAMP.fullmatch(timestamp):
        return Refusal(401, "no request timestamp, or one that is not a number of seconds")
    if not _SIGNATURE.fullmatch(signature):
        return Refusal(401, "no signature, or one not in Slack's v0 format")
    if not verifier.is_valid(body, timestamp, signature):
        return Refusal(401, "the signature does not match, or the request is over 5 minutes old")
    if request.content_type not in _CONTENT_TYPES:
        return Refusal(400, "the content type is neither a form nor JSON")
    if not body:
        return Refusal(400, "the body is empty")
    try:
        parsed = AsyncBoltRequest(
            body=body, query=request.query_string, headers=dict(request.headers)
        )
    except _PARSE_ERRORS:
        return Refusal(400, "the body is not a form or JSON object of the shape Slack sends")
    return _checked(parsed)


@dataclass(frozen=True, slots=True)
class RefusedFrame:
    """A Socket Mode text frame that is no envelope Slack sends, and its envelope id if any."""

    refusal: Refusal
    envelope_id: str | None


def refused_frame(frame: str) -> RefusedFrame | None:
    """Why a Socket Mode frame is refused; None for an envelope or Slack's control messages."""
    try:
        data = json.loads(frame)
    except ValueError:
        return RefusedFrame(Refusal(400, "a frame that is not JSON"), None)
    if not isinstance(data, dict):
        return RefusedFrame(Refusal(400, "a frame that is not a JSON object"), None)
    envelope_id = data.get("envelope_id")
    if "payload" in data and not isinstance(data["payload"], dict):
        refusal = Refusal(400, "an envelope whose payload is not an object")
        return RefusedFrame(refusal, envelope_id if isinstance(envelope_id, str) else None)
    return None


def socket_mode_request(
    payload: dict[str, Any], headers: dict[str, str | Sequence[str]] | None
) -> AsyncBoltRequest | Refusal:
    """The Bolt request for a Socket Mode envelope's payload, or why it is refused."""
    try:
        parsed = AsyncBoltRequest(body=payload, headers=headers, mode="socket_mode")
    except _PARSE_ERRORS:
        return Refusal(400, "the payload is not of the shape Slack sends")
    return _checked(parsed)


def _checked(request: AsyncBoltRequest) -> AsyncBoltRequest | Refusal:
    problem = payload_problem(request.body, request.context)
    return request if problem is None else Refusal(400, problem)


def payload_problem(body: dict[str, Any], context: AsyncBoltContext) -> str | None:
    """What is wrong with a parsed request for the listeners, or None."""
    if not _present(context.team_id) and not _present(context.enterprise_id):
        return "no workspace id"
    for name, value in (
        ("workspace id", context.team_id),
        ("organization id", context.enterprise_id),
        ("user id", context.user_id),
        ("channel id", context.channel_id),
    ):
        if value is not None and not _is_id(value, MAX_EXTERNAL_ID_LENGTH):
            return f"the {name} is not text of 1 to {MAX_EXTERNAL_ID_LENGTH} characters"
    if "command" in body:
        if context.channel_id is None or context.user_id is None:
            return "a command without a channel or user id"
        for field in ("text", "response_url", "user_name"):
            if not isinstance(body.get(field, ""), str):
                return f"the command's {field} is not text"
    longest = MAX_DELIVERY_ID_LENGTH - _LONGEST_DELIVERY_PREFIX
    if "trigger_id" in body and not _is_id(body["trigger_id"], longest):
        return f"the trigger id is not text of 1 to {longest} characters"
    view = body.get("view")
    if view is None:
        return None
    if not isinstance(view, dict):
        return "the view is not an object"
    if (body.get("type") == "view_submission" or "id" in view) and not _is_id(
        view.get("id"), longest
    ):
        return f"the view has no id of 1 to {longest} characters"
    if view.get("callback_id") in MODAL_CALLBACKS:
        return _modal_problem(view.get("private_metadata"))
    return None


def _modal_problem(metadata: object) -> str | None:
    """Our own modal's ``private_metadata``, as Slack echoes it back."""
    try:
        where = ModalContext.load(metadata)
    except ValueError:
        return "the form's metadata is not what the bot wrote"
    if not _is_id(where.channel_id, MAX_EXTERNAL_ID_LENGTH):
        return f"the form's channel id is not 1 to {MAX_EXTERNAL_ID_LENGTH} characters"
    return None


def _present(value: object) -> bool:
    return value is not None and value != ""


def _is_id(value: object, longest: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= longest
