"""Delivering the outbox: each memo's announcement, posted after its memo committed.

`/memo add` stores the memo and its announcement in one transaction and answers at
once; this worker (a service beside the chat adapters, one per process) posts the
announcement through the platform's ``Outbound``. So the person's answer never
waits on the platform, and no crash loses an announcement: a row stays in the
outbox until a post of it is known to be in the channel.

Nothing is doubled either. A worker claims a row for a lease (``storage.outbox``:
one process wins each row, also with several processes on one PostgreSQL) and
records its attempt's key before calling the platform, the way digests do
(``bot.digest.posting``): whoever tries the row again (a retry after an unknown
outcome, another process after a kill -9) posts it as "resumed", and the adapter
finds the message the earlier attempt left (Slack message metadata, Discord
nonces) instead of posting it again. When the platform cannot tell (Slack without
the channel's history), the announcement is not posted again: at most once.

The announcement follows its memo: `/memo edit`, `delete` and `undo` queue an
update (the message shows the new text, marked edited), a removal, and a new
announcement. A memo's rows are carried out in order (an edit waits for the
announcement it changes); editing and removing need no key, since doing them
twice shows nothing twice.

The worker wakes when a memo changes in this process (the core's command feed),
and every ``poll_seconds`` for rows other processes left behind or that wait
for a retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import Connection

from bot.commands.declaration import Command
from bot.digest.scheduler import CommandFeed
from bot.memos import AddMemo, DeleteMemo, EditMemo, UndoDelete
from bot.outbound import ChannelGone, Delivered, Delivery, Outbound, ThreadGone, Unverifiable
from bot.replies import render
from bot.replies.values import MemoAnnounced, Reply, SessionThreadStarted, Visibility
from storage import outbox as outbox_store
from storage import threads as thread_store
from storage.database import Database
from storage.outbox import ClaimedPost, PostKind

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Commands after which this process has announcements to deliver.
_QUEUES_POSTS = (AddMemo, EditMemo, DeleteMemo, UndoDelete)


@dataclass(frozen=True, slots=True)
class AnnouncePolicy:
    #: How long a claimed row stays with its process: longer than a post can take (the
    #: client's timeout and its waits after 429s), so a live holder never loses it.
    lease: timedelta = timedelta(minutes=5)
    #: Rows claimed at once; they are posted one after another, in order.
    batch: int = 20
    #: Seconds between looks for rows nobody here was told about (other processes, retries).
    poll_seconds: float = 5.0
    #: After a failed post, how long until any process tries the row again, by attempt.
    retry_after: tuple[timedelta, ...] = (
        timedelta(seconds=5),
        timedelta(seconds=30),
        timedelta(minutes=2),
        timedelta(minutes=10),
    )
    #: On stop, how long a post under way may take before it is cut (and resumed later).
    stop_timeout: float = 5.0


class Announcer:
    """A service (see ``bot.serving``) that posts what the outbox holds for ``outbounds``."""

    def __init__(
        self,
        database: Database,
        outbounds: Mapping[str, Outbound],
        commands: CommandFeed,
        policy: AnnouncePolicy = AnnouncePolicy(),
        *,
        holder: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.database = database
        self.outbounds = outbounds
        self.commands = commands
        self.policy = policy
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.clock = clock
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._wake.set()  # rows left from before this start are delivered at once
        self.commands.subscribe(self.command_done)
        self._task = asyncio.create_task(self._run())

    async def stopped(self) -> None:
        await asyncio.Event().wait()  # it does not stop by itself

    async def stop(self) -> None:
        """Let a post under way finish (``stop_timeout``), then cut it; a cut post keeps its
        attempt, so the next worker looks for it on the platform before posting."""
        task, self._task = self._task, None
        if task is None:
            return
        self.commands.unsubscribe(self.command_done)
        self._stopping = True
        self._wake.set()
        done, _ = await asyncio.wait({task}, timeout=self.policy.stop_timeout)
        if not done:
            logger.warning("stopping in the middle of posting announcements; resumed later")
            task.cancel()
            await asyncio.wait({task})

    def command_done(self, command: Command) -> None:
        """Called by the core after a command committed, on whatever thread ran it."""
        if isinstance(command, _QUEUES_POSTS) and self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        self._stopping = False
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.policy.poll_seconds)
            self._wake.clear()
            try:
                while not self._stopping and await self.deliver_due() == self.policy.batch:
                    pass  # a full batch: there may be more
            except Exception:
                logger.exception("delivering announcements failed; trying again shortly")

    async def deliver_due(self) -> int:
        """Claim due rows and post them, oldest first; returns how many rows were claimed."""
        now = self.clock()
        claimed = await asyncio.to_thread(
            self.database.write,
            lambda tx: outbox_store.claim_due(
                tx, self.holder, self.outbounds, now, self.policy.lease, self.policy.batch
            ),
        )
        for index, post in enumerate(claimed):
            if self._stopping:  # the rest goes back at once, not after its lease
                await self._hand_back(claimed[index:])
                break
            try:
                await self._deliver(post)
            except asyncio.CancelledError:
                await asyncio.shield(self._hand_back(claimed[index + 1 :]))
                raise
        return len(claimed)

    async def _hand_back(self, posts: Sequence[ClaimedPost]) -> None:
        now = self.clock()
        ids = [post.id for post in posts]
        await self._write(lambda tx: outbox_store.hand_back(tx, ids, self.holder, now))

    async def _deliver(self, post: ClaimedPost) -> None:
        now = self.clock()
        idle = _nothing_to_do(post)
        if idle is not None:
            await self._settle(post, None, idle)
            return
        try:
            delivered = await self._carry_out(post)
        except ThreadGone as gone:
            # Deleted, archived, or its parent deleted: the next attempt starts a new thread.
            await self._forget_thread(post, post.thread_id, str(gone))
            return
        except ChannelGone as gone:
            logger.warning(
                "memo #%s: %s not done, the bot cannot post in channel=%s: %s",
                post.memo_number,
                post.kind,
                post.channel_external_id,
                gone,
            )
            note = f"the bot cannot post in this channel: {gone}"
            await self._write(lambda tx: thread_store.note_problem(tx, post.channel_id, note, now))
            await self._settle(post, None, note)
            return
        except Unverifiable as unsure:
            logger.warning(
                "memo #%s not announced again in channel=%s: an earlier attempt may have "
                "posted it and the bot cannot check (%s)",
                post.memo_number,
                post.channel_external_id,
                unsure,
            )
            await self._settle(post, None, f"not posted again, cannot check: {unsure}")
            return
        except asyncio.CancelledError:
            await asyncio.shield(self._retry_later(post, "stopped while posting", 0))
            raise
        except Exception as error:
            await self._retry_later(post, str(error) or type(error).__name__, post.attempts)
            return
        if delivered is not None:
            await self._settle(post, delivered, None)

    async def _carry_out(self, post: ClaimedPost) -> Delivered | None:
        """Post, edit or remove the memo's message; None if the claim was lost meanwhile."""
        outbound = self.outbounds[post.platform]
        workspace, channel = post.workspace_external_id, post.channel_external_id
        if post.post_kind.posts:
            attempt = await self._attempt(post)
            if attempt is None:
                return None
            delivery, reply = attempt
            if not post.threads or post.thread_id is not None:
                return await outbound.post(workspace, channel, reply, delivery, post.thread_id)
            return await self._start_thread(post, outbound, delivery, reply)
        assert post.announced_as is not None, "checked by _nothing_to_do"
        if post.post_kind is PostKind.UPDATE:
            await outbound.edit(workspace, channel, post.announced_as, _announcement(post, None))
        else:
            await outbound.remove(workspace, channel, post.announced_as)
        return Delivered(post.announced_as)

    async def _start_thread(
        self, post: ClaimedPost, outbound: Outbound, delivery: Delivery, reply: Reply
    ) -> Delivered:
        """Post the session's parent message (its title, day and this first memo) and start
        the session's thread from it; later memos of the session go in there."""
        workspace, channel = post.workspace_external_id, post.channel_external_id
        delivered = await outbound.post(workspace, channel, reply, delivery)
        if delivered.message_id is None:  # landed earlier and deleted since: next memo starts one
            return delivered
        message_id = delivered.message_id
        started = await outbound.start_thread(
            workspace, channel, message_id, render.thread_name(post.session_title)
        )
        now = self.clock()
        await self._write(
            lambda tx: thread_store.record(
                tx,
                post.channel_id,
                post.session_id,
                started.thread_id,
                message_id,
                started.link,
                now,
            )
        )
        return delivered

    async def _forget_thread(self, post: ClaimedPost, thread_id: str | None, why: str) -> None:
        logger.warning(
            "memo #%s: the thread of %r in channel=%s is gone (%s); starting a new one",
            post.memo_number,
            post.session_title,
            post.channel_external_id,
            why,
        )
        now = self.clock()

        def forget(tx: Connection) -> None:
            if thread_id is not None:
                thread_store.forget(tx, post.channel_id, post.session_id, thread_id)
            outbox_store.restart(tx, post.id, self.holder, now)

        await self._write(forget)
        self._wake.set()  # due again at once

    async def _attempt(self, post: ClaimedPost) -> tuple[Delivery, Reply] | None:
        """The attempt to make: an earlier one resumed (its key and words), or a new one,
        recorded before anything is posted; None if the claim was lost meanwhile."""
        if post.delivery_key is not None:
            assert post.first_attempt_at is not None and post.markdown is not None
            delivery = Delivery(post.delivery_key, post.first_attempt_at, resumed=True, what="memo")
            return delivery, _announcement(post, post.markdown)
        delivery = Delivery(secrets.token_hex(8), self.clock(), what="memo")
        reply = _announcement(post, None)
        started = await self._write(
            lambda tx: outbox_store.start_attempt(
                tx, post.id, self.holder, delivery.key, delivery.started_at, reply.markdown
            )
        )
        return (delivery, reply) if started else None

    async def _settle(
        self, post: ClaimedPost, delivered: Delivered | None, note: str | None
    ) -> None:
        message_id = delivered.message_id if delivered is not None else None
        now = self.clock()
        await self._write(lambda tx: outbox_store.settle(tx, post.id, message_id, now, note))

    async def _retry_later(self, post: ClaimedPost, problem: str, failures: int) -> None:
        """Let any process try the row again after a pause that grows with its attempts."""
        delays = self.policy.retry_after
        pause = delays[min(failures, len(delays)) - 1] if failures else timedelta(0)
        logger.warning(
            "announcing memo #%s in channel=%s failed (%s); trying again in %s",
            post.memo_number,
            post.channel_external_id,
            problem,
            pause,
        )
        retry_at = self.clock() + pause
        await self._write(
            lambda tx: outbox_store.retry_later(tx, post.id, self.holder, problem, retry_at)
        )

    async def _write(self, change: Callable[[Connection], T]) -> T:
        return await asyncio.to_thread(self.database.write, change)


def _nothing_to_do(post: ClaimedPost) -> str | None:
    """Why the row needs nothing of the platform, if it does not."""
    kind = post.post_kind
    if kind.posts:
        if post.memo_deleted_at is not None and post.delivery_key is None:
            return "the memo was deleted before it was announced"
        return None
    if post.announced_as is None:
        return "the memo has no announcement to change"
    if kind is PostKind.UPDATE and post.memo_deleted_at is not None:
        return "the memo was deleted since; its announcement is removed instead"
    return None


def _announcement(post: ClaimedPost, markdown: str | None) -> Reply:
    """The memo's announcement, as it reads now; ``markdown``: the words an earlier attempt
    posted (a resumed attempt posts and looks for exactly those)."""
    data = MemoAnnounced(
        post.memo_number,
        post.author_name,
        post.session_title,
        post.memo_text,
        edited=post.memo_edited_at is not None,
    )
    if post.post_kind.posts and post.threads and post.thread_id is None:
        started = SessionThreadStarted(post.session_title, post.session_day, data)
        return Reply(markdown or render.session_thread_started(started), Visibility.PUBLIC, data)
    return Reply(markdown or render.memo_announced(data), Visibility.PUBLIC, data)
