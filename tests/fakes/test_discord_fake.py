"""The fake Discord serves the real discord.py client end to end: login, gateway, interactions."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict, TypeVar

import pytest

from tests.fakes import discord as discord_fake
from tests.fakes import discord_shapes as shapes
from tests.fakes.discord import UNKNOWN_ROUTE, FakeDiscord

# isort: split
# After the fake, which imports discord.py with its audioop DeprecationWarning silenced.
import discord
from discord import app_commands

# Bound by assignment rather than imported: an imported fixture trips ruff's F811 at every test
# that takes it as an argument. Other test packages can import it in their conftest.py instead.
fake_discord = discord_fake.fake_discord

TOKEN = "fake-token"
GUILD_ID = 1288000000000000001
CHANNEL_ID = 1288000000000000002
OTHER_CHANNEL_ID = 1288000000000000003
USER_ID = 1288000000000000009
SESSIONS = ("Keynote", "Async Rust in production", "Closing keynote")
ClientT = TypeVar("ClientT", bound=discord.Client)


class NoteModal(discord.ui.Modal, title="New note"):
    text: discord.ui.TextInput[NoteModal] = discord.ui.TextInput(
        label="Note", custom_id="note-text"
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"noted {self.text.value}", ephemeral=True)


class MemoClient(discord.Client):
    """A bot with the command shapes an adapter needs: a group with subcommands, autocomplete,
    a modal, a deferred answer with followups and a message context menu."""

    def __init__(self) -> None:
        # guild_ready_timeout: how long discord.py waits for more GUILD_CREATEs before "ready"
        # (2 s by default); without the guilds intent none come.
        super().__init__(intents=discord.Intents.none(), guild_ready_timeout=0.1)
        self.tree: app_commands.CommandTree[MemoClient] = app_commands.CommandTree(self)
        self.interactions: list[discord.Interaction] = []
        # Filled after the answer returns, which is after the fake recorded the callback.
        self.responses: asyncio.Queue[discord.InteractionCallbackResponse[discord.Client]]
        self.responses = asyncio.Queue()
        self.modal_sent = asyncio.Event()
        self.exported: list[discord.Message] = []
        self.export_done = asyncio.Event()
        self.resumed = asyncio.Event()
        self.disconnected = asyncio.Event()
        # What Discord refused, as the command saw it (the exception its callback raised).
        self.errors: asyncio.Queue[Exception] = asyncio.Queue()
        memo = app_commands.Group(name="memo", description="Conference notes")

        @self.tree.error
        async def record(interaction: discord.Interaction, error: Exception) -> None:
            original = getattr(error, "original", error)
            self.errors.put_nowait(original if isinstance(original, Exception) else error)

        @memo.command(name="add", description="Add a note to a session")
        async def add(interaction: discord.Interaction, session: str, text: str) -> None:
            self.interactions.append(interaction)
            response = await interaction.response.send_message(
                "ok " + text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )
            self.responses.put_nowait(response)

        @add.autocomplete("session")
        async def sessions(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return [
                app_commands.Choice(name=name, value=name)
                for name in SESSIONS
                if current.lower() in name.lower()
            ]

        @memo.command(name="export", description="Export the notes")
        async def export(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True)
            notes = discord.File(io.BytesIO(b"# Keynote\n- great"), filename="notes.md")
            # wait=True only for the type checker: interaction followups always wait.
            first = await interaction.followup.send("exported", file=notes, wait=True)
            second = await interaction.followup.send("anything else?", ephemeral=True, wait=True)
            fetched = await interaction.followup.fetch_message(second.id)
            edited = await fetched.edit(content="that was all")
            await edited.delete()
            final = await interaction.edit_original_response(content="exported 1 file")
            original = await interaction.original_response()
            await interaction.delete_original_response()
            self.exported += [first, second, edited, final, original]
            self.export_done.set()

        self.tree.add_command(memo)

        @self.tree.command(name="note", description="Write a note in a form")
        async def note(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(NoteModal())
            self.modal_sent.set()

        @self.tree.context_menu(name="Save as memo")
        async def save(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.send_message(
                f"saved {message.content!r} by {message.author.id}", ephemeral=True
            )

    async def on_resumed(self) -> None:
        self.resumed.set()

    async def on_disconnect(self) -> None:
        self.disconnected.set()


class QuickReidentifyClient(MemoClient):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before every IDENTIFY but the first; the fake needs no pause."""


