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
import dataclasses
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
from bot.i18n import _, speaking
from bot.language import resolve
from bot.memos import AddMemo, DeleteMemo, EditMemo, UndoDelete
from bot.outbound import (
    ChannelGone,
    Delivered,
    Delivery,
    Outbound,
    ThreadGone,
    ThreadRefused,
    Unverifiable,
)
from bot.replies import render
from bot.replies.values import MemoAnnounced, Reply, SessionThreadStarted, Visibility
from storage import outbox as outbox_store
from storage import threads as thread_store
from storage.database import Database
from storage.outbox import ClaimedPost, MessageMemo, PostKind

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
    #: At most one new message a channel in this time (Slack: about one a second per
    #: channel; Discord's five in five seconds allow as much).
    channel_interval: timedelta = timedelta(seconds=1)
    #: Memos in one message at most, and its length at most (Slack shows 3,000 characters
    #: in a section; Discord splits longer ones in 2,000-character parts).
    coalesce_max: int = 10
    coalesce_chars: int = 3000


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
        default_language: str = "en",
    ) -> None:
        self.database = database
        self.outbounds = outbounds
        self.commands = commands
        self.policy = policy
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.clock = clock
        self.default_language = default_language
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        #: When this process last posted in each channel, for ``channel_interval``.
        self._posted_at: dict[tuple[str, str, str], datetime] = {}
        #: Problems noted so far: a post that noted none went where it should.
        self._problems_noted = 0

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
        """Claim due rows and post them, oldest first; returns how many rows were claimed.

        A channel posted to less than ``channel_interval`` ago gets its new posts later
        (the platforms' per-channel limits: Slack's about one message a second), and the
        posts of one channel and thread claimed together go out as one message.
        """
        now = self.clock()
        claimed = await asyncio.to_thread(
            self.database.write,
            lambda tx: outbox_store.claim_due(
                tx, self.holder, self.outbounds, now, self.policy.lease, self.policy.batch
            ),
        )
        ready = await self._pace(claimed, now)
        groups = _together(ready, self.policy.coalesce_max, self.policy.coalesce_chars)
        for index, group in enumerate(groups):
            if self._stopping:  # the rest goes back at once, not after its lease
                await self._hand_back([post for rest in groups[index:] for post in rest])
                break
            if not await self._pace(group, self.clock()):  # its channel was posted to just now
                continue
            try:
                posted = await self._deliver(group)
            except asyncio.CancelledError:
                rest = [post for later in groups[index + 1 :] for post in later]
                await asyncio.shield(self._hand_back(rest))
                raise
            if posted:
                self._posted_at[_channel_key(group[0])] = self.clock()
        return len(claimed)

    async def _pace(self, claimed: Sequence[ClaimedPost], now: datetime) -> list[ClaimedPost]:
        """The claimed rows to post now; the others (posts in a channel posted to within
        ``channel_interval``) wait until the channel may take a message again, when the
        worker wakes for them, and those of one thread then go out together."""
        interval = self.policy.channel_interval
        ready: list[ClaimedPost] = []
        later: dict[datetime, list[int]] = {}
        for post in claimed:
            last = self._posted_at.get(_channel_key(post))
            if post.post_kind.posts and last is not None and now < last + interval:
                later.setdefault(last + interval, []).append(post.id)
            else:
                ready.append(post)
        for until, ids in later.items():
            await self._defer(ids, until)
            if self._loop is not None:
                wait = max((until - now).total_seconds(), 0.0)
                self._loop.call_later(wait, self._wake.set)
        return ready

    async def _defer(self, ids: list[int], until: datetime) -> None:
        await self._write(lambda tx: outbox_store.defer(tx, ids, self.holder, until))

    async def _hand_back(self, posts: Sequence[ClaimedPost]) -> None:
        now = self.clock()
        ids = [post.id for post in posts]
        await self._write(lambda tx: outbox_store.hand_back(tx, ids, self.holder, now))

    async def _deliver(self, group: Sequence[ClaimedPost]) -> bool:
        """Carry out one row, or post several rows of one thread as one message; whether a
        message was posted."""
        post = group[0]
        problems_before = self._problems_noted
        idle = _nothing_to_do(post) if len(group) == 1 else None
        if idle is not None:
            await self._settle(group, None, idle)
            return False
        try:
            with speaking(announcement_language(post, self.default_language)):
                delivered = await (self._carry_out(post) if len(group) == 1 else self._post(group))
        except ThreadGone as gone:
            # Deleted, archived, or its parent deleted: the next attempt starts a new thread.
            await self._forget_thread(group, post.thread_id, str(gone))
            return False
        except ChannelGone as gone:
            logger.warning(
                "memo #%s: %s not done, the bot cannot post in channel=%s: %s",
                ", #".join(str(each.memo_number) for each in group),
                post.kind,
                post.channel_external_id,
                gone,
            )
            note = f"the bot cannot post in this channel: {gone}"
            await self._note_problem(post, note, gone.fix)
            await self._settle(group, None, note)
            return False
        except Unverifiable as unsure:
            logger.warning(
                "memo #%s not announced again in channel=%s: an earlier attempt may have "
                "posted it and the bot cannot check (%s)",
                post.memo_number,
                post.channel_external_id,
                unsure,
            )
            await self._settle(group, None, f"not posted again, cannot check: {unsure}")
            return False
        except asyncio.CancelledError:
            await asyncio.shield(self._retry_later(group, "stopped while posting", 0))
            raise
        except Exception as error:
            await self._retry_later(group, str(error) or type(error).__name__, post.attempts)
            return False
        if delivered is None:
            return False
        # Posted where it should go: whatever was refused in the channel before is fixed.
        fixed = post.post_kind.posts and self._problems_noted == problems_before
        await self._settle(group, delivered, None, fixed=fixed)
        return post.post_kind.posts

    async def _post(self, group: Sequence[ClaimedPost]) -> Delivered | None:
        """Several new memos of one channel and thread as one message, in order; each row
        records the one attempt (its key and the message's words), so a retry of any finds
        the message instead of posting it again. None if a claim was lost meanwhile."""
        first = group[0]
        reply = _together_reply(group)
        delivery = Delivery(secrets.token_hex(8), self.clock(), what="memo")
        ids = [post.id for post in group]
        started = await self._write(
            lambda tx: outbox_store.start_attempts(
                tx, ids, self.holder, delivery.key, delivery.started_at, reply.markdown
            )
        )
        if not started:
            return None
        outbound = self.outbounds[first.platform]
        if first.threads and first.thread_id is not None:
            return await self._post_in_thread(first, outbound, reply, delivery, first.thread_id)
        return await outbound.post(
            first.workspace_external_id, first.channel_external_id, reply, delivery
        )

    async def _carry_out(self, post: ClaimedPost) -> Delivered | None:
        """Post, edit or remove the memo's message; None if the claim was lost meanwhile."""
        outbound = self.outbounds[post.platform]
        workspace, channel = post.workspace_external_id, post.channel_external_id
        if post.post_kind.posts:
            if post.threads and post.thread_id is None:
                # Another row of the session, claimed in the same batch, may have started it.
                found = await asyncio.to_thread(self._thread_of, post)
                post = dataclasses.replace(post, thread_id=found)
            attempt = await self._attempt(post)
            if attempt is None:
                return None
            delivery, reply = attempt
            if not post.threads:  # `/memo threads off`: a message of its own
                return await outbound.post(workspace, channel, reply, delivery)
            if post.thread_id is not None:
                return await self._post_in_thread(post, outbound, reply, delivery, post.thread_id)
            return await self._start_thread(post, outbound, delivery, reply)
        assert post.announced_as is not None, "checked by _nothing_to_do"
        message_id = post.announced_as
        shown = await asyncio.to_thread(self._message_memos, post.channel_id, message_id)
        if len(shown) > 1:  # posted together with other memos: the message shows them all
            if all(memo.memo_deleted_at is not None for memo in shown):
                await outbound.remove(workspace, channel, message_id)
            else:
                await outbound.edit(workspace, channel, message_id, _shown_together(shown))
        elif post.post_kind is PostKind.UPDATE:
            await outbound.edit(workspace, channel, message_id, _announcement(post, None))
        else:
            await outbound.remove(workspace, channel, message_id)
        return Delivered(message_id)

    async def _post_in_thread(
        self,
        post: ClaimedPost,
        outbound: Outbound,
        reply: Reply,
        delivery: Delivery,
        thread_id: str,
    ) -> Delivered:
        """Post in the session's thread; where the bot may not post in threads, in the
        channel instead (the memo shows, as when it may not start threads), noting why for
        `/memo threads`. The same attempt's key marks either, so a retry finds it."""
        workspace, channel = post.workspace_external_id, post.channel_external_id
        try:
            return await outbound.post(workspace, channel, reply, delivery, thread_id)
        except ThreadRefused as refused:
            note = f"the bot cannot post in this channel's threads: {refused}"
            logger.warning("memo #%s: %s; posted in the channel", post.memo_number, note)
            await self._note_problem(post, note, refused.fix)
        return await outbound.post(workspace, channel, reply, delivery)

    async def _note_problem(self, post: ClaimedPost, note: str, fix: str | None) -> None:
        """Record for `/memo threads` (and the next confirmation there) what the platform
        refused in the post's channel."""
        self._problems_noted += 1
        now = self.clock()
        await self._write(lambda tx: thread_store.note_problem(tx, post.channel_id, note, fix, now))

    def _thread_of(self, post: ClaimedPost) -> str | None:
        with self.database.reading() as tx:
            return thread_store.thread_of(tx, post.channel_id, post.session_id)

    def _message_memos(self, channel_id: int, message_id: str) -> list[MessageMemo]:
        with self.database.reading() as tx:
            return outbox_store.message_memos(tx, channel_id, message_id)

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
        try:
            started = await outbound.start_thread(
                workspace, channel, message_id, render.thread_name(post.session_title)
            )
        except ChannelGone as refused:
            # The memo is in the channel all the same (a message of its own); the next
            # memo of the session tries again, and `/memo threads` says why it failed.
            note = f"the bot cannot start threads in this channel: {refused}"
            logger.warning("memo #%s: %s", post.memo_number, note)
            await self._note_problem(post, note, refused.fix)
            return delivered
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

    async def _forget_thread(
        self, group: Sequence[ClaimedPost], thread_id: str | None, why: str
    ) -> None:
        post = group[0]
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
            for each in group:
                outbox_store.restart(tx, each.id, self.holder, now)

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
        self,
        group: Sequence[ClaimedPost],
        delivered: Delivered | None,
        note: str | None,
        *,
        fixed: bool = False,
    ) -> None:
        """Record the rows as done; ``fixed``: the channel's delivery problem is gone too."""
        message_id = delivered.message_id if delivered is not None else None
        now = self.clock()
        ids = [post.id for post in group]
        channel_id = group[0].channel_id

        def settle(tx: Connection) -> None:
            for post_id in ids:
                outbox_store.settle(tx, post_id, message_id, now, note)
            if fixed:
                thread_store.clear_problem(tx, channel_id)

        await self._write(settle)

    async def _retry_later(self, group: Sequence[ClaimedPost], problem: str, failures: int) -> None:
        """Let any process try the rows again after a pause that grows with their attempts."""
        delays = self.policy.retry_after
        pause = delays[min(failures, len(delays)) - 1] if failures else timedelta(0)
        logger.warning(
            "announcing memo #%s in channel=%s failed (%s); trying again in %s",
            ", #".join(str(post.memo_number) for post in group),
            group[0].channel_external_id,
            problem,
            pause,
        )
        retry_at = self.clock() + pause
        ids = [post.id for post in group]

        def retry(tx: Connection) -> None:
            for post_id in ids:
                outbox_store.retry_later(tx, post_id, self.holder, problem, retry_at)

        await self._write(retry)

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


