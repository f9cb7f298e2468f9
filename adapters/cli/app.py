"""The `memo-bot` commands: run the bot, open a console, migrate, digest, import, export.

Platforms come from the registry (``adapters.cli.registry``), handed to every command
as the Typer context's ``obj``; their own subcommands (``memo-bot discord sync``) are
theirs, added under their name. The console is the command line's own chat: what
``memo-bot run`` opens when no platform is configured.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console as RichConsole
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.exc import ArgumentError, DBAPIError

from adapters.cli.registry import PLATFORMS, Platforms
from adapters.cli.runner import Configured, serve_platforms
from adapters.console import PLATFORM as CONSOLE
from adapters.console import Console, ConsoleIdentity, screen
from adapters.operations.health import HealthServer, Readiness
from adapters.operations.logs import configure_logging
from adapters.operations.metrics import instrument
from adapters.operations.settings import OperationsSettings
from adapters.platform import (
    NotConfigured,
    Platform,
    PlatformSetup,
    SettingsRefused,
    settings_errors,
)
from bot.agenda.importing import ImportAgenda
from bot.announcing import Announcer
from bot.commands.text import parse_day
from bot.core import MemoBot
from bot.digest.building import DigestNotBuilt, build_day_digest, digest_today
from bot.digest.commands import PreviewDigest, digest_preview_from_option
from bot.digest.posting import DigestPolicy, DigestRunner, Posted
from bot.digest.scheduler import DigestScheduler
from bot.invocation import Invocation
from bot.notefiles.decode import too_large
from bot.notefiles.exporting import ALL_CONFERENCES, EXPORT_FORMATS, Export
from bot.notefiles.importing import ImportTotals
from bot.notefiles.reading import ImportPosts
from bot.outbound import Outbound
from bot.replies import render
from bot.replies.values import ExportReady, ProblemCode, Reply, refuse
from bot.service_status import ServiceStatuses
from bot.serving import Service, ServiceFailed, serving_in_background
from bot.settings import Settings
from bot.summary.choosing import Summaries
from storage import digests as digest_store
from storage.database import BACKGROUND_CONNECTIONS, DEFAULT_WORKER_THREADS, Database, safe_url
from storage.digests import DigestTarget
from storage.schema import (
    UnknownRevision,
    create_missing_sqlite_file,
    current_revision,
    head_revision,
    upgrade_to_head,
)

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (default: MEMO_DATABASE_URL, else sqlite:///memo-bot.db)."
    ),
]
PlatformOption = Annotated[
    str, typer.Option(help="The chat platform whose workspace and channel ids these are.")
]


@dataclass(frozen=True, slots=True)
class _Config:
    """Every setting read and checked: the core's, and each platform's."""

    core: Settings
    platforms: list[Configured]
    operations: OperationsSettings

    def configured(self) -> list[Configured]:
        return [each for each in self.platforms if each.setup.configured]

    def setup_of(self, platform: Platform) -> PlatformSetup:
        return next(each.setup for each in self.platforms if each.platform is platform)


def _platforms(ctx: typer.Context) -> Platforms:
    platforms = ctx.find_root().obj
    assert isinstance(platforms, Platforms), "build_app puts the registry in the context"
    return platforms


def _settings(ctx: typer.Context) -> _Config:
    """All settings, or a clear exit naming every bad variable (never echoing its value)."""
    problems: list[str] = []
    core: Settings | None = None
    operations: OperationsSettings | None = None
    platforms: list[Configured] = []
    try:
        core = Settings()
    except ValidationError as error:
        problems += settings_errors(error)
    try:
        operations = OperationsSettings()
    except ValidationError as error:
        problems += settings_errors(error)
    for platform in _platforms(ctx):
        try:
            platforms.append(Configured(platform, platform.setup()))
        except ValidationError as error:
            problems += settings_errors(error)
    for problem in problems:
        typer.echo(problem, err=True)
    if core is None or operations is None or problems:
        raise typer.Exit(2)
    return _Config(core, platforms, operations)


def _connect(url: str, worker_threads: int = DEFAULT_WORKER_THREADS) -> Database:
    """The database at ``url`` with its schema at head, or one clear line and exit status 2
    (before anything is served) if it is unreachable or its schema cannot be brought there.
    Its pool keeps a connection for each of the core's ``worker_threads`` and the rest."""
    try:
        database = Database(url, pool_size=worker_threads + BACKGROUND_CONNECTIONS)
    except (ArgumentError, ValueError) as error:
        typer.echo(f"Invalid database URL: {error}", err=True)
        raise typer.Exit(2) from None
    where = safe_url(database.url)
    create_missing_sqlite_file(database)  # the migration below may start a new database
    try:
        current = current_revision(database)
    except DBAPIError as error:  # out of reach, or the user may not read the schema
        _refuse(database, f"Cannot open the database {where}: {_first_line(error)}")
    try:
        upgrade_to_head(database)
    except UnknownRevision as unknown:
        _refuse(
            database,
            f"The database {where} is at revision {unknown.revision}, which this memo-bot "
            f"does not know (a newer memo-bot migrated it; it needs {head_revision()}).",
        )
    except DBAPIError as error:
        _refuse(
            database,
            f"Cannot migrate the database {where} from revision {current} to {head_revision()} "
            f"(run `memo-bot migrate` as a user who may change the schema): {_first_line(error)}",
        )
    return database