class ShardedClient(discord.AutoShardedClient):
    """What the adapter runs: sharded from the start, only the guilds intent."""

    def __init__(self) -> None:
        super().__init__(intents=discord.Intents(guilds=True), guild_ready_timeout=0.1)
        self.guild_available = asyncio.Event()

    async def on_guild_available(self, guild: discord.Guild) -> None:
        self.guild_available.set()


@pytest.fixture
def fake(fake_discord: FakeDiscord) -> FakeDiscord:
    fake_discord.add_guild(GUILD_ID, "Conference", [CHANNEL_ID, OTHER_CHANNEL_ID])
    return fake_discord


@contextlib.asynccontextmanager
async def running(client: ClientT, fake: FakeDiscord) -> AsyncIterator[ClientT]:
    """Run ``client`` until it is ready; close it and wait for ``start`` to return afterwards."""
    task = asyncio.create_task(client.start(TOKEN))
    try:
        # The fake first: wait_until_ready raises until start() has logged in.
        await fake.async_wait_for_ready()
        await asyncio.wait_for(client.wait_until_ready(), timeout=10)
        yield client
    finally:
        await client.close()
        await asyncio.wait_for(task, timeout=10)


def add_options(session: str, text: str) -> list[Any]:
    """``/memo add session:<session> text:<text>``: a subcommand option holding its options."""
    values = [
        {"name": "session", "type": 3, "value": session},
        {"name": "text", "type": 3, "value": text},
    ]
    return [{"name": "add", "type": 1, "options": values}]


class Where(TypedDict):
    guild_id: int
    channel_id: int
    user_id: int


WHERE: Where = {"guild_id": GUILD_ID, "channel_id": CHANNEL_ID, "user_id": USER_ID}


async def interact(fake: FakeDiscord, payload: Any) -> dict[str, Any]:
    return await fake.async_wait_for_callback(fake.send_interaction(payload))


@pytest.mark.asyncio
async def test_login_reads_the_bot_user_and_the_application(fake: FakeDiscord) -> None:
    async with running(MemoClient(), fake) as client:
        assert client.user is not None
        assert client.user.id == fake.bot_user_id
        assert client.user.bot
        assert client.application_id == fake.application_id
        info = await client.application_info()
        assert info.id == fake.application_id
        assert info.owner.id == fake.owner_user_id
        assert info.interactions_endpoint_url is None
        channel = await client.fetch_channel(CHANNEL_ID)
        assert isinstance(channel, discord.TextChannel)
        assert channel.guild.id == GUILD_ID
        with pytest.raises(discord.NotFound) as unknown_channel:
            await client.fetch_channel(999)
        assert unknown_channel.value.code == 10003
        with pytest.raises(discord.NotFound):
            await client.fetch_user(USER_ID)
    assert client.is_closed()
    assert fake.calls_to("GET /users/@me")[0].token == TOKEN
    assert fake.calls_to(UNKNOWN_ROUTE)[0].path == f"/users/{USER_ID}"
    identify = next(message["d"] for message in fake.gateway_messages if message["op"] == 2)
    assert identify["token"] == TOKEN
    assert identify["intents"] == 0
    assert fake.identify_count == 1


@pytest.mark.asyncio
async def test_slash_command_gets_an_ephemeral_reply_without_mentions(fake: FakeDiscord) -> None:
    async with running(MemoClient(), fake) as client:
        payload = fake.slash_command(
            **WHERE,
            name="memo",
            options=add_options("Keynote", "great talk @everyone"),
            permissions=discord.Permissions(manage_guild=True).value,
        )
        callback = await interact(fake, payload)
        assert callback == {
            "type": 4,
            "data": {
                "tts": False,
                "content": "ok great talk @everyone",
                "flags": 64,
                "allowed_mentions": {"parse": []},
            },
        }
        (interaction,) = client.interactions
        assert interaction.user.id == USER_ID
        assert interaction.guild_id == GUILD_ID
        assert interaction.channel_id == CHANNEL_ID
        assert interaction.namespace.session == "Keynote"
        assert interaction.permissions.manage_guild
        assert not interaction.permissions.administrator
        response = await asyncio.wait_for(client.responses.get(), timeout=10)
        assert isinstance(response.resource, discord.InteractionMessage)
        assert response.resource.content == "ok great talk @everyone"
        assert response.resource.flags.ephemeral
    (call,) = fake.calls_to("POST /interactions/{interaction_id}/{token}/callback")
    assert call.path == f"/interactions/{payload['id']}/{payload['token']}/callback"
    assert call.query == {"with_response": "1"}
    assert call.token is None


