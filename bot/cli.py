"""The `memo-bot` command line: run the bot, open a console, migrate the database.

This is the composition root: it reads settings, connects storage, and starts
the adapters that are configured. Adapters are imported here, never by the core.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import logging
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import discord
import typer
from pydantic import SecretStr, ValidationError
from rich.console import Console as RichConsole
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.exc import ArgumentError, OperationalError

from adapters.console.outbound import ConsoleOutbound
from adapters.discord import (
    DiscordConfig,
    DiscordService,
    SyncRefused,
    posting_only,
    sync_commands,
)
from adapters.slack import SlackConfig, build_app, slack_adapter
from adapters.slack.outbound import SlackOutbound
from bot import grammar, render
from bot.core import MemoBot
from bot.digests import DigestPolicy, DigestRunner, Posted
from bot.grammar import EXPORT_FORMATS, Export, ImportPosts, PreviewDigest
from bot.importing import ImportTotals
from bot.invocation import Invocation
from bot.note_files import too_large
from bot.outbound import Outbound
from bot.reply import ExportReady, ProblemCode, Reply, refuse
from bot.scheduler import DigestScheduler
from bot.serving import Service, ServiceFailed, serve, serving_in_background
from bot.settings import Settings
from bot.summary import Summaries
from storage import digests
from storage.database import Database, safe_url
from storage.digests import DigestTarget
from storage.schema import head_revision, upgrade_to_head

app = typer.Typer(
    add_completion=False,
    # A traceback must not print local variables: they may hold tokens.
    pretty_exceptions_show_locals=False,
    no_args_is_help=True,
    help="memo-bot: a team's conference session notes, from Slack, Discord or a console.",
)

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (default: MEMO_DATABASE_URL, else sqlite:///memo-bot.db)."
    ),
]


def _configure_logging(settings: Settings, default_level: str) -> None:
    logging.basicConfig(
        level=(settings.log_level or default_level).upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _settings() -> Settings:
    """Settings, or a clear exit naming the bad variable (never echoing its value)."""
    try:
        return Settings()
    except ValidationError as error:
        for problem in error.errors():
            if not problem["loc"]:  # settings that only make sense together
                typer.echo(f"Invalid settings: {problem['msg']}", err=True)
                continue
            field = str(problem["loc"][0])
            name = field if field.isupper() else f"MEMO_{field.upper()}"
            typer.echo(f"Invalid setting {name}: {problem['msg']}", err=True)
        raise typer.Exit(2) from None


def _connect(url: str) -> Database:
    """The database at ``url`` with its schema at head, or a clear exit if it is unreachable."""
    try:
        database = Database(url)
    except (ArgumentError, ValueError) as error:
        typer.echo(f"Invalid database URL: {error}", err=True)
        raise typer.Exit(2) from None
    try:
        upgrade_to_head(database)
    except OperationalError as error:
        reason = str(error.orig or error).strip().splitlines()[0]
        typer.echo(f"Cannot open the database {safe_url(database.url)}: {reason}", err=True)
        raise typer.Exit(1) from None
    return database


def _open(settings: Settings, url: str | None) -> MemoBot:
    """Connect, bring the schema to head, and build the core."""
    database = _connect(url or settings.database_url)
    return MemoBot(
        database,
        default_time_zone=settings.default_time_zone,
        worker_threads=settings.worker_threads,
        summaries=Summaries(settings.llm_config()),
        import_max_bytes=settings.import_max_bytes,
    )


def _digest_policy(settings: Settings) -> DigestPolicy:
    return DigestPolicy(
        grace=timedelta(hours=settings.digest_grace_hours),
        post_empty_days=settings.digest_post_empty_days,
    )


def _history_file() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "memo-bot" / "console_history"


def _run_console(
    bot: MemoBot, settings: Settings, workspace: str, channel: str, user: str, admin: bool
) -> None:
    """The console; at a terminal with the digests posting into it, like a chat channel."""
    from adapters.console import Console, ConsoleIdentity

    console = Console(
        bot, ConsoleIdentity(user=user, workspace=workspace, channel=channel, is_admin=admin)
    )
    try:
        if sys.stdin.isatty():
            runner = DigestRunner(
                bot, {"console": ConsoleOutbound(sys.stdout)}, _digest_policy(settings)
            )
            with serving_in_background([DigestScheduler(runner)]):
                console.run_interactive(_history_file())
        else:
            console.run_script(sys.stdin, sys.stdout)
    finally:
        bot.close()
        bot.database.dispose()


def _slack_config(settings: Settings) -> SlackConfig:
    def secret(value: SecretStr | None) -> str | None:
        return value.get_secret_value() if value is not None else None

    return SlackConfig(
        api_base_url=settings.slack_api_base_url,
        bot_token=secret(settings.slack_bot_token),
        signing_secret=secret(settings.slack_signing_secret),
        app_token=secret(settings.slack_app_token),
        client_id=settings.slack_client_id,
        client_secret=secret(settings.slack_client_secret),
        redirect_uri=settings.slack_redirect_uri,
    )


@app.command()
def run() -> None:
    """Start the bot: every chat adapter with credentials set, else the console on SQLite."""
    settings = _settings()
    slack = _slack_config(settings)
    if not slack.configured and settings.discord_token is None:
        _configure_logging(settings, "WARNING")
        bot = _open(settings, None)
        typer.echo(
            "No chat platform tokens are set: "
            f"starting the console on {safe_url(bot.database.url)}.",
            err=True,
        )
        _run_console(bot, settings, "console", "general", _default_user(), admin=False)
        return
    problems = slack.problems() if slack.configured else []
    for problem in problems:
        typer.echo(f"Slack is not set up right: {problem}.", err=True)
    if problems:
        raise typer.Exit(2)
    _configure_logging(settings, "INFO")
    bot = _open(settings, None)
    services: list[Service] = []
    outbounds: dict[str, Outbound] = {}
    if slack.configured:
        adapter = slack_adapter(
            bot, slack, bot.database.engine, host=settings.http_host, port=settings.http_port
        )
        services += adapter.services
        outbounds["slack"] = adapter.outbound
    if settings.discord_token is not None:
        discord_config = DiscordConfig(
            settings.discord_token.get_secret_value(), settings.discord_shard_count
        )
        discord_service = DiscordService(bot, discord_config)
        services.append(discord_service)
        outbounds["discord"] = discord_service.outbound
    chat_platforms = list(services)
    services.append(DigestScheduler(DigestRunner(bot, outbounds, _digest_policy(settings))))
    try:
        asyncio.run(serve(services, needs_one_of=chat_platforms))
    except ServiceFailed as failure:
        typer.echo(f"Stopped: {failure}", err=True)
        raise typer.Exit(1) from None
    finally:
        bot.close()
        bot.database.dispose()


@app.command()
def console(
    db: DatabaseOption = None,
    workspace: Annotated[str, typer.Option(help="Workspace id to act in.")] = "console",
    channel: Annotated[str, typer.Option(help="Channel id to act in.")] = "general",
    user: Annotated[str | None, typer.Option(help="Who types (default: $USER).")] = None,
    admin: Annotated[bool, typer.Option(help="The default user is a workspace admin.")] = False,
) -> None:
    """A chat channel in the terminal: type /memo commands, or pipe them in one per line."""
    settings = _settings()
    _configure_logging(settings, "WARNING")
    bot = _open(settings, db)
    _run_console(bot, settings, workspace, channel, user or _default_user(), admin)


@app.command()
def migrate(db: DatabaseOption = None) -> None:
    """Bring the database schema up to date (the bot also does this when it starts)."""
    settings = _settings()
    _configure_logging(settings, "INFO")
    database = _connect(db or settings.database_url)
    database.dispose()
    typer.echo(f"{safe_url(database.url)} is at revision {head_revision()}, the latest.")


@app.command("digest")
def digest_command(
    workspace: Annotated[str, typer.Option(help="The workspace (Slack team, Discord server) id.")],
    channel: Annotated[str, typer.Option(help="The channel id.")],
    day: Annotated[
        str | None,
        typer.Option("--date", help="The day, YYYY-MM-DD (default: today in the digest's zone)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the digest as Markdown; post nothing.")
    ] = False,
    platform: Annotated[
        str | None, typer.Option(help="slack, discord or console, if the ids exist on several.")
    ] = None,
    db: DatabaseOption = None,
) -> None:
    """Print a channel's digest of a day, or post it through its chat adapter.

    Posting claims the day like the scheduler does, so a day is never posted twice.
    """
    settings = _settings()
    _configure_logging(settings, "WARNING")
    wanted = grammar.digest_preview_from_option(day)
    if not isinstance(wanted, PreviewDigest):
        typer.echo(f"--date {day}: not a date; write it as YYYY-MM-DD.", err=True)
        raise typer.Exit(2)
    bot = _open(settings, db)
    try:
        target = _digest_target(bot, workspace, channel, platform)
        if dry_run:
            reply = bot.execute(DigestRunner.invocation(target, datetime.now(UTC)), wanted)
            typer.echo(reply.markdown)
            return
        outcome = asyncio.run(_post_digest(bot, settings, target, wanted.day))
    finally:
        bot.close()
        bot.database.dispose()
    typer.echo(f"Digest for {channel}: {outcome.value}.", err=outcome is not Posted.POSTED)
    if outcome is not Posted.POSTED:
        raise typer.Exit(1)


def _digest_target(
    bot: MemoBot, workspace: str, channel: str, platform: str | None
) -> DigestTarget:
    with bot.database.reading() as tx:
        found = [
            target
            for target in digests.targets(tx, workspace, channel)
            if platform is None or target.platform == platform
        ]
    if not found:
        typer.echo(f"memo-bot has no channel {channel} in workspace {workspace}.", err=True)
        raise typer.Exit(1)
    if len(found) > 1:
        names = ", ".join(target.platform for target in found)
        typer.echo(f"Channel {channel} exists on {names}: choose one with --platform.", err=True)
        raise typer.Exit(2)
    return found[0]


async def _post_digest(
    bot: MemoBot, settings: Settings, target: DigestTarget, day: date | None
) -> Posted:
    """Post one digest through the adapter of the channel's platform, set up just for it."""
    async with _outbound(bot, settings, target.platform) as outbound:
        runner = DigestRunner(bot, {target.platform: outbound}, _digest_policy(settings))
        return await runner.post(target, day or await runner.today(target))