def _refuse(database: Database, line: str) -> NoReturn:
    database.dispose()
    typer.echo(line, err=True)
    raise typer.Exit(2) from None


def _first_line(error: DBAPIError) -> str:
    return str(error.orig or error).strip().splitlines()[0]


def _open(settings: Settings, url: str | None) -> MemoBot:
    """Connect, bring the schema to head, and build the core."""
    database = _connect(url or settings.database_url, settings.worker_threads)
    return MemoBot(
        database,
        default_time_zone=settings.default_time_zone,
        default_language=settings.default_language,
        worker_threads=settings.worker_threads,
        summaries=Summaries(settings.llm_config()),
        import_max_bytes=settings.import_max_bytes,
    )


def _digest_policy(settings: Settings) -> DigestPolicy:
    return DigestPolicy(
        grace=timedelta(hours=settings.digest_grace_hours),
        post_empty_days=settings.digest_post_empty_days,
    )


def _digest_runner(bot: MemoBot, outbounds: dict[str, Outbound], config: _Config) -> DigestRunner:
    return DigestRunner(
        bot.database,
        outbounds,
        _digest_policy(config.core),
        default_time_zone=bot.default_time_zone,
        default_language=bot.default_language,
    )


def terminal_locale() -> str | None:
    """The terminal's language, as gettext reads it (``LC_ALL``, ``LC_MESSAGES``, ``LANG``)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return value
    return None


def _history_file() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "memo-bot" / "console_history"


def _run_console(bot: MemoBot, config: _Config, identity: ConsoleIdentity) -> None:
    """The console; at a terminal with the digests and announcements posting into it, like
    a chat channel."""
    console = Console(bot, identity)
    # No chat service to wait for: ready while the database is.
    readiness = Readiness(bot.database.url, ServiceStatuses(), [])
    try:
        if sys.stdin.isatty():
            instrument(bot)
            outbound = CONSOLE.setup().serving(bot).outbound
            runner = _digest_runner(bot, {CONSOLE.name: outbound}, config)
            announcer = Announcer(
                bot.database, {CONSOLE.name: outbound}, bot, default_language=bot.default_language
            )
            services: list[Service] = [DigestScheduler(runner, bot), announcer]
            port = config.operations.health_port
            if port is not None:
                services.append(HealthServer(readiness, config.operations.health_host, port))
            with serving_in_background(services):
                console.run_interactive(_history_file())
        else:
            console.run_script(sys.stdin, sys.stdout)
    finally:
        readiness.close()
        bot.close()
        bot.database.dispose()


def run(ctx: typer.Context) -> None:
    """Start the bot: every chat adapter with credentials set, else the console on SQLite."""
    config = _settings(ctx)
    problems = [problem for each in config.platforms for problem in each.setup.problems()]
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        raise typer.Exit(2)
    configured = config.configured()
    if not configured:
        configure_logging(config.core, "WARNING")
        bot = _open(config.core, None)
        typer.echo(
            "No chat platform tokens are set: "
            f"starting the console on {safe_url(bot.database.url)}.",
            err=True,
        )
        _run_console(bot, config, ConsoleIdentity(user=_default_user(), locale=terminal_locale()))
        return
    configure_logging(config.core, "INFO")
    bot = _open(config.core, None)
    try:
        asyncio.run(
            serve_platforms(bot, configured, _digest_policy(config.core), config.operations)
        )
    except SettingsRefused as refused:
        typer.echo(str(refused), err=True)
        raise typer.Exit(2) from None
    except ServiceFailed as failure:
        typer.echo(f"Stopped: {failure}", err=True)
        raise typer.Exit(1) from None
    finally:
        bot.close()
        bot.database.dispose()


def console(
    ctx: typer.Context,
    db: DatabaseOption = None,
    workspace: Annotated[str, typer.Option(help="Workspace id to act in.")] = "console",
    channel: Annotated[str, typer.Option(help="Channel id to act in.")] = "general",
    user: Annotated[str | None, typer.Option(help="Who types (default: $USER).")] = None,
    admin: Annotated[bool, typer.Option(help="The default user is a workspace admin.")] = False,
) -> None:
    """A chat channel in the terminal: type /memo commands, or pipe them in one per line."""
    config = _settings(ctx)
    configure_logging(config.core, "WARNING")
    bot = _open(config.core, db)
    identity = ConsoleIdentity(
        user=user or _default_user(),
        workspace=workspace,
        channel=channel,
        is_admin=admin,
        locale=terminal_locale(),
    )
    _run_console(bot, config, identity)


def migrate(ctx: typer.Context, db: DatabaseOption = None) -> None:
    """Bring the database schema up to date (the bot also does this when it starts)."""
    config = _settings(ctx)
    configure_logging(config.core, "INFO")
    database = _connect(db or config.core.database_url)
    database.dispose()
    typer.echo(f"{safe_url(database.url)} is at revision {head_revision()}, the latest.")


def digest_command(
    ctx: typer.Context,
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
        str | None,
        typer.Option(help="The chat platform, if the ids exist on several."),
    ] = None,
    db: DatabaseOption = None,
) -> None:
    """Print a channel's digest of a day, or post it through its chat adapter.

    Posting claims the day like the scheduler does, so a day is never posted twice.
    """
    config = _settings(ctx)
    configure_logging(config.core, "WARNING")
    if platform is not None:
        _check_ids(ctx, platform, workspace, channel)
    wanted = digest_preview_from_option(day)
    if not isinstance(wanted, PreviewDigest):
        typer.echo(f"--date {day}: not a date; write it as YYYY-MM-DD.", err=True)
        raise typer.Exit(2)
    bot = _open(config.core, db)
    try:
        target = _digest_target(bot, workspace, channel, platform)
        if dry_run:
            _print_digest(bot, target, wanted.day)
            return
        outcome = asyncio.run(_post_digest(bot, config, _postable(ctx, target), target, wanted.day))
    finally:
        bot.close()
        bot.database.dispose()
    typer.echo(f"Digest for {channel}: {outcome.value}.", err=outcome is not Posted.POSTED)
    if outcome is not Posted.POSTED:
        raise typer.Exit(1)


def _print_digest(bot: MemoBot, target: DigestTarget, day: date | None) -> None:
    """The digest as it would be posted (empty days too), or why it could not be built."""
    zone = bot.default_time_zone
    when = day or digest_today(bot.database, target.channel_id, datetime.now(UTC), zone)
    built = build_day_digest(
        bot.database,
        target.channel_id,
        when,
        default_time_zone=zone,
        default_language=bot.default_language,
    )
    if isinstance(built, DigestNotBuilt):
        typer.echo(f"The digest could not be built ({built.problem}); see the log.", err=True)
        raise typer.Exit(1)
    typer.echo(built.markdown)  # --dry-run promises the Markdown, to paste or check


def _known_platform(ctx: typer.Context, name: str) -> Platform:
    """The registered platform of that name, or a clear exit listing them."""
    found = _platforms(ctx).named(name)
    if found is None:
        names = ", ".join(_platforms(ctx).names)
        typer.echo(f"--platform {name}: memo-bot knows {names}.", err=True)
        raise typer.Exit(2)
    return found


def _digest_target(
    bot: MemoBot, workspace: str, channel: str, platform: str | None
) -> DigestTarget:
    with bot.database.reading() as tx:
        found = [
            target
            for target in digest_store.targets(tx, workspace, channel)
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


def _postable(ctx: typer.Context, target: DigestTarget) -> Platform:
    found = _platforms(ctx).named(target.platform)
    if found is None:
        typer.echo(f"memo-bot cannot post on {target.platform}.", err=True)
        raise typer.Exit(2)
    return found


async def _post_digest(
    bot: MemoBot, config: _Config, platform: Platform, target: DigestTarget, day: date | None
) -> Posted:
    """Post one digest through the adapter of the channel's platform, set up just for it."""
    try:
        posting = config.setup_of(platform).posting(bot)
        async with posting as outbound:
            runner = _digest_runner(bot, {platform.name: outbound}, config)
            return await runner.post(target, day or await runner.today(target))
    except NotConfigured as missing:
        typer.echo(str(missing), err=True)
        raise typer.Exit(2) from None