@pytest.mark.asyncio
async def test_sync_registers_global_and_guild_commands(fake: FakeDiscord) -> None:
    async with running(MemoClient(), fake) as client:
        synced = await client.tree.sync()
        client.tree.copy_global_to(guild=discord.Object(GUILD_ID))
        guild_synced = await client.tree.sync(guild=discord.Object(GUILD_ID))

        payload = fake.slash_command(**WHERE, name="memo", options=add_options("Keynote", "x"))
        memo = next(command for command in guild_synced if command.name == "memo")
        assert payload["data"]["id"] == str(memo.id)
        assert payload["data"].get("guild_id") == str(GUILD_ID)
        assert (await interact(fake, payload))["data"]["content"] == "ok x"

    assert {command.name for command in synced} == {"memo", "note", "Save as memo"}
    assert {int(command["id"]) for command in fake.global_commands} == {c.id for c in synced}
    memo_payload = next(c for c in fake.global_commands if c["name"] == "memo")
    assert [option["name"] for option in memo_payload["options"]] == ["add", "export"]
    assert {command.guild_id for command in guild_synced} == {GUILD_ID}
    assert [c["name"] for c in fake.guild_commands(GUILD_ID)] == [c.name for c in guild_synced]
    (put,) = fake.calls_to("PUT /applications/{application_id}/guilds/{guild_id}/commands")
    assert put.path == f"/applications/{fake.application_id}/guilds/{GUILD_ID}/commands"


@pytest.mark.asyncio
async def test_autocomplete_answers_choices(fake: FakeDiscord) -> None:
    async with running(MemoClient(), fake):
        payload = fake.autocomplete(
            **WHERE, name="memo", options=add_options("keyn", ""), focused="session"
        )
        callback = await interact(fake, payload)
    assert callback == {
        "type": 8,
        "data": {
            "choices": [
                {"name": "Keynote", "value": "Keynote"},
                {"name": "Closing keynote", "value": "Closing keynote"},
            ]
        },
    }


@pytest.mark.asyncio
async def test_modal_submission_reaches_on_submit(fake: FakeDiscord) -> None:
    async with running(MemoClient(), fake) as client:
        callback = await interact(fake, fake.slash_command(**WHERE, name="note", options=[]))
        assert callback["type"] == 9
        modal = callback["data"]
        assert modal["title"] == "New note"
        assert modal["components"][0]["components"][0]["custom_id"] == "note-text"
        # discord.py stores the modal after the callback's answer arrives: submit after that.
        await asyncio.wait_for(client.modal_sent.wait(), timeout=10)

        submit = fake.modal_submit(
            **WHERE,
            custom_id=modal["custom_id"],
            components=fake.text_inputs({"note-text": "Async Rust talk"}),
        )
        callback = await interact(fake, submit)
    assert callback["type"] == 4
    assert callback["data"]["content"] == "noted Async Rust talk"


@pytest.mark.asyncio
async def test_message_context_menu_receives_the_target_message(fake: FakeDiscord) -> None:
    target = fake.message(CHANNEL_ID, USER_ID, "Slides: https://example.com/deck")
    async with running(MemoClient(), fake):
        payload = fake.message_context_menu(**WHERE, name="Save as memo", target_message=target)
        callback = await interact(fake, payload)
    expected = f"saved 'Slides: https://example.com/deck' by {USER_ID}"
    assert callback["data"]["content"] == expected