@contextlib.asynccontextmanager
async def _outbound(bot: MemoBot, settings: Settings, platform: str) -> AsyncIterator[Outbound]:
    if platform == "console":
        yield ConsoleOutbound(sys.stdout)
    elif platform == "slack":
        slack = _slack_config(settings)
        if not slack.configured:
            typer.echo('Set the Slack tokens (README "Slack") to post there.', err=True)
            raise typer.Exit(2)
        yield SlackOutbound(build_app(bot, slack, bot.database.engine))
    elif platform == "discord":
        if settings.discord_token is None:
            typer.echo("Set DISCORD_TOKEN to post on Discord.", err=True)
            raise typer.Exit(2)
        async with posting_only(settings.discord_token.get_secret_value()) as outbound:
            yield outbound
    else:
        typer.echo(f"memo-bot cannot post on {platform}.", err=True)
        raise typer.Exit(2)


@app.command("import")
def import_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="Note files: blog-style posts (.txt) or our Markdown export (.md)."),
    ],
    workspace: Annotated[str, typer.Option(help="Workspace id to import into.")] = "console",
    channel: Annotated[str, typer.Option(help="Channel id to import into.")] = "general",
    author: Annotated[
        str | None,
        typer.Option(help="Whose memos they become, by display name (default: $USER)."),
    ] = None,
    conference: Annotated[
        str | None,
        typer.Option(help="The conference (default: named by each post's title line)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be imported; store nothing.")
    ] = False,
    platform: Annotated[
        str, typer.Option(help="slack, discord or console: whose workspace and channel ids.")
    ] = "console",
    db: DatabaseOption = None,
) -> None:
    """Import note posts you already keep into a channel: each session becomes a memo.

    Importing the same file again changes nothing; an edited file updates what changed.
    Each file is one transaction. The defaults are the console's channel (`memo-bot console`).
    The operator may import for anyone: `--author`, and the authors a Markdown export names.
    """
    settings = _settings()
    _configure_logging(settings, "WARNING")
    where = _ImportTarget(platform, workspace, channel, author, conference)
    bot = _open(settings, db)
    totals = ImportTotals()
    try:
        for path in files:
            reply = _import_one(bot, path, where, dry_run)
            typer.echo(reply.markdown, err=not reply.ok)
            totals.add(reply)
    finally:
        bot.close()
        bot.database.dispose()
    if len(files) > 1:
        typer.echo(f"All files: {totals.summary_line(dry_run=dry_run)}")
    if totals.failed:
        raise typer.Exit(1)


