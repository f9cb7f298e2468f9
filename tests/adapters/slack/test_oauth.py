"""Installs in many workspaces: OAuth through /slack/install, tokens kept in our database."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest
import pytest_asyncio

from adapters.slack import build_app
from adapters.slack.outbound import SlackOutbound
from adapters.slack.server import HttpServer, web_app
from bot.core import MemoBot
from tests.adapters.slack.conftest import SIGNING_SECRET, Slack, block_text, bolt_config
from tests.chat import Chat
from tests.fakes.slack import FakeSlack
from tests.timeline import FakeClock, Timeline

CLIENT_ID = "1111.2222"

# slack_sdk's async oauth.v2.access builds an aiohttp.BasicAuth, which aiohttp 3.14 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


@pytest_asyncio.fixture
async def distributed(fake_slack: FakeSlack, bot: MemoBot) -> AsyncIterator[Slack]:
    """The bot configured for OAuth installs (a client id and secret, no bot token)."""
    config = bolt_config(
        fake_slack, bot_token=None, client_id=CLIENT_ID, client_secret="client-secret"
    )
    app = build_app(bot, config, bot.database.engine)
    server = HttpServer(web_app(app, SIGNING_SECRET), "127.0.0.1", 0)
    port = await server.start()
    async with aiohttp.ClientSession() as session:
        yield Slack(f"http://127.0.0.1:{port}", session, fake_slack, bot)
    await server.stop()


async def _install(slack: Slack, team: str, token: str) -> None:
    code = f"code-{team}"
    slack.fake.add_oauth_code(code, team, token, team_name=f"Team {team}")
    async with slack.session.get(slack.base_url + "/slack/install") as page:
        assert page.status == 200
        html = await page.text()
        # The state cookie is Secure (installs run over https); a browser sends it back.
        cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in page.cookies.items())
    state = re.search(r"state=([\w-]+)", html)
    assert state, html
    async with slack.session.get(
        slack.base_url + "/slack/oauth_redirect",
        params={"code": code, "state": state.group(1)},
        headers={"Cookie": cookie},
    ) as done:
        assert done.status == 200, await done.text()


@pytest.mark.asyncio
async def test_an_install_stores_the_workspace_and_its_commands_use_its_token(
    distributed: Slack,
) -> None:
    await _install(distributed, "T2", "xoxb-team-two")
    access = distributed.fake.calls_to("oauth.v2.access")
    assert [call.params["client_id"] for call in access] == [CLIENT_ID]

    answer = await distributed.command_json("add [설치 후 첫 세션] 첫 메모", team="T2")
    assert "첫 메모" in block_text(answer)
    assert {call.token for call in distributed.fake.calls_to("users.info")} == {"xoxb-team-two"}


@pytest.mark.asyncio
async def test_each_installed_workspace_uses_its_own_token_and_sees_only_its_memos(
    distributed: Slack,
) -> None:
    await _install(distributed, "T2", "xoxb-team-two")
    await _install(distributed, "T3", "xoxb-team-three")

    await distributed.command_json("add [같은 제목] 팀 2의 메모", team="T2")
    await distributed.command_json("add [같은 제목] 팀 3의 메모", team="T3")

    tokens = [call.token for call in distributed.fake.calls_to("users.info")]
    assert tokens == ["xoxb-team-two", "xoxb-team-three"]
    shown = block_text(await distributed.command_json("show [같은 제목]", team="T3"))
    assert "팀 3의 메모" in shown and "팀 2의 메모" not in shown


@pytest.mark.asyncio
async def test_a_forged_install_state_is_refused(distributed: Slack) -> None:
    distributed.fake.add_oauth_code("code-T9", "T9", "xoxb-team-nine")
    async with distributed.session.get(
        distributed.base_url + "/slack/oauth_redirect",
        params={"code": "code-T9", "state": "made-up-state"},
    ) as done:
        assert done.status >= 400
    assert distributed.fake.calls_to("oauth.v2.access") == []


@pytest.mark.asyncio
async def test_digests_post_with_each_workspace_token_and_stop_where_uninstalled(
    distributed: Slack,
) -> None:
    await _install(distributed, "T2", "xoxb-team-two")
    await _install(distributed, "T3", "xoxb-team-three")
    now = datetime(2025, 9, 25, 9, 0, tzinfo=UTC)
    for team in ("T2", "T3", "T4"):  # T4 had memos, but the app is not installed there now
        chat = Chat(distributed.bot, workspace=team, now=now)
        chat.say("alice", "digest at 18:00")
        chat.say("alice", f"add [{team} 세션] {team}의 메모")
    config = bolt_config(
        distributed.fake, bot_token=None, client_id=CLIENT_ID, client_secret="client-secret"
    )
    outbound = SlackOutbound(build_app(distributed.bot, config, distributed.bot.database.engine))
    timeline = Timeline(
        distributed.bot, FakeClock(now.replace(hour=18)), outbounds={"slack": outbound}
    )

    assert await timeline.runner.run_due() == 2

    posts = distributed.fake.calls_to("chat.postMessage")
    assert [(call.token, "T2의 메모" in str(call.params["text"])) for call in posts] == [
        ("xoxb-team-two", True),
        ("xoxb-team-three", False),
    ]
    shown = Chat(distributed.bot, workspace="T4", now=now.replace(hour=19)).say("alice", "digest")
    assert "off (the bot cannot post in this channel any more: the app is not installed" in (
        shown.markdown
    )