@pytest.mark.asyncio
async def test_deferred_answer_and_followups(fake: FakeDiscord) -> None:
    async with running(MemoClient(), fake) as client:
        options: list[Any] = [{"name": "export", "type": 1, "options": []}]
        payload = fake.slash_command(**WHERE, name="memo", options=options)
        callback = await interact(fake, payload)
        assert callback == {"type": 5, "data": {"flags": 64}}
        await asyncio.wait_for(client.export_done.wait(), timeout=10)

    first, second, edited, final, original = client.exported
    # The first followup after a deferral resolves the "thinking" message, keeping its flags.
    assert first.id == final.id == original.id
    assert first.content == "exported"
    assert first.flags.ephemeral
    assert [attachment.filename for attachment in first.attachments] == ["notes.md"]
    assert final.content == original.content == "exported 1 file"
    assert final.edited_at is not None
    assert second.id == edited.id != original.id
    assert second.flags.ephemeral
    assert edited.content == "that was all"
    hook = "/webhooks/{application_id}/{token}"
    assert [
        call.route for call in fake.calls if call.route.endswith(hook) or hook in call.route
    ] == [
        f"POST {hook}",
        f"POST {hook}",
        f"GET {hook}/messages/{{message_id}}",
        f"PATCH {hook}/messages/{{message_id}}",
        f"DELETE {hook}/messages/{{message_id}}",
        f"PATCH {hook}/messages/@original",
        f"GET {hook}/messages/@original",
        f"DELETE {hook}/messages/@original",
    ]
    posts = await fake.async_wait_for(f"POST {hook}", count=2)
    webhook = f"/webhooks/{fake.application_id}/{payload['token']}"
    assert [call.path for call in posts] == [webhook, webhook]
    assert posts[0].json["content"] == "exported"
    assert posts[0].files == (("notes.md", b"# Keynote\n- great"),)
    assert posts[0].query["wait"] == "1"


@pytest.mark.asyncio
async def test_dropped_gateway_resumes_and_replays_missed_events(fake: FakeDiscord) -> None:
    async with running(MemoClient(), fake) as client:
        fake.drop_gateway()
        # Sent while the client is away: kept in the session and replayed on RESUME.
        missed = fake.slash_command(**WHERE, name="memo", options=add_options("Keynote", "a"))
        assert (await interact(fake, missed))["data"]["content"] == "ok a"
        await asyncio.wait_for(client.resumed.wait(), timeout=10)
        after = fake.slash_command(**WHERE, name="memo", options=add_options("Keynote", "b"))
        assert (await interact(fake, after))["data"]["content"] == "ok b"
    assert fake.resume_count == 1
    assert fake.identify_count == 1
    resume = next(message["d"] for message in fake.gateway_messages if message["op"] == 6)
    assert resume["token"] == TOKEN
    assert resume["seq"] == 1  # READY, the only event before the drop


@pytest.mark.asyncio
async def test_ended_session_makes_the_client_identify_again(fake: FakeDiscord) -> None:
    async with running(QuickReidentifyClient(), fake):
        fake.drop_gateway(4009)  # session timed out: the RESUME gets op 9
        await fake.async_wait_for_ready()
        payload = fake.slash_command(**WHERE, name="memo", options=add_options("Keynote", "c"))
        assert (await interact(fake, payload))["data"]["content"] == "ok c"
    assert fake.resume_count == 1
    assert fake.identify_count == 2


@pytest.mark.asyncio
async def test_rate_limited_message_is_retried(fake: FakeDiscord) -> None:
    fake.rate_limit_next("POST /channels/{channel_id}/messages")
    async with running(MemoClient(), fake) as client:
        message = await client.get_partial_messageable(CHANNEL_ID).send("Day 1 notes are in")
    assert message.content == "Day 1 notes are in"
    assert message.author.id == fake.bot_user_id
    first, retry = fake.calls_to("POST /channels/{channel_id}/messages")
    assert first.json == retry.json
    assert first.path == f"/channels/{CHANNEL_ID}/messages"


@pytest.mark.asyncio
async def test_sharded_client_with_guilds_intent_gets_full_guilds(fake: FakeDiscord) -> None:
    async with running(ShardedClient(), fake) as client:
        await asyncio.wait_for(client.guild_available.wait(), timeout=10)
        guild = client.get_guild(GUILD_ID)
        assert guild is not None
        assert guild.name == "Conference"
        assert [channel.id for channel in guild.text_channels] == [CHANNEL_ID, OTHER_CHANNEL_ID]
        assert guild.default_role.id == GUILD_ID
        assert guild.me.id == fake.bot_user_id
        assert client.shard_count == 1
    assert fake.calls_to("GET /gateway/bot")
    identify = next(message["d"] for message in fake.gateway_messages if message["op"] == 2)
    assert identify["shard"] == [0, 1]
    assert identify["intents"] == discord.Intents(guilds=True).value