@dataclass(frozen=True, slots=True)
class _ImportTarget:
    """Where `memo-bot import` puts the files, and for whom (None: the operator, $USER)."""

    platform: str
    workspace: str
    channel: str
    author: str | None
    conference: str | None


def _import_one(bot: MemoBot, path: Path, where: _ImportTarget, dry_run: bool) -> Reply:
    """One file through the core, with a progress bar when the output is a terminal.

    The operator runs it as an admin of the workspace: whoever has the database
    may import for anyone, which a chat member may not.
    """
    try:
        size = path.stat().st_size
        large = too_large(str(path), size, bot.import_max_bytes)
        content = b"" if large is not None else path.read_bytes()
    except OSError as error:
        return refuse(ProblemCode.UNREADABLE_FILE, f"Cannot read {path}: {error.strerror}.")
    if large is not None:
        return refuse(ProblemCode.UNREADABLE_FILE, large.message)
    operator = _default_user()
    invocation = Invocation(
        platform=where.platform,
        workspace_id=where.workspace,
        channel_id=where.channel,
        user_id=operator,
        display_name=operator,
        text=f"/memo import {path.name}",
        received_at=datetime.now(UTC),
        is_admin=True,
    )
    command = ImportPosts(
        str(path), content, author=where.author, conference=where.conference, dry_run=dry_run
    )
    if dry_run or not sys.stderr.isatty():
        return bot.import_file(invocation, command)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=RichConsole(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(f"Importing {path.name}", total=None)
        return bot.import_file(
            invocation, command, lambda done, total: bar.update(task, completed=done, total=total)
        )


@app.command("export")
def export_command(
    workspace: Annotated[str, typer.Option(help="Workspace id to export from.")] = "console",
    channel: Annotated[str, typer.Option(help="Channel id to export from.")] = "general",
    conference: Annotated[
        str | None,
        typer.Option(help="The conference (default: the channel's current one, unless --date)."),
    ] = None,
    day: Annotated[
        str | None, typer.Option("--date", help="Only this day, YYYY-MM-DD (default: every day).")
    ] = None,
    post_format: Annotated[
        str, typer.Option("--format", help="md (Markdown, the default) or txt (lines as written).")
    ] = "md",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file (default: stdout).")
    ] = None,
    platform: Annotated[
        str, typer.Option(help="slack, discord or console: whose workspace and channel ids.")
    ] = "console",
    db: DatabaseOption = None,
) -> None:
    """Write a channel's day or conference as a blog-ready post: one post per day, newest first.

    The defaults are the console's channel (`memo-bot console`).
    """
    settings = _settings()
    _configure_logging(settings, "WARNING")
    if post_format not in EXPORT_FORMATS:
        typer.echo(f"--format {post_format}: choose md or txt.", err=True)
        raise typer.Exit(2)
    wanted = None
    if day is not None:
        wanted = grammar.parse_day(day)
        if wanted is None:
            typer.echo(f"--date {day}: not a date; write it as YYYY-MM-DD.", err=True)
            raise typer.Exit(2)
    bot = _open(settings, db)
    invocation = Invocation(
        platform=platform,
        workspace_id=workspace,
        channel_id=channel,
        user_id=_default_user(),
        display_name=_default_user(),
        text="/memo export",
        received_at=datetime.now(UTC),
    )
    try:
        reply = bot.execute(invocation, Export(wanted, conference, post_format))
    finally:
        bot.close()
        bot.database.dispose()
    if reply.attachment is None:
        typer.echo(reply.markdown, err=True)
        raise typer.Exit(1)
    if output is None:
        sys.stdout.buffer.write(reply.attachment.content)
        sys.stdout.flush()
        return
    output.write_bytes(reply.attachment.content)
    assert isinstance(reply.data, ExportReady)
    typer.echo(f"Wrote {output}: {render.export_counts(reply.data)}.", err=True)


discord_commands = typer.Typer(
    no_args_is_help=True, help="Discord: register the /memo commands, print the invite link."
)
app.add_typer(discord_commands, name="discord")


@discord_commands.command("sync")
def discord_sync(
    guild: Annotated[
        int | None,
        typer.Option(help="Register in this server only (shows up at once; for development)."),
    ] = None,
) -> None:
    """Register the /memo commands with Discord, then print the link that invites the bot."""
    settings = _settings()
    if settings.discord_token is None:
        typer.echo("Set DISCORD_TOKEN (the bot token from the Developer Portal) first.", err=True)
        raise typer.Exit(2)
    _configure_logging(settings, "WARNING")
    try:
        url = asyncio.run(sync_commands(settings.discord_token.get_secret_value(), guild))
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


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "me"


def main() -> None:
    app()