def import_command(
    ctx: typer.Context,
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
    platform: PlatformOption = CONSOLE.name,
    db: DatabaseOption = None,
) -> None:
    """Import note posts you already keep into a channel: each session becomes a memo.

    Importing the same file again changes nothing; an edited file updates what changed.
    Each file is one transaction. The defaults are the console's channel (`memo-bot console`).
    The operator may import for anyone: `--author`, and the authors a Markdown export names.
    """
    config = _settings(ctx)
    configure_logging(config.core, "WARNING")
    _check_ids(ctx, platform, workspace, channel)
    where = _ImportTarget(platform, workspace, channel, author, conference)
    bot = _open(config.core, db)
    totals = ImportTotals()
    try:
        for path in files:
            reply = _import_one(bot, path, where, dry_run)
            _show_reply(reply.markdown, err=not reply.ok)
            totals.add(reply)
    finally:
        bot.close()
        bot.database.dispose()
    if len(files) > 1:
        typer.echo(f"All files: {totals.summary_line(dry_run=dry_run)}")
    if totals.failed:
        raise typer.Exit(1)


def _show_reply(markdown: str, *, err: bool = False) -> None:
    """A reply or post of the core: rendered at a terminal as the console shows it, its
    Markdown as written when piped (scripts read exactly what the core wrote)."""
    stream = sys.stderr if err else sys.stdout
    if stream.isatty():
        RichConsole(file=stream).print(screen.rendered(markdown))
    else:
        typer.echo(markdown, err=err)


