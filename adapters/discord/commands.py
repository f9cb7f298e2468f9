"""The `/memo` application commands and the "Save as memo" message menu.

Each subcommand's typed options become the core's command objects (the same
ones the text grammar yields), so Discord users get option pickers and
autocomplete while every rule stays in the core.
"""

from __future__ import annotations

import re

import discord
from discord import app_commands

from adapters.discord.replies import Replier
from bot import grammar
from bot.grammar import (
    AddMemo,
    Attend,
    Author,
    Command,
    DeleteMemo,
    DisableDigest,
    EditMemo,
    Rejected,
    SessionId,
    ShowDigest,
    ShowHelp,
    Summarize,
    UndoDelete,
)
from bot.replies.render import day_label

#: A picked session travels as this value (choice values are capped at 100 characters).
_PICKED = re.compile(r"session:(\d+)")
#: Discord allows 25 autocomplete choices, each name at most 100 characters.
MAX_CHOICES = 25
CHOICE_NAME_LIMIT = 100
#: Discord's limit on a modal's text input, which is also the core's memo limit.
MEMO_INPUT_LIMIT = 4_000


def session_option(value: str | None) -> str | SessionId | None:
    """A session option's value: a picked session's id, or a typed title."""
    if value is None or not value.strip():
        return None
    picked = _PICKED.fullmatch(value.strip())
    return SessionId(int(picked.group(1))) if picked else value


