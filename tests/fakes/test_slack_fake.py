"""The fake Slack answers the real slack_sdk clients as Slack does and records what they send."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes import slack
from tests.fakes.slack import FakeSlack

# Bound by assignment rather than imported: an imported fixture trips ruff's F811 at every test
# that takes it as an argument. Other test packages can import it in their conftest.py instead.
fake_slack = slack.fake_slack

TOKEN = "xoxb-T1-bot"
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Keynote* notes"}}]


@pytest.fixture
def fake(fake_slack: FakeSlack) -> FakeSlack:
    """The fake with workspace T1: UADMIN is an admin, UOWNER an owner, anyone else neither."""
    fake_slack.add_workspace("T1", TOKEN, team_name="Conf", admins={"UADMIN"}, owners={"UOWNER"})
    return fake_slack


def test_base_url_ends_with_a_slash_for_slack_sdk_urljoin(fake: FakeSlack) -> None:
    assert fake.base_url.startswith("http://127.0.0.1:")
    assert fake.base_url.endswith("/api/")


@pytest.mark.asyncio
async def test_async_web_client(fake: FakeSlack) -> None:
    client = AsyncWebClient(token=TOKEN, base_url=fake.base_url)

    auth = await client.auth_test()
    assert auth["team_id"] == "T1"
    assert auth["team"] == "Conf"
    assert auth["user_id"] == "UBOT"
    assert auth["is_enterprise_install"] is False

    first = await client.chat_postMessage(channel="C1", text="notes", blocks=BLOCKS)
    second = await client.chat_postMessage(channel="C1", text="more")
    assert first["ts"] == "1727222400.000100"
    assert float(second["ts"]) > float(first["ts"])
    assert first["message"]["blocks"] == BLOCKS
    assert first.headers["Content-Type"] == "application/json; charset=utf-8"
    posted = fake.calls_to("chat.postMessage")[0]
    assert posted.token == TOKEN
    assert posted.params["blocks"] == BLOCKS
    assert posted.params["channel"] == "C1"

    admin = await client.users_info(user="UADMIN")
    owner = await client.users_info(user="UOWNER")
    member = await client.users_info(user="U2")
    assert (admin["user"]["is_admin"], admin["user"]["is_owner"]) == (True, False)
    assert (owner["user"]["is_admin"], owner["user"]["is_owner"]) == (True, True)
    assert (member["user"]["is_admin"], member["user"]["is_owner"]) == (False, False)
    assert member["user"]["team_id"] == "T1"


def test_sync_web_client(fake: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake.base_url)

    assert client.auth_test()["bot_id"] == "BT1"
    posted = client.chat_postMessage(channel="C1", text="notes", blocks=BLOCKS)
    permalink = client.chat_getPermalink(channel="C1", message_ts=posted["ts"])
    assert permalink["permalink"] == "https://fake-slack.example/archives/C1/p1727222400000100"
    assert client.users_info(user="UADMIN")["user"]["is_admin"] is True

    call = fake.calls_to("chat.postMessage")[0]
    assert call.token == TOKEN
    assert call.params["blocks"] == BLOCKS
    assert [call.method for call in fake.calls] == [
        "auth.test",
        "chat.postMessage",
        "chat.getPermalink",
        "users.info",
    ]


def test_json_text_in_form_bodies_is_decoded_and_other_text_is_not(fake: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake.base_url)
    client.api_call(
        "chat.update",
        data={"channel": "C1", "ts": "1727222400.000100", "blocks": json.dumps(BLOCKS)},
    )
    params = fake.calls_to("chat.update")[0].params
    assert params == {"channel": "C1", "ts": "1727222400.000100", "blocks": BLOCKS}


def test_views_echo_what_was_sent(fake: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake.base_url)
    view = {"type": "modal", "callback_id": "add_memo", "private_metadata": "C1", "blocks": BLOCKS}
    opened = client.views_open(trigger_id="trigger", view=view)["view"]
    assert opened["id"].startswith("V")
    assert {key: opened[key] for key in view} == view
    updated = client.views_update(view_id=opened["id"], view=view)["view"]
    assert updated["id"] == opened["id"]
    assert fake.calls_to("views.open")[0].params["view"] == view


def test_unknown_tokens_and_methods_are_refused_but_recorded(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as unknown_token:
        WebClient(token="xoxb-other", base_url=fake.base_url).auth_test()
    assert unknown_token.value.response["error"] == "invalid_auth"
    assert unknown_token.value.response.status_code == 200

    with pytest.raises(SlackApiError) as unknown_method:
        WebClient(token=TOKEN, base_url=fake.base_url).api_call("memos.frobnicate")
    assert unknown_method.value.response["error"] == "unknown_method"
    assert [call.method for call in fake.calls] == ["auth.test", "memos.frobnicate"]


@pytest.mark.asyncio
async def test_rate_limited_call_is_retried_by_the_sdk_handler(fake: FakeSlack) -> None:
    handler = AsyncRateLimitErrorRetryHandler(max_retry_count=1)
    client = AsyncWebClient(token=TOKEN, base_url=fake.base_url, retry_handlers=[handler])
    fake.rate_limit_next("chat.postMessage", retry_after=1)

    response = await client.chat_postMessage(channel="C1", text="notes")

    assert response["ok"] is True
    assert len(fake.calls_to("chat.postMessage")) == 2


@pytest.mark.asyncio
async def test_rate_limit_without_a_handler_raises_429(fake: FakeSlack) -> None:
    client = AsyncWebClient(token=TOKEN, base_url=fake.base_url)
    fake.rate_limit_next("chat.postMessage", retry_after=7)

    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="notes")

    assert raised.value.response.status_code == 429
    assert raised.value.response["error"] == "ratelimited"
    assert raised.value.response.headers["Retry-After"] == "7"
    assert (await client.chat_postMessage(channel="C1", text="notes"))["ok"] is True


def test_injected_failures_apply_once_each_in_order(fake: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake.base_url)
    fake.fail_next("chat.postMessage", status=500)
    fake.error_next("chat.postMessage", "channel_not_found")

    with pytest.raises(SlackApiError) as failed:
        client.chat_postMessage(channel="C1", text="notes")
    assert failed.value.response.status_code == 500
    with pytest.raises(SlackApiError) as errored:
        client.chat_postMessage(channel="C1", text="notes")
    assert errored.value.response.status_code == 200
    assert errored.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C1", text="notes")["ok"] is True


# AsyncWebClient.oauth_v2_access builds an aiohttp.BasicAuth, deprecated since aiohttp 3.14.
@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
@pytest.mark.asyncio
async def test_oauth_code_exchange_makes_the_token_known(fake_slack: FakeSlack) -> None:
    fake_slack.add_oauth_code("code-1", "T9", "xoxb-T9", team_name="Other", installer_user_id="U7")
    client = AsyncWebClient(base_url=fake_slack.base_url)

    granted = await client.oauth_v2_access(client_id="id", client_secret="secret", code="code-1")

    assert granted["access_token"] == "xoxb-T9"
    assert granted["token_type"] == "bot"
    assert granted["team"] == {"id": "T9", "name": "Other"}
    assert granted["authed_user"] == {"id": "U7"}
    assert granted["enterprise"] is None
    call = fake_slack.calls_to("oauth.v2.access")[0]
    assert (call.params["client_id"], call.params["client_secret"]) == ("id", "secret")
    auth = await AsyncWebClient(token="xoxb-T9", base_url=fake_slack.base_url).auth_test()
    assert auth["team_id"] == "T9"
    with pytest.raises(SlackApiError, match="invalid_code"):
        await client.oauth_v2_access(client_id="id", client_secret="secret", code="code-2")


def test_sync_oauth_sends_client_credentials_as_basic_auth(fake_slack: FakeSlack) -> None:
    fake_slack.add_oauth_code("code-1", "T9", "xoxb-T9")
    client = WebClient(base_url=fake_slack.base_url)
    assert client.oauth_v2_access(client_id="id", client_secret="s:1", code="code-1")["ok"] is True
    call = fake_slack.calls_to("oauth.v2.access")[0]
    assert call.headers["authorization"].startswith("Basic ")
    assert (call.params["client_id"], call.params["client_secret"]) == ("id", "s:1")


@pytest.mark.asyncio
async def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    url = fake.response_url()
    assert url != fake.response_url()

    response = await AsyncWebhookClient(url).send(text="saved", response_type="ephemeral")

    assert (response.status_code, response.body) == (200, "ok")
    [call] = fake.calls_to("response_url")
    assert call.params == {"text": "saved", "response_type": "ephemeral", "_response_url": url}


def test_wait_for_reports_the_calls_seen_on_timeout(fake: FakeSlack) -> None:
    WebClient(token=TOKEN, base_url=fake.base_url).auth_test()
    with pytest.raises(AssertionError, match=r"chat\.postMessage.*auth\.test"):
        fake.wait_for("chat.postMessage", timeout=0.05)


@pytest.mark.asyncio
async def test_socket_mode_acks_and_reconnects_after_a_server_close(fake_slack: FakeSlack) -> None:
    client = SocketModeClient(
        app_token="xapp-1-test", web_client=AsyncWebClient(base_url=fake_slack.base_url)
    )
    hellos: list[dict[str, Any]] = []

    async def on_message(_: AsyncBaseSocketModeClient, message: dict[str, Any], __: Any) -> None:
        if message.get("type") == "hello":
            hellos.append(message)

    async def on_request(client: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        pong = {"text": "pong"}
        await client.send_socket_mode_response(SocketModeResponse(request.envelope_id, pong))

    client.message_listeners.append(on_message)
    client.socket_mode_request_listeners.append(on_request)
    try:
        await client.connect()  # type: ignore[no-untyped-call]  # slack_sdk leaves it untyped
        await fake_slack.async_socket_connected()
        first = fake_slack.socket_send("slash_commands", {"command": "/memo", "text": "ping"})
        ack = await fake_slack.async_wait_for_ack(first)
        assert ack == {"envelope_id": first, "payload": {"text": "pong"}}
        opened = fake_slack.calls_to("apps.connections.open")
        assert [call.token for call in opened] == ["xapp-1-test"]

        fake_slack.drop_socket()
        await fake_slack.async_socket_connected()
        second = fake_slack.socket_send("interactive", {"type": "block_actions"})
        assert (await fake_slack.async_wait_for_ack(second))["payload"] == {"text": "pong"}
    finally:
        await client.close()  # type: ignore[no-untyped-call]

    assert len(await fake_slack.async_wait_for("apps.connections.open", count=2)) == 2
    assert fake_slack.socket_connections == 2
    assert [hello["type"] for hello in hellos] == ["hello", "hello"]
    assert [ack["envelope_id"] for ack in fake_slack.acks] == [first, second]


@pytest.mark.asyncio
async def test_apps_connections_open_needs_an_app_level_token(fake: FakeSlack) -> None:
    client = AsyncWebClient(base_url=fake.base_url)
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        await client.apps_connections_open(app_token=TOKEN)
    opened = await client.apps_connections_open(app_token="xapp-anything")
    url, api = urlsplit(opened["url"]), urlsplit(fake.base_url)
    assert (url.scheme, url.netloc, url.path) == ("ws", api.netloc, "/socket-mode")


@pytest.mark.asyncio
async def test_files_upload_v2_to_a_direct_message_is_recorded_with_its_bytes(
    fake: FakeSlack,
) -> None:
    client = AsyncWebClient(token=TOKEN, base_url=fake.base_url)
    content = "2025년 9월 25일 목요일\n\n[Envoy]\np99 210ms → 45ms\n".encode()

    opened = await client.conversations_open(users="UALICE")
    done = await client.files_upload_v2(
        channel=opened["channel"]["id"], filename="day1.md", title="day1.md", content=content
    )

    assert done["file"]["name"] == "day1.md"
    (uploaded,) = fake.uploaded_files
    assert (uploaded.channel_id, uploaded.filename, uploaded.content) == (
        "DUALICE",
        "day1.md",
        content,
    )
    (request,) = fake.calls_to("files.getUploadURLExternal")
    assert request.params["length"] == str(len(content))


@pytest.mark.asyncio
async def test_an_upload_that_was_never_sent_cannot_be_completed(fake: FakeSlack) -> None:
    client = AsyncWebClient(token=TOKEN, base_url=fake.base_url)
    url = await client.files_getUploadURLExternal(filename="x.md", length=3)

    with pytest.raises(SlackApiError) as refused:
        await client.files_completeUploadExternal(files=[{"id": url["file_id"]}], channel_id="C1")

    assert refused.value.response["error"] == "file_not_found"
    assert fake.uploaded_files == []


def _rich(*objects: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": "rich_text", "elements": list(objects)}]


def _section(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "rich_text_section", "elements": list(elements)}


VALID_RICH_TEXT = _rich(
    _section(
        {"type": "text", "text": "alice", "style": {"bold": True}},
        {"type": "link", "url": "https://docs.example", "text": "docs"},
        {"type": "emoji", "name": "fire"},
        {"type": "channel", "channel_id": "C1"},
    ),
    {
        "type": "rich_text_list",
        "style": "ordered",
        "offset": 2,
        "indent": 1,
        "elements": [_section({"type": "text", "text": "item"})],
    },
    {"type": "rich_text_quote", "elements": [{"type": "text", "text": "quoted"}], "border": 1},
    {"type": "rich_text_preformatted", "elements": [{"type": "text", "text": "a < b"}]},
)


@pytest.mark.parametrize(
    ("blocks", "error"),
    [
        (_rich(_section({"type": "txt", "text": "x"})), "type 'txt'"),
        (_rich(_section({"type": "text"})), "missing ['text']"),
        (_rich(_section({"type": "text", "text": ""})), "non-empty"),
        (_rich(_section({"type": "text", "text": "x", "style": {"bold": "yes"}})), "booleans"),
        (_rich(_section({"type": "text", "text": "x", "style": {"huge": True}})), "style"),
        (_rich(_section({"type": "text", "text": "x", "color": "red"})), "unknown fields"),
        (_rich(_section({"type": "link", "text": "docs"})), "missing ['url']"),
        (_rich({"type": "rich_text_list", "elements": [_section()]}), "missing ['style']"),
        (_rich({"type": "rich_text_list", "style": "dots", "elements": [_section()]}), "bullet"),
        (_rich({"type": "rich_text_list", "style": "bullet", "elements": []}), "needs items"),
        (
            _rich({"type": "rich_text_list", "style": "bullet", "elements": [{"type": "text"}]}),
            "list items are rich_text_section",
        ),
        (
            _rich({"type": "rich_text_preformatted", "elements": [{"type": "emoji", "name": "x"}]}),
            "type 'emoji'",
        ),
        (_rich({"type": "rich_text_heading", "elements": []}), "type 'rich_text_heading'"),
        ([{"type": "rich_text", "elements": []}], "needs elements"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}], "3000"),
        ([{"type": "fancy"}], "block of type 'fancy'"),
    ],
)
def test_blocks_slack_would_refuse_are_refused(
    fake: FakeSlack, blocks: list[dict[str, Any]], error: str
) -> None:
    client = WebClient(token=TOKEN, base_url=fake.base_url)

    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.chat_postMessage(channel="C1", text="x", blocks=blocks)
    assert any(error in problem for problem in slack.block_errors(blocks)), slack.block_errors(
        blocks
    )


def test_rich_text_as_slack_documents_it_is_taken_and_read(fake: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake.base_url)

    client.chat_postMessage(channel="C1", text="x", blocks=VALID_RICH_TEXT)

    assert slack.shown_text(VALID_RICH_TEXT) == ("alicedocs:fire:#C1\n   3. item\nquoted\na < b")
    assert slack.styled_texts(VALID_RICH_TEXT, "bold") == ["alice"]
