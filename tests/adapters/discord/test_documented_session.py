"""A day with the bot on Discord, played as Discord documents it (developer docs: Receiving
and Responding, Application Commands, Components, Channel, Guild Member, User).

Every payload is the fake's documented shape: guild interactions carry ``member`` (with a
nickname, roles, permissions), DMs and group DMs ``user`` and ``context`` 1 or 2, modal
submissions number every component, a thread or a newer channel type is the channel it
came from, the optional ``channel`` object may be missing, and a callback after Discord's
3 seconds is refused. The session uses every command surface (typed options, autocomplete,
a form, the message menu) and asserts what each person sees.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from typing import Any

import pytest

from adapters.discord.client import sync_commands
from tests.adapters.discord.conftest import ALICE, BOB, CHANNEL, GUILD, Discord
from tests.fakes.discord_shapes import ABSENT
from tests.polling import until

ENVOY = "Envoy로 갈아탄 사내 API 게이트웨이"
CAROL = 1300000000000000104
THREAD = 1300000000000000031
NEWFANGLED = 1300000000000000033
CALLBACK = "POST /interactions/{interaction_id}/{token}/callback"
CHANNEL_POST = "POST /channels/{channel_id}/messages"
EPHEMERAL = 64

#: The documentation's own example of a slash command interaction (Application Commands,
#: "Example Interaction"), as printed: older than the fields discord.py now needs
#: (``version``, ``application_id``, ``attachment_size_limit``, ``channel``).
DOCS_EXAMPLE = {
    "type": 2,
    "token": "A_UNIQUE_TOKEN",
    "member": {
        "user": {
            "id": "53908232506183680",
            "username": "Mason",
            "avatar": "a_d5efa99b3eeaa7dd43acca82f5692432",
            "discriminator": "1337",
            "public_flags": 131141,
        },
        "roles": ["539082325061836999"],
        "premium_since": None,
        "permissions": "2147483647",
        "pending": False,
        "nick": None,
        "mute": False,
        "joined_at": "2017-03-13T19:19:14.040000+00:00",
        "is_pending": False,
        "deaf": False,
    },
    "id": "786008729715212338",
    "guild_id": "290926798626357999",
    "app_permissions": "442368",
    "guild_locale": "en-US",
    "locale": "en-US",
    "data": {
        "options": [{"type": 3, "name": "cardname", "value": "The Gitrog Monster"}],
        "type": 1,
        "name": "cardsearch",
        "id": "771825006014889984",
    },
    "channel_id": "645027906669510667",
}


class Session:
    """People using /memo in the team's server, through the fake Discord."""

    def __init__(self, discord_bot: Discord) -> None:
        self.fake = discord_bot.fake

    def command(
        self,
        subcommand: str,
        *,
        user: int = ALICE,
        guild: int | None = GUILD,
        channel: int = CHANNEL,
        **options: Any,
    ) -> Any:
        values = [
            {"name": name, "type": 4 if isinstance(value, int) else 3, "value": value}
            for name, value in options.items()
        ]
        return self.fake.slash_command(
            guild_id=guild,
            channel_id=channel,
            user_id=user,
            name="memo",
            options=[{"name": subcommand, "type": 1, "options": values}],
        )

    async def answer(self, payload: Any) -> dict[str, Any]:
        return await self.fake.async_wait_for_callback(self.fake.send_interaction(payload))

    async def say(self, subcommand: str, **kwargs: Any) -> dict[str, Any]:
        return await self.answer(self.command(subcommand, **kwargs))

    async def submit(self, form: dict[str, Any], values: dict[str, str], user: int) -> Any:
        """Fill in the form (a type 9 callback) as ``user`` and submit it."""
        submit = self.fake.modal_submit(
            guild_id=GUILD,
            channel_id=CHANNEL,
            user_id=user,
            custom_id=form["data"]["custom_id"],
            components=self.fake.modal_answers(form["data"], values),
        )
        return await self.answer(submit)