class MemoCommands:
    """Builds the command tree's entries; every answer goes through one ``Replier``.

    Built without one, the tree only describes the commands: that is all
    `memo-bot discord sync` registers, so it needs no database.
    """

    def __init__(self, replier: Replier | None) -> None:
        self._replier = replier

    @property
    def replier(self) -> Replier:
        if self._replier is None:
            raise RuntimeError("these commands were built to be registered, not to answer")
        return self._replier

    async def _run(self, interaction: discord.Interaction, command: Command | Rejected) -> None:
        await self.replier.run(interaction, command)

    def register(self, tree: app_commands.CommandTree[discord.Client]) -> None:
        tree.add_command(self._group())

        @app_commands.guild_only()
        async def save_as_memo(interaction: discord.Interaction, message: discord.Message) -> None:
            await self._save_message(interaction, message)

        tree.add_command(app_commands.ContextMenu(name="Save as memo", callback=save_as_memo))

    def _group(self) -> app_commands.Group:
        group = app_commands.Group(
            name="memo",
            description="Conference session notes for this channel",
            guild_only=True,
        )
        run = self._run

        @group.command(name="add", description="Save a note to a session")
        @app_commands.describe(
            session="The session (pick one, or type a new title)",
            text="The note; leave it out to write it in a form",
        )
        async def add(
            interaction: discord.Interaction,
            session: str | None = None,
            text: app_commands.Range[str, 1, MEMO_INPUT_LIMIT] | None = None,
        ) -> None:
            if text is None:
                await self.replier.open_form(interaction, session_option(session))
                return
            await run(interaction, AddMemo(session=session_option(session), text=text))

        @group.command(name="attend", description="Note that you went to a session")
        @app_commands.describe(session="The session (pick one, or type a new title)")
        async def attend(interaction: discord.Interaction, session: str) -> None:
            picked = session_option(session)
            await run(interaction, Attend(picked) if picked is not None else _missing_session())

        @group.command(name="sessions", description="Sessions of a day: who went, how many notes")
        @app_commands.describe(date="today (default), all, or a date like 2025-09-25")
        async def sessions(interaction: discord.Interaction, date: str | None = None) -> None:
            await run(interaction, grammar.sessions_from_option(date))

        @group.command(name="show", description="Every note of a session")
        @app_commands.describe(session="The session (default: the one you were last active in)")
        async def show(interaction: discord.Interaction, session: str | None = None) -> None:
            await run(interaction, grammar.show_from_option(session_option(session)))

        @group.command(name="summary", description="The key points of a session, from all notes")
        @app_commands.describe(session="The session (default: the one you were last active in)")
        async def summary(interaction: discord.Interaction, session: str | None = None) -> None:
            await run(interaction, Summarize(session_option(session)))

        @group.command(name="edit", description="Replace the text of a memo")
        @app_commands.describe(memo_id="The memo's number, as shown in /memo show", text="New text")
        async def edit(
            interaction: discord.Interaction,
            memo_id: app_commands.Range[int, 1, 999_999_999],
            text: app_commands.Range[str, 1, MEMO_INPUT_LIMIT],
        ) -> None:
            await run(interaction, EditMemo(memo_id, text))

        @group.command(name="delete", description="Delete a memo (/memo undo brings it back)")
        @app_commands.describe(memo_id="The memo's number, as shown in /memo show")
        async def delete(
            interaction: discord.Interaction, memo_id: app_commands.Range[int, 1, 999_999_999]
        ) -> None:
            await run(interaction, DeleteMemo(memo_id))

        @group.command(name="undo", description="Restore the memo you deleted last")
        async def undo(interaction: discord.Interaction) -> None:
            await run(interaction, UndoDelete())

        @group.command(name="conference", description="Show or set this channel's conference")
        @app_commands.describe(
            name="The conference's name (leave everything out to see the current one)",
            time_zone="An IANA time zone such as Asia/Seoul",
            first_day="Its first day, like 2025-09-25",
            last_day="Its last day",
        )
        async def conference(
            interaction: discord.Interaction,
            name: app_commands.Range[str, 1, 100] | None = None,
            time_zone: str | None = None,
            first_day: str | None = None,
            last_day: str | None = None,
        ) -> None:
            command = grammar.conference_from_options(name, time_zone, first_day, last_day)
            await run(interaction, command)

        @group.command(name="search", description="Find this channel's memos that mention words")
        @app_commands.describe(
            query='Words to find; "quotes" keep a phrase together',
            session="Only this session's memos",
            author="Only this person's memos",
            date="Only memos written on this day, like 2025-09-25",
        )
        async def search(
            interaction: discord.Interaction,
            query: app_commands.Range[str, 1, grammar.MAX_QUERY_LENGTH],
            session: str | None = None,
            author: discord.User | None = None,
            date: str | None = None,
        ) -> None:
            command = grammar.search_from_options(
                query,
                session_option(session),
                Author(external_id=str(author.id)) if author is not None else None,
                date,
            )
            await run(interaction, command)

        @group.command(name="export", description="A day or a conference as a post file, for you")
        @app_commands.describe(
            what="A day like 2025-09-25, or a conference's name (default: the current one)",
            format="Markdown (default) or plain text with every line as written",
        )
        @app_commands.choices(
            format=[
                app_commands.Choice(name="Markdown", value="md"),
                app_commands.Choice(name="Text", value="txt"),
            ]
        )
        async def export(
            interaction: discord.Interaction, what: str | None = None, format: str = "md"
        ) -> None:
            await run(interaction, grammar.export_from_options(what, format))

        @group.command(name="import", description="Import notes you already have, from a file")
        @app_commands.describe(
            file="Blog-style posts (a date line, a title line, [Session] headers) or an export"
        )
        async def import_(interaction: discord.Interaction, file: discord.Attachment) -> None:
            await self.replier.import_attachment(interaction, file)

        @group.command(name="help", description="What /memo can do")
        async def help_(interaction: discord.Interaction) -> None:
            await run(interaction, ShowHelp())

        group.add_command(self._digest_group())

        add.autocomplete("session")(self._suggest_sessions)
        attend.autocomplete("session")(self._suggest_sessions)
        show.autocomplete("session")(self._suggest_sessions)
        summary.autocomplete("session")(self._suggest_sessions)
        search.autocomplete("session")(self._suggest_sessions)
        return group

    def _digest_group(self) -> app_commands.Group:
        """`/memo digest show|at|days|off|now`: the text grammar's words as subcommands."""
        digest = app_commands.Group(
            name="digest", description="The daily digest of this channel's sessions"
        )
        run = self._run

        @digest.command(name="show", description="This channel's digest setting and next post")
        async def show(interaction: discord.Interaction) -> None:
            await run(interaction, ShowDigest())

        @digest.command(name="at", description="Post the digest every day at this time")
        @app_commands.describe(
            time="The time of day, like 18:30",
            time_zone="An IANA time zone such as Asia/Seoul (default: the conference's)",
        )
        async def at(
            interaction: discord.Interaction,
            time: app_commands.Range[str, 1, 10],
            time_zone: str | None = None,
        ) -> None:
            await run(interaction, grammar.digest_time_from_options(time, time_zone))

        @digest.command(name="days", description="Which days the digest is posted on")
        @app_commands.describe(days="Every day, weekdays, or only the conference's dates")
        @app_commands.choices(
            days=[app_commands.Choice(name=name, value=name) for name in grammar.DIGEST_DAYS]
        )
        async def days(interaction: discord.Interaction, days: str) -> None:
            await run(interaction, grammar.digest_days_from_option(days))

        @digest.command(name="off", description="Stop posting the digest")
        async def off(interaction: discord.Interaction) -> None:
            await run(interaction, DisableDigest())

        @digest.command(name="now", description="See (only you) the digest a day would get")
        @app_commands.describe(date="today (default) or a date like 2025-09-25")
        async def now(interaction: discord.Interaction, date: str | None = None) -> None:
            await run(interaction, grammar.digest_preview_from_option(date))

        return digest

    async def _suggest_sessions(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Autocomplete: the channel's sessions that fit, best first (newest on empty input)."""
        invocation = self.replier.invocation(interaction, text=current)
        if invocation is None:
            return []
        choices = await self.replier.bot.suggest_sessions_async(invocation, MAX_CHOICES)
        return [
            app_commands.Choice(
                name=_cut(f"{choice.title} ({day_label(choice.day)})", CHOICE_NAME_LIMIT),
                value=f"session:{choice.id}",
            )
            for choice in choices
        ]

    async def _save_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """Save as memo: the form, filled with the message's text, keeping a link to it."""
        await self.replier.open_form(
            interaction, None, text=message.content, source_url=message.jump_url
        )


def _missing_session() -> Command | Rejected:
    return grammar.parse("attend")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
