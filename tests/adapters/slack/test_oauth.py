"""Installs in many workspaces: OAuth through /slack/install, tokens kept in our database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from adapters.slack import build_app
from adapters.slack.installations import MAX_PENDING_INSTALLS
from adapters.slack.outbound import SlackOutbound
from adapters.slack.tables import SLACK_BOTS, SLACK_OAUTH_STATES
from tests.adapters.slack import installs
from tests.adapters.slack.conftest import Slack, block_text, posts_of
from tests.adapters.slack.installs import (
    CLIENT_ID,
    authorize,
    evening,
    install,
    install_org,
    install_page,
    oauth_config,
    redirect,
    timeline,
)
from tests.chat import Chat
from tests.timeline import FakeClock, Timeline

# slack_sdk's async oauth.v2.access builds an aiohttp.BasicAuth, which aiohttp 3.14 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")

# Bound by assignment rather than imported, so ruff's F811 does not fire at each test using it.
distributed = installs.distributed


@pytest.mark.asyncio
async def test_an_install_stores_the_workspace_and_its_commands_use_its_token(
    distributed: Slack,
) -> None:
    await install(distributed, "T2", "xoxb-team-two")
    access = distributed.fake.calls_to("oauth.v2.access")
    assert [call.params["client_id"] for call in access] == [CLIENT_ID]

    answer = await distributed.command_json("add [설치 후 첫 세션] 첫 메모", team="T2")
    assert "첫 메모" in block_text(answer)
    assert {call.token for call in distributed.fake.calls_to("users.info")} == {"xoxb-team-two"}


@pytest.mark.asyncio
async def test_each_installed_workspace_uses_its_own_token_and_sees_only_its_memos(
    distributed: Slack,
) -> None:
    await install(distributed, "T2", "xoxb-team-two")
    await install(distributed, "T3", "xoxb-team-three")

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
    await install(distributed, "T2", "xoxb-team-two")
    await install(distributed, "T3", "xoxb-team-three")
    now = datetime(2025, 9, 25, 9, 0, tzinfo=UTC)
    for team in ("T2", "T3", "T4"):  # T4 had memos, but the app is not installed there now
        chat = Chat(distributed.bot, workspace=team, now=now)
        chat.say("alice", "digest at 18:00")
        chat.say("alice", f"add [{team} 세션] {team}의 메모")
    outbound = SlackOutbound(
        build_app(distributed.bot, oauth_config(distributed.fake), distributed.bot.database.engine)
    )
    timeline = Timeline(
        distributed.bot, FakeClock(now.replace(hour=18)), outbounds={"slack": outbound}
    )

    assert await timeline.runner.run_due() == 2

    posts = posts_of(distributed.fake, "digest")  # in parallel: in either order
    assert sorted((call.token, "T2의 메모" in str(call.params["text"])) for call in posts) == [
        ("xoxb-team-three", False),
        ("xoxb-team-two", True),
    ]
    shown = Chat(distributed.bot, workspace="T4", now=now.replace(hour=19)).say("alice", "digest")
    assert "off (the bot cannot post in this channel any more: the app is not installed" in (
        shown.markdown
    )


@pytest.mark.asyncio
async def test_an_org_wide_install_posts_digests_in_each_workspace_of_the_org(
    distributed: Slack,
) -> None:
    await install_org(distributed, "E1", "xoxb-org-one", ["T5", "T6"])
    for team in ("T5", "T6"):
        await distributed.command_json("digest at 18:00", team=team)
        await distributed.command_json(f"add [{team} 세션] {team}의 메모", team=team)

    assert await timeline(distributed, evening()).runner.run_due() == 2

    posts = posts_of(distributed.fake, "digest")  # in parallel: in either order
    assert [call.token for call in posts] == ["xoxb-org-one", "xoxb-org-one"]
    assert sorted("T5의 메모" in str(call.params["text"]) for call in posts) == [False, True]
    shown = block_text(await distributed.command_json("digest", team="T5"))
    assert "The daily digest is on" in shown


@pytest.mark.asyncio
async def test_a_workspace_install_inside_an_org_posts_its_digests(distributed: Slack) -> None:
    await install(distributed, "T7", "xoxb-team-seven", enterprise_id="E1")
    await distributed.command_json("digest at 18:00", team="T7")
    await distributed.command_json("add [그리드 세션] 조직 안 워크스페이스", team="T7")

    assert await timeline(distributed, evening()).runner.run_due() == 1

    (post,) = posts_of(distributed.fake, "digest")
    assert post.token == "xoxb-team-seven"
    assert "조직 안 워크스페이스" in str(post.params["text"])


def _saved_bots(slack: Slack) -> list[str]:
    with slack.bot.database.reading() as tx:
        return list(tx.scalars(select(SLACK_BOTS.c.team_id).order_by(SLACK_BOTS.c.team_id)))


def _states(slack: Slack) -> int:
    with slack.bot.database.reading() as tx:
        return tx.execute(select(func.count()).select_from(SLACK_OAUTH_STATES)).scalar_one()


@pytest.mark.asyncio
async def test_two_callbacks_at_once_with_one_state_install_once(distributed: Slack) -> None:
    """A state is a one-time ticket: of two redirects racing with it, one installs."""
    for trial in range(10):
        state, cookie = await install_page(distributed)
        codes = {f"code-{trial}-{side}": f"T{side}{trial}" for side in "AB"}
        for code, team in codes.items():
            distributed.fake.add_oauth_code(code, team, f"xoxb-{team}")

        statuses = await asyncio.gather(
            *(redirect(distributed, code, state, cookie) for code in codes)
        )

        assert sorted(statuses) == [200, 401], f"trial {trial}"
    assert len(_saved_bots(distributed)) == 10
    assert len(distributed.fake.calls_to("oauth.v2.access")) == 10


@pytest.mark.asyncio
async def test_a_used_state_is_refused_the_second_time(distributed: Slack) -> None:
    distributed.fake.add_oauth_code("code-one", "T8", "xoxb-team-eight")
    distributed.fake.add_oauth_code("code-two", "T9", "xoxb-team-nine")
    state, cookie = await install_page(distributed)

    assert await redirect(distributed, "code-one", state, cookie) == 200
    assert await redirect(distributed, "code-two", state, cookie) == 401
    assert _saved_bots(distributed) == ["T8"]


@pytest.mark.asyncio
async def test_an_oauth_code_used_again_installs_nothing_more(distributed: Slack) -> None:
    """A reloaded redirect page (a fresh state, the code already exchanged) is refused."""
    distributed.fake.add_oauth_code("code-once", "T2", "xoxb-team-two")
    await authorize(distributed, "code-once")
    state, cookie = await install_page(distributed)

    assert await redirect(distributed, "code-once", state, cookie) == 401

    assert _saved_bots(distributed) == ["T2"]
    assert len(distributed.fake.calls_to("oauth.v2.access")) == 2


@pytest.mark.asyncio
async def test_install_pages_purge_expired_states(distributed: Slack) -> None:
    long_ago = datetime(2025, 1, 1)  # slack_sdk's columns hold naive UTC
    with distributed.bot.database.writing() as tx:
        tx.execute(
            SLACK_OAUTH_STATES.insert(),
            [{"state": f"old-{n}", "expire_at": long_ago} for n in range(50)],
        )

    state, _cookie = await install_page(distributed)

    assert _states(distributed) == 1
    with distributed.bot.database.reading() as tx:
        assert tx.scalars(select(SLACK_OAUTH_STATES.c.state)).all() == [state]


@pytest.mark.asyncio
async def test_a_flood_of_install_page_visits_is_bounded(distributed: Slack) -> None:
    """Each visit is unauthenticated and starts an install: past the bound they are refused,
    the table stops growing, and installs already under way still finish."""
    distributed.fake.add_oauth_code("code-early", "T8", "xoxb-team-eight")
    state, cookie = await install_page(distributed)
    later = datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=5)
    with distributed.bot.database.writing() as tx:
        tx.execute(
            SLACK_OAUTH_STATES.insert(),
            [{"state": f"flood-{n}", "expire_at": later} for n in range(MAX_PENDING_INSTALLS)],
        )

    async with distributed.session.get(distributed.base_url + "/slack/install") as page:
        assert page.status == 503
        assert "Too many installs are under way" in await page.text()
        assert "Set-Cookie" not in page.headers
    assert _states(distributed) == MAX_PENDING_INSTALLS + 1

    assert await redirect(distributed, "code-early", state, cookie) == 200
    assert _saved_bots(distributed) == ["T8"]