@pytest.mark.asyncio
async def test_a_day_at_the_conference_as_discord_documents_it(
    announcing: Discord, caplog: pytest.LogCaptureFixture
) -> None:
    discord_bot = announcing
    fake = discord_bot.fake
    await sync_commands("fake-token", GUILD)  # registered in the server, as for a trial
    fake.set_member(GUILD, ALICE, nick="앨리스", roles=[GUILD + 900])
    fake.set_user(BOB, username="bob_k", global_name="Bob Kim")
    fake.set_member(GUILD, BOB, roles=[])
    fake.set_user(CAROL, username="carol.dev", global_name=ABSENT)
    fake.add_channel(GUILD, THREAD, type=11, name="day-1 hallway", parent_id=CHANNEL)
    fake.add_channel(GUILD, NEWFANGLED, type=99, name="stage-notes")
    session = Session(discord_bot)

    # Slash commands with typed options: a memo confirmed privately, announced in the channel
    # (no pings).
    conference = await session.say(
        "conference", name="DEVRIVER 2025", time_zone="Asia/Seoul", first_day="2025-09-25"
    )
    assert conference["type"] == 4 and "DEVRIVER 2025" in conference["data"]["content"]
    added = await session.say("add", session=ENVOY, text="라우트 3,400개를 xDS로 @everyone")
    assert added["data"]["content"].startswith(f"**앨리스** noted in [{ENVOY}] · #1")
    assert added["data"]["allowed_mentions"] == {"parse": []}
    assert added["data"]["flags"] & EPHEMERAL
    [announced] = await fake.async_wait_for(CHANNEL_POST)
    # The session's first memo: the message its thread starts from, headed by the session.
    heading, announcement = announced.json["content"].split("\n", 1)
    assert heading.startswith(f"[{ENVOY}] · ") and announcement == added["data"]["content"]
    assert announced.json["allowed_mentions"] == {"parse": []}

    # Autocomplete while bob types, then the form for the note.
    choices = await session.answer(
        fake.autocomplete(
            guild_id=GUILD,
            channel_id=CHANNEL,
            user_id=BOB,
            name="memo",
            options=[
                {
                    "name": "add",
                    "type": 1,
                    "options": [{"name": "session", "type": 3, "value": "envoy"}],
                }
            ],
            focused="session",
        )
    )
    picked = choices["data"]["choices"][0]
    assert picked["name"].startswith(ENVOY)
    form = await session.say("add", user=BOB, session=picked["value"])
    assert form["type"] == 9
    saved = await session.submit(form, {"memo": "p99 210ms → 45ms"}, user=BOB)
    assert saved["data"]["content"].startswith(f"**Bob Kim** noted in [{ENVOY}] · #2")

    # The message menu: carol saves bob's message.
    message = fake.message(CHANNEL, BOB, "카나리 5% → 25% → 100%")
    menu = fake.message_context_menu(
        guild_id=GUILD,
        channel_id=CHANNEL,
        user_id=CAROL,
        name="Save as memo",
        target_message=message,
    )
    prefilled = await session.answer(menu)
    assert prefilled["type"] == 9
    kept = await session.submit(prefilled, {"session": ENVOY}, user=CAROL)
    assert kept["data"]["content"].startswith(f"**carol.dev** noted in [{ENVOY}] · #3")

    # A thread and a channel of a type newer than discord.py keep memos of their own.
    in_thread = await session.say("add", channel=THREAD, session=ENVOY, text="스레드 메모")
    assert "· #1" in in_thread["data"]["content"]
    newer = await session.say("add", channel=NEWFANGLED, session=ENVOY, text="새 채널 종류 메모")
    assert "· #1" in newer["data"]["content"]

    # The optional channel object left out: still the team's channel.
    bare = session.command("add", session=ENVOY, text="channel 객체 없음")
    del bare["channel"]
    assert "· #4" in (await session.answer(bare))["data"]["content"]

    # A DM with the bot and a group DM: a private pointer to server channels, nothing stored.
    for channel in (fake.open_dm(ALICE), fake.open_group_dm(BOB, [ALICE, CAROL], name="팀")):
        outside = await session.say("show", guild=None, channel=channel, user=BOB, session=ENVOY)
        assert outside["data"]["flags"] & EPHEMERAL
        assert "server channels only" in outside["data"]["content"]

    # Delivered 3.5 s late: Discord refuses the answer; the channel still learns of memo #5.
    with caplog.at_level(logging.WARNING):
        fake.send_interaction(session.command("add", session=ENVOY, text="늦게 도착"), late_by=3.5)
        [parent] = [post for post in fake.messages(CHANNEL) if ENVOY in post["content"]]
        thread = int(parent["id"])  # the session's thread starts from its first memo
        await until(lambda: "늦게 도착" in str(fake.messages(thread)), "memo #5's announcement")
    [late] = [post for post in fake.messages(thread) if "늦게 도착" in post["content"]]
    assert "#5" in late["content"]

    shown = await session.say("show", user=CAROL, session=ENVOY)
    content = shown["data"]["content"]
    assert shown["data"]["flags"] & EPHEMERAL
    for memo in ("#1", "#2", "#3", "#4", "#5"):
        assert memo in content
    assert "스레드 메모" not in content and "새 채널 종류 메모" not in content


@pytest.mark.asyncio
async def test_the_documentations_own_older_example_is_dropped_and_the_bot_keeps_serving(
    discord_bot: Discord, caplog: pytest.LogCaptureFixture
) -> None:
    fake = discord_bot.fake
    caplog.set_level(logging.INFO)

    fake.dispatch("INTERACTION_CREATE", copy.deepcopy(DOCS_EXAMPLE))
    session = Session(discord_bot)
    answer = await session.say("add", session=ENVOY, text="예시 다음 명령")

    assert "예시 다음 명령" in answer["data"]["content"]
    await _logged(caplog, "dropped a Discord INTERACTION_CREATE event")
    assert "The Gitrog Monster" not in caplog.text and "A_UNIQUE_TOKEN" not in caplog.text
    assert fake.identify_count == 1, "the client was never restarted"
    assert all(DOCS_EXAMPLE["id"] not in call.path for call in fake.calls_to(CALLBACK))


async def _logged(caplog: pytest.LogCaptureFixture, text: str) -> None:
    deadline = time.monotonic() + 10
    while text not in caplog.text:
        assert time.monotonic() < deadline, caplog.text
        await asyncio.sleep(0.02)
