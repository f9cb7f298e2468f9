"""The core service: one entry point that every adapter calls.

An adapter builds an ``Invocation``, calls ``MemoBot.handle`` (or
``handle_async`` from an event loop) and renders the ``Reply``. What the
commands are comes from their declarations (``bot.commands``): the core looks
up a command's declaration to know how to run it, and runs its handler.

Text is cleaned once and parsed once: typed text by ``CommandRegistry.read_text``
(in ``handle``, or in an adapter that needs the parsed command first, which
then calls ``run``), a command an adapter built from options by
``CommandRegistry.check`` (in ``execute``). Handlers get clean text.

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
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from bot import redelivery, removals, sessions
from bot.commands.declaration import (
    Access,
    Command,
    CommandDeclaration,
    InTransaction,
    OutsideTransactions,
)
from bot.commands.registry import Checked, CommandRegistry, cleaned
from bot.commands.standard import COMMANDS
from bot.commands.text import Rejected
from bot.context import Context
from bot.home import home
from bot.i18n import _, speaking
from bot.invocation import Invocation
from bot.known import KnownRows
from bot.language import resolve
from bot.notefiles.decode import DEFAULT_MAX_BYTES
from bot.notefiles.importing import Progress, run_import
from bot.notefiles.reading import ImportPosts
from bot.removals import Removal
from bot.replies.values import CommandHelp, ProblemCode, Reply, SessionChoice, refuse
from bot.summary.choosing import Summaries
from storage import channels as channel_store
from storage.database import DEFAULT_WORKER_THREADS, Database
from storage.records import ChannelRecord
from storage.writes import Discard

logger = logging.getLogger(__name__)

T = TypeVar("T")

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
        default_language: str = "en",
        worker_threads: int = DEFAULT_WORKER_THREADS,
        summaries: Summaries | None = None,
        import_max_bytes: int = DEFAULT_MAX_BYTES,
        commands: CommandRegistry = COMMANDS,
    ) -> None:
        self.database = database
        self.import_max_bytes = import_max_bytes
        self.default_time_zone = default_time_zone
        self.default_language = default_language
        self.summaries = summaries or Summaries()
        self.commands = commands
        self.known = KnownRows()
        self._subscribers: list[Callable[[Command], None]] = []
        self._observers: list[Callable[[CommandDone], None]] = []
        self._worker_threads = worker_threads
        self._executor: ThreadPoolExecutor | None = None

    def handle(self, invocation: Invocation) -> Reply:
        """Clean and parse the invocation's text, and run it."""
        return self.run(invocation, self.commands.read_text(invocation.text))

    def execute(self, invocation: Invocation, command: Command) -> Reply:
        """Run a command an adapter built itself (typed options, forms, shortcuts)."""
        return self.run(invocation, self.commands.check(command))

    def run(self, invocation: Invocation, checked: Checked) -> Reply:
        """Run what ``commands.read_text`` or ``commands.check`` made of a request."""
        command = checked.command
        if isinstance(command, Rejected):
            self._log(invocation, "parse", command.code.value, 0.0)
            return self.refusal(invocation, command)
        started = time.perf_counter()
        failure: Exception | None = None
        try:
            reply = self._run(invocation, command)
        except Exception as error:
            self._log_failure(invocation, _name(command))
            reply, failure = self._internal_error(invocation), error
        self._log_outcome(invocation, command, reply, started, failure)
        return reply

    def refusal(self, invocation: Invocation, rejected: Rejected) -> Reply:
        """The answer to text or options that make no command, in the language of the reply."""
        with speaking(self.language_for(invocation)):
            return refuse(rejected.code, rejected.message, rejected.field)

    async def refusal_async(self, invocation: Invocation, rejected: Rejected) -> Reply:
        """``refusal`` for adapters running an event loop (it reads the channel's language)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._workers(), self.refusal, invocation, rejected)

    async def language_for_async(self, invocation: Invocation) -> str:
        """``language_for`` for adapters running an event loop (forms they build themselves)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._workers(), self.language_for, invocation)

    def language_for(self, invocation: Invocation) -> str:
        """The language of a reply to ``invocation``: the channel's `/memo language`, the
        person's locale, ``MEMO_DEFAULT_LANGUAGE`` (``bot.language``)."""
        return self.read(invocation, lambda ctx: ctx.language)

    def _fallback_language(self, invocation: Invocation) -> str:
        """The language of a reply when the database may be what failed: no channel setting."""
        return resolve(None, invocation.locale, self.default_language)

    def _internal_error(self, invocation: Invocation) -> Reply:
        with speaking(self._fallback_language(invocation)):
            return _internal_error()

    def may_be_slow(self, command: Command) -> bool:
        """Whether running ``command`` may take longer than a platform waits for an answer.

        A summary by a model waits on a remote service; an export reads and writes
        a whole conference and comes with a file to upload. Adapters acknowledge
        such a command to their platform at once and deliver the reply later
        (Slack's ``response_url``, a deferred Discord interaction), instead of
        racing the platform's deadline.
        """
        return self.commands.may_be_slow(command, self)

    def help_lines(self) -> tuple[CommandHelp, ...]:
        return self.commands.help_lines()

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
            return self.read(invocation, lambda ctx: sessions.suggest(ctx, invocation.text, limit))
        except Exception:
            # A picker with no options is a better answer than an error popup.
            self._log_failure(invocation, "suggest_sessions")
            return ()

    def home(self, invocation: Invocation) -> Reply:
        """The person's own recent memos and sessions in this workspace (channel ignored)."""
        try:
            with self.database.reading() as tx, speaking(self._fallback_language(invocation)):
                return home(self._context(tx, invocation, None))
        except Exception:
            self._log_failure(invocation, "home")
            return self._internal_error(invocation)

    async def handle_async(self, invocation: Invocation) -> Reply:
        """``handle`` for adapters running an event loop; the database work runs off the loop."""
        return await self.run_async(invocation, self.commands.read_text(invocation.text))

    async def execute_async(self, invocation: Invocation, command: Command) -> Reply:
        """``execute`` for adapters running an event loop."""
        return await self.run_async(invocation, self.commands.check(command))

    async def run_async(self, invocation: Invocation, checked: Checked) -> Reply:
        """``run`` for adapters running an event loop.

        Writes on SQLite go straight to the batch writer and are awaited there;
        everything else (an import too: its own transaction) runs on the core's worker threads.
        """
        command = checked.command
        if not isinstance(command, Rejected) and self._batched(command):
            return await self._write_batched_logged(invocation, command)
        # A refusal reads the channel's language; everything else runs off the loop too.
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._workers(), self.run, invocation, checked)

    async def _write_batched_logged(self, invocation: Invocation, command: Command) -> Reply:
        """``run`` for a write on the batch writer: logged, a failure answered as in ``run``."""
        started = time.perf_counter()
        failure: Exception | None = None
        try:
            reply = await self._write_batched(invocation, command)
        except Exception as error:
            self._log_failure(invocation, _name(command))
            reply, failure = self._internal_error(invocation), error
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

    def _batched(self, command: Command) -> bool:
        """Whether the command is a write the batch writer takes (on SQLite). Commands only
        some may run take the workers' path instead, where ``_run`` checks who asks."""
        declaration = self.commands.declaration_of(command)
        return (
            self.database.batches_writes
            and isinstance(declaration.handler, InTransaction)
            and declaration.changes_data(command)
            and declaration.access is Access.ANYONE
        )

    def _run(self, invocation: Invocation, command: Command) -> Reply:
        declaration = self.commands.declaration_of(command)
        if not _allowed(declaration, invocation):
            with speaking(self.language_for(invocation)):
                return _not_allowed(declaration)
        handler = declaration.handler
        if isinstance(handler, OutsideTransactions):
            with speaking(self.language_for(invocation)):
                return handler.run(self, invocation, command)
        if not declaration.changes_data(command):
            return self.read(invocation, partial(self._in_transaction, command=command))
        return _retrying(_name(command), partial(self._write, invocation, command))

    def read(self, invocation: Invocation, work: Callable[[Context], T]) -> T:
        """``work`` in a reading transaction of the invocation's channel."""
        with self.database.reading() as tx:
            ctx = self._context(tx, invocation, self._find_channel(tx, invocation))
            result = work(ctx)
        _remember(ctx.learned)  # a read only ever sees committed rows
        return result

    def import_file(
        self, invocation: Invocation, command: ImportPosts, progress: Progress | None = None
    ) -> Reply:
        """Import a note file, reporting ``progress`` (the command line's progress bar)."""
        return run_import(self, invocation, cleaned(command), progress)

    def write_alone(
        self, invocation: Invocation, command: Command, work: Callable[[Context], Reply]
    ) -> Reply:
        """``work`` in a writing transaction of its own (not a batch: an import may be large).

        A delivery of the request that was done already gets that answer
        (``bot.redelivery``); a retry after a concurrent write runs ``work`` again.
        """

        def attempt(retrying: bool) -> _Outcome:
            with self.database.writing() as tx:
                key = _channel_key(invocation)
                channel = channel_store.ensure_channel(tx, *key, invocation.received_at)
                # Looked up first: next to a whole file, one query is nothing.
                earlier = redelivery.earlier_answer(tx, channel.id, invocation)
                if earlier is not None:
                    return self._replayed(earlier)
                ctx = self._context(tx, invocation, channel, writes=True)
                reply = work(ctx)
                if reply.ok:
                    redelivery.remember(tx, channel.id, invocation, reply)
                return _Outcome(reply, ctx.learned)

        outcome = _retrying(_name(command), attempt)
        self._committed(command, outcome)
        return outcome.reply

    def _write(self, invocation: Invocation, command: Command, retrying: bool) -> Reply:
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
        for attempt in _attempts(_name(command)):
            with attempt:
                unit = partial(self._write_unit, invocation, command, retrying=attempt.retrying)
                outcome = await asyncio.wrap_future(self.database.submit_write(unit))
                self._committed(command, outcome)
                return outcome.reply
        raise AssertionError("unreachable: the last attempt's error propagates")

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
            raise Discard(self._replayed(earlier))
        ctx = self._context(
            tx, invocation, channel, writes=True, typed_title=command.typed_session_title()
        )
        reply = self._in_transaction(ctx, command)
        if not reply.ok:  # a refused command changes nothing
            earlier = redelivery.earlier_answer(tx, channel.id, invocation)
            raise Discard(_Outcome(reply, []) if earlier is None else self._replayed(earlier))
        redelivery.remember(tx, channel.id, invocation, reply)
        return _Outcome(reply, learned + ctx.learned)

    def _in_transaction(self, ctx: Context, command: Command) -> Reply:
        handler = self.commands.declaration_of(command).handler
        assert isinstance(handler, InTransaction), "runs outside transactions"
        with speaking(ctx.language):
            return handler.run(ctx, command)

    def _replayed(self, earlier: Reply) -> _Outcome:
        """The answer to an earlier copy of the request, which another copy (maybe in another
        process) ran."""
        return _Outcome(earlier, [])

    def _find_channel(self, tx: Connection, invocation: Invocation) -> ChannelRecord | None:
        key = _channel_key(invocation)
        channel = self.known.channels.get(key)
        if channel is None:
            channel = channel_store.find_channel(tx, *key)
            if channel is not None:
                self.known.channels.put(key, channel)
        return channel

    def _context(
        self,
        tx: Connection,
        invocation: Invocation,
        channel: ChannelRecord | None,
        *,
        writes: bool = False,
        typed_title: str | None = None,
    ) -> Context:
        return Context(
            tx,
            invocation,
            channel,
            self.default_time_zone,
            self.known,
            default_language=self.default_language,
            writes=writes,
            typed_title=typed_title,
        )

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
        _(
            "Sorry, something went wrong on our side and nothing was saved. "
            "Please try again in a moment."
        ),
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


