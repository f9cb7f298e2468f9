"""/memo over Slack's HTTP interface: signed requests in, Slack responses out."""

from __future__ import annotations

import json
import time

import pytest

from tests.adapters.slack.conftest import (
    ADMIN,
    ALICE,
    BOB,
    Slack,
    assert_slack_shows_literally,
    bold_text,
    code_text,
)
from tests.adapters.slack.conftest import block_text as _text

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"


@pytest.mark.asyncio
async def test_add_answers_privately_and_announces_the_memo_in_the_channel(slack: Slack) -> None:
    answer = await slack.command_json(f"add [{ENVOY}] 기존 Nginx + Lua 게이트웨이, 라우트 3,400개")

    assert answer["response_type"] == "ephemeral"
    assert "#1" in _text(answer)
    [post] = await slack.fake.async_wait_for("chat.postMessage", 1)
    announced = post.params
    assert announced["channel"] == "C1"
    # The session's first memo: the parent message of the session's thread.
    assert _text(announced).startswith("[Envoy로 갈아탄 사내 API 게이트웨이] · ")
    assert "Alice noted in [Envoy로 갈아탄 사내 API 게이트웨이] · #1" in _text(announced)
    assert bold_text(announced)[0] == "Alice"
    assert "기존 Nginx + Lua 게이트웨이, 라우트 3,400개" in _text(announced)
    assert announced["text"], "a notification fallback is always present"


@pytest.mark.asyncio
async def test_the_display_name_comes_from_users_info(slack: Slack) -> None:
    await slack.command_json(f"add [{ENVOY}] 메모")
    calls = slack.fake.calls_to("users.info")
    assert [call.params["user"] for call in calls] == [ALICE.id]
    shown = await slack.command_json(f"show [{ENVOY}]")
    assert "#1 Alice," in _text(shown)
    assert "#1" in bold_text(shown)


@pytest.mark.asyncio
async def test_every_subcommand_answers(slack: Slack) -> None:
    replies = {}
    for text in [
        "conference DEVRIVER 2025 Asia/Seoul",
        f"attend [{ENVOY}]",
        f"add [{ENVOY}] p99 210ms → 54ms",
        "edit 1 p99 210ms → 45ms",
        "sessions all",
        f"show [{ENVOY}]",
        "delete 1",
        "undo",
        "search 45MS",
        "help",
        f"summary [{ENVOY}]",
        "frobnicate",
    ]:
        replies[text.split()[0]] = await slack.command_json(text)

    assert replies["conference"]["response_type"] == "in_channel"
    assert "DEVRIVER 2025" in _text(replies["conference"])
    assert "attending" in _text(replies["attend"])
    assert "45ms" in _text(replies["edit"])
    assert f"[{ENVOY}]" in _text(replies["sessions"])
    assert "p99 210ms → 45ms" in _text(replies["show"])
    assert "/memo undo brings it back" in _text(replies["delete"])
    assert "/memo undo" in code_text(replies["delete"])
    assert "Restored #1" in _text(replies["undo"])
    assert "p99 210ms → 45ms" in _text(replies["search"])
    assert "45ms" in bold_text(replies["search"]), "the match in Slack's bold"
    assert "/memo add [Session title] note" in code_text(replies["help"])
    assert _text(replies["summary"]).startswith(f"[{ENVOY}]")
    assert bold_text(replies["summary"])[0] == f"[{ENVOY}]"
    assert "p99 210ms → 45ms" in _text(replies["summary"])
    assert "no /memo frobnicate command" in _text(replies["frobnicate"])
    assert "/memo frobnicate" in code_text(replies["frobnicate"])
    private = ("attend", "edit", "sessions", "show", "delete", "undo", "search", "help", "summary")
    for name in private:
        assert replies[name]["response_type"] == "ephemeral", name


@pytest.mark.asyncio
async def test_bad_input_gets_a_short_private_answer_and_changes_nothing(slack: Slack) -> None:
    for text in (f"add [{ENVOY} 닫는 괄호 없음", "delete 99999", f"add [{ENVOY}] {'x' * 4001}"):
        answer = await slack.command_json(text)
        assert answer["response_type"] == "ephemeral"
        assert len(_text(answer)) < 300
    listing = await slack.command_json("sessions all")
    assert "No sessions yet" in _text(listing)


@pytest.mark.asyncio
async def test_only_the_author_or_a_slack_admin_may_delete(slack: Slack) -> None:
    await slack.command_json(f"add [{ENVOY}] 앨리스의 메모", user=ALICE)

    refused = await slack.command_json("delete 1", user=BOB)
    assert "Only the author of #1" in _text(refused)
    allowed = await slack.command_json("delete 1", user=ADMIN)
    assert "Deleted #1" in _text(allowed)


@pytest.mark.asyncio
async def test_a_memo_cannot_ping_or_spoof_a_link_anywhere(slack: Slack) -> None:
    hostile = "<!channel> <!here> <@U123> <https://evil.example|공식 문서> & done"
    answer = await slack.command_json(f"add [{ENVOY}] {hostile}")
    shown = await slack.command_json(f"show [{ENVOY}]")

    assert_slack_shows_literally(answer, hostile)
    assert_slack_shows_literally(shown, hostile)
    assert "&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt;" in answer["text"], "escaped, as text"


