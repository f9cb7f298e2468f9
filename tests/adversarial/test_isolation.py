"""Isolation: nothing of a channel is visible, changeable or even confirmed to exist elsewhere.

Channel X is filled on Slack and on Discord with everything a channel can hold: memos by
two people, a deleted one (for `/memo undo`), attendance, a named conference with its time
zone, a digest setting, an imported post. Then a stranger, X's own author and a workspace
admin run the same script of every command (add, attend, sessions, show, summary, edit,
delete, undo, search with every filter, conference, digest show/at/days/off/now, import,
export, help, the session pickers and App Home) from two doors:

- **near**: next to X: another channel of X's workspace, another workspace with X's
  channel id, or X's very ids on another platform (Slack and Discord, where both use the
  same numeric-looking ids, and the console);
- **far**: a door of the same kind where nothing else exists, which runs the script
  before X is filled: its answers are those of a world without X.

Every answer from the near door must be the one the far door gets. A command that showed
anything of X, changed it, or told that one of its sessions, memos, people or conferences
exists ("no memos match" instead of "no one called alice", a near-match correction, a
different file) would answer differently. Ids that are global (a picked session's id) are
tried the same way: X's id from the near door, an id that exists nowhere from the far one.
At the end, X must be exactly as it was.

Everything goes through the real adapters: the Slack HTTP server with signed requests, the
discord.py client on the fake gateway, the console adapter.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pytest
import pytest_asyncio

from adapters.console import Console, ConsoleIdentity
from adapters.slack.views import FILE_ACTION, FILE_BLOCK, NEW_BLOCK, PICK_BLOCK, TEXT_BLOCK
from bot.core import MemoBot
from bot.invocation import Invocation
from bot.notefiles.reading import ImportPosts
from storage import channels, sessions
from tests.adapters.discord.conftest import MANAGE_MESSAGES, AttachmentOption, Discord, UserOption
from tests.adapters.slack.conftest import BOT_TOKEN, TEAM, Slack, SlackUser
from tests.chat import Chat

# Numeric-looking ids, the same on every platform: X's Slack channel has the ids a Discord
# server and channel could have, and X's Discord channel the ids a Slack one could.
X_SLACK = ("slack", "1300000000000000001", "1300000000000000011")
X_DISCORD = ("discord", "1300000000000000003", "1300000000000000031")
FAR_WORKSPACE, FAR_CHANNEL = "1300000000000000009", "1300000000000000099"
#: A session id that exists nowhere.
NO_SUCH_ID = 2**31 - 1

#: Everyone's user id, the same on every platform (the console's user is the id too).
IDS = {
    "alice": "1300000000000000101",
    "bob": "1300000000000000102",
    "mallory": "1300000000000000104",
    "admin": "1300000000000000105",
}
NAMES = {user_id: name for name, user_id in IDS.items()}
ALICE, MALLORY, ADMIN = IDS["alice"], IDS["mallory"], IDS["admin"]

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
ENVOY_TYPO = "Envoy로 갈아탄 사내 API 게이트워이"
POSTGRES = "Postgres 파티셔닝 실전: 30억 row 테이블"
KAFKA = "Kafka 없이 이벤트 소싱"
KAFKA_TYPO = "Kafka 없이 이벤트소싱"
CONFERENCE_DAY = "2025-09-25"
#: In every memo of X, and typed by no command: an answer holding it shows X's memos.
SECRET = "XSECRET-"

X_NOTES = f"""{CONFERENCE_DAY}
DEVRIVER 2025 Day1 참가 세션 메모

[{KAFKA}]
Outbox 테이블 + CDC {SECRET}import
"""
#: What a person next door imports: X's conference, titles and day, without X's session.
Y_NOTES = f"""{CONFERENCE_DAY}
DEVRIVER 2025 Day1 참가 세션 메모

[{ENVOY}]
옆 채널에서 가져온 노트

[{POSTGRES}]
파티션 노트

