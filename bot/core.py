"""The core service: one entry point that every adapter calls.

An adapter builds an ``Invocation``, calls ``MemoBot.handle`` (or
``handle_async`` from an event loop) and renders the ``Reply``.

How database work stays off event loops: the core is synchronous (SQLAlchemy's
sync engine, one short transaction per command), and ``handle_async`` runs it
on a bounded thread pool owned by the core. Adapters never call ``handle``
from a coroutine directly. Threads rather than the async engine because the
sync SQLite driver is faster than aiosqlite's thread hop per statement, and
one command is a handful of sub-millisecond statements; the pool size
(``MEMO_WORKER_THREADS``) caps how many commands hit the database at once.

Every reply is produced inside the command's transaction and returned only
after it committed: nothing is acknowledged that is not stored.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from bot import conferences, grammar, memos, redelivery, removals, search, sessions
from bot.context import Context
from bot.digest import commands as digest
from bot.grammar import (
    AddMemo,
    Attend,
    Command,
    DeleteMemo,
    DisableDigest,
    EditMemo,
    Export,
    ImportPosts,
    ListSessions,
    PreviewDigest,
    Rejected,
    SearchMemos,
    SetConference,
    SetDigestDays,
    SetDigestTime,
    ShowDigest,
    ShowHelp,
    ShowMemos,
    ShowSession,
    Summarize,
    UndoDelete,
)
from bot.help import show_help
from bot.home import home
from bot.invocation import Invocation
from bot.known import KnownRows
from bot.memo_lookup import show_memos
from bot.notefiles import exporting as export
from bot.notefiles import importing
from bot.notefiles import reading as import_reading
from bot.notefiles.decode import DEFAULT_MAX_BYTES
from bot.notefiles.importing import Progress
from bot.removals import Removal
from bot.replies.values import ProblemCode, Reply, SessionChoice, refuse
from bot.summary import commands as summary
from bot.summary.commands import Summaries
from storage import channels as channel_store
from storage.database import Database
from storage.records import ChannelRecord
from storage.writes import Discard

logger = logging.getLogger(__name__)

#: A command that lost a race (two processes creating the same row) is run again this often.
_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class CommandDone:
    """One answered command, as the core's log line and its observers see it: where it
    came from and how it ended, never what was typed (see ``MemoBot.observe``)."""

    #: The command's type (``AddMemo``), or ``parse`` for text that is no command.
    command: str
    #: ``ok``, ``replayed`` (a redelivery got the first answer), or the refusal's code.
    outcome: str
    seconds: float
    platform: str
    workspace_id: str
    channel_id: str
    #: The platform's id of the request (``Invocation.delivery_id``), when it has one.
    request_id: str | None
    #: What failed the command (its answer: an internal error), if something did.
    failure: Exception | None = None


class MemoBot:
    def __init__(
        self,
        database: Database,
        *,
        default_time_zone: str = "UTC",
        worker_threads: int = 8,
        summaries: Summaries | None = None,
        import_max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.database = database
        self.import_max_bytes = import_max_bytes
        self.default_time_zone = default_time_zone
        self.summaries = summaries or Summaries()
        self.known = KnownRows()
        self._subscribers: list[Callable[[Command], None]] = []
        self._observers: list[Callable[[CommandDone], None]] = []
        self._worker_threads = worker_threads
        self._executor: ThreadPoolExecutor | None = None

    def handle(self, invocation: Invocation) -> Reply:
        """Parse the invocation's text and run it."""
        parsed = grammar.parse(grammar.clean_text(invocation.text))
        if isinstance(parsed, Rejected):
            self._log(invocation, "parse", parsed.code.value, 0.0)
            return refuse(parsed.code, parsed.message, parsed.field)
        return self.execute(invocation, parsed)

    def execute(self, invocation: Invocation, command: Command) -> Reply:
        """Run a command an adapter built itself (typed options, forms, shortcuts)."""
        started = time.perf_counter()
        failure: Exception | None = None
        try:
            reply = self._run(invocation, command)
        except Exception as error:
            self._log_failure(invocation, _name(command))
            reply, failure = _internal_error(), error
        self._log_outcome(invocation, command, reply, started, failure)
        return reply

    def may_be_slow(self, command: Command) -> bool:
        """Whether running ``command`` may take longer than a platform waits for an answer.

        A summary by a model waits on a remote service; an export reads and writes
        a whole conference and comes with a file to upload. Adapters acknowledge
        such a command to their platform at once and deliver the reply later
        (Slack's ``response_url``, a deferred Discord interaction), instead of
        racing the platform's deadline.
        """
        if isinstance(command, Export):
            return True
        if isinstance(command, ImportPosts):
            return command.content is not None  # a large file takes seconds
        return isinstance(command, Summarize) and self.summaries.calls_network

    def subscribe(self, subscriber: Callable[[Command], None]) -> None:
        """Call ``subscriber(command)`` after each command that changed data has committed.

        It runs on whatever thread ran the command (a worker or the writer), so
        it must only hand the news over (the digest scheduler rebuilds its jobs).
        """
        self._subscribers.append(subscriber)

    def unsubscribe(self, subscriber: Callable[[Command], None]) -> None:
        self._subscribers.remove(subscriber)

    def observe(self, observer: Callable[[CommandDone], None]) -> None:
        """Call ``observer(done)`` after every command is answered, whatever its outcome.

        For metrics: it runs on the thread that ran the command, so it must be quick,
        and an observer that raises is logged and never changes the answer.
        """
        self._observers.append(observer)

    def suggest_sessions(
        self, invocation: Invocation, limit: int = 25
    ) -> tuple[SessionChoice, ...]:
        """Sessions of the invocation's channel that fit ``invocation.text`` (typed so far).

        For pickers with type-ahead (Slack's external select, Discord's
        autocomplete); a picked ``SessionChoice.id`` goes back as ``SessionId``.
        """
        try:
            with self.database.reading() as tx:
                ctx = self._context(tx, invocation, self._find_channel(tx, invocation))
                return sessions.suggest(ctx, invocation.text, limit)
        except Exception:
            # A picker with no options is a better answer than an error popup.
            self._log_failure(invocation, "suggest_sessions")
            return ()

    def home(self, invocation: Invocation) -> Reply:
        """The person's own recent memos and sessions in this workspace (channel ignored)."""
        try:
            with self.database.reading() as tx:
                return home(self._context(tx, invocation, None))
        except Exception:
            self._log_failure(invocation, "home")
            return _internal_error()

    async def handle_async(self, invocation: Invocation) -> Reply:
        """``handle`` for adapters running an event loop; the database work runs off the loop."""
        parsed = grammar.parse(grammar.clean_text(invocation.text))
        if isinstance(parsed, Rejected):
            self._log(invocation, "parse", parsed.code.value, 0.0)
            return refuse(parsed.code, parsed.message, parsed.field)
        return await self.execute_async(invocation, parsed)

    async def execute_async(self, invocation: Invocation, command: Command) -> Reply:
        """``execute`` for adapters running an event loop.

        Writes on SQLite go straight to the batch writer and are awaited there;
        everything else (an import too: its own transaction) runs on the core's worker threads.
        """
        batched = grammar.changes_data(command) and not isinstance(command, ImportPosts)
        if not (batched and self.database.batches_writes):
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._workers(), self.execute, invocation, command)
        started = time.perf_counter()
        failure: Exception | None = None
        try:
            reply = await self._write_batched(invocation, command)
        except Exception as error:
            self._log_failure(invocation, _name(command))
            reply, failure = _internal_error(), error
        self._log_outcome(invocation, command, reply, started, failure)
        return reply

    async def suggest_sessions_async(
        self, invocation: Invocation, limit: int = 25
    ) -> tuple[SessionChoice, ...]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._workers(), self.suggest_sessions, invocation, limit)

    async def home_async(self, invocation: Invocation) -> Reply:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._workers(), self.home, invocation)

    async def app_removed_async(
        self, platform: str, workspace_ids: Sequence[str], removal: Removal, at: datetime
    ) -> int:
        """The platform took the app away from these workspaces at ``at``: their digests
        stop, saying why (see ``bot.removals``); memos stay. Returns the digests stopped."""
        now = datetime.now(UTC)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._workers(),
            self.database.write,
            partial(
                removals.stop_digests,
                platform=platform,
                workspace_ids=workspace_ids,
                removal=removal,
                at=at,
                now=now,
            ),
        )

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def _workers(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                self._worker_threads, thread_name_prefix="memo-core"
            )
        return self._executor

    def _run(self, invocation: Invocation, command: Command) -> Reply:
        if isinstance(command, ShowHelp):
            return show_help(command)
        if isinstance(command, Summarize):
            return self._summarize(invocation, command)
        if isinstance(command, ImportPosts):
            return self.import_file(invocation, command)
        if not grammar.changes_data(command):
            return self._read(invocation, command)
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                return self._write(invocation, command, retrying=attempt > 1)
            except IntegrityError:
                # Another process (or copy of the request) created the same row first; the
                # next attempt finds it.
                if attempt == _ATTEMPTS:
                    raise
                logger.info("retrying %s after a concurrent write", _name(command))
        raise AssertionError("unreachable")

    def _read(self, invocation: Invocation, command: Command) -> Reply:
        with self.database.reading() as tx:
            ctx = self._context(tx, invocation, self._find_channel(tx, invocation))
            reply = _dispatch(ctx, command)
        _remember(ctx.learned)  # a read only ever sees committed rows
        return reply

    def _summarize(self, invocation: Invocation, command: Summarize) -> Reply:
        """Read what the summary needs, then choose its points after the transaction ended."""
        with self.database.reading() as tx:
            ctx = self._context(tx, invocation, self._find_channel(tx, invocation))
            request = summary.gather(ctx, command)
        _remember(ctx.learned)
        if isinstance(request, Reply):
            return request
        return summary.answer(request, self.summaries)

    def import_file(
        self, invocation: Invocation, command: ImportPosts, progress: Progress | None = None
    ) -> Reply:
        """Import a note file in one transaction of its own (not a batch: it may be large).

        The file is read and parsed before the transaction starts; a dry run
        stops there. A retry after a concurrent write runs the whole file again,
        which the import's idempotence makes safe. A delivery of the request that
        was imported already gets that import's answer (``bot.redelivery``).
        """
        file = import_reading.read(command, self.import_max_bytes)
        if isinstance(file, Reply):
            return file
        if command.dry_run:
            return importing.plan(file, command)
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                with self.database.writing() as tx:
                    key = _channel_key(invocation)
                    channel = channel_store.ensure_channel(tx, *key, invocation.received_at)
                    # Looked up first: next to a whole file, one query is nothing.
                    earlier = redelivery.earlier_answer(tx, channel.id, invocation)
                    if earlier is not None:
                        outcome = self._replayed(earlier, channel)
                    else:
                        ctx = self._context(tx, invocation, channel)
                        reply = importing.store(ctx, file, command, progress)
                        if reply.ok:
                            redelivery.remember(tx, channel.id, invocation, reply)
                        outcome = _Outcome(reply, ctx.learned)
                self._committed(command, outcome)
                return outcome.reply
            except IntegrityError:
                if attempt == _ATTEMPTS:
                    raise
                logger.info("retrying ImportPosts after a concurrent write")
        raise AssertionError("unreachable")

    def _write(self, invocation: Invocation, command: Command, *, retrying: bool) -> Reply:
        outcome = self.database.write(
            partial(self._write_unit, invocation, command, retrying=retrying)
        )
        self._committed(command, outcome)
        return outcome.reply

    def _committed(self, command: Command, outcome: _Outcome) -> None:
        _remember(outcome.learned)
        if outcome.reply.ok and not outcome.reply.replayed:
            for subscriber in self._subscribers:
                subscriber(command)

    async def _write_batched(self, invocation: Invocation, command: Command) -> Reply:
        """``_run`` for a write, awaiting the batch writer's commit on the event loop."""
        for attempt in range(1, _ATTEMPTS + 1):
            unit = partial(self._write_unit, invocation, command, retrying=attempt > 1)
            try:
                outcome = await asyncio.wrap_future(self.database.submit_write(unit))
            except IntegrityError:
                if attempt == _ATTEMPTS:
                    raise
                logger.info("retrying %s after a concurrent write", _name(command))
                continue
            self._committed(command, outcome)
            return outcome.reply
        raise AssertionError("unreachable")

    def _write_unit(
        self, invocation: Invocation, command: Command, tx: Connection, *, retrying: bool
    ) -> _Outcome:
        """The command's work inside a writing transaction; a refusal undoes all of it.

        A copy of a request that was done already gets the first answer again and
        changes nothing (``bot.redelivery``): it is looked for when the command runs
        again after losing a race, and when the command is refused.
        """
        key = _channel_key(invocation)
        channel = self.known.channels.get(key)
        learned: list[Callable[[], None]] = []
        if channel is None:
            channel = channel_store.ensure_channel(tx, *key, invocation.received_at)
            learned.append(partial(self.known.channels.put, key, channel))
        earlier = redelivery.earlier_answer(tx, channel.id, invocation) if retrying else None
        if earlier is not None:
            raise Discard(self._replayed(earlier, channel))
        ctx = self._context(tx, invocation, channel)
        reply = _dispatch(ctx, command)
        if not reply.ok:  # a refused command changes nothing
            earlier = redelivery.earlier_answer(tx, channel.id, invocation)
            raise Discard(
                _Outcome(reply, []) if earlier is None else self._replayed(earlier, channel)
            )
        redelivery.remember(tx, channel.id, invocation, reply)
        return _Outcome(reply, learned + ctx.learned)

    def _replayed(self, earlier: Reply, channel: ChannelRecord) -> _Outcome:
        """The answer to an earlier copy of the request, which another copy (maybe in another
        process) ran: it may have changed the channel's conference this process remembers."""
        return _Outcome(earlier, [partial(self.known.conferences.forget, channel.id)])

    def _find_channel(self, tx: Connection, invocation: Invocation) -> ChannelRecord | None:
        key = _channel_key(invocation)
        channel = self.known.channels.get(key)
        if channel is None:
            channel = channel_store.find_channel(tx, *key)
            if channel is not None:
                self.known.channels.put(key, channel)
        return channel

    def _context(
        self, tx: Connection, invocation: Invocation, channel: ChannelRecord | None
    ) -> Context:
        return Context(tx, invocation, channel, self.default_time_zone, self.known)

    def _log_failure(self, invocation: Invocation, command: str) -> None:
        logger.exception(
            "command failed: command=%s platform=%s workspace=%s channel=%s",
            command,
            invocation.platform,
            invocation.workspace_id,
            invocation.channel_id,
        )

    def _log_outcome(
        self,
        invocation: Invocation,
        command: Command,
        reply: Reply,
        started: float,
        failure: Exception | None,
    ) -> None:
        outcome = "ok" if reply.ok else str(getattr(reply.data, "code", "refused"))
        if reply.replayed:
            outcome = "replayed"
        self._log(invocation, _name(command), outcome, time.perf_counter() - started, failure)

    def _log(
        self,
        invocation: Invocation,
        command: str,
        outcome: str,
        seconds: float,
        failure: Exception | None = None,
    ) -> None:
        done = CommandDone(
            command,
            outcome,
            seconds,
            invocation.platform,
            invocation.workspace_id,
            invocation.channel_id,
            invocation.delivery_id,
            failure,
        )
        logger.info(
            "command=%s outcome=%s platform=%s workspace=%s channel=%s user=%s ms=%.1f",
            command,
            outcome,
            invocation.platform,
            invocation.workspace_id,
            invocation.channel_id,
            invocation.user_id,
            seconds * 1000,
            extra={"command_done": done},  # the fields of a JSON log line
        )
        for observer in self._observers:
            try:
                observer(done)
            except Exception:
                logger.exception("a command observer failed")


