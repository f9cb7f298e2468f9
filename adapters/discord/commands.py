"""The `/memo` application commands, derived from the core's command declarations, and
the "Save as memo" message menu.

Each declaration becomes a sub-command of `/memo` (a ``CommandGroup``'s members a
sub-command group, after the plain sub-commands): its options become typed
options, sessions autocomplete, and the values go to the declaration's builder, so
Discord users get option pickers while every rule stays in the core.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import discord
from discord import app_commands

from adapters.discord.replies import Replier
from adapters.discord.translator import described
from bot.commands.declaration import (
    CommandDeclaration,
    CommandGroup,
    Option,
    OptionKind,
    UploadedFile,
)
from bot.commands.registry import CommandRegistry
from bot.commands.standard import COMMANDS
from bot.i18n import N_
from bot.memos import MAX_MEMO_NUMBER, AddMemo
from bot.replies.render import day_label
from bot.sessions import SessionId

#: A picked session travels as this value (choice values are capped at 100 characters).
_PICKED = re.compile(r"session:(\d+)")
#: Discord allows 25 autocomplete choices, each name at most 100 characters.
MAX_CHOICES = 25
CHOICE_NAME_LIMIT = 100
#: Option types Discord shows a picker for; text-like kinds are typed as strings.
_PLATFORM_TYPES: dict[OptionKind, Any] = {
    OptionKind.MEMO_ID: app_commands.Range[int, 1, MAX_MEMO_NUMBER],
    OptionKind.PERSON: discord.User,
    OptionKind.FILE: discord.Attachment,
}


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
        #: The core's commands; a tree built only to be registered has the standard ones.
        self._commands: CommandRegistry = replier.bot.commands if replier else COMMANDS

    @property
    def replier(self) -> Replier:
        if self._replier is None:
            raise RuntimeError("these commands were built to be registered, not to answer")
        return self._replier

    def register(self, tree: app_commands.CommandTree[discord.Client]) -> None:
        tree.add_command(self._group())

        @app_commands.guild_only()
        async def save_as_memo(interaction: discord.Interaction, message: discord.Message) -> None:
            await self._save_message(interaction, message)

        # Discord shows a Korean client the menu's ``ko`` name; the name itself stays English.
        name = described(N_("Save as memo"))
        tree.add_command(app_commands.ContextMenu(name=name, callback=save_as_memo))

    def _group(self) -> app_commands.Group:
        group = app_commands.Group(
            name="memo",
            description=described(N_("Conference session notes for this channel")),
            guild_only=True,
        )
        declared = self._commands.declared
        for entry in declared:
            if isinstance(entry, CommandDeclaration):
                group.add_command(self._command(entry))
        for entry in declared:
            if isinstance(entry, CommandGroup):
                subgroup = app_commands.Group(
                    name=entry.name, description=described(entry.description)
                )
                for member in entry.members:
                    subgroup.add_command(self._command(member))
                group.add_command(subgroup)
        return group

    def _command(
        self, declaration: CommandDeclaration[Any]
    ) -> app_commands.Command[Any, ..., None]:
        """The declaration as a sub-command: a callback whose signature is its options."""

        async def callback(interaction: discord.Interaction, **values: Any) -> None:
            await self._invoke(declaration, interaction, values)

        interaction = inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
        callback.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [interaction, *(_parameter(option) for option in declaration.options)]
        )
        options = declaration.options
        app_commands.describe(**{option.name: described(option.description) for option in options})(
            callback
        )
        choices = {
            option.name: [
                app_commands.Choice(name=label, value=value) for label, value in option.choices
            ]
            for option in options
            if option.choices
        }
        if choices:
            app_commands.choices(**choices)(callback)
        command: app_commands.Command[Any, ..., None] = app_commands.Command(
            name=declaration.name,
            description=described(declaration.description),
            callback=callback,
        )
        for option in options:
            if option.autocompletes:
                command.autocomplete(option.name)(self._suggest_sessions)
        return command

    async def _invoke(
        self,
        declaration: CommandDeclaration[Any],
        interaction: discord.Interaction,
        values: dict[str, Any],
    ) -> None:
        """The options' values to the declaration's builder, and the command to the core."""
        options = {option.name: option for option in declaration.options}
        files = [name for name, option in options.items() if option.kind is OptionKind.FILE]
        # Every declared option, None when left out: builders take the same names either way.
        given = {name: _value(option, values.get(name)) for name, option in options.items()}
        if declaration.command_type is AddMemo and given.get("text") is None:
            # A memo without its text: the form asks for it (with room for 4,000 characters).
            await self.replier.open_form(interaction, given.get("session"))
            return
        if files:
            attachment = given.pop(files[0])

            def build(file: UploadedFile) -> Any:
                return declaration.build(**given, **{files[0]: file})

            await self.replier.run_with_file(interaction, attachment, build)
            return
        await self.replier.run(interaction, declaration.build(**given))

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


def _parameter(option: Option) -> inspect.Parameter:
    """An option as discord.py reads it from a callback's signature."""
    if option.kind in _PLATFORM_TYPES:
        annotation = _PLATFORM_TYPES[option.kind]
    elif option.max_length is not None:
        annotation = app_commands.Range[str, 1, option.max_length]
    else:
        annotation = str
    return inspect.Parameter(
        option.name,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=annotation if option.required else annotation | None,
        default=inspect.Parameter.empty if option.required else None,
    )


def _value(option: Option, value: Any) -> Any:
    """What the builder takes for a Discord option's value."""
    if value is None:
        return None
    if option.kind is OptionKind.SESSION:
        return session_option(value)
    if option.kind is OptionKind.PERSON:
        return str(value.id)
    return value


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