# Behaviours Discord documents beyond a plain guild text channel


async def next_error(client: MemoClient) -> Exception:
    return await asyncio.wait_for(client.errors.get(), timeout=10)


def add_in(fake: FakeDiscord, channel_id: int, text: str) -> Any:
    """``/memo add`` from the user in a DM or group DM (no guild)."""
    return fake.slash_command(
        guild_id=None,
        channel_id=channel_id,
        user_id=USER_ID,
        name="memo",
        options=add_options("K", text),
    )


@pytest.mark.asyncio
async def test_a_dm_with_the_bot_has_a_user_and_no_member_and_context_1(fake: FakeDiscord) -> None:
    dm = fake.open_dm(USER_ID)
    async with running(MemoClient(), fake) as client:
        payload = add_in(fake, dm, "d")
        assert "ok d" in (await interact(fake, payload))["data"]["content"]
        (interaction,) = client.interactions

    assert payload["context"] == shapes.BOT_DM_CONTEXT
    assert "member" not in payload and "guild_id" not in payload and "guild" not in payload
    assert payload["user"]["id"] == str(USER_ID)
    assert payload["authorizing_integration_owners"] == {"0": "0"}
    assert int(payload["app_permissions"]) == shapes.BOT_DM_APP_PERMISSIONS
    assert payload["channel"]["type"] == shapes.DM
    assert interaction.guild_id is None
    assert not isinstance(interaction.user, discord.Member)
    assert isinstance(interaction.channel, discord.DMChannel)
    assert interaction.context.dm_channel and not interaction.context.guild


@pytest.mark.asyncio
async def test_a_group_dm_is_a_private_channel_context_2(fake: FakeDiscord) -> None:
    other = USER_ID + 1
    group = fake.open_group_dm(USER_ID, [other], name="after-party")
    async with running(MemoClient(), fake) as client:
        payload = add_in(fake, group, "g")
        await interact(fake, payload)
        (interaction,) = client.interactions

    assert payload["context"] == shapes.PRIVATE_CHANNEL_CONTEXT
    assert payload["authorizing_integration_owners"] == {"1": str(USER_ID)}
    assert int(payload["app_permissions"]) == shapes.PRIVATE_CHANNEL_APP_PERMISSIONS
    assert isinstance(interaction.channel, discord.GroupChannel)
    assert interaction.channel.name == "after-party"
    assert {user.id for user in interaction.channel.recipients} == {USER_ID, other}
    assert interaction.context.private_channel


@pytest.mark.asyncio
async def test_a_member_has_a_nickname_and_roles_the_bot_may_not_know(fake: FakeDiscord) -> None:
    fake.set_member(GUILD_ID, USER_ID, nick="발표자 지호", roles=[GUILD_ID + 50, GUILD_ID + 51])
    async with running(MemoClient(), fake) as client:
        await interact(
            fake, fake.slash_command(**WHERE, name="memo", options=add_options("K", "n"))
        )
        (interaction,) = client.interactions

    member = interaction.user
    assert isinstance(member, discord.Member)
    assert member.nick == "발표자 지호" and member.display_name == "발표자 지호"
    assert member.global_name == f"User {USER_ID}"
    assert member.roles == [], "roles not in the guild's cache are left out by discord.py"


@pytest.mark.asyncio
@pytest.mark.parametrize("global_name", [None, shapes.ABSENT])
async def test_a_user_without_a_display_name_shows_the_username(
    fake: FakeDiscord, global_name: object
) -> None:
    fake.set_user(USER_ID, username="jiho.dev", global_name=global_name)
    async with running(MemoClient(), fake) as client:
        payload = fake.slash_command(**WHERE, name="memo", options=add_options("K", "u"))
        await interact(fake, payload)
        (interaction,) = client.interactions

    user = payload["member"]["user"]
    assert ("global_name" in user) is (global_name is None)
    assert interaction.user.global_name is None
    assert interaction.user.display_name == "jiho.dev"


