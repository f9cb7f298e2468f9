"""A Slack session played as Slack's documentation shows it, from install to reinstall.

Each install kind (a workspace, a workspace inside an Enterprise Grid org, an org-wide
install) goes through the same day: the OAuth install, every surface people use
(slash commands, the add-memo modal and its session search, the "Save as memo"
shortcut, App Home, the import form, an export), the evening digest, the uninstall
(``app_uninstalled`` and ``tokens_revoked``) and a reinstall. Requests carry the ids
Slack puts in them for that kind of install (the fake's ``request_ids``,
``interaction_ids`` and ``event_callback``); every Web API call must use the
install's own token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from adapters.slack.views import (
    FILE_ACTION,
    FILE_BLOCK,
    NEW_BLOCK,
    PICK_BLOCK,
    TEXT_BLOCK,
)
from tests.adapters.slack import installs
from tests.adapters.slack.conftest import ALICE, Slack, block_text, posts_of
from tests.adapters.slack.installs import evening, install, install_org, saved_tokens, timeline

pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")

distributed = installs.distributed

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
NOTES = "2025-09-25\nDEVRIVER 2025 Day1\n\n[Kafka 없이 이벤트 소싱]\nOutbox 테이블 + CDC\n"


@dataclass(frozen=True)
class Kind:
    """One way the app is installed, and the workspace the session happens in."""

    name: str
    team: str
    token: str
    enterprise_id: str | None = None
    org_wide: bool = False

    async def install(self, slack: Slack, token: str) -> None:
        if self.org_wide:
            assert self.enterprise_id is not None
            await install_org(slack, self.enterprise_id, token, [self.team, "T6"])
        else:
            await install(slack, self.team, token, enterprise_id=self.enterprise_id)


KINDS = [
    Kind("workspace", "T2", "xoxb-workspace"),
    Kind("workspace in an org", "T7", "xoxb-grid-workspace", enterprise_id="E1"),
    Kind("org-wide", "T5", "xoxb-org-wide", enterprise_id="E1", org_wide=True),
]


def _interaction(slack: Slack, kind: Kind, payload: dict[str, Any]) -> dict[str, Any]:
    """An interaction payload with the ids Slack sends for this install."""
    return {
        **slack.fake.interaction_ids(kind.team),
        "user": {"id": ALICE.id, "username": ALICE.name, "name": ALICE.name, "team_id": kind.team},
        "api_app_id": "A0FAKE",
        "token": "legacy-verification-token",
        **payload,
    }


async def _opened_view(slack: Slack, count: int) -> dict[str, Any]:
    call = (await slack.fake.async_wait_for("views.open", count=count))[-1]
    view: dict[str, Any] = call.params["view"]
    return view


async def _interact(slack: Slack, payload: dict[str, Any]) -> dict[str, Any]:
    status, body = await slack.interactive(payload)
    assert status == 200, body
    answer: dict[str, Any] = json.loads(body) if body else {}
    return answer


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
@pytest.mark.asyncio
async def test_a_day_from_install_to_reinstall(distributed: Slack, kind: Kind) -> None:
    slack, team = distributed, kind.team
    await kind.install(slack, kind.token)
    assert saved_tokens(slack) == [kind.token, kind.token]

    # Slash commands: a memo for everyone, the digest for the evening.
    added = await slack.command_json(f"add [{ENVOY}] 라우트 3,400개를 xDS로 이관", team=team)
    assert added["response_type"] == "ephemeral" and "#1" in block_text(added)
    await slack.command_json("digest at 18:00", team=team)

    # The add-memo modal, its session search, and its Save.
    status, _ = await slack.command("", team=team)
    assert status == 200
    view = await _opened_view(slack, 1)
    options = await _interact(
        slack,
        _interaction(
            slack,
            kind,
            {
                "type": "block_suggestion",
                "action_id": "session_select",
                "block_id": PICK_BLOCK,
                "value": "Envoy",
                "view": view,
            },
        ),
    )
    [option] = options["options"]
    values = {
        PICK_BLOCK: {
            "session_select": {"type": "external_select", "selected_option": option},
        },
        NEW_BLOCK: {"session_title": {"type": "plain_text_input", "value": None}},
        TEXT_BLOCK: {"memo_text": {"type": "plain_text_input", "value": "p99 210ms → 45ms"}},
    }
    saved = await _interact(
        slack,
        _interaction(
            slack,
            kind,
            {
                "type": "view_submission",
                "trigger_id": "trigger-modal",
                "view": {**view, "id": "VADD", "team_id": team, "state": {"values": values}},
                "response_urls": [],
            },
        ),
    )
    assert saved["response_action"] == "update"
    assert "#2" in json.dumps(saved["view"], ensure_ascii=False)
    await slack.fake.async_wait_for("chat.postMessage")  # the memo announced in the channel

    # The "Save as memo" message shortcut opens the form with the message.
    await _interact(
        slack,
        _interaction(
            slack,
            kind,
            {
                "type": "message_action",
                "callback_id": "save_as_memo",
                "trigger_id": "trigger-shortcut",
                "channel": {"id": "C1", "name": "general"},
                "message": {
                    "type": "message",
                    "user": "UBOB",
                    "ts": "1.000100",
                    "text": "발표 요약",
                },
                "message_ts": "1.000100",
                "response_url": slack.fake.response_url(),
            },
        ),
    )
    assert "발표 요약" in json.dumps(await _opened_view(slack, 2), ensure_ascii=False)

    # App Home.
    status, _ = await slack.event(
        {"type": "app_home_opened", "user": ALICE.id, "channel": "D1", "tab": "home"}, team=team
    )
    assert status == 200
    (published,) = await slack.fake.async_wait_for("views.publish")
    assert "라우트 3,400개" in json.dumps(published.params["view"], ensure_ascii=False)

    # The import form: the file is downloaded with the install's token.
    status, _ = await slack.command("import", team=team)
    import_view = await _opened_view(slack, 3)
    file = slack.fake.add_file(team, "day1.txt", NOTES.encode())
    values = {FILE_BLOCK: {FILE_ACTION: {"type": "file_input", "files": [file]}}}
    await _interact(
        slack,
        _interaction(
            slack,
            kind,
            {
                "type": "view_submission",
                "trigger_id": "trigger-import",
                "view": {
                    **import_view,
                    "id": "VIMPORT",
                    "team_id": team,
                    "state": {"values": values},
                },
                "response_urls": [],
            },
        ),
    )
    (imported,) = await slack.fake.async_wait_for("response_url")
    assert "day1.txt: 1 post, 1 session" in block_text(imported.params)

    # An export, uploaded to the person's direct messages.
    status, _ = await slack.command("export", team=team)
    assert status == 200
    exported = (await slack.fake.async_wait_for("response_url", count=2))[-1]
    assert "I sent it to you in a direct message." in block_text(exported.params)
    (upload,) = slack.fake.uploaded_files
    assert "Outbox 테이블 + CDC" in upload.content.decode()

    # The evening digest.
    assert await timeline(slack, evening()).runner.run_due() == 1
    digest = posts_of(slack.fake, "digest")[-1]
    assert ENVOY in str(digest.params["text"])

    # Every call to Slack so far used this install's token.
    used = {call.token for call in slack.fake.calls if call.token and call.method != "upload"}
    assert used == {kind.token}

    # The uninstall: tokens gone, the bot cannot act there any more.
    for envelope in slack.fake.uninstall(kind.token):
        status, _ = await slack.send_event(envelope)
        assert status == 200
    assert saved_tokens(slack) == []
    status, _ = await slack.command("sessions", team=team)
    assert status == 200
    refused = (await slack.fake.async_wait_for("response_url", count=3))[-1]
    assert "no longer available" in str(refused.params["text"]), "Bolt asks for a reinstall"

    # The reinstall finds the memos; the digest waits to be turned back on.
    await kind.install(slack, f"{kind.token}-again")
    shown = block_text(await slack.command_json(f"show [{ENVOY}]", team=team))
    assert "라우트 3,400개" in shown and "p99 210ms → 45ms" in shown
    setting = block_text(await slack.command_json("digest", team=team))
    assert "The daily digest is off (the app was uninstalled from this workspace on " in setting
    await slack.command_json("digest at 18:00", team=team)
    assert await timeline(slack, evening()).runner.run_due() == 0, "today's digest was posted"
    assert "The daily digest is on" in block_text(await slack.command_json("digest", team=team))