def _check_ids(ctx: typer.Context, platform: str, workspace: str, channel: str) -> None:
    """Exit with a clear message unless the ids can exist on that platform."""
    known = _known_platform(ctx, platform)
    problem = known.ids.problem(known.title, workspace, channel)
    if problem is not None:
        typer.echo(f"{problem}: check --workspace and --channel (and --platform).", err=True)
        raise typer.Exit(2)


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


def agenda_import_command(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="The programme: iCalendar (.ics), schedule JSON or CSV.")
    ],
    workspace: Annotated[str, typer.Option(help="Workspace id to import into.")] = "console",
    channel: Annotated[str, typer.Option(help="Channel id to import into.")] = "general",
    conference: Annotated[
        str | None,
        typer.Option(help="The conference (default: the file's name for it, else the current)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would change; store nothing.")
    ] = False,
    platform: PlatformOption = CONSOLE.name,
    db: DatabaseOption = None,
) -> None:
    """Import a conference programme: talks get their times, rooms, tracks and speakers.

    A talk whose title matches a noted session (or nearly) fills it in; importing again
    updates what changed. The conference takes the programme's time zone and dates.
    """
    config = _settings(ctx)
    configure_logging(config.core, "WARNING")
    _check_ids(ctx, platform, workspace, channel)
    try:
        large = too_large(str(file), file.stat().st_size, config.core.import_max_bytes)
        content = b"" if large is not None else file.read_bytes()
    except OSError as error:
        typer.echo(f"Cannot read {file}: {error.strerror}.", err=True)
        raise typer.Exit(1) from None
    if large is not None:
        typer.echo(large.message, err=True)
        raise typer.Exit(1)
    bot = _open(config.core, db)
    operator = _default_user()
    invocation = Invocation(
        platform=platform,
        workspace_id=workspace,
        channel_id=channel,
        user_id=operator,
        display_name=operator,
        text=f"/memo agenda import {file.name}",
        received_at=datetime.now(UTC),
        is_admin=True,
    )
    try:
        reply = bot.execute(invocation, ImportAgenda(str(file), content, conference, dry_run))
    finally:
        bot.close()
        bot.database.dispose()
    _show_reply(reply.markdown, err=not reply.ok)
    if not reply.ok:
        raise typer.Exit(1)