### bob
밥의 이름으로 쓴 노트
"""


@dataclass(frozen=True)
class Step:
    """One thing a person does: ``/memo <text>`` (Slack, console) or the Discord command.

    ``discord`` is (subcommand, options); None where Discord has no such form (``by:`` a
    display name).
    """

    user: str
    text: str
    discord: tuple[str, dict[str, Any]] | None


def step(user: str, typed: str, subcommand: str | None = None, /, **options: Any) -> Step:
    """``user`` types ``/memo <typed>``; on Discord, ``/memo <subcommand>`` with ``options``."""
    return Step(user, typed, (subcommand, options) if subcommand is not None else None)


class Door(Protocol):
    """Where someone types from: one channel of one workspace on one platform."""

    platform: str
    workspace: str
    channel: str

    async def say(self, user: str, text: str, discord: tuple[str, dict[str, Any]] | None) -> str:
        """The answer, as everything the person gets: text, blocks, files."""
        ...

    async def import_notes(self, user: str, name: str, content: bytes) -> str: ...

    async def pick(self, typed: str) -> str:
        """What the session picker offers while ``typed`` is being typed ("" if none)."""
        ...

    async def save_picked(self, user: str, session_id: int) -> str:
        """Saving a memo to a session chosen in the picker (its id comes from the client)."""
        ...

    async def home(self, user: str) -> str: ...


def _sent(params: dict[str, Any]) -> str:
    """What the bot sent to a ``response_url`` (without the fake's note of which URL)."""
    sent = {key: value for key, value in params.items() if key != "_response_url"}
    return json.dumps(sent, ensure_ascii=False, sort_keys=True)


@dataclass
class SlackDoor:
    slack: Slack
    workspace: str
    channel: str
    platform: str = "slack"

    def _user(self, user: str) -> SlackUser:
        return SlackUser(user, NAMES[user])

    async def say(self, user: str, text: str, discord: tuple[str, dict[str, Any]] | None) -> str:
        answered = len(self.slack.fake.calls_to("response_url"))
        uploaded = len(self.slack.fake.uploaded_files)
        status, body = await self.slack.command(
            text, user=self._user(user), channel=self.channel, team=self.workspace
        )
        assert status == 200, body
        if body in ("", "{}"):  # a slow command: the answer follows at its response_url
            calls = await self.slack.fake.async_wait_for("response_url", answered + 1)
            body = _sent(calls[-1].params)
        files = [
            f"{upload.filename}: {upload.content.decode()}"
            for upload in self.slack.fake.uploaded_files[uploaded:]
        ]
        return "\n".join([body, *files])

    async def _open_form(self, user: str, text: str) -> dict[str, Any]:
        opened = len(self.slack.fake.calls_to("views.open"))
        status, body = await self.slack.command(
            text, user=self._user(user), channel=self.channel, team=self.workspace
        )
        assert status == 200 and body in ("", "{}"), body
        calls = await self.slack.fake.async_wait_for("views.open", opened + 1)
        view: dict[str, Any] = calls[-1].params["view"]
        return view

    async def _submit(self, user: str, view: dict[str, Any], values: dict[str, Any]) -> str:
        payload = {
            "type": "view_submission",
            "team": {"id": self.workspace, "domain": "team"},
            "user": {"id": user, "username": NAMES[user], "team_id": self.workspace},
            "api_app_id": "A0FAKE",
            "token": "legacy-verification-token",
            "trigger_id": f"trigger-{uuid.uuid4().hex}",
            "view": {**view, "id": f"V{uuid.uuid4().hex[:10]}", "state": {"values": values}},
        }
        status, body = await self.slack.interactive(payload)
        assert status == 200, body
        return body

    async def import_notes(self, user: str, name: str, content: bytes) -> str:
        view = await self._open_form(user, "import")
        # The app has one workspace's token (the fixture's); Slack serves files only to it.
        file = self.slack.fake.add_file(TEAM, name, content)
        answered = len(self.slack.fake.calls_to("response_url"))
        values = {FILE_BLOCK: {FILE_ACTION: {"type": "file_input", "files": [file]}}}
        assert await self._submit(user, view, values) in ("", "{}")
        calls = await self.slack.fake.async_wait_for("response_url", answered + 1)
        return _sent(calls[-1].params)

    async def pick(self, typed: str) -> str:
        view = await self._open_form(MALLORY, "")
        status, body = await self.slack.suggest(
            view, typed, user=self._user(MALLORY), team=self.workspace
        )
        assert status == 200, body
        return body

    async def save_picked(self, user: str, session_id: int) -> str:
        view = await self._open_form(user, "")
        picked = {"text": {"type": "plain_text", "text": "picked"}, "value": str(session_id)}
        values = {
            PICK_BLOCK: {"session_select": {"type": "external_select", "selected_option": picked}},
            NEW_BLOCK: {"session_title": {"type": "plain_text_input", "value": None}},
            TEXT_BLOCK: {"memo_text": {"type": "plain_text_input", "value": "고른 세션에 메모"}},
        }
        return await self._submit(user, view, values)

    async def home(self, user: str) -> str:
        published = len(self.slack.fake.calls_to("views.publish"))
        event = {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"}
        status, body = await self.slack.event(event, team=self.workspace)
        assert status == 200, body
        calls = await self.slack.fake.async_wait_for("views.publish", published + 1)
        return json.dumps(calls[-1].params["view"], ensure_ascii=False, sort_keys=True)


EDIT_ORIGINAL = "PATCH /webhooks/{application_id}/{token}/messages/@original"


@dataclass
class DiscordDoor:
    discord: Discord
    workspace: str
    channel: str
    platform: str = "discord"

    async def _memo(self, user: str, subcommand: str, **options: Any) -> str:
        edited = len(self.discord.fake.calls_to(EDIT_ORIGINAL))
        answer = await self.discord.memo(
            subcommand,
            user=int(user),
            guild=int(self.workspace),
            channel=int(self.channel),
            permissions=MANAGE_MESSAGES if user == ADMIN else 0,
            **options,
        )
        if answer["type"] == 5:  # deferred: the answer is the edit that follows
            calls = await self.discord.fake.async_wait_for(EDIT_ORIGINAL, edited + 1)
            answer = {"json": calls[-1].json, "files": [f"{n}: {c!r}" for n, c in calls[-1].files]}
        return json.dumps(answer, ensure_ascii=False, sort_keys=True)

    async def say(self, user: str, text: str, discord: tuple[str, dict[str, Any]] | None) -> str:
        assert discord is not None
        subcommand, options = discord
        return await self._memo(user, subcommand, **options)

    async def import_notes(self, user: str, name: str, content: bytes) -> str:
        attachment = self.discord.fake.add_attachment(name, content)
        return await self._memo(user, "import", file=AttachmentOption(attachment))

    async def pick(self, typed: str) -> str:
        offered = []
        for subcommand in ("add", "attend", "show", "summary", "search"):
            options = [{"name": "session", "type": 3, "value": typed}]
            if subcommand == "search":
                options.append({"name": "query", "type": 3, "value": "x"})
            payload = self.discord.fake.autocomplete(
                guild_id=int(self.workspace),
                channel_id=int(self.channel),
                user_id=int(MALLORY),
                name="memo",
                options=[{"name": subcommand, "type": 1, "options": options}],
                focused="session",
            )
            interaction = self.discord.fake.send_interaction(payload)
            offered.append(await self.discord.fake.async_wait_for_callback(interaction))
        return json.dumps(offered, ensure_ascii=False, sort_keys=True)

    async def save_picked(self, user: str, session_id: int) -> str:
        return await self._memo(
            user, "add", session=f"session:{session_id}", text="고른 세션에 메모"
        )

    async def home(self, user: str) -> str:
        return ""  # Discord has no home tab


@dataclass
class ConsoleDoor:
    bot: MemoBot
    workspace: str
    channel: str
    folder: Path
    platform: str = "console"

    def _console(self, user: str) -> Console:
        identity = ConsoleIdentity(user, self.workspace, self.channel, is_admin=user == ADMIN)
        return Console(self.bot, identity, folder=self.folder)

    async def say(self, user: str, text: str, discord: tuple[str, dict[str, Any]] | None) -> str:
        console = self._console(user)
        reply = console.send(f"/memo {text}")
        assert reply is not None
        answer = console.markdown(reply)
        written = re.search(r"Written to `(.+)`\.", answer)
        if written is None:
            return answer
        path = Path(written.group(1))
        return answer.replace(str(path), path.name) + path.read_text()

    async def import_notes(self, user: str, name: str, content: bytes) -> str:
        """As `memo-bot import --platform console --workspace ... --channel ...` runs it."""
        invocation = Invocation(
            platform="console",
            workspace_id=self.workspace,
            channel_id=self.channel,
            user_id=user,
            display_name=user,
            text=f"/memo import {name}",
            received_at=self._console(user).clock(),
        )
        return self.bot.import_file(invocation, ImportPosts(name, content)).markdown

    async def pick(self, typed: str) -> str:
        return ""  # the console has no pickers

    async def save_picked(self, user: str, session_id: int) -> str:
        return ""

    async def home(self, user: str) -> str:
        return ""


@dataclass
class Doors:
    slack: Slack
    discord: Discord
    bot: MemoBot
    folder: Path
    made: list[Door] = field(default_factory=list)

    def at(self, platform: str, workspace: str, channel: str) -> Door:
        door: Door
        if platform == "slack":
            door = SlackDoor(self.slack, workspace, channel)
        elif platform == "discord":
            door = DiscordDoor(self.discord, workspace, channel)
        else:
            folder = self.folder / f"{workspace}-{channel}-{len(self.made)}"
            folder.mkdir()
            door = ConsoleDoor(self.bot, workspace, channel, folder)
        self.made.append(door)
        return door


@pytest_asyncio.fixture
async def doors(slack: Slack, discord_bot: Discord, bot: MemoBot, tmp_path: Path) -> Doors:
    slack.fake.add_workspace(TEAM, BOT_TOKEN, admins={ADMIN})
    for user, name in NAMES.items():
        slack.fake.name_user(user, name)
    return Doors(slack, discord_bot, bot, tmp_path)


# What channel X holds, written through its own platform's adapter.
FILL_X = [
    step("alice", "conference DEVRIVER 2025 Asia/Seoul 2025-09-25 2025-09-26",
         "conference", name="DEVRIVER 2025", time_zone="Asia/Seoul",
         first_day="2025-09-25", last_day="2025-09-26"),
    step("alice", f"add [{ENVOY}] 라우트 3,400개 {SECRET}1", "add", session=ENVOY,
         text=f"라우트 3,400개 {SECRET}1"),
    step("bob", f"add [{ENVOY}] p99 210ms → 45ms {SECRET}2", "add", session=ENVOY,
         text=f"p99 210ms → 45ms {SECRET}2"),
    step("alice", f"add [{POSTGRES}] 파티션 키 {SECRET}3", "add", session=POSTGRES,
         text=f"파티션 키 {SECRET}3"),
    step("alice", f"attend [{KAFKA}]", "attend", session=KAFKA),
    step("alice", "delete 3", "delete", memo_id=3),
    step("alice", "digest at 18:30", "digest at", time="18:30"),
    step("alice", "digest days conference", "digest days", days="conference"),
]  # fmt: skip

# What every door asks about X: first before it has anything of its own, then again after.
ASK_ABOUT_X = [
    step("alice", "edit 1 덮어쓰기", "edit", memo_id=1, text="덮어쓰기"),
    step("alice", "delete 1", "delete", memo_id=1),
    step("admin", "delete 2", "delete", memo_id=2),
    step("admin", "edit 2 관리자가 덮어씀", "edit", memo_id=2, text="관리자가 덮어씀"),
    step("alice", "undo", "undo"),
    step("alice", "show", "show"),
    step("alice", "summary", "summary"),
    step("alice", "add 제목 없이 쓴 메모", "add", text="제목 없이 쓴 메모"),
    step("mallory", f"show [{ENVOY}]", "show", session=ENVOY),
    step("mallory", f"show [{ENVOY_TYPO}]", "show", session=ENVOY_TYPO),
    step("mallory", f"summary [{POSTGRES}]", "summary", session=POSTGRES),
    step("mallory", "search 라우트", "search", query="라우트"),
    step("mallory", "search xsecret", "search", query="xsecret"),
    step("mallory", "search envoy", "search", query="envoy"),
    step("mallory", f'search 라우트 in:"{ENVOY}"', "search", query="라우트", session=ENVOY),
    step("mallory", f"search p99 in:[{ENVOY_TYPO}]", "search", query="p99", session=ENVOY_TYPO),
    step("mallory", f"search 키 in:[{KAFKA}]", "search", query="키", session=KAFKA),
    step("mallory", "search 라우트 by:@alice"),
    step("mallory", "search 노트 by:Alice"),
    step("mallory", f"search 라우트 by:<@{ALICE}>", "search", query="라우트",
         author=UserOption(int(ALICE))),
    step("mallory", f"search p99 day:{CONFERENCE_DAY}", "search", query="p99",
         date=CONFERENCE_DAY),
    step("mallory", "sessions", "sessions"),
    step("mallory", "sessions all", "sessions", date="all"),
    step("mallory", f"sessions {CONFERENCE_DAY}", "sessions", date=CONFERENCE_DAY),
    step("mallory", "conference", "conference"),
    step("mallory", "digest", "digest show"),
    step("mallory", f"digest now {CONFERENCE_DAY}", "digest now", date=CONFERENCE_DAY),
    step("alice", "export", "export"),
    step("alice", f"export {CONFERENCE_DAY} txt", "export", what=CONFERENCE_DAY, format="txt"),
    step("alice", "export DEVRIVER 2025", "export", what="DEVRIVER 2025"),
    step("mallory", "help", "help"),
]  # fmt: skip

# The door's own writes, with X's names; alice never writes next door (so `by:@alice` there
# names someone who wrote only in X), and bob only through mallory's import.
WRITE_NEXT_DOOR = [
    step("mallory", f"add [{ENVOY_TYPO}] 옆 채널 메모", "add", session=ENVOY_TYPO,
         text="옆 채널 메모"),
    step("mallory", f"attend [{POSTGRES}]", "attend", session=POSTGRES),
    step("mallory", f"attend [{KAFKA_TYPO}]", "attend", session=KAFKA_TYPO),
    step("mallory", "conference DEVRIVER 2025", "conference", name="DEVRIVER 2025"),
    step("mallory", "digest at 07:00", "digest at", time="07:00"),
    step("mallory", "digest days mon-fri", "digest days", days="mon-fri"),
    step("mallory", "digest off", "digest off"),
]  # fmt: skip


@dataclass(frozen=True)
class Place:
    """A door next to channel X: where the script runs from, and that X."""

    near: tuple[str, str, str]
    x: tuple[str, str, str]


#: The doors next to X, by their platform; each platform's doors run in one world, after
#: its far door, so one next door showing another's memos would be caught too.
NEXT_DOORS = {
    "slack": {
        "X's workspace, another channel": Place(
            ("slack", X_SLACK[1], "1300000000000000012"), X_SLACK
        ),
        "another workspace, X's channel id": Place(
            ("slack", "1300000000000000002", X_SLACK[2]), X_SLACK
        ),
        "the ids of X on discord": Place(("slack", *X_DISCORD[1:]), X_DISCORD),
    },
    "discord": {
        "the ids of X on slack": Place(("discord", *X_SLACK[1:]), X_SLACK),
        "X's server, another channel": Place(
            ("discord", X_DISCORD[1], "1300000000000000032"), X_DISCORD
        ),
        "another server, X's channel id": Place(
            ("discord", "1300000000000000004", X_DISCORD[2]), X_DISCORD
        ),
    },
    "console": {"the ids of X on slack": Place(("console", *X_SLACK[1:]), X_SLACK)},
}


#: A session's id as a picker offers it (Slack's option value, Discord's choice value).
_PICKED = re.compile(r'(?<="value": ")(?:session:)?(\d+)(?=")')


def _normal(answer: str, door: Door) -> str:
    """The answer with what must differ between two doors made alike: their own ids, the
    sessions' ids and the clock's minutes."""
    answer = answer.replace(door.workspace, "<workspace>").replace(door.channel, "<channel>")
    answer = _PICKED.sub("<session>", answer)
    return re.sub(r"\b\d{2}:\d{2}\b", "hh:mm", answer)


async def _fill(door: Door) -> None:
    for action in FILL_X:
        await door.say(IDS[action.user], action.text, action.discord)
    answer = await door.import_notes(ALICE, "day1.txt", X_NOTES.encode())
    assert "1 post, 1 session" in answer, answer


def _x_as_stored(bot: MemoBot, where: tuple[str, str, str]) -> list[str]:
    """Everything channel X shows, read through the core: what no other door may change."""
    platform, workspace, channel = where
    chat = Chat(bot, platform=platform, workspace=workspace, channel=channel)
    reads = ["sessions all", "conference", "digest", "search xsecret", "export"]
    reads += [f"show [{title}]" for title in (ENVOY, POSTGRES, KAFKA)]
    shown = []
    for text in reads:
        reply = chat.say("auditor", text)
        shown.append(
            reply.markdown + (reply.attachment.content.decode() if reply.attachment else "")
        )
    return shown


def _x_session_ids(bot: MemoBot, where: tuple[str, str, str]) -> list[int]:
    with bot.database.reading() as tx:
        channel = channels.find_channel(tx, *where)
        assert channel is not None
        return [session_id for session_id, _ in sessions.channel_titles(tx, channel.id)]


async def _walk(door: Door, picked: list[int]) -> list[tuple[str, str]]:
    """The whole script at ``door``: what was done, and everything the person got back.

    ``picked`` are the session ids sent as if chosen in a picker (the client sends them).
    """
    shown: list[tuple[str, str]] = []

    async def ask(script: list[Step]) -> None:
        for action in script:
            if action.discord is None and door.platform == "discord":
                continue
            answer = await door.say(IDS[action.user], action.text, action.discord)
            shown.append((f"{action.user}: /memo {action.text}", answer))

    async def pickers() -> None:
        for typed in ("", "envoy", "파티셔닝"):
            shown.append((f"picker offers for {typed!r}", await door.pick(typed)))

    await ask(ASK_ABOUT_X)
    await pickers()
    for number, session_id in enumerate(picked):
        shown.append(
            (f"saved to picked session {number}", await door.save_picked(MALLORY, session_id))
        )
    await ask(WRITE_NEXT_DOOR)
    imported = await door.import_notes(MALLORY, "day1.txt", Y_NOTES.encode())
    shown.append(("import of X's conference, day and titles", imported))
    await ask(ASK_ABOUT_X)
    await pickers()
    for user in (MALLORY, ALICE):
        shown.append((f"home of {NAMES[user]}", await door.home(user)))
    return shown


@pytest.mark.asyncio
@pytest.mark.parametrize("platform", NEXT_DOORS)
async def test_nothing_of_channel_x_is_visible_or_changeable_from_next_door(
    doors: Doors, bot: MemoBot, platform: str
) -> None:
    # The far door goes first, while X does not exist yet: the answers of a world without X.
    far = doors.at(platform, FAR_WORKSPACE, FAR_CHANNEL)
    far_shown = await _walk(far, [NO_SUCH_ID, NO_SUCH_ID - 1])
    for x in (X_SLACK, X_DISCORD):
        await _fill(doors.at(*x))
    x_before = {x: _x_as_stored(bot, x) for x in (X_SLACK, X_DISCORD)}

    differences = []
    for where, place in NEXT_DOORS[platform].items():
        near = doors.at(*place.near)
        x_sessions = _x_session_ids(bot, place.x)
        near_shown = await _walk(near, [min(x_sessions), max(x_sessions)])
        for (what, near_answer), (_, far_answer) in zip(near_shown, far_shown, strict=True):
            if what == "home of alice" and place.near[:2] == place.x[:2]:
                continue  # her home in X's own workspace rightly lists her memos in X
            assert SECRET not in near_answer, f"{where}, {what}: X's memo shown:\n{near_answer}"
            offered = {int(found) for found in _PICKED.findall(near_answer)}
            assert not offered & set(x_sessions), f"{where}, {what}: X's session offered"
            if _normal(near_answer, near) != _normal(far_answer, far):
                differences.append(f"{where}: {what}\n  near: {near_answer}\n  far:  {far_answer}")
    assert differences == [], "next door answered differently:\n" + "\n".join(differences)
    assert {x: _x_as_stored(bot, x) for x in (X_SLACK, X_DISCORD)} == x_before