@pytest.mark.asyncio
async def test_without_the_channel_object_or_with_an_unknown_type_discord_py_has_no_channel(
    fake: FakeDiscord,
) -> None:
    unknown = CHANNEL_ID + 100
    fake.add_channel(GUILD_ID, unknown, type=99, name="future-kind")
    async with running(MemoClient(), fake) as client:
        missing = fake.slash_command(
            **{**WHERE, "channel_id": OTHER_CHANNEL_ID + 7},
            name="memo",
            options=add_options("K", "m"),
            channel_object=False,
        )
        odd = fake.slash_command(
            **{**WHERE, "channel_id": unknown}, name="memo", options=add_options("K", "o")
        )
        await interact(fake, missing)
        await interact(fake, odd)
        without, of_unknown_type = client.interactions

    assert "channel" not in missing and missing["channel_id"] == str(OTHER_CHANNEL_ID + 7)
    assert odd["channel"]["type"] == 99 and odd["channel_id"] == str(unknown)
    assert without.channel is None and without.channel_id is None
    assert of_unknown_type.channel is None and of_unknown_type.channel_id is None
    assert without.guild_id == of_unknown_type.guild_id == GUILD_ID


def test_a_modal_submission_numbers_every_component_as_discord_does() -> None:
    modal = {
        "custom_id": "m",
        "title": "t",
        "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": "a", "style": 1, "label": "A"}]},
            {
                "type": 18,
                "id": 2,
                "label": "B",
                "component": {"type": 4, "custom_id": "b", "style": 2, "value": "pre"},
            },
            {"type": 1, "components": [{"type": 4, "custom_id": "c", "style": 1, "label": "C"}]},
        ],
    }

    assert FakeDiscord.modal_answers(modal, {"a": "typed"}) == [
        {
            "type": 1,
            "id": 1,
            "components": [{"type": 4, "id": 3, "custom_id": "a", "value": "typed"}],
        },
        {"type": 18, "id": 2, "component": {"type": 4, "id": 4, "custom_id": "b", "value": "pre"}},
        {"type": 1, "id": 5, "components": [{"type": 4, "id": 6, "custom_id": "c", "value": ""}]},
    ]


@pytest.mark.asyncio
async def test_a_modal_submitted_with_component_ids_reaches_on_submit(fake: FakeDiscord) -> None:
    async with running(MemoClient(), fake) as client:
        callback = await interact(fake, fake.slash_command(**WHERE, name="note", options=[]))
        await asyncio.wait_for(client.modal_sent.wait(), timeout=10)
        answers = fake.modal_answers(callback["data"], {"note-text": "ids 있는 제출"})
        submit = fake.modal_submit(
            **WHERE, custom_id=callback["data"]["custom_id"], components=answers
        )
        answer = await interact(fake, submit)

    assert all("id" in row and "id" in row["components"][0] for row in submit["data"]["components"])
    assert answer["data"]["content"] == "noted ids 있는 제출"


@pytest.mark.asyncio
async def test_a_callback_after_3_seconds_is_unknown_and_the_token_no_use(
    fake: FakeDiscord,
) -> None:
    async with running(MemoClient(), fake) as client:
        payload = fake.slash_command(**WHERE, name="memo", options=add_options("K", "late"))
        fake.send_interaction(payload, late_by=3.0)
        late = await next_error(client)
        (interaction,) = client.interactions
        with pytest.raises(discord.NotFound) as followup:
            await interaction.followup.send("still there?")

    assert isinstance(late, discord.NotFound)
    assert (late.status, late.code, late.text) == (404, 10062, "Unknown interaction")
    assert followup.value.code == 10015, "never answered: Unknown Webhook"
    [callback] = fake.calls_to("POST /interactions/{interaction_id}/{token}/callback")
    assert callback.json["data"]["content"] == "ok late"


@pytest.mark.asyncio
async def test_time_passing_makes_a_callback_late(fake: FakeDiscord) -> None:
    fake.hold_next("POST /interactions/{interaction_id}/{token}/callback")
    async with running(MemoClient(), fake) as client:
        payload = fake.slash_command(**WHERE, name="memo", options=add_options("K", "slow"))
        fake.send_interaction(payload)
        await fake.async_wait_for("POST /interactions/{interaction_id}/{token}/callback")
        fake.let_time_pass(2.9)
        fake.release("POST /interactions/{interaction_id}/{token}/callback")
        assert (await client.responses.get()).resource is not None, "2.9 s is in time"

        fake.hold_next("POST /interactions/{interaction_id}/{token}/callback")
        again = fake.slash_command(**WHERE, name="memo", options=add_options("K", "slower"))
        fake.send_interaction(again)
        await fake.async_wait_for("POST /interactions/{interaction_id}/{token}/callback", count=2)
        fake.let_time_pass(3.0)
        fake.release("POST /interactions/{interaction_id}/{token}/callback")
        late = await next_error(client)

    assert isinstance(late, discord.NotFound) and late.code == 10062


