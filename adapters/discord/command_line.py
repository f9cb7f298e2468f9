"""`memo-bot discord ...`: what only Discord needs from the command line."""

from __future__ import annotations

import asyncio
from typing import Annotated

import discord
import typer

from adapters.discord.client import SyncRefused, sync_commands
from adapters.discord.settings import DiscordSettings
from adapters.operations.logs import configure_logging
from adapters.platform import read_settings
from bot.settings import Settings

commands = typer.Typer(
    no_args_is_help=True, help="Discord: register the /memo commands, print the invite link."
)


@commands.command("sync")
def sync(
    guild: Annotated[
        int | None,
        typer.Option(help="Register in this server only (shows up at once; for development)."),
    ] = None,
) -> None:
    """Register the /memo commands with Discord, then print the link that invites the bot."""
    settings = read_settings(Settings)
    token = read_settings(DiscordSettings).token
    if token is None:
        typer.echo("Set DISCORD_TOKEN (the bot token from the Developer Portal) first.", err=True)
        raise typer.Exit(2)
    configure_logging(settings, "WARNING")
    try:
        url = asyncio.run(sync_commands(token.get_secret_value(), guild))
    except discord.LoginFailure:
        typer.echo("Discord did not accept DISCORD_TOKEN: copy the bot token again.", err=True)
        raise typer.Exit(1) from None
    except SyncRefused as refused:
        typer.echo(
            f"Discord refused: the bot is not in server {guild} yet. Invite it first with:\n"
            f"{refused.invite}",
            err=True,
        )
        raise typer.Exit(1) from None
    where = f"in server {guild}" if guild is not None else "everywhere (may take a while to show)"
    typer.echo(f'Registered /memo and "Save as memo" {where}.')
    typer.echo(f"Invite the bot with: {url}")