def _internal_error() -> Reply:
    return refuse(
        ProblemCode.INTERNAL_ERROR,
        "Sorry, something went wrong on our side and nothing was saved. "
        "Please try again in a moment.",
    )


@dataclass(frozen=True, slots=True)
class _Outcome:
    reply: Reply
    #: Facts for ``KnownRows``, to remember once the transaction has committed.
    learned: list[Callable[[], None]]


def _remember(learned: list[Callable[[], None]]) -> None:
    for remember in learned:
        remember()


def _channel_key(invocation: Invocation) -> tuple[str, str, str]:
    return (invocation.platform, invocation.workspace_id, invocation.channel_id)


def _dispatch(ctx: Context, command: Command) -> Reply:
    match command:
        case AddMemo():
            return memos.add(ctx, command)
        case EditMemo():
            return memos.edit(ctx, command)
        case DeleteMemo():
            return memos.delete(ctx, command)
        case UndoDelete():
            return memos.undo(ctx, command)
        case Attend():
            return sessions.attend(ctx, command)
        case ListSessions():
            return sessions.list_sessions(ctx, command)
        case ShowSession():
            return sessions.show(ctx, command)
        case ShowMemos():
            return show_memos(ctx, command)
        case SetConference():
            return conferences.set_conference(ctx, command)
        case ShowDigest():
            return digest.show(ctx, command)
        case SetDigestTime():
            return digest.set_time(ctx, command)
        case SetDigestDays():
            return digest.set_days(ctx, command)
        case DisableDigest():
            return digest.disable(ctx, command)
        case PreviewDigest():
            return digest.preview(ctx, command)
        case Export():
            return export.export(ctx, command)
        case SearchMemos():
            return search.search(ctx, command)
        case ShowHelp() | Summarize() | ImportPosts():
            raise AssertionError("answered outside this transaction")


def _name(command: Command) -> str:
    return type(command).__name__
