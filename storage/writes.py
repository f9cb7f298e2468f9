"""Group commit for SQLite: one writer thread, many commands per transaction, one fsync.

With ``synchronous=FULL`` every commit waits for the disk (about 0.5 ms on the
dev machine, with the memo's index pages), and SQLite lets one writer in at a
time, so commits were the ceiling on concurrent `/memo add`s. The writer takes
whatever commands queued up while the previous batch was committing, runs each
inside its own SAVEPOINT (a command that is refused or fails undoes only its
own changes), commits once, and only then answers: nothing is acknowledged
before it is on disk.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, RootTransaction

from storage.driver_sql import driver_execute

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Commands per transaction at most; a batch is whatever queued up, up to this.
MAX_BATCH = 64


class Discard(Exception, Generic[T]):
    """Raised by a write unit to undo everything it changed and still answer ``value``."""

    def __init__(self, value: T) -> None:
        super().__init__("discarded")
        self.value = value


@dataclass
class _Job:
    unit: Callable[[Connection], Any]
    future: Future[Any] = field(default_factory=Future)


class BatchWriter:
    """The writer thread. ``connect`` opens a connection whose transactions take the write lock.

    The thread keeps its connection between batches (checking one out of the pool
    and resetting it cost about 45 us a batch, a tenth of a lone `/memo add`'s CPU)
    and opens a new one only after a batch failed, when its state is in doubt.
    """

    def __init__(
        self,
        connect: Callable[[], Connection],
        writer_turn: AbstractContextManager[object],
    ) -> None:
        self._connect = connect
        self._writer_turn = writer_turn
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._accepting = threading.Lock()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="sqlite-writer", daemon=True)
        self._thread.start()

    def submit(self, unit: Callable[[Connection], T]) -> Future[T]:
        """Queue ``unit`` for the next batch; the future resolves once its batch is committed.

        After ``stop`` the future fails at once: nobody would ever resolve it, and a caller
        waiting on it (a service finishing its work on shutdown) would wait forever.
        """
        job = _Job(unit)
        with self._accepting:
            if self._stopped:
                job.future.set_exception(RuntimeError("the database is closed"))
            else:
                self._jobs.put(job)
        return job.future

    def stop(self) -> None:
        with self._accepting:
            self._stopped = True
            self._jobs.put(None)
        self._thread.join()

    def _run(self) -> None:
        connection: Connection | None = None
        try:
            for batch in self._batches():
                if connection is None:
                    try:
                        connection = self._connect()
                    except Exception as error:
                        # The file may be gone for a while (moved away, its volume not
                        # mounted): fail this batch and connect again for the next one.
                        # Letting the error end the thread left every later write waiting
                        # forever, and `memo-bot run` unable to stop.
                        logger.error("cannot open the database for writing: %s", error)
                        _fail_all(batch, error)
                        continue
                if not self._commit(connection, batch):
                    # A failed COMMIT can leave SQLite inside the transaction, where the
                    # pool's rollback does not reach: discard the connection itself.
                    connection.invalidate()
                    connection.close()
                    connection = None
        finally:
            if connection is not None:
                connection.close()

    def _batches(self) -> Iterator[list[_Job]]:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    yield batch
                    return
                batch.append(job)
            yield batch

    def _commit(self, connection: Connection, batch: list[_Job]) -> bool:
        """Run and commit one batch; False when it could not be committed."""
        # A lone command needs no savepoint: undoing it is undoing the transaction.
        # (SQLAlchemy's begin_nested() compiles a new SAVEPOINT statement every time;
        # plain SQL is a third of the writer's time cheaper per command.)
        isolated = len(batch) > 1
        kept: list[tuple[_Job, Any]] = []
        try:
            with self._writer_turn:
                transaction = connection.begin()
                for job in batch:
                    if isolated:
                        driver_execute(connection, "SAVEPOINT batch_job")
                    try:
                        value = job.unit(connection)
                    except Discard as discarded:
                        _undo(connection, transaction, isolated)
                        job.future.set_result(discarded.value)  # it changed nothing
                    except Exception as error:
                        _undo(connection, transaction, isolated)
                        job.future.set_exception(error)
                    else:
                        if isolated:
                            driver_execute(connection, "RELEASE SAVEPOINT batch_job")
                        kept.append((job, value))
                if transaction.is_active:
                    transaction.commit()
        except Exception as error:
            logger.exception("a batch of %d writes could not be committed", len(batch))
            _fail_all(batch, error)  # none of them is stored, the kept ones neither
            return False
        for job, value in kept:
            job.future.set_result(value)
        return True


def _fail_all(batch: list[_Job], error: Exception) -> None:
    """Answer every job of ``batch`` not answered yet with ``error``."""
    for job in batch:
        if not job.future.done():
            job.future.set_exception(error)


def _undo(connection: Connection, transaction: RootTransaction, isolated: bool) -> None:
    """Undo one command: back to its savepoint, or the whole transaction when it ran alone."""
    if isolated:
        driver_execute(connection, "ROLLBACK TO SAVEPOINT batch_job")
        driver_execute(connection, "RELEASE SAVEPOINT batch_job")
    else:
        transaction.rollback()