def export_command(
    ctx: typer.Context,
    workspace: Annotated[str, typer.Option(help="Workspace id to export from.")] = "console",
    channel: Annotated[str, typer.Option(help="Channel id to export from.")] = "general",
    conference: Annotated[
        str | None,
        typer.Option(
            help="The conference, or `all` for every one (default: the channel's current "
            "one, unless --date)."
        ),
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
    platform: PlatformOption = CONSOLE.name,
    db: DatabaseOption = None,
) -> None:
    """Write a channel's day or conference as a blog-ready post: one post per day, newest first.

    The defaults are the console's channel (`memo-bot console`).
    """
    config = _settings(ctx)
    configure_logging(config.core, "WARNING")
    _check_ids(ctx, platform, workspace, channel)
    if post_format not in EXPORT_FORMATS:
        typer.echo(f"--format {post_format}: choose md or txt.", err=True)
        raise typer.Exit(2)
    wanted = None
    if day is not None:
        wanted = parse_day(day)
        if wanted is None:
            typer.echo(f"--date {day}: not a date; write it as YYYY-MM-DD.", err=True)
            raise typer.Exit(2)
    bot = _open(config.core, db)
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
        reply = bot.execute(invocation, _export_command(wanted, conference, post_format))
    finally:
        bot.close()
        bot.database.dispose()
    if reply.attachment is None:
        _show_reply(reply.markdown, err=True)
        raise typer.Exit(1)
    assert isinstance(reply.data, ExportReady)
    if output is None:
        sys.stdout.buffer.write(reply.attachment.content)
        sys.stdout.flush()
    else:
        output.write_bytes(reply.attachment.content)
        typer.echo(f"Wrote {output}: {render.export_counts(reply.data)}.", err=True)
    if reply.data.not_exported:
        left_out = ", ".join(reply.data.not_exported)
        typer.echo(f"Not exported: {left_out}. --conference all writes every one.", err=True)


def _export_command(day: date | None, conference: str | None, post_format: str) -> Export:
    """``--conference all`` is every conference of the channel, as `/memo export all` is."""
    if conference is not None and conference.strip().lower() == ALL_CONFERENCES:
        return Export(day, None, post_format, all_conferences=True)
    return Export(day, conference, post_format)


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "me"


def build_app(platforms: Platforms) -> typer.Typer:
    """The `memo-bot` command line for these platforms (the registry's, for the real one)."""
    app = typer.Typer(
        add_completion=False,
        # A traceback must not print local variables: they may hold tokens.
        pretty_exceptions_show_locals=False,
        no_args_is_help=True,
        help="memo-bot: a team's conference session notes, from Slack, Discord or a console.",
        context_settings={"obj": platforms},
    )
    app.command()(run)
    app.command()(console)
    app.command()(migrate)
    app.command("digest")(digest_command)
    app.command("import")(import_command)
    app.command("export")(export_command)
    agenda = typer.Typer(no_args_is_help=True, help="The conference's programme.")
    agenda.command("import")(agenda_import_command)
    app.add_typer(agenda, name="agenda")
    for platform in platforms:
        if platform.commands is not None:
            app.add_typer(platform.commands, name=platform.name)
    return app


app = build_app(PLATFORMS)


def main() -> None:
    app()
