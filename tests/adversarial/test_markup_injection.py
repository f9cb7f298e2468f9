"""Mention and markup injection, checked on what the platforms receive (Slack, Discord, console).

The promise: user text (notes, session titles, display names, conference names,
search queries, import file names) shows exactly as typed. Nothing a person
types becomes formatting, a mention that pings, or a link with a label that
hides where it goes. Slack gets user text only in elements it does not parse
as mrkdwn; Discord gets it escaped, with mentions switched off; the console's
terminal shows it as typed.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pyromark
import pytest
from rich.console import Console as RichConsole

from adapters.console.console import Console, ConsoleIdentity
from bot.core import MemoBot
from bot.replies.values import Reply
from tests.adapters.discord.conftest import ALICE as DISCORD_ALICE
from tests.adapters.discord.conftest import Discord, import_file
from tests.adapters.slack.conftest import (
    ALICE,
    TEAM,
    Slack,
    assert_slack_shows_literally,
    bold_text,
    import_submission,
    open_import_form,
    slack_blocks,
)
from tests.adapters.slack.test_modals import _open_modal, _options, _submission
from tests.fakes.slack import rich_elements

#: A note that tries every kind of Slack, Discord and Markdown markup at once.
NOTE = (
    "*bold* _it_ ~strike~ `code` <!channel> @everyone [x](https://evil) <@U123> "
    "<https://evil|docs> @here ||spoiler|| ~~gone~~ __under__ <t:0:R> &amp; #general"
)
NAME = "*Boss*"
TITLE = "*Talk* _x_ <!here> ~s~ `t`"
CONFERENCE = "*Conf* <!channel> _x_"
QUERY = "*bold*"
FILE_NAME = "*evil* <!channel> _x_.txt"
POST = b"2025-09-25\nDEVRIVER 2025 Day1\n\n[Keynote]\nnote\n"


@pytest.mark.asyncio
async def test_slack_shows_a_hostile_note_title_and_name_as_typed(slack: Slack) -> None:
    slack.fake.name_user(ALICE.id, NAME)

    added = await slack.command_json(f"add [{TITLE}] {NOTE}")
    shown = await slack.command_json(f"show [{TITLE}]")
    sessions = await slack.command_json("sessions all")

    assert_slack_shows_literally(added, NOTE, TITLE, NAME)
    assert NAME in bold_text(added), "the name is bold as a whole, its asterisks shown"
    assert_slack_shows_literally(shown, NOTE, TITLE, NAME)
    assert_slack_shows_literally(sessions, TITLE, NAME)


@pytest.mark.asyncio
async def test_slack_shows_a_hostile_conference_and_search_query_as_typed(slack: Slack) -> None:
    conference = await slack.command_json(f"conference {CONFERENCE} Asia/Seoul")
    await slack.command_json(f"add [세션] {NOTE}")
    found = await slack.command_json(f"search {QUERY}")

    assert_slack_shows_literally(conference, CONFERENCE)
    assert_slack_shows_literally(found, QUERY)
    assert QUERY in bold_text(found), "the match is in bold, its asterisks shown"


@pytest.mark.asyncio
async def test_slack_lists_hostile_conference_names_as_typed(slack: Slack) -> None:
    await slack.command_json(f"conference {CONFERENCE} Asia/Seoul")
    await slack.command_json(f"add [{TITLE}] note")
    await slack.command_json("conference Plain 2025 UTC")

    listed = await slack.command_json("conferences")
    everything = await slack.command_json("sessions all")
    one = await slack.command_json(f"sessions conference [{CONFERENCE}]")
    shown = await slack.command_json(f"show [{TITLE}]")

    assert_slack_shows_literally(listed, CONFERENCE)
    assert_slack_shows_literally(everything, CONFERENCE, TITLE)
    assert_slack_shows_literally(one, CONFERENCE, TITLE)
    assert_slack_shows_literally(shown, CONFERENCE, TITLE)


@pytest.mark.asyncio
async def test_slack_posts_from_the_form_show_user_text_as_typed(slack: Slack) -> None:
    slack.fake.name_user(ALICE.id, NAME)
    view = await _open_modal(slack)

    status, body = await slack.interactive(_submission(view, new_title=TITLE, text=NOTE))
    (posted,) = await slack.fake.async_wait_for("chat.postMessage")

    assert status == 200
    assert_slack_shows_literally(json.loads(body), NOTE, TITLE, NAME)
    assert_slack_shows_literally(posted.params, NOTE, TITLE, NAME)


@pytest.mark.asyncio
async def test_slack_session_picker_offers_titles_as_typed(slack: Slack) -> None:
    await slack.command_json(f"add [{TITLE}] note")
    view = await _open_modal(slack)

    [option] = await _options(slack, view, "")

    assert option["text"]["type"] == "plain_text", "not read as mrkdwn"
    assert option["text"]["text"].startswith(f"{TITLE} (")


@pytest.mark.asyncio
async def test_slack_home_tab_shows_user_text_as_typed(slack: Slack) -> None:
    slack.fake.name_user(ALICE.id, NAME)
    await slack.command_json(f"add [{TITLE}] {NOTE}")

    await slack.event({"type": "app_home_opened", "user": ALICE.id, "channel": "D1", "tab": "home"})
    (published,) = await slack.fake.async_wait_for("views.publish")

    assert_slack_shows_literally(published.params, NOTE, TITLE, NAME)


@pytest.mark.asyncio
async def test_slack_import_answer_shows_the_file_name_as_typed(slack: Slack) -> None:
    view = await open_import_form(slack)
    file = slack.fake.add_file(TEAM, FILE_NAME, POST)

    await slack.interactive(import_submission(view, [file]))
    (answer,) = await slack.fake.async_wait_for("response_url")

    assert_slack_shows_literally(answer.params, FILE_NAME)


@pytest.mark.asyncio
async def test_slack_shows_emoji_people_picked_and_leaves_times_alone(slack: Slack) -> None:
    added = await slack.command_json("add [세션] 좋았음 :fire: :+1::skin-tone-2: 12:30:00 1:2:3")

    emoji = [e["name"] for e in rich_elements(slack_blocks(added)) if e["type"] == "emoji"]
    assert emoji == ["fire", "+1::skin-tone-2"]
    assert_slack_shows_literally(added, " 12:30:00 1:2:3")


# Discord: what Discord would show (CommonMark as the model of its Markdown)


def _discord_runs(content: str) -> list[str]:
    """Texts Discord shows in one piece: runs of text without formatting starting inside."""
    runs: list[str] = [""]
    options = pyromark.Options.ENABLE_STRIKETHROUGH
    for event in pyromark.events(content, options=options):
        if isinstance(event, str):
            runs[-1] += "\n" if event in ("SoftBreak", "HardBreak") else ""
            continue
        ((kind, value),) = event.items()
        if kind == "Text":
            runs[-1] += value
        else:
            runs.append("")
    return runs


#: Discord syntax beyond CommonMark: mentions, channels, emoji, timestamps, spoilers, subtext.
_DISCORD_SYNTAX = re.compile(r"(?<!\\)<(?:[@#:/]|a:|t:)|(?<!\\)\|\||^-# ", re.MULTILINE)


def assert_discord_shows_literally(body: dict[str, Any], *typed: str) -> None:
    data = body.get("data", body)
    content = str(data["content"])
    runs = _discord_runs(content)
    for text in typed:
        assert any(text in run for run in runs), f"{text!r} not shown as written in {runs}"
    assert not _DISCORD_SYNTAX.search(content), content
    assert data.get("allowed_mentions") == {"parse": []}, "no mention can ping"


@pytest.mark.asyncio
async def test_discord_shows_a_hostile_note_title_and_name_as_typed(discord_bot: Discord) -> None:
    discord_bot.fake.set_user(DISCORD_ALICE, global_name=NAME)

    added = await discord_bot.memo("add", session=TITLE, text=NOTE)
    shown = await discord_bot.memo("show", session=TITLE)
    conference = await discord_bot.memo("conference", name=CONFERENCE, time_zone="Asia/Seoul")
    found = await discord_bot.memo("search", query=QUERY)

    assert_discord_shows_literally(added, NOTE, TITLE, NAME)
    assert_discord_shows_literally(shown, NOTE, TITLE, NAME)
    assert_discord_shows_literally(conference, CONFERENCE)
    assert_discord_shows_literally(found, QUERY)


@pytest.mark.asyncio
async def test_discord_lists_hostile_conference_names_as_typed(discord_bot: Discord) -> None:
    await discord_bot.memo("conference", name=CONFERENCE, time_zone="Asia/Seoul")
    await discord_bot.memo("add", session=TITLE, text="note")
    await discord_bot.memo("conference", name="Plain 2025", time_zone="UTC")

    listed = await discord_bot.memo("conferences")
    everything = await discord_bot.memo("sessions", date="all")
    one = await discord_bot.memo("sessions", conference=CONFERENCE)

    assert_discord_shows_literally(listed, CONFERENCE)
    assert_discord_shows_literally(everything, CONFERENCE, TITLE)
    assert_discord_shows_literally(one, CONFERENCE, TITLE)


@pytest.mark.asyncio
async def test_discord_import_answer_shows_the_file_name_as_typed(discord_bot: Discord) -> None:
    answer = await import_file(discord_bot, FILE_NAME, POST)

    assert_discord_shows_literally(answer, FILE_NAME)


# The console: what its terminal shows


def _terminal(console: Console, reply: Reply) -> str:
    """What the interactive console prints for ``reply``, as text."""
    terminal = RichConsole(record=True, width=1000, color_system=None)
    terminal.print(console.on_screen(reply))
    return "\n".join(line.rstrip() for line in terminal.export_text().splitlines())


def test_the_console_terminal_shows_a_hostile_note_title_and_name_as_typed(bot: MemoBot) -> None:
    console = Console(bot, ConsoleIdentity("me"))

    added = console.send(f"@{NAME} /memo add [{TITLE}] {NOTE}")
    shown = console.send(f"@{NAME} /memo show [{TITLE}]")
    conference = console.send(f"/memo conference {CONFERENCE} Asia/Seoul")
    found = console.send(f"/memo search {QUERY}")

    assert added is not None and shown is not None and conference is not None
    assert found is not None
    for reply, typed in (
        (added, (NOTE, TITLE, NAME)),
        (shown, (NOTE, TITLE, NAME)),
        (conference, (CONFERENCE,)),
        (found, (QUERY,)),
    ):
        screen = _terminal(console, reply)
        for text in typed:
            assert text in screen, f"{text!r} not on the screen:\n{screen}"


def test_the_console_terminal_keeps_the_lines_of_a_note(bot: MemoBot) -> None:
    console = Console(bot, ConsoleIdentity("me"))
    lines = ["첫 줄 *강조*", "> 인용처럼 보이는 줄", "- 목록처럼 보이는 줄", "1. 번호처럼"]

    console.send("/memo add [세션] " + "\n".join(lines))
    shown = console.send("/memo show [세션]")

    assert shown is not None
    screen = _terminal(console, shown).splitlines()
    for line in lines:
        assert any(row.endswith(line) for row in screen), f"{line!r} not a line of:\n{screen}"
