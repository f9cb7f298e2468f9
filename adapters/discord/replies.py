"""Answering interactions: who asked, running the core, and sending its reply within limits.

Discord wants an answer within 3 seconds. The core normally answers in a few
milliseconds; if it has not after ``DEFER_AFTER_SECONDS`` the interaction is
deferred (the person sees "thinking...") and the reply follows through the
interaction's webhook. A command the core says may be slow (a summary by a
model, an export) is deferred at once; an export's file comes with the answer.
Every message goes out with ``AllowedMentions.none()``: no memo can ping anyone.

Discord answers only the first response to an interaction. When the same
interaction arrives twice (two bot processes on one shard, or a copy after a
reconnect), the core does the work once and both copies have the same answer;
whichever responds second is told the interaction was acknowledged already and
stops there, so the person sees one answer.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import aiohttp
import discord
from discord.utils import MISSING

from adapters.discord.events import InteractionChannels
from adapters.discord.messages import split
from adapters.discord.talk_select import talk_select
from bot.commands.declaration import Command, UploadedFile
from bot.commands.text import Rejected
from bot.core import MemoBot
from bot.i18n import _, speaking
from bot.invocation import Invocation
from bot.language import resolve
from bot.memos import PickTalk, add_from_options
from bot.notefiles.decode import too_large
from bot.replies.markdown import file_name
from bot.replies.values import (
    Attachment,
    ProblemCode,
    Reply,
    TalkPickNeeded,
    Visibility,
    refuse,
)
from bot.sessions import SessionId

logger = logging.getLogger(__name__)

PLATFORM = "discord"
DEFER_AFTER_SECONDS = 2.0
#: Discord's error code for a response to an interaction that has one already.
ALREADY_ACKNOWLEDGED = 40060
NO_MENTIONS = discord.AllowedMentions.none()
#: Discord's error codes for an interaction it no longer takes answers to: the first answer
#: came after its 3 s deadline (Unknown interaction), a follow-up to an interaction never
#: answered (Unknown Webhook), or after its token's 15 minutes (Invalid Webhook Token).
UNKNOWN_INTERACTION, UNKNOWN_WEBHOOK, INVALID_WEBHOOK_TOKEN = 10062, 10015, 50027
GONE_INTERACTION_CODES = frozenset({UNKNOWN_INTERACTION, UNKNOWN_WEBHOOK, INVALID_WEBHOOK_TOKEN})
#: The answer in a DM or group DM: memos belong to a server's channel (see the README).
OUTSIDE_A_SERVER = refuse(
    ProblemCode.BAD_ARGUMENTS,
    "/memo works in server channels only: memos belong to a server's channel, "
    "so use it in a channel of a server the bot is in.",
)


class Replier:
    def __init__(
        self,
        bot: MemoBot,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        defer_after: float = DEFER_AFTER_SECONDS,
        channels: InteractionChannels | None = None,
    ) -> None:
        self.bot = bot
        self.clock = clock
        self.defer_after = defer_after
        self.channels = channels or InteractionChannels()

    def invocation(self, interaction: discord.Interaction, text: str = "") -> Invocation | None:
        """The interaction as the core sees it; None outside a server channel.

        The channel is the payload's ``channel_id``: discord.py's ``interaction.channel_id``
        is None when the payload's optional ``channel`` object is missing or of a type it
        does not know, though the command came from a server channel all the same.
        """
        channel_id = self.channels.of(interaction.id) or interaction.channel_id
        if interaction.guild_id is None or channel_id is None:
            return None
        user = interaction.user
        return Invocation(
            platform=PLATFORM,
            workspace_id=str(interaction.guild_id),
            channel_id=str(channel_id),
            user_id=str(user.id),
            display_name=user.display_name,
            text=text,
            received_at=self.clock(),
            # Discord's word for "may edit and delete other people's messages here".
            is_admin=interaction.permissions.manage_messages,
            delivery_id=f"interaction:{interaction.id}",
            # The language of the person's Discord client: `ko`, `en-US`, ...
            locale=interaction.locale.value,
        )

    async def run(self, interaction: discord.Interaction, command: Command | Rejected) -> None:
        """Run a command for the interaction and answer with the core's reply."""
        invocation = await self._channel_invocation(interaction)
        if invocation is None:
            return
        if isinstance(command, Rejected):
            refused = await self.bot.refusal_async(invocation, command)
            async with _unless_answered(interaction):
                await self.send(interaction, refused)
            return
        await self.answer(
            interaction,
            self.bot.execute_async(invocation, command),
            defer_at_once=self.bot.may_be_slow(command),
        )

    async def pick(self, interaction: discord.Interaction, pick: PickTalk) -> None:
        """A talk picked in the select under "which running talk?": the note is stored there
        (announced in the channel, as a typed memo is) or the refusal goes to the picker."""
        invocation = await self._channel_invocation(interaction)
        if invocation is None:
            return
        await self.answer(
            interaction, self.bot.execute_async(invocation, pick), defer_at_once=False
        )

    async def run_with_file(
        self,
        interaction: discord.Interaction,
        attachment: discord.Attachment,
        build: Callable[[UploadedFile], Command | Rejected],
    ) -> None:
        """A command that takes a file (`/memo import file:`): acknowledge at once, download
        the file, build the command with it, run it, answer."""
        invocation = await self._channel_invocation(interaction)
        if invocation is None:
            return

        async def work() -> Reply:
            # A refusal before the import is in the person's language, as the import's is.
            with speaking(await self.bot.language_for_async(invocation)):
                name, limit = attachment.filename, self.bot.import_max_bytes
                large = too_large(name, attachment.size, limit)
                if large is not None:
                    return refuse(ProblemCode.UNREADABLE_FILE, large.message, "file")
                try:
                    content = await attachment.read()
                except (discord.HTTPException, aiohttp.ClientError, TimeoutError):
                    # discord.py passes on aiohttp's error when the body breaks off.
                    logger.warning("could not download an attachment to import", exc_info=True)
                    cut = _(
                        "Discord did not let me download %(file)s whole, so nothing was "
                        "imported; try again."
                    ) % {"file": file_name(name)}
                    return refuse(ProblemCode.UNREADABLE_FILE, cut, "file")
            command = build(UploadedFile(attachment.filename, content))
            if isinstance(command, Rejected):
                return await self.bot.refusal_async(invocation, command)
            return await self.bot.execute_async(invocation, command)

        await self.answer(interaction, work(), defer_at_once=True)

    async def _channel_invocation(self, interaction: discord.Interaction) -> Invocation | None:
        """The invocation; outside a server channel (a DM, a group DM), None after telling
        the person why."""
        invocation = self.invocation(interaction)
        if invocation is None:
            await self.send(interaction, OUTSIDE_A_SERVER)
        return invocation

    async def answer(
        self, interaction: discord.Interaction, work: Awaitable[Reply], *, defer_at_once: bool
    ) -> None:
        """Send the reply ``work`` produces, deferring first if it is (or may be) slow in coming."""
        task = asyncio.ensure_future(work)
        async with _unless_answered(interaction):
            await self._answer(interaction, task, defer_at_once=defer_at_once)
        await task  # done already unless another copy answered first

    async def _answer(
        self, interaction: discord.Interaction, task: asyncio.Future[Reply], *, defer_at_once: bool
    ) -> None:
        if not defer_at_once:
            done, _ = await asyncio.wait({task}, timeout=self.defer_after)
            if task in done:
                await self.send(interaction, task.result())
                return
        gone = await _refused(interaction.response.defer(ephemeral=True, thinking=True))
        if gone is not None:
            await self._undelivered(interaction, await task, gone)
            return
        reply = await task
        pieces = split(reply.markdown)
        # A file (an export) replaces "thinking...", so it is as private as the request.
        files = [_file(reply.attachment)] if reply.attachment is not None else MISSING
        view = talk_select(reply.data) if isinstance(reply.data, TalkPickNeeded) else MISSING
        gone = await _refused(
            interaction.edit_original_response(
                content=pieces[0], attachments=files, allowed_mentions=NO_MENTIONS, view=view
            )
        )
        if gone is not None:
            await self._undelivered(interaction, reply, gone)
            return
        public = reply.visibility is Visibility.PUBLIC
        for piece in pieces[1:] if not public else pieces:
            # After a private "thinking...", a public reply goes out as a follow-up message.
            await interaction.followup.send(
                piece, ephemeral=not public, allowed_mentions=NO_MENTIONS
            )

    async def send(self, interaction: discord.Interaction, reply: Reply) -> None:
        """The reply as the interaction's response, plus follow-ups for what does not fit."""
        pieces = split(reply.markdown)
        private = reply.visibility is Visibility.PRIVATE
        view = talk_select(reply.data) if isinstance(reply.data, TalkPickNeeded) else MISSING
        gone = await _refused(
            interaction.response.send_message(
                pieces[0], ephemeral=private, allowed_mentions=NO_MENTIONS, view=view
            )
        )
        if gone is not None:
            await self._undelivered(interaction, reply, gone)
            return
        for piece in pieces[1:]:
            await interaction.followup.send(piece, ephemeral=private, allowed_mentions=NO_MENTIONS)

    async def open_form(
        self,
        interaction: discord.Interaction,
        session: str | SessionId | None,
        *,
        text: str = "",
        source_url: str | None = None,
    ) -> None:
        """The add-memo form (a modal): for `/memo add` without a note, and "Save as memo"."""
        if interaction.guild_id is None:
            await self.run(interaction, add_from_options(session, text))
            return
        # The person's client language: the form opens at once, before any database read.
        with speaking(resolve(None, interaction.locale.value, self.bot.default_language)):
            form = MemoForm(self, session, text, source_url)
        gone = await _refused(interaction.response.send_modal(form))
        if gone is not None:
            logger.warning(
                "the memo form could not be opened: interaction=%s user=%s: %s",
                interaction.id,
                interaction.user.id,
                _why(gone),
            )

    async def _undelivered(
        self, interaction: discord.Interaction, reply: Reply, error: discord.HTTPException
    ) -> None:
        """Discord no longer takes answers to the interaction (the 3-second deadline for the
        first one passed, or the 15-minute token expired). What was done stays done (a memo
        is saved); a public reply, meant for the channel anyway, is posted there so the
        person still learns it; a private one cannot reach them: it is logged (not its text)."""
        channel_id = self.channels.of(interaction.id) or interaction.channel_id
        where = f"interaction={interaction.id} user={interaction.user.id} channel={channel_id}"
        if reply.visibility is Visibility.PUBLIC and interaction.guild_id and channel_id:
            channel = interaction.client.get_partial_messageable(
                channel_id, guild_id=interaction.guild_id
            )
            try:
                for piece in split(reply.markdown):
                    await channel.send(piece, allowed_mentions=NO_MENTIONS)
            except discord.HTTPException as send_error:
                logger.warning(
                    "could not answer (%s) nor post the answer in the channel (%s): %s",
                    _why(error),
                    send_error,
                    where,
                )
                return
            logger.warning(
                "could not answer (%s); posted the answer in the channel: %s", _why(error), where
            )
            return
        logger.warning(
            "could not answer (%s); the private answer was not delivered: %s", _why(error), where
        )


