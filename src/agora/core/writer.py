"""The writer: one thread per process that applies hot write commands in batches (group commit).

A command is a use case as it is written anywhere else — a function of a ``UnitOfWork`` that opens
its ``with uow:`` blocks — handed over by an ``async def`` endpoint with ``await writer.run(fn)``.
The writer takes whatever commands are waiting (up to ``max_batch``), opens one transaction, gives
each command a *joined* unit of work whose blocks are savepoints (a refused command rolls back
alone), commits once, and only then answers every command of the batch and runs their
after-commit callbacks. Nothing is answered that is not durable, and the request never crosses
into a thread pool: the hand-off into this thread is the request's one hand-off.

Why it pays: on SQLite there is one writer anyway, so queueing commands for one thread replaces
threads contending for the write lock (and the GIL) with a loop that stays hot; on PostgreSQL one
commit, one WAL flush, serves the batch. Each command runs in a copy of its request's context
(the locale, for instance). On PostgreSQL, several processes' batches lock rows in whatever order
their commands come; a command that loses a deadlock (or a serialization failure) is rolled back
to its savepoint and run again in a later batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from agora.core.db import Database
from agora.core.prepared import STATEMENTS
from agora.core.uow import UnitOfWork

log = logging.getLogger(__name__)

T = TypeVar("T")

# SQLSTATEs after which a command is simply run again: deadlock_detected, serialization_failure,
# lock_not_available (a batch's lock_timeout, below).
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001", "55P03"})
# On PostgreSQL, how long a command of a batch waits for a row another process's batch holds.
# Batches of several processes take their rows in the order their commands come, so two can wait
# for each other; PostgreSQL finds that after deadlock_timeout (1 s by default) while both batches
# stand still. A batch's command instead gives up after this, is rolled back to its savepoint and
# runs again alone — where it waits as long as it must.
_BATCH_LOCK_TIMEOUT = text("SET LOCAL lock_timeout = '50ms'")
_MAX_ATTEMPTS = 5


@dataclass(slots=True)
class _Command:
    fn: Callable[[UnitOfWork], Any]
    context: contextvars.Context
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop
    attempts: int = 0
    value: Any = None
    error: BaseException | None = None
    uow: UnitOfWork | None = field(default=None)


@dataclass
class WriterStats:
    batches: int = 0
    commands: int = 0
    retried: int = 0
    largest_batch: int = 0
    statements: int = 0
    """Sent by the writer thread, BEGIN/COMMIT and savepoints included (core.prepared)."""


class Writer:
    """Queue commands from the event loop; one thread applies them, a batch per transaction."""

    def __init__(
        self,
        db: Database,
        *,
        make_uow: Callable[[Session], UnitOfWork] | None = None,
        max_batch: int = 64,
    ) -> None:
        self.db = db
        self.max_batch = max_batch
        self._make_uow = make_uow or (lambda session: UnitOfWork.joined(db, session))
        self._queue: queue.SimpleQueue[_Command | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.stats = WriterStats()
        # The writer thread's own connection, held from batch to batch (core.db.write_session).
        self._connection: Connection | None = None

    async def run(self, fn: Callable[[UnitOfWork], T]) -> T:
        """Apply ``fn`` in the writer's next batch; its value (or its error) once committed."""
        self._ensure_started()
        loop = asyncio.get_running_loop()
        command = _Command(fn, contextvars.copy_context(), loop.create_future(), loop)
        self._queue.put(command)
        result: T = await command.future
        return result

    def _ensure_started(self) -> None:
        if self._thread is not None:
            return
        with self._start_lock:
            if self._thread is None:
                thread = threading.Thread(target=self._serve, name="agora-writer", daemon=True)
                thread.start()
                self._thread = thread

    def stop(self, timeout: float = 10.0) -> None:
        """Finish what is queued, then end the thread."""
        thread = self._thread
        if thread is None:
            return
        self._queue.put(None)
        thread.join(timeout)
        self._thread = None

    # --- the writer thread ----------------------------------------------------------------------

    def _serve(self) -> None:
        try:
            self._serve_batches()
        finally:
            self._drop_connection()

    def _serve_batches(self) -> None:
        retry: list[_Command] = []
        while True:
            if retry:
                batch, retry = retry[:1], retry[1:]  # run alone: it lost to another process
            else:
                first = self._queue.get()
                if first is None:
                    return
                batch = [first]
                stopping = False
                while len(batch) < self.max_batch:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stopping = True
                        break
                    batch.append(more)
                if stopping:
                    self._queue.put(None)
            retry.extend(self._apply(batch))

    def _apply(self, batch: list[_Command]) -> list[_Command]:
        """Run ``batch`` in one transaction; answer it; return the commands to run again."""
        self.stats.largest_batch = max(self.stats.largest_batch, len(batch))
        sent_before = STATEMENTS.count
        try:
            if self._connection is None:
                self._connection = self.db.engine.connect()
            with self.db.write_session(self._connection) as session:
                session.connection()  # BEGIN (IMMEDIATE on SQLite) here, in the writer's context
                if len(batch) > 1 and not self.db.is_sqlite:
                    session.execute(_BATCH_LOCK_TIMEOUT)
                for command in batch:
                    self._run_one(session, command)
                    if not session.is_active:
                        # A failed ORM flush lost the transaction itself, not just a savepoint.
                        raise _BatchBroken(command.error)
                session.commit()
        except Exception as exc:
            # The commit itself failed (or the connection did): none of the batch holds, and the
            # next batch starts on a new connection.
            self._drop_connection()
            if len(batch) > 1:
                log.warning("writer batch of %d failed (%s); applying one by one", len(batch), exc)
                return [again for command in batch for again in self._apply([_fresh(command)])]
            if batch[0].error is None:  # alone, a command that failed keeps its own error
                batch[0].error = exc
            batch[0].uow = None
        again = [c for c in batch if _retryable(c)]
        for command in again:
            command.attempts += 1
            self.stats.retried += 1
        done = [c for c in batch if c not in again]
        # Counted before the answers go out: whoever reads the figures once answered sees them.
        self.stats.batches += 1
        self.stats.commands += len(done)
        self.stats.statements += STATEMENTS.count - sent_before
        self._answer(done)
        return [_fresh(c) for c in again]

    def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):  # a broken connection may fail to close, too
                connection.close()

    def _run_one(self, session: Session, command: _Command) -> None:
        uow = self._make_uow(session)
        command.uow = uow
        try:
            command.value = command.context.run(command.fn, uow)
        except BaseException as exc:  # the command's own answer; its blocks rolled back
            command.error = exc

    def _answer(self, commands: list[_Command]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[_Command]] = defaultdict(list)
        for command in commands:
            if command.uow is not None:
                try:
                    command.uow.finish_joined()
                except Exception:  # a failed callback must not lose the answer
                    log.exception("after-commit callback of a writer command failed")
            by_loop[command.loop].append(command)
        for loop, settled in by_loop.items():
            # One wake-up of the loop per batch, not one per command.
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
                loop.call_soon_threadsafe(_settle, settled)


class _BatchBroken(Exception):
    """A command left the batch's transaction unusable; every command runs again alone."""


def _settle(commands: list[_Command]) -> None:
    for command in commands:
        future = command.future
        if future.done():  # the request was cancelled (its client went away)
            continue
        if command.error is not None:
            future.set_exception(command.error)
        else:
            future.set_result(command.value)


def _fresh(command: _Command) -> _Command:
    command.value, command.error, command.uow = None, None, None
    return command


def _retryable(command: _Command) -> bool:
    error = command.error
    if not isinstance(error, DBAPIError) or command.attempts >= _MAX_ATTEMPTS:
        return False
    sqlstate = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return sqlstate in _RETRYABLE_SQLSTATES