@pytest.mark.asyncio
async def test_after_15_minutes_the_interaction_token_is_invalid(fake: FakeDiscord) -> None:
    async with running(MemoClient(), fake) as client:
        payload = fake.slash_command(**WHERE, name="memo", options=add_options("K", "t"))
        await interact(fake, payload)
        (interaction,) = client.interactions
        message = await interaction.followup.send("within 15 minutes", wait=True)
        fake.let_time_pass(15 * 60)
        with pytest.raises(discord.HTTPException) as expired:
            await interaction.followup.send("too late")
        with pytest.raises(discord.HTTPException) as edit:
            await interaction.edit_original_response(content="edited too late")

    assert message.content == "within 15 minutes"
    for error in (expired.value, edit.value):
        assert (error.status, error.code, error.text) == (401, 50027, "Invalid Webhook Token")


@pytest.mark.asyncio
async def test_sending_without_permission_is_403_50013_and_an_unseen_channel_50001(
    fake: FakeDiscord,
) -> None:
    fake.deny_bot(CHANNEL_ID, shapes.SEND_MESSAGES)
    fake.deny_bot(OTHER_CHANNEL_ID, shapes.VIEW_CHANNEL)
    async with running(ShardedClient(), fake) as client:
        await asyncio.wait_for(client.guild_available.wait(), timeout=10)
        channel = client.get_channel(CHANNEL_ID)
        assert isinstance(channel, discord.TextChannel)
        assert not channel.permissions_for(channel.guild.me).send_messages
        with pytest.raises(discord.Forbidden) as no_send:
            await channel.send("digest")
        with pytest.raises(discord.Forbidden) as unseen:
            await client.get_partial_messageable(OTHER_CHANNEL_ID).send("digest")
        with pytest.raises(discord.Forbidden) as unseen_fetch:
            await client.fetch_channel(OTHER_CHANNEL_ID)
        payload = fake.slash_command(**WHERE, name="memo", options=add_options("K", "p"))

    assert (no_send.value.status, no_send.value.code) == (403, 50013)
    assert no_send.value.text == "Missing Permissions"
    assert unseen.value.code == unseen_fetch.value.code == 50001
    assert int(payload["app_permissions"]) & shapes.SEND_MESSAGES == 0


@pytest.mark.asyncio
async def test_a_revoked_token_is_refused_at_login_and_closes_the_gateway_with_4004(
    fake: FakeDiscord,
) -> None:
    client = MemoClient()
    task = asyncio.create_task(client.start(TOKEN))
    await fake.async_wait_for_ready()
    fake.revoke_token(TOKEN)
    with pytest.raises(discord.ConnectionClosed) as closed:
        await asyncio.wait_for(task, timeout=10)
    assert closed.value.code == 4004

    refused = MemoClient()
    with pytest.raises(discord.LoginFailure):
        await refused.login(TOKEN)
    await refused.close()


@pytest.mark.asyncio
async def test_a_gateway_gone_for_good_refuses_connections_until_it_is_back(
    fake: FakeDiscord,
) -> None:
    async with running(QuickReidentifyClient(), fake) as client:
        fake.refuse_gateway()
        await asyncio.wait_for(client.disconnected.wait(), timeout=10)
        answered_before = len(fake.calls_to("POST /interactions/{interaction_id}/{token}/callback"))
        fake.accept_gateway()
        await asyncio.wait_for(client.resumed.wait(), timeout=30)
        payload = fake.slash_command(**WHERE, name="memo", options=add_options("K", "back"))
        assert (await interact(fake, payload))["data"]["content"] == "ok back"
    assert answered_before == 0


