"""The fake Slack answers the real slack_sdk clients as Slack does and records what they send."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import aiohttp
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
    ts = client.chat_postMessage(channel="C1", text="to update")["ts"]  # an existing message
    client.api_call("chat.update", data={"channel": "C1", "ts": ts, "blocks": json.dumps(BLOCKS)})
    params = fake.calls_to("chat.update")[0].params
    assert params == {"channel": "C1", "ts": ts, "blocks": BLOCKS}


def test_the_bot_updates_and_deletes_its_own_messages_as_slack_documents(
    fake: FakeSlack,
) -> None:
    client = WebClient(token=TOKEN, base_url=fake.base_url)
    ts = client.chat_postMessage(channel="C1", text="before")["ts"]

    client.chat_update(channel="C1", ts=ts, text="after")
    [message] = fake.messages("C1")
    assert message["ts"] == ts and message["text"] == "after" and "edited" in message
    client.chat_delete(channel="C1", ts=ts)
    assert fake.messages("C1") == []
    for call in (client.chat_update, client.chat_delete):
        with pytest.raises(SlackApiError) as gone:
            call(channel="C1", ts=ts, text="again")
        assert gone.value.response["error"] == "message_not_found"


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


# Enterprise Grid, single-use codes, uninstalls (Slack's OAuth and Events API documentation)


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
@pytest.mark.asyncio
async def test_an_org_wide_install_belongs_to_the_org_not_a_workspace(
    fake_slack: FakeSlack,
) -> None:
    fake_slack.add_org_oauth_code("code-org", "E1", "xoxb-org", ["T5", "T6"], enterprise_name="Org")
    client = AsyncWebClient(base_url=fake_slack.base_url)

    granted = await client.oauth_v2_access(client_id="id", client_secret="s", code="code-org")

    assert granted["team"] is None
    assert granted["enterprise"] == {"id": "E1", "name": "Org"}
    assert granted["is_enterprise_install"] is True
    auth = await AsyncWebClient(token="xoxb-org", base_url=fake_slack.base_url).auth_test()
    assert (auth["team_id"], auth["enterprise_id"], auth["is_enterprise_install"]) == (
        "E1",
        "E1",
        True,
    )
    assert fake_slack.request_ids("T5") == {
        "team_id": "T5",
        "enterprise_id": "E1",
        "is_enterprise_install": True,
    }
    assert fake_slack.request_ids("T9") == {"team_id": "T9", "is_enterprise_install": False}
    assert fake_slack.interaction_ids("T5") == {
        "team": None,
        "enterprise": {"id": "E1", "name": "Org"},
        "is_enterprise_install": True,
    }


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
@pytest.mark.asyncio
async def test_a_workspace_install_inside_an_org_names_both(fake_slack: FakeSlack) -> None:
    fake_slack.add_oauth_code("code-t7", "T7", "xoxb-t7", team_name="Seven", enterprise_id="E1")
    client = AsyncWebClient(base_url=fake_slack.base_url)

    granted = await client.oauth_v2_access(client_id="id", client_secret="s", code="code-t7")

    assert granted["team"] == {"id": "T7", "name": "Seven"}
    assert granted["enterprise"] == {"id": "E1", "name": "Fake Org"}
    assert granted["is_enterprise_install"] is False
    auth = await AsyncWebClient(token="xoxb-t7", base_url=fake_slack.base_url).auth_test()
    assert (auth["team_id"], auth["enterprise_id"], auth["is_enterprise_install"]) == (
        "T7",
        "E1",
        False,
    )
    assert fake_slack.request_ids("T7")["enterprise_id"] == "E1"
    assert fake_slack.interaction_ids("T7")["team"] == {
        "id": "T7",
        "domain": "t7",
        "enterprise_id": "E1",
        "enterprise_name": "Fake Org",
    }
    envelope = fake_slack.event_callback({"type": "app_home_opened"}, "T7")
    assert envelope["enterprise_id"] == "E1"
    assert envelope["authorizations"][0]["enterprise_id"] == "E1"
    assert envelope["authorizations"][0]["is_enterprise_install"] is False


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
@pytest.mark.asyncio
async def test_an_oauth_code_is_good_for_one_exchange_even_at_once(fake_slack: FakeSlack) -> None:
    fake_slack.add_oauth_code("code-1", "T9", "xoxb-T9")
    fake_slack.add_oauth_code("code-2", "T8", "xoxb-T8")
    client = AsyncWebClient(base_url=fake_slack.base_url)

    async def exchange(code: str) -> str:
        try:
            granted = await client.oauth_v2_access(client_id="id", client_secret="s", code=code)
        except SlackApiError as refused:
            return str(refused.response["error"])
        return str(granted["access_token"])

    at_once = await asyncio.gather(exchange("code-1"), exchange("code-1"), exchange("code-2"))

    assert sorted(at_once) == ["invalid_code", "xoxb-T8", "xoxb-T9"]
    assert await exchange("code-2") == "invalid_code"


@pytest.mark.asyncio
async def test_uninstalling_sends_both_events_and_the_token_is_refused(fake: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake.base_url)
    file = fake.add_file("T1", "notes.txt", b"notes")

    uninstalled, revoked = fake.uninstall(TOKEN)

    assert uninstalled["type"] == "event_callback"
    assert uninstalled["team_id"] == "T1" and uninstalled["api_app_id"] == slack.APP_ID
    assert uninstalled["event"] == {"type": "app_uninstalled"}
    assert isinstance(uninstalled["event_time"], int) and uninstalled["event_id"].startswith("Ev")
    assert revoked["event"] == {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}
    assert uninstalled["event_id"] != revoked["event_id"]
    for method in (client.auth_test, lambda: client.chat_postMessage(channel="C1", text="x")):
        with pytest.raises(SlackApiError) as refused:
            method()
        assert refused.value.response["error"] == "token_revoked"
    download = await _download(file["url_private_download"], TOKEN)
    assert download.startswith("<html>"), "the file is not served to a revoked token"


def test_an_org_wide_uninstall_names_the_org(fake_slack: FakeSlack) -> None:
    fake_slack.add_org_install("E1", "xoxb-org", ["T5"])

    (revoked,) = [fake_slack.revoke_bot_token("xoxb-org")]

    assert revoked["enterprise_id"] == "E1"
    assert revoked["authorizations"] == [
        {
            "enterprise_id": "E1",
            "team_id": None,
            "user_id": "WBOT",
            "is_bot": True,
            "is_enterprise_install": True,
        }
    ]
    with pytest.raises(SlackApiError, match="token_revoked"):
        WebClient(token="xoxb-org", base_url=fake_slack.base_url).auth_test()
    fake_slack.add_org_install("E1", "xoxb-org", ["T5"])  # reinstalled
    assert WebClient(token="xoxb-org", base_url=fake_slack.base_url).auth_test()["ok"] is True


@pytest.mark.asyncio
async def test_an_org_token_downloads_files_of_the_orgs_workspaces_only(
    fake_slack: FakeSlack,
) -> None:
    fake_slack.add_org_install("E1", "xoxb-org", ["T5"])
    inside = fake_slack.add_file("T5", "in.txt", b"inside")
    outside = fake_slack.add_file("T9", "out.txt", b"outside")

    assert await _download(inside["url_private_download"], "xoxb-org") == "inside"
    assert (await _download(outside["url_private_download"], "xoxb-org")).startswith("<html>")


async def _download(url: str, token: str) -> str:
    """A file download as Slack's clients do it: GET with the bot token as a bearer."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, headers={"Authorization": f"Bearer {token}"}) as response,
    ):
        return await response.text()