def _name(command: Command) -> str:
    return type(command).__name__


def _allowed(declaration: CommandDeclaration[Any], invocation: Invocation) -> bool:
    """Whether the person who asks may run the command at all."""
    return declaration.access is Access.ANYONE or invocation.is_admin


def _not_allowed(declaration: CommandDeclaration[Any]) -> Reply:
    return refuse(
        ProblemCode.NOT_ALLOWED,
        _("Only a workspace admin can use `/memo %(command)s`. Nothing was changed.")
        % {"command": declaration.name},
    )


class _Attempt:
    """One run of a write that may lose a race to another process (or a copy of the
    request) creating the same row: its ``IntegrityError`` ends the attempt, and the
    next one finds the row; the last attempt's error propagates."""

    def __init__(self, number: int, name: str) -> None:
        self.number = number
        self.name = name

    @property
    def retrying(self) -> bool:
        return self.number > 1

    def __enter__(self) -> _Attempt:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if isinstance(error, IntegrityError) and self.number < _ATTEMPTS:
            logger.info("retrying %s after a concurrent write", self.name)
            return True
        return False


def _attempts(name: str) -> Iterator[_Attempt]:
    """``for attempt in _attempts(name): with attempt: return ...``: in sync and async code."""
    return (_Attempt(number, name) for number in range(1, _ATTEMPTS + 1))


def _retrying(name: str, write: Callable[[bool], T]) -> T:
    """``write(retrying)``, run again after it lost a race (see ``_Attempt``)."""
    for attempt in _attempts(name):
        with attempt:
            return write(attempt.retrying)
    raise AssertionError("unreachable: the last attempt's error propagates")