@pytest.mark.asyncio
async def test_a_retried_command_stores_the_memo_once(slack: Slack) -> None:
    first = await slack.command_json(f"add [{ENVOY}] 한 번만", trigger_id="trigger-retry")
    again = await slack.command_json(f"add [{ENVOY}] 한 번만", trigger_id="trigger-retry")

    assert _text(again) == _text(first)
    shown = await slack.command_json(f"show [{ENVOY}]")
    assert _text(shown).count("한 번만") == 1


@pytest.mark.asyncio
async def test_a_bad_signature_is_refused_and_changes_nothing(slack: Slack) -> None:
    status, _ = await slack.command(f"add [{ENVOY}] 위조", signature="v0=" + "0" * 64)
    assert status == 401
    assert "No sessions yet" in _text(await slack.command_json("sessions all"))


@pytest.mark.asyncio
async def test_a_stale_request_is_refused(slack: Slack) -> None:
    old = int(time.time()) - 6 * 60
    status, _ = await slack.post(
        "/slack/events",
        b"command=%2Fmemo&text=help",
        "application/x-www-form-urlencoded",
        timestamp=old,
    )
    assert status == 401


@pytest.mark.asyncio
async def test_two_workspaces_never_see_each_others_memos(slack: Slack) -> None:
    slack.fake.add_workspace("T2", "xoxb-team-two")
    await slack.command_json(f"add [{ENVOY}] 팀 1의 비밀", team="T1")

    other = await slack.command_json(f"show [{ENVOY}]", team="T2")
    assert "팀 1의 비밀" not in json.dumps(other, ensure_ascii=False)
    assert "No session called" in _text(other)
    assert "No sessions yet" in _text(await slack.command_json("sessions all", team="T2"))


@pytest.mark.asyncio
async def test_when_users_info_fails_the_handle_is_used_and_admin_rights_wait(
    slack: Slack,
) -> None:
    await slack.command_json(f"add [{ENVOY}] 앨리스의 메모", user=ALICE)
    slack.fake.error_next("users.info", "ratelimited")

    refused = await slack.command_json("delete 1", user=ADMIN)
    assert "Only the author of #1" in _text(refused), "unknown rights fail closed"
    allowed = await slack.command_json("delete 1", user=ADMIN)
    assert "Deleted #1" in _text(allowed), "the failure was not remembered"

    slack.fake.error_next("users.info", "missing_scope")
    answer = await slack.command_json(f"add [{ENVOY}] 밥의 메모", user=BOB)
    assert _text(answer).startswith("bob noted in"), "the handle from the payload"


@pytest.mark.asyncio
async def test_if_the_form_cannot_open_the_user_is_told_how_to_type_the_memo(slack: Slack) -> None:
    slack.fake.error_next("views.open", "expired_trigger_id")
    answer = await slack.command_json("add")
    assert answer["response_type"] == "ephemeral"
    assert "`/memo add [Session title] note`" in answer["text"]


@pytest.mark.asyncio
async def test_hidden_characters_are_dropped_before_the_text_is_read(slack: Slack) -> None:
    """`/memo` text is cleaned once, before it is parsed: a bidirectional override or a
    control character cannot hide in a word, reorder a memo or split a command."""
    added = await slack.command_json("add\u202e [Envoy\x00 게이트웨이] 라우트\u2066 3,400개\x1b")
    assert added["response_type"] == "ephemeral", _text(added)
    assert "[Envoy 게이트웨이] · #1" in _text(added)

    shown = _text(await slack.command_json("show [Envoy 게이트웨이]"))
    assert "라우트 3,400개" in shown
    assert not any(char in shown for char in "\u202e\u2066\x00\x1b")

    deleted = await slack.command_json("delete \x00#1")
    assert "deleted" in _text(deleted).lower(), _text(deleted)


@pytest.mark.asyncio
async def test_a_channel_lists_its_conferences_and_their_sessions(slack: Slack) -> None:
    await slack.command_json("conference DEVRIVER 2024 Asia/Seoul")
    await slack.command_json("add [Keynote] 작년 키노트")
    await slack.command_json("conference DEVRIVER 2025 Asia/Seoul")
    await slack.command_json(f"add [{ENVOY}] 올해 메모")

    listed = await slack.command_json("conferences")
    everything = await slack.command_json("sessions all")
    last_year = await slack.command_json('sessions conference "DEVRIVER 2024"')

    assert listed["response_type"] == "ephemeral"
    lines = _text(listed).splitlines()
    assert lines[1].startswith("• DEVRIVER 2025 · Asia/Seoul · sessions ")
    assert lines[1].endswith(" · 1 session · 1 memo · current")
    assert lines[2].startswith("• DEVRIVER 2024 · Asia/Seoul · sessions ")
    assert "DEVRIVER 2025" in bold_text(listed) and "current" in bold_text(listed)
    shown = _text(everything)
    assert shown.index(f"[{ENVOY}]") < shown.index("DEVRIVER 2024") < shown.index("[Keynote]")
    assert "[Keynote]" in _text(last_year) and ENVOY not in _text(last_year)