# Socket Mode: redelivery, disconnect messages, cut connections (Slack's Socket Mode docs)


@contextlib.asynccontextmanager
async def _socket_client(
    fake: FakeSlack, *, acking: bool = True
) -> AsyncIterator[list[SocketModeRequest]]:
    """A slack_sdk Socket Mode client on the fake; yields the requests it received."""
    client = SocketModeClient(
        app_token="xapp-1-test",
        web_client=AsyncWebClient(base_url=fake.base_url),
        ping_interval=1,
    )
    received: list[SocketModeRequest] = []

    async def on_request(client: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        received.append(request)
        if acking:
            await client.send_socket_mode_response(SocketModeResponse(request.envelope_id))

    client.socket_mode_request_listeners.append(on_request)
    try:
        await client.connect()  # type: ignore[no-untyped-call]  # slack_sdk leaves it untyped
        await fake.async_socket_connected()
        yield received
    finally:
        await client.close()  # type: ignore[no-untyped-call]


@pytest.mark.asyncio
async def test_an_envelope_whose_ack_was_lost_comes_again_on_the_next_connection(
    fake_slack: FakeSlack,
) -> None:
    async with _socket_client(fake_slack) as received:
        sent = fake_slack.socket_send("slash_commands", {"text": "add"}, lose_ack=True)
        await asyncio.to_thread(fake_slack.wait_for_lost_ack, sent)
        fake_slack.abort_socket()

        await fake_slack.async_wait_for_socket_connections(2, timeout=20)
        await fake_slack.async_wait_for_ack(sent)

    first, again = fake_slack.deliveries
    assert (first["envelope_id"], again["envelope_id"]) == (sent, sent)
    assert (first["retry_attempt"], again["retry_attempt"]) == (0, 1)
    assert again["retry_reason"] == "timeout" and again["payload"] == {"text": "add"}
    assert [request.envelope_id for request in received] == [sent, sent]
    assert [ack["envelope_id"] for ack in fake_slack.acks] == [sent]


@pytest.mark.asyncio
async def test_an_unacked_envelope_is_sent_again_when_slack_gives_up_waiting(
    fake_slack: FakeSlack,
) -> None:
    async with _socket_client(fake_slack, acking=False) as received:
        sent = fake_slack.socket_send("events_api", {"event": {"type": "app_home_opened"}})
        await _until(lambda: len(received) == 1)

        assert fake_slack.redeliver_unacked() == [sent]

        await _until(lambda: len(received) == 2)
    assert [request.envelope_id for request in received] == [sent, sent]
    assert [request.retry_attempt for request in received] == [0, 1]
    assert fake_slack.acks == []


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll ``condition`` on this loop (where the client runs) until true, or fail."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "waited too long"
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("reason", ["refresh_requested", "warning"])
@pytest.mark.asyncio
async def test_a_disconnect_message_makes_the_client_connect_anew(
    fake_slack: FakeSlack, reason: str
) -> None:
    async with _socket_client(fake_slack):
        fake_slack.socket_disconnect(reason)

        await fake_slack.async_wait_for_socket_connections(2)
        after = fake_slack.socket_send("interactive", {"type": "block_actions"})
        await fake_slack.async_wait_for_ack(after)

    assert len(fake_slack.calls_to("apps.connections.open")) == 2


@pytest.mark.asyncio
async def test_a_cut_connection_is_noticed_and_replaced(fake_slack: FakeSlack) -> None:
    async with _socket_client(fake_slack):
        fake_slack.abort_socket()

        await fake_slack.async_wait_for_socket_connections(2, timeout=20)
        after = fake_slack.socket_send("interactive", {"type": "block_actions"})
        await fake_slack.async_wait_for_ack(after)


DIGEST = {"event_type": "memo_bot_digest", "event_payload": {"digest": "k1", "part": 0}}


@pytest.mark.asyncio
async def test_history_pages_newest_first_with_metadata_only_when_asked(fake: FakeSlack) -> None:
    client = AsyncWebClient(token=TOKEN, base_url=fake.base_url)
    fake.set_time(datetime(2025, 9, 25, 9, 30, tzinfo=UTC))
    sent = [(await client.chat_postMessage(channel="C1", text=f"m{n}"))["ts"] for n in range(5)]
    tagged = (await client.chat_postMessage(channel="C1", text="digest", metadata=DIGEST))["ts"]
    await client.chat_postMessage(channel="C2", text="elsewhere")
    assert float(sent[0]) == datetime(2025, 9, 25, 9, 30, tzinfo=UTC).timestamp() + 0.0001

    plain = await client.conversations_history(channel="C1")
    assert [message["ts"] for message in plain["messages"]] == [tagged, *reversed(sent)]
    assert plain["has_more"] is False
    assert all("metadata" not in message for message in plain["messages"])
    with_metadata = await client.conversations_history(channel="C1", include_all_metadata=True)
    assert with_metadata["messages"][0]["metadata"] == DIGEST
    assert with_metadata["messages"][0]["bot_id"] == "BT1"

    between = await client.conversations_history(channel="C1", oldest=sent[1], latest=sent[4])
    assert [message["text"] for message in between["messages"]] == ["m3", "m2"]
    inclusive = await client.conversations_history(
        channel="C1", oldest=sent[1], latest=sent[4], inclusive=True
    )
    assert [message["text"] for message in inclusive["messages"]] == ["m4", "m3", "m2", "m1"]

    pages, cursor = [], None
    while True:
        page = await client.conversations_history(channel="C1", limit=2, cursor=cursor)
        pages.append([message["text"] for message in page["messages"]])
        if not page["has_more"]:
            break
        cursor = page["response_metadata"]["next_cursor"]
    assert pages == [["digest", "m4"], ["m3", "m2"], ["m1", "m0"]]


@pytest.mark.asyncio
async def test_history_holds_a_threads_parent_and_replies_holds_the_thread(
    fake: FakeSlack,
) -> None:
    client = AsyncWebClient(token=TOKEN, base_url=fake.base_url)
    fake.set_time(datetime(2025, 9, 25, 9, 30, tzinfo=UTC))
    parent = (await client.chat_postMessage(channel="C1", text="parent"))["ts"]
    replies = [
        (
            await client.chat_postMessage(
                channel="C1", text=f"r{n}", thread_ts=parent, metadata=DIGEST
            )
        )["ts"]
        for n in range(3)
    ]
    after = (await client.chat_postMessage(channel="C1", text="after"))["ts"]

    history = await client.conversations_history(channel="C1", include_all_metadata=True)
    assert [message["ts"] for message in history["messages"]] == [after, parent], (
        "as on Slack, a thread's replies are not in the channel's history"
    )
    shown_parent = history["messages"][1]
    assert shown_parent["reply_count"] == 3 and shown_parent["latest_reply"] == replies[-1]

    pages, cursor = [], None
    while True:
        page = await client.conversations_replies(
            channel="C1", ts=parent, limit=2, cursor=cursor, include_all_metadata=True
        )
        pages.append([message["text"] for message in page["messages"]])
        if not page["has_more"]:
            break
        cursor = page["response_metadata"]["next_cursor"]
    assert pages == [["parent", "r0"], ["r1", "r2"]], "oldest first, the parent first"
    since = await client.conversations_replies(channel="C1", ts=parent, oldest=replies[0])
    assert [message["text"] for message in since["messages"]] == ["r1", "r2"]
    assert "metadata" not in since["messages"][0], "metadata only when asked"
    with pytest.raises(SlackApiError) as missing:
        await client.conversations_replies(channel="C1", ts="1.000001")
    assert missing.value.response["error"] == "thread_not_found"


@pytest.mark.asyncio
async def test_history_of_a_channel_the_bot_is_not_in_is_refused(fake: FakeSlack) -> None:
    client = AsyncWebClient(token=TOKEN, base_url=fake.base_url)
    fake.keep_bot_out_of("CPUBLIC")
    assert (await client.chat_postMessage(channel="CPUBLIC", text="posted anyway"))["ok"]

    with pytest.raises(SlackApiError) as refused:
        await client.conversations_history(channel="CPUBLIC")
    assert refused.value.response["error"] == "not_in_channel"
    assert [message["text"] for message in fake.messages("CPUBLIC")] == ["posted anyway"]


@pytest.mark.asyncio
async def test_a_late_answer_comes_after_the_message_is_in_the_channel(fake: FakeSlack) -> None:
    client = AsyncWebClient(token=TOKEN, base_url=fake.base_url)
    fake.answer_late("chat.postMessage", after=1)
    await client.chat_postMessage(channel="C1", text="answered at once")
    slow = asyncio.create_task(client.chat_postMessage(channel="C1", text="slow"))

    await fake.async_wait_late_answers(1)
    assert [message["text"] for message in fake.messages("C1")] == ["answered at once", "slow"]
    assert not slow.done()
    fake.release_late_answers()
    assert (await slow)["message"]["text"] == "slow"
    assert (await client.chat_postMessage(channel="C1", text="answered at once again"))["ok"]
    assert fake.late_answers == 1


@pytest.mark.asyncio
async def test_a_dropped_connection_still_posted_the_message(fake: FakeSlack) -> None:
    no_retries = AsyncWebClient(token=TOKEN, base_url=fake.base_url, retry_handlers=[])
    fake.drop_next("chat.postMessage")

    with pytest.raises(aiohttp.ServerDisconnectedError):
        await no_retries.chat_postMessage(channel="C1", text="lost answer")

    assert [message["text"] for message in fake.messages("C1")] == ["lost answer"]


@pytest.mark.asyncio
async def test_slack_sdk_retries_a_dropped_post_blindly_by_default(fake: FakeSlack) -> None:
    """Why the digest posts without AsyncConnectionErrorRetryHandler: it sends the POST again."""
    default = AsyncWebClient(token=TOKEN, base_url=fake.base_url)
    fake.drop_next("chat.postMessage")

    assert (await default.chat_postMessage(channel="C1", text="once"))["ok"]

    assert [message["text"] for message in fake.messages("C1")] == ["once", "once"]