def _announced(memo: ClaimedPost | MessageMemo) -> MemoAnnounced:
    """The memo as its announcement shows it."""
    return MemoAnnounced(
        memo.memo_number,
        memo.author_name,
        memo.session_title,
        memo.memo_text,
        edited=memo.memo_edited_at is not None,
    )


def announcement_language(post: ClaimedPost, default: str) -> str:
    """The channel's `/memo language`; for ``auto`` (the whole channel reads it, not one
    person) ``MEMO_DEFAULT_LANGUAGE``, so consecutive announcements never switch language."""
    return resolve(post.language, None, default)


def _announcement(post: ClaimedPost, markdown: str | None) -> Reply:
    """The memo's announcement, as it reads now; ``markdown``: the words an earlier attempt
    posted (a resumed attempt posts and looks for exactly those)."""
    data = _announced(post)
    if post.post_kind.posts and post.threads and post.thread_id is None:
        started = SessionThreadStarted(post.session_title, post.session_day, data)
        return Reply(markdown or render.session_thread_started(started), Visibility.PUBLIC, data)
    return Reply(markdown or render.memo_announced(data), Visibility.PUBLIC, data)


def _channel_key(post: ClaimedPost) -> tuple[str, str, str]:
    return (post.platform, post.workspace_external_id, post.channel_external_id)