@pytest.mark.asyncio
async def test_a_repeated_nonce_returns_the_first_message_and_creates_none(
    fake: FakeDiscord,
) -> None:
    fake.set_time(datetime(2025, 9, 25, 9, 30, tzinfo=UTC))
    async with running(MemoClient(), fake) as client:
        channel = client.get_partial_messageable(CHANNEL_ID)
        first = await channel.send("digest part 1", nonce="d1.0")
        again = await channel.send("digest part 1", nonce="d1.0")
        other = await channel.send("digest part 2", nonce="d1.1")
        elsewhere = await client.get_partial_messageable(OTHER_CHANNEL_ID).send("x", nonce="d1.0")

    assert again.id == first.id == elsewhere.id, "per author, whatever the channel"
    assert first.nonce == "d1.0"
    assert [m["content"] for m in fake.messages(CHANNEL_ID)] == ["digest part 1", "digest part 2"]
    assert other.created_at == datetime(2025, 9, 25, 9, 30, tzinfo=UTC)
    sent = fake.calls_to("POST /channels/{channel_id}/messages")
    assert all(call.json["enforce_nonce"] is True for call in sent), "discord.py sends it"


@pytest.mark.asyncio
async def test_a_nonce_is_forgotten_after_the_window_and_a_deleted_one_is_not_resent(
    fake: FakeDiscord,
) -> None:
    start = datetime(2025, 9, 25, 9, 30, tzinfo=UTC)
    fake.set_time(start)
    async with running(MemoClient(), fake) as client:
        channel = client.get_partial_messageable(CHANNEL_ID)
        kept = await channel.send("kept", nonce="n-kept")
        gone = await channel.send("deleted", nonce="n-gone")
        fake.delete_message(gone.id)
        with pytest.raises(discord.NotFound) as not_found:
            await channel.send("deleted", nonce="n-gone")
        assert not_found.value.code == 10008
        with pytest.raises(discord.HTTPException) as too_long:
            await channel.send("x", nonce="n" * 26)
        assert too_long.value.status == 400

        fake.let_time_pass(discord_fake.NONCE_WINDOW.total_seconds())
        later = await channel.send("kept", nonce="n-kept")

    assert later.id != kept.id
    assert [m["content"] for m in fake.messages(CHANNEL_ID)] == ["kept", "kept"]
    assert later.created_at == start + discord_fake.NONCE_WINDOW, "the clock moved on"


@pytest.mark.asyncio
async def test_history_pages_after_a_moment_and_is_empty_without_read_history(
    fake: FakeDiscord,
) -> None:
    start = datetime(2025, 9, 25, 9, 30, tzinfo=UTC)
    fake.set_time(start - timedelta(hours=1))
    async with running(MemoClient(), fake) as client:
        channel = client.get_partial_messageable(CHANNEL_ID)
        await channel.send("before")
        fake.set_time(start)
        sent = [await channel.send(f"m{n}") for n in range(120)]

        found = [m async for m in channel.history(after=start - timedelta(minutes=1), limit=None)]
        latest = [m async for m in channel.history(limit=3)]
        older = [m async for m in channel.history(before=sent[2], limit=5)]
        fake.deny_bot(CHANNEL_ID, shapes.READ_MESSAGE_HISTORY)
        unreadable = [m async for m in channel.history(limit=3)]

    assert [m.id for m in found] == [m.id for m in sent], "oldest first, over two pages"
    assert all(m.nonce is None for m in found), "Discord does not keep nonces"
    assert [m.content for m in latest] == ["m119", "m118", "m117"]
    assert [m.content for m in older] == ["m1", "m0", "before"]
    assert unreadable == [], "Discord returns no messages, and no error"
    pages = fake.calls_to("GET /channels/{channel_id}/messages")
    assert [call.query["limit"] for call in pages[:2]] == ["100", "100"]


@pytest.mark.asyncio
async def test_a_late_answer_comes_after_the_message_is_in_the_channel(fake: FakeDiscord) -> None:
    fake.answer_late("POST /channels/{channel_id}/messages")
    async with running(MemoClient(), fake) as client:
        slow = asyncio.create_task(client.get_partial_messageable(CHANNEL_ID).send("slow"))
        await fake.async_wait_late_answers(1)
        assert [m["content"] for m in fake.messages(CHANNEL_ID)] == ["slow"]
        assert not slow.done()
        fake.release_late_answers()
        assert (await slow).content == "slow"
