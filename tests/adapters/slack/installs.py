"""Installing the Slack app through OAuth in tests: the bot set up for installs in many
workspaces, the browser's trip through /slack/install and back, and what got saved."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest_asyncio
from sqlalchemy import select

from adapters.slack import SlackConfig, build_app
from adapters.slack.outbound import SlackOutbound
from adapters.slack.server import HttpServer, web_app
from adapters.slack.tables import SLACK_BOTS, SLACK_INSTALLATIONS
from bot.core import MemoBot
from tests.adapters.slack.conftest import SIGNING_SECRET, Slack, announcing, bolt_config
from tests.fakes.slack import FakeSlack
from tests.timeline import FakeClock, Timeline

CLIENT_ID = "1111.2222"


def oauth_config(fake: FakeSlack) -> SlackConfig:
    """Settings for installs in many workspaces: a client id and secret, no bot token."""
    return bolt_config(fake, bot_token=None, client_id=CLIENT_ID, client_secret="client-secret")


@pytest_asyncio.fixture
async def distributed(fake_slack: FakeSlack, bot: MemoBot) -> AsyncIterator[Slack]:
    """The bot configured for OAuth installs, serving HTTP."""
    app = build_app(bot, oauth_config(fake_slack), bot.database.engine)
    server = HttpServer(web_app(app, SIGNING_SECRET), "127.0.0.1", 0)
    port = await server.start()
    async with announcing(bot, app), aiohttp.ClientSession() as session:
        yield Slack(f"http://127.0.0.1:{port}", session, fake_slack, bot)
    await server.stop()


async def install(slack: Slack, team: str, token: str, *, enterprise_id: str | None = None) -> None:
    """A workspace install (inside an Enterprise Grid org with ``enterprise_id``)."""
    code = f"code-{team}-{token}"
    slack.fake.add_oauth_code(
        code, team, token, team_name=f"Team {team}", enterprise_id=enterprise_id
    )
    await authorize(slack, code)


async def install_org(slack: Slack, enterprise_id: str, token: str, teams: list[str]) -> None:
    """An org-wide install in ``enterprise_id``, granted to ``teams``."""
    code = f"code-{enterprise_id}-{token}"
    slack.fake.add_org_oauth_code(code, enterprise_id, token, teams)
    await authorize(slack, code)


async def install_page(slack: Slack) -> tuple[str, str]:
    """The install page's state and the cookie a browser sends back with it."""
    async with slack.session.get(slack.base_url + "/slack/install") as page:
        assert page.status == 200
        html = await page.text()
        # The state cookie is Secure (installs run over https); a browser sends it back.
        cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in page.cookies.items())
    state = re.search(r"state=([\w-]+)", html)
    assert state, html
    return state.group(1), cookie


async def redirect(slack: Slack, code: str, state: str, cookie: str) -> int:
    """Slack sends the browser back to the bot with the code; the status of the bot's page."""
    async with slack.session.get(
        slack.base_url + "/slack/oauth_redirect",
        params={"code": code, "state": state},
        headers={"Cookie": cookie},
    ) as done:
        await done.read()
        return done.status


async def authorize(slack: Slack, code: str) -> None:
    state, cookie = await install_page(slack)
    assert await redirect(slack, code, state, cookie) == 200


def saved_tokens(slack: Slack) -> list[str]:
    """Every bot token saved (installations and bots), sorted."""
    with slack.bot.database.reading() as tx:
        return sorted(
            token
            for table in (SLACK_BOTS, SLACK_INSTALLATIONS)
            for token in tx.scalars(select(table.c.bot_token))
        )


def timeline(slack: Slack, at: datetime) -> Timeline:
    """The digest runner of another bot process configured for OAuth installs."""
    outbound = SlackOutbound(
        build_app(slack.bot, oauth_config(slack.fake), slack.bot.database.engine)
    )
    return Timeline(slack.bot, FakeClock(at), outbounds={"slack": outbound})


def evening() -> datetime:
    """Today at 18:00:30 UTC: commands sent over HTTP are stamped with the real clock."""
    return datetime.now(UTC).replace(hour=18, minute=0, second=30, microsecond=0)
