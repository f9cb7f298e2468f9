"""Slack requests in, core calls, Slack responses out: `/memo`, the modal, the shortcut, App Home.

The app runs with ``process_before_response=True``: each listener finishes its
core call (and so the database commit) before Slack gets its acknowledgement,
so nothing is acknowledged that is not stored. A request Slack delivers again
(a Socket Mode envelope it saw no acknowledgement for) carries the same trigger
or view id, which the core uses to do it only once and answer it as before; the
copy's answer goes back in its acknowledgement, but an announcement in the
channel or a message to a ``response_url`` is not sent twice.

A command the core says may be slow (a summary by a model, an export) stores nothing: it
is acknowledged at once and answered through the command's ``response_url``,
which Slack accepts for 30 minutes, so Slack's 3-second deadline never races it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import blocks
from adapters.slack.files import DownloadFailed, TooLarge, download
from adapters.slack.people import People, Person
from adapters.slack.talk_buttons import PICK_TALK_ACTIONS, picked, talk_buttons
from adapters.slack.text import message_to_plain, unescape
from adapters.slack.views import (
    ADD_CALLBACK,
    AGENDA_IMPORT_CALLBACK,
    FILE_ACTION,
    FILE_BLOCK,
    IMPORT_CALLBACK,
    NEW_ACTION,
    NEW_BLOCK,
    PICK_ACTION,
    PICK_BLOCK,
    TEXT_ACTION,
    TEXT_BLOCK,
    ModalContext,
    add_modal,
    agenda_import_modal,
    home_view,
    import_modal,
    saved_modal,
    session_options,
)
from bot.agenda.commands import import_from_options as agenda_import_from_options
from bot.agenda.importing import ImportAgenda
from bot.commands.declaration import Command, UploadedFile
from bot.commands.text import Rejected
from bot.core import MemoBot
from bot.i18n import N_, _, speaking
from bot.invocation import Invocation
from bot.language import resolve
from bot.memos import AddMemo, add_from_options
from bot.notefiles.decode import over_limit, too_large
from bot.notefiles.importing import import_from_options
from bot.notefiles.reading import ImportPosts
from bot.replies.markdown import file_name
from bot.replies.values import Problem, ProblemCode, Reply, TalkPickNeeded, Visibility, refuse
from bot.sessions import SessionId

logger = logging.getLogger(__name__)

PLATFORM = "slack"
COMMAND = "/memo"
SAVE_SHORTCUT = "save_as_memo"
#: App Home is per person, not per channel; the core ignores the channel of a home request.
HOME_CHANNEL = "app_home"
#: How long a Web API call inside a listener may take: Slack wants answers within 3 s.
SLACK_CALL_SECONDS = 1.5


class SlackListeners:
    def __init__(
        self,
        bot: MemoBot,
        people: People,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.bot = bot
        self.people = people
        self.clock = clock
        self._background: set[asyncio.Task[None]] = set()

    def register(self, app: AsyncApp) -> None:
        app.command(COMMAND)(self.on_memo_command)
        app.options(PICK_ACTION)(self.on_session_search)
        app.view_submission(ADD_CALLBACK)(self.on_add_submitted)
        app.view_submission(IMPORT_CALLBACK)(self.on_import_submitted)
        app.view_submission(AGENDA_IMPORT_CALLBACK)(self.on_agenda_import_submitted)
        app.message_shortcut(SAVE_SHORTCUT)(self.on_save_as_memo)
        app.event("app_home_opened")(self.on_home_opened)
        app.action(PICK_TALK_ACTIONS)(self.on_talk_picked)

    async def on_memo_command(
        self,
        ack: AsyncAck,
        command: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """`/memo ...`: a command for the core, or the add-memo modal when there is no note."""
        received_at = self.clock()
        text = unescape(command.get("text", ""))
        channel_id = str(command["channel_id"])
        checked = self.bot.commands.read_text(text)
        parsed = checked.command
        # Every command: its reply is in the person's language (cached, as names are).
        person = await self._person(client, context, str(command.get("user_name", "")))
        invocation = self._invocation(
            context,
            channel_id,
            person,
            text,
            received_at,
            delivery_id=f"command:{command['trigger_id']}",
        )
        if not text.strip() or (isinstance(parsed, AddMemo) and not parsed.text.strip()):
            title = parsed.session if isinstance(parsed, AddMemo) else None
            with speaking(await self.bot.language_for_async(invocation)):
                modal = add_modal(
                    ModalContext(channel_id), title=title if isinstance(title, str) else None
                )
                too_slow = _(
                    "Slack did not open the form in time. Type the memo instead: "
                    "`/memo add [Session title] note`."
                )
            if await self._open(client, command["trigger_id"], modal):
                await ack()
            else:
                await ack(response_type="ephemeral", text=too_slow)
            return
        if isinstance(parsed, ImportPosts | ImportAgenda) and parsed.content is None:
            # The file comes in a form; its answer goes to this command's response_url.
            where = ModalContext(channel_id, response_url=str(command["response_url"]))
            typed = "import" if isinstance(parsed, ImportPosts) else "agenda import"
            form = import_modal if isinstance(parsed, ImportPosts) else agenda_import_modal
            with speaking(await self.bot.language_for_async(invocation)):
                modal = form(where)
                too_slow = _(
                    "Slack did not open the form in time. Try `/memo %(command)s` again."
                ) % {"command": typed}
            if await self._open(client, command["trigger_id"], modal):
                await ack()
            else:
                await ack(response_type="ephemeral", text=too_slow)
            return
        if not isinstance(parsed, Rejected) and self.bot.may_be_slow(parsed):
            await ack()
            work = self.bot.run_async(invocation, checked)
            self._in_background(
                self._respond_later(str(command["response_url"]), work, client, invocation)
            )
            return
        reply = await self.bot.run_async(invocation, checked)
        await ack(_response(reply))

    async def on_session_search(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        payload: dict[str, Any],
        context: AsyncBoltContext,
    ) -> None:
        """Type-ahead of the modal's session select: the channel's sessions that fit."""
        where = ModalContext.load(body["view"]["private_metadata"])
        invocation = self._invocation(
            context,
            where.channel_id,
            Person("", False),
            str(payload.get("value", "")),
            self.clock(),
        )
        choices = await self.bot.suggest_sessions_async(invocation)
        await ack(options=session_options(choices))

    async def on_add_submitted(
        self,
        ack: AsyncAck,
        view: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """The modal's Save: errors go next to their field; success shows the saved memo."""
        received_at = self.clock()
        where = ModalContext.load(view["private_metadata"])
        values = view["state"]["values"]
        picked = (values.get(PICK_BLOCK, {}).get(PICK_ACTION) or {}).get("selected_option")
        typed = ((values.get(NEW_BLOCK, {}).get(NEW_ACTION) or {}).get("value") or "").strip()
        text = (values.get(TEXT_BLOCK, {}).get(TEXT_ACTION) or {}).get("value") or ""
        person = await self._person(client, context, "")
        invocation = self._invocation(
            context, where.channel_id, person, "", received_at, delivery_id=f"view:{view['id']}"
        )
        if picked and typed:
            with speaking(await self.bot.language_for_async(invocation)):
                both = _("Pick a session above or type a new one here, not both.")
            await ack(response_action="errors", errors={NEW_BLOCK: both})
            return
        if not picked and not typed:
            with speaking(await self.bot.language_for_async(invocation)):
                neither = _("Pick a session, or type a new session title below.")
            await ack(response_action="errors", errors={PICK_BLOCK: neither})
            return
        session: str | SessionId = SessionId(int(picked["value"])) if picked else typed
        source_url = await self._permalink(client, where)
        reply = await self.bot.execute_async(
            invocation, add_from_options(session, text, source_url)
        )
        if isinstance(reply.data, Problem):
            field_block = {"text": TEXT_BLOCK, "title": NEW_BLOCK if typed else PICK_BLOCK}
            block_id = field_block.get(reply.data.field or "", TEXT_BLOCK)
            await ack(
                response_action="errors",
                errors={block_id: blocks.to_plain_text(reply.markdown)[:300]},
            )
            return
        # The channel's announcement comes from the outbox (``bot.announcing``), once.
        with speaking(await self.bot.language_for_async(invocation)):
            saved = saved_modal(reply)
        await ack(response_action="update", view=saved)

    async def on_talk_picked(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """A button under "which running talk?": the waiting note is stored in that talk.

        The question is replaced by the answer (so its buttons go); a saved memo is
        announced in the channel from the outbox, as a typed one is. A copy of the click (the same
        trigger id) is answered by the core as before and repeats nothing here.
        """
        received_at = self.clock()
        await ack()
        pick = picked(action)
        channel_id = (body.get("channel") or {}).get("id") or context.channel_id
        response_url = body.get("response_url")
        if pick is None or not channel_id or not isinstance(response_url, str):
            logger.warning("a talk button without a value or channel of ours: ignored")
            return
        person = await self._person(client, context, "")
        invocation = self._invocation(
            context,
            str(channel_id),
            person,
            "",
            received_at,
            delivery_id=f"action:{body['trigger_id']}",
        )
        reply = await self.bot.execute_async(invocation, pick)
        if reply.replayed:
            logger.info("a copy of a talk pick: not answered again")
            return
        answer = {
            **_response(replace(reply, visibility=Visibility.PRIVATE)),
            "replace_original": reply.ok,
        }
        # The channel learns of the memo from its announcement (the outbox), as for a typed one.
        self._in_background(self._send_response(response_url, answer))

    async def on_import_submitted(
        self,
        ack: AsyncAck,
        view: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """The note import form's file (`/memo import`)."""
        await self._on_file_submitted(
            ack, view, client, context, import_from_options, N_("Choose a note file.")
        )

    async def on_agenda_import_submitted(
        self,
        ack: AsyncAck,
        view: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """The programme import form's file (`/memo agenda import`)."""
        await self._on_file_submitted(
            ack, view, client, context, agenda_import_from_options, N_("Choose a programme file.")
        )

    async def _on_file_submitted(
        self,
        ack: AsyncAck,
        view: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
        build: Callable[[UploadedFile], Command],
        no_file: str,
    ) -> None:
        """An import form's file: acknowledged at once; imported, then answered privately.

        An import can take longer than Slack's 3 seconds, so the form closes at once
        and the answer goes to the `/memo import` command's ``response_url``, the way
        a slow summary's does.
        """
        received_at = self.clock()
        where = ModalContext.load(view["private_metadata"])
        state = view["state"]["values"].get(FILE_BLOCK, {}).get(FILE_ACTION) or {}
        files = state.get("files") or []
        person = await self._person(client, context, "")
        invocation = self._invocation(
            context, where.channel_id, person, "", received_at, delivery_id=f"view:{view['id']}"
        )
        if not files or where.response_url is None:
            with speaking(await self.bot.language_for_async(invocation)):
                missing = _(no_file)
            await ack(response_action="errors", errors={FILE_BLOCK: missing})
            return
        await ack()
        work = self._import(invocation, files[0], str(context.bot_token or client.token), build)
        self._in_background(self._respond_later(where.response_url, work, client, invocation))

    async def _import(
        self,
        invocation: Invocation,
        file: dict[str, Any],
        token: str,
        build: Callable[[UploadedFile], Command],
    ) -> Reply:
        """Download an uploaded file with the bot's token, whole, and import it; a refusal
        before the import is in the person's language, as the import's own reply is."""
        name = str(file.get("name") or "the file")
        size = _declared_size(file)
        limit = self.bot.import_max_bytes
        with speaking(await self.bot.language_for_async(invocation)):
            large = too_large(name, size or 0, limit)
            if large is not None:
                return refuse(ProblemCode.UNREADABLE_FILE, large.message, "file")
            try:
                content = await download(str(file["url_private_download"]), token, limit, size)
            except TooLarge as error:
                too_big = over_limit(name, limit, error.size)
                return refuse(ProblemCode.UNREADABLE_FILE, too_big, "file")
            except (DownloadFailed, aiohttp.ClientError, TimeoutError) as error:
                logger.warning("could not download a file to import: %s", error)
                cut = _(
                    "Slack did not let me download %(file)s whole, so nothing was "
                    "imported; try `/memo import` again."
                ) % {"file": file_name(name)}
                return refuse(ProblemCode.UNREADABLE_FILE, cut, "file")
        return await self.bot.execute_async(invocation, build(UploadedFile(name, content)))

    async def on_save_as_memo(
        self,
        ack: AsyncAck,
        shortcut: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        """The "Save as memo" message shortcut: the modal, filled with the message's text,
        in the person's language (the shortcut's name is the manifest's, English)."""
        message = shortcut.get("message", {})
        channel_id = str(shortcut["channel"]["id"])
        where = ModalContext(channel_id, source_channel=channel_id, source_ts=message.get("ts"))
        person = await self._person(client, context, "")
        invocation = self._invocation(context, channel_id, person, "", self.clock())
        with speaking(await self.bot.language_for_async(invocation)):
            modal = add_modal(where, text=message_to_plain(message.get("text", "")))
        await self._open(client, shortcut["trigger_id"], modal)
        await ack()

    async def on_home_opened(
        self, event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        if event.get("tab") != "home":
            return
        person = await self._person(client, context, "")  # App Home in the person's language
        invocation = self._invocation(context, HOME_CHANNEL, person, "", self.clock())
        reply = await self.bot.home_async(invocation)
        with speaking(resolve(None, person.locale, self.bot.default_language)):
            view = home_view(reply)
        try:
            await client.views_publish(user_id=event["user"], view=view)
        except SlackApiError as error:
            logger.warning("views.publish failed: %s", error.response.get("error"))

    async def _person(
        self, client: AsyncWebClient, context: AsyncBoltContext, fallback_name: str
    ) -> Person:
        return await self.people.lookup(
            client, _workspace(context), str(context.user_id), fallback_name
        )

    def _invocation(
        self,
        context: AsyncBoltContext,
        channel_id: str,
        person: Person,
        text: str,
        received_at: datetime,
        delivery_id: str | None = None,
    ) -> Invocation:
        return Invocation(
            platform=PLATFORM,
            workspace_id=_workspace(context),
            channel_id=channel_id,
            user_id=str(context.user_id),
            display_name=person.display_name,
            text=text,
            received_at=received_at,
            is_admin=person.is_admin,
            delivery_id=delivery_id,
            locale=person.locale,
        )

    @staticmethod
    async def _open(client: AsyncWebClient, trigger_id: str, view: dict[str, Any]) -> bool:
        """Open a modal; False when Slack refused or was too slow for the trigger's 3 seconds."""
        try:
            await asyncio.wait_for(
                client.views_open(trigger_id=trigger_id, view=view), SLACK_CALL_SECONDS
            )
        except (SlackApiError, TimeoutError) as error:
            reason = error.response.get("error") if isinstance(error, SlackApiError) else "timeout"
            logger.warning("views.open failed: %s", reason)
            return False
        return True

    @staticmethod
    async def _permalink(client: AsyncWebClient, where: ModalContext) -> str | None:
        """The link to the message a shortcut started from (None if Slack cannot say in time)."""
        if where.source_channel is None or where.source_ts is None:
            return None
        try:
            response = await asyncio.wait_for(
                client.chat_getPermalink(channel=where.source_channel, message_ts=where.source_ts),
                SLACK_CALL_SECONDS,
            )
        except (SlackApiError, TimeoutError) as error:
            reason = error.response.get("error") if isinstance(error, SlackApiError) else "timeout"
            logger.warning("chat.getPermalink failed: %s", reason)
            return None
        permalink = response.get("permalink")
        return str(permalink) if permalink else None

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` after the listener returns, keeping a reference until it is done."""
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _respond_later(
        self,
        response_url: str,
        work: Coroutine[Any, Any, Reply],
        client: AsyncWebClient,
        invocation: Invocation,
    ) -> None:
        """Send a slow command's reply to its ``response_url`` once the core has it.

        A file that comes with the reply (an export) is uploaded first, privately:
        to the person's direct message with the app, since they asked for it. The
        answer to a copy of a request that was done already is not sent: the first
        delivery's answer went to the same ``response_url``.
        """
        reply = await work
        if reply.replayed:
            logger.info("a copy of a request done already: not answered again")
            return
        if reply.attachment is not None:
            with speaking(await self.bot.language_for_async(invocation)):
                reply = await self._send_file(client, invocation.user_id, reply)
        await self._send_response(response_url, _response(reply))

    @staticmethod
    async def _send_response(response_url: str, answer: dict[str, Any]) -> None:
        try:
            sent = await AsyncWebhookClient(response_url).send_dict(answer)
        except Exception as error:
            logger.warning("could not answer through response_url: %s", type(error).__name__)
            return
        if sent.status_code != 200:
            logger.warning("response_url refused the answer: HTTP %s", sent.status_code)

    @staticmethod
    async def _send_file(client: AsyncWebClient, user_id: str, reply: Reply) -> Reply:
        """Upload the reply's file to the person's direct message; the reply says where it
        went (in the language of ``speaking`` around the call)."""
        attachment = reply.attachment
        assert attachment is not None
        try:
            opened = await client.conversations_open(users=user_id)
            await client.files_upload_v2(
                channel=opened["channel"]["id"],
                filename=attachment.name,
                title=attachment.name,
                content=attachment.content,
            )
        except (SlackApiError, SlackRequestError) as error:
            reason = error.response.get("error") if isinstance(error, SlackApiError) else "upload"
            logger.warning("could not upload %s: %s", attachment.mime_type, reason)
            return refuse(
                ProblemCode.INTERNAL_ERROR,
                _("Slack did not take the file, so nothing was sent. Try again in a moment."),
            )
        sent = _("I sent it to you in a direct message.")
        return replace(reply, markdown=f"{reply.markdown} {sent}")


def _declared_size(file: dict[str, Any]) -> int | None:
    """The size Slack's file object states, if it states a usable one."""
    size = file.get("size")
    return size if isinstance(size, int) and size > 0 else None


def _workspace(context: AsyncBoltContext) -> str:
    """The Slack team (or, for an org-wide install, the enterprise) the request belongs to."""
    return str(context.team_id or context.enterprise_id)


def _response(reply: Reply) -> dict[str, Any]:
    """A slash command response: public replies in the channel, the rest only to the asker."""
    response_type = "in_channel" if reply.visibility is Visibility.PUBLIC else "ephemeral"
    response = {**blocks.message(reply.markdown), "response_type": response_type}
    if isinstance(reply.data, TalkPickNeeded):
        response["blocks"] = [*response["blocks"], talk_buttons(reply.data)]
    return response