def _joins_others(post: ClaimedPost) -> bool:
    """Whether the row may share a message: a new announcement, not a resumed attempt
    (which posts the words it recorded), nor one that starts its session's thread."""
    return (
        post.post_kind.posts
        and post.delivery_key is None
        and post.memo_deleted_at is None
        and (not post.threads or post.thread_id is not None)
    )


def _together(posts: Sequence[ClaimedPost], most: int, chars: int) -> list[list[ClaimedPost]]:
    """The rows in groups to post as one message each: new memos of one channel and thread
    (in their order, up to ``most`` memos and ``chars`` characters); any other row alone."""
    groups: list[list[ClaimedPost]] = []
    open_groups: dict[tuple[str, str, str, str | None], tuple[list[ClaimedPost], int]] = {}
    for post in posts:
        if not _joins_others(post):
            groups.append([post])
            continue
        key = (*_channel_key(post), post.thread_id if post.threads else None)
        size = len(_announcement(post, None).markdown)
        group, length = open_groups.get(key, ([], 0))
        if not group or len(group) >= most or length + size > chars:
            group, length = [], 0
            groups.append(group)
        group.append(post)
        open_groups[key] = (group, length + size)
    return groups


def _together_reply(group: Sequence[ClaimedPost]) -> Reply:
    parts = [_announcement(post, None) for post in group]
    return Reply("\n".join(part.markdown for part in parts), Visibility.PUBLIC, parts[0].data)


def _shown_together(shown: Sequence[MessageMemo]) -> Reply:
    """A message of several memos as it reads now: edits shown, deleted ones said so."""
    lines = []
    first: MemoAnnounced | None = None
    for memo in shown:
        if memo.memo_deleted_at is not None:
            lines.append(_("_memo #%(number)s was deleted._") % {"number": memo.memo_number})
            continue
        data = _announced(memo)
        first = first or data
        lines.append(render.memo_announced(data))
    assert first is not None, "a message of deleted memos only is removed instead"
    return Reply("\n".join(lines), Visibility.PUBLIC, first)