async def _refused(answer: Awaitable[object]) -> discord.HTTPException | None:
    """Send an answer to an interaction; Discord's error if it no longer takes answers to it
    (any other error is raised)."""
    try:
        await answer
    except discord.HTTPException as error:
        if error.code not in GONE_INTERACTION_CODES:
            raise
        return error
    return None


def _why(error: discord.HTTPException) -> str:
    if error.code == UNKNOWN_INTERACTION:
        return "Discord's 3-second deadline for the first answer had passed"
    if error.code == INVALID_WEBHOOK_TOKEN:
        return "the interaction's 15-minute token had expired"
    return f"Discord no longer knows the interaction ({error.code} {error.text})"


@asynccontextmanager
async def _unless_answered(interaction: discord.Interaction) -> AsyncIterator[None]:
    """Stop quietly when another copy of the interaction has answered it already."""
    try:
        yield
    except discord.HTTPException as error:
        if error.code != ALREADY_ACKNOWLEDGED:
            raise
        logger.info("interaction %s was answered by another copy of it", interaction.id)


def _file(attachment: Attachment) -> discord.File:
    return discord.File(io.BytesIO(attachment.content), filename=attachment.name)


class MemoForm(discord.ui.Modal):
    """Session (unless one was picked already) and the note, up to the core's 4,000 characters;
    built inside ``speaking`` (its labels are in the person's language)."""

    def __init__(
        self,
        replier: Replier,
        session: str | SessionId | None,
        text: str,
        source_url: str | None,
    ) -> None:
        super().__init__(title=_("Add a memo"))
        self.replier = replier
        self.picked = session if isinstance(session, SessionId) else None
        self.source_url = source_url
        self.session_title: discord.ui.TextInput[MemoForm] | None = None
        if self.picked is None:
            self.session_title = discord.ui.TextInput(
                label=_("Session"),
                custom_id="session",
                placeholder=_("The session's title"),
                default=session if isinstance(session, str) else None,
                max_length=200,
            )
            self.add_item(self.session_title)
        self.note: discord.ui.TextInput[MemoForm] = discord.ui.TextInput(
            label=_("Memo"),
            custom_id="memo",
            style=discord.TextStyle.paragraph,
            default=text[:4000] or None,
            max_length=4000,
        )
        self.add_item(self.note)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        session: str | SessionId | None = self.picked
        if self.session_title is not None:
            session = self.session_title.value
        command = add_from_options(session, self.note.value, self.source_url)
        await self.replier.run(interaction, command)

    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction, error: Exception
    ) -> None:
        logger.error("the memo form failed", exc_info=error)
