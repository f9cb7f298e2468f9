"""Uninstalling the Slack app: its tokens are deleted, its digests stop saying why, memos stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from adapters.slack.tables import SLACK_BOTS, SLACK_INSTALLATIONS
from tests.adapters.slack import installs
from tests.adapters.slack.conftest import BOT_TOKEN, TEAM, Slack, block_text, posts_of
from tests.adapters.slack.installs import (
    evening,
    install,
    install_org,
    saved_tokens,
    timeline,
)
from tests.chat import Chat

pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")

distributed = installs.distributed
TODAY = f"{datetime.now(UTC):%Y-%m-%d}"


async def _deliver(slack: Slack, envelopes: list[dict[str, Any]]) -> None:
    for envelope in envelopes:
        status, body = await slack.send_event(envelope)
        assert status == 200, (envelope["event"]["type"], body)


async def _digest_and_memo(slack: Slack, team: str) -> None:
    await slack.command_json("digest at 18:00", team=team)
    await slack.command_json(f"add [{team} 세션] 설치돼 있을 때의 메모", team=team)


async def _digest_shown(slack: Slack, team: str) -> str:
    return block_text(await slack.command_json("digest", team=team))


@pytest.mark.asyncio
async def test_uninstalling_deletes_the_workspace_token_and_stops_its_digests(
    distributed: Slack,
) -> None:
    await install(distributed, "T2", "xoxb-team-two")
    await install(distributed, "T3", "xoxb-team-three")
    for team in ("T2", "T3"):
        await _digest_and_memo(distributed, team)

    await _deliver(distributed, distributed.fake.uninstall("xoxb-team-two"))

    assert saved_tokens(distributed) == ["xoxb-team-three", "xoxb-team-three"]
    assert await timeline(distributed, evening()).runner.run_due() == 1
    (post,) = posts_of(distributed.fake, "digest")
    assert post.token == "xoxb-team-three", "nothing is posted with a revoked token"
    await install(distributed, "T2", "xoxb-team-two-again")
    shown = await _digest_shown(distributed, "T2")
    assert (
        f"The daily digest is off (the app was uninstalled from this workspace on {TODAY}); "
        in shown
    )
    assert "/memo digest at HH:MM turns it back on" in shown
    memos = block_text(await distributed.command_json("show [T2 세션]", team="T2"))
    assert "설치돼 있을 때의 메모" in memos, "a reinstall finds the memos"
    assert "The daily digest is on" in await _digest_shown(distributed, "T3")


@pytest.mark.parametrize("named_workspace", [None, "T5"], ids=["no workspace", "a workspace"])
@pytest.mark.asyncio
async def test_uninstalling_an_org_wide_install_stops_every_workspace_it_served(
    distributed: Slack, named_workspace: str | None
) -> None:
    """Whether the events' authorization names no workspace or one of the org's (as Slack's
    org-wide sample payload does), the org's install is the one removed."""
    await install_org(distributed, "E1", "xoxb-org-one", ["T5", "T6"])
    await install(distributed, "T7", "xoxb-team-seven", enterprise_id="E1")
    for team in ("T5", "T6", "T7"):
        await _digest_and_memo(distributed, team)
    events = distributed.fake.uninstall("xoxb-org-one")
    for event in events:
        event["authorizations"][0]["team_id"] = named_workspace

    await _deliver(distributed, events)

    assert saved_tokens(distributed) == ["xoxb-team-seven", "xoxb-team-seven"]
    assert await timeline(distributed, evening()).runner.run_due() == 1
    assert [call.token for call in posts_of(distributed.fake, "digest")] == ["xoxb-team-seven"]
    await install_org(distributed, "E1", "xoxb-org-one-again", ["T5", "T6"])
    for team in ("T5", "T6"):
        assert "uninstalled from this workspace" in await _digest_shown(distributed, team)
    assert "The daily digest is on" in await _digest_shown(distributed, "T7")


@pytest.mark.asyncio
async def test_a_revoked_bot_token_is_deleted_and_the_digest_says_so(distributed: Slack) -> None:
    await install(distributed, "T2", "xoxb-team-two")
    await _digest_and_memo(distributed, "T2")

    await _deliver(distributed, [distributed.fake.revoke_bot_token("xoxb-team-two")])

    assert saved_tokens(distributed) == []
    await install(distributed, "T2", "xoxb-team-two-again")
    shown = await _digest_shown(distributed, "T2")
    assert f"(the app's access to this workspace was revoked on {TODAY})" in shown


@pytest.mark.asyncio
async def test_an_uninstall_delivered_after_a_reinstall_leaves_the_reinstall_alone(
    distributed: Slack,
) -> None:
    """Slack retries an event it got no answer for, minutes later, with its first event_time."""
    now = datetime.now(UTC)
    await install(distributed, "T2", "xoxb-team-two")
    _installed_at(distributed, now - timedelta(minutes=30))
    Chat(distributed.bot, workspace="T2", now=now - timedelta(minutes=30)).say(
        "alice", "digest at 18:00"
    )
    events = distributed.fake.uninstall("xoxb-team-two")
    for event in events:
        event["event_time"] = int((now - timedelta(minutes=2)).timestamp())
    await _deliver(distributed, events)
    await install(distributed, "T2", "xoxb-team-two-again")
    await distributed.command_json("digest at 18:00", team="T2")
    await distributed.command_json("add [T2 세션] 다시 설치한 뒤", team="T2")

    await _deliver(distributed, events)  # the retries

    assert saved_tokens(distributed) == ["xoxb-team-two-again", "xoxb-team-two-again"]
    assert "The daily digest is on" in await _digest_shown(distributed, "T2")
    assert await timeline(distributed, evening()).runner.run_due() == 1


def _installed_at(slack: Slack, when: datetime) -> None:
    """Make every saved install look made at ``when`` (slack_sdk keeps naive UTC)."""
    with slack.bot.database.writing() as tx:
        for table in (SLACK_BOTS, SLACK_INSTALLATIONS):
            tx.execute(update(table).values(installed_at=when.replace(tzinfo=None)))


@pytest.mark.asyncio
async def test_with_one_workspace_token_an_uninstall_stops_its_digests(slack: Slack) -> None:
    await _digest_and_memo(slack, TEAM)

    await _deliver(slack, slack.fake.uninstall(BOT_TOKEN))

    slack.fake.add_workspace(TEAM, BOT_TOKEN)  # reinstalled: the same token is valid again
    assert f"uninstalled from this workspace on {TODAY}" in await _digest_shown(slack, TEAM)


@pytest.mark.asyncio
async def test_a_digest_whose_token_was_revoked_unannounced_turns_off(distributed: Slack) -> None:
    """If the events never arrive, Slack refusing the token (token_revoked) still stops it."""
    await install(distributed, "T2", "xoxb-team-two")
    await _digest_and_memo(distributed, "T2")
    distributed.fake.uninstall("xoxb-team-two")  # the events are lost

    assert await timeline(distributed, evening()).runner.run_due() == 0

    await install(distributed, "T2", "xoxb-team-two-again")
    shown = await _digest_shown(distributed, "T2")
    assert "(the bot cannot post in this channel any more: token_revoked)" in shown
