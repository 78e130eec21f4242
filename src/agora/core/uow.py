"""The unit of work: one transaction per use case, committed once, with its events in the outbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from types import TracebackType
from typing import Any

from sqlalchemy.orm import Session

from agora.core.clock import utcnow
from agora.core.db import Database
from agora.core.gates import OPENED_TOPIC, PROCESS_GATES, Gates
from agora.core.ids import new_id
from agora.core.models import OutboxEvent
from agora.core.prepared import Prepared, Savepoint

_OUTBOX_INSERT = Prepared.insert(
    OutboxEvent.__table__,  # type: ignore[arg-type]
    ["id", "event_type", "topics", "payload", "created_at", "available_at", "attempts"],
)


class UnitOfWork:
    """``with uow:`` opens a write transaction; leaving the block commits (or rolls back on error).

    Re-entrant: a use case that calls another shares its transaction, and only the outermost block
    commits. Callbacks registered with :meth:`after_commit` run once the commit succeeded.

    A *joined* unit of work (:meth:`joined`, used by ``core.writer``) runs inside a transaction
    someone else owns and commits: its outermost block is a savepoint instead, released on success
    and rolled back on error, so a use case behaves exactly as in its own transaction, except that
    its after-commit callbacks wait for the owner's commit (:meth:`finish_joined`). The savepoint
    begins when the block first asks for :attr:`session`; reads through :meth:`read` do not ask,
    so a use case that reads, then refuses, sends nothing to undo.
    """

    def __init__(
        self,
        db: Database,
        *,
        on_events: Callable[[], None] | None = None,
        publisher: Callable[[str, dict[str, Any]], None] | None = None,
        gates: Gates | None = None,
    ) -> None:
        self.db = db
        self.gates = gates if gates is not None else PROCESS_GATES
        self._publisher = publisher
        self._depth = 0
        self._stack: ExitStack | None = None
        self._session: Session | None = None
        self._after_commit: list[Callable[[], None]] = []
        self._on_events = on_events
        self._emitted = False
        self._snapshot: Session | None = None
        self._joined = False
        self._savepoint: Savepoint | None = None
        self._savepoint_due = False
        self._released: list[Callable[[], None]] = []
        self._released_events = False

    @classmethod
    def joined(
        cls,
        db: Database,
        session: Session,
        *,
        on_events: Callable[[], None] | None = None,
        publisher: Callable[[str, dict[str, Any]], None] | None = None,
        gates: Gates | None = None,
    ) -> UnitOfWork:
        """A unit of work inside ``session``'s open transaction, which the caller commits."""
        uow = cls(db, on_events=on_events, publisher=publisher, gates=gates)
        uow._session = session
        uow._depth = 1
        uow._joined = True
        return uow

    def finish_joined(self) -> None:
        """Run what the released blocks deferred; call once the owner's commit succeeded."""
        callbacks, self._released = self._released, []
        if self._released_events and self._on_events is not None:
            self._on_events()
        self._released_events = False
        for callback in callbacks:
            callback()

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open; use `with uow:`")
        if self._savepoint_due:
            # A joined block's savepoint begins when the block first asks for its session (every
            # write does): a use case that refuses after reads alone (``read()``) costs no
            # SAVEPOINT, ROLLBACK TO and RELEASE.
            self._savepoint_due = False
            self._savepoint = Savepoint(self._session)
        return self._session

    def __enter__(self) -> UnitOfWork:
        if self._joined and self._depth == 1:
            self._savepoint_due = True
            self._after_commit = []
            self._emitted = False
        elif self._depth == 0:
            self._stack = ExitStack()
            self._session = self._stack.enter_context(self.db.write_session())
            self._after_commit = []
            self._emitted = False
        self._depth += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._joined and self._depth == 1:
            self._leave_savepoint(committed=exc_type is None)
            return
        if self._depth > 0:
            return
        assert self._stack is not None and self._session is not None
        callbacks = self._after_commit
        committed = False
        try:
            if exc_type is None:
                self._session.commit()
                committed = True
            else:
                self._session.rollback()
        finally:
            self._stack.close()
            self._stack = None
            self._session = None
            self._after_commit = []
        if committed:
            if self._emitted and self._on_events is not None:
                self._on_events()
            for callback in callbacks:
                callback()

    def _leave_savepoint(self, *, committed: bool) -> None:
        savepoint, self._savepoint = self._savepoint, None
        self._savepoint_due = False
        callbacks, self._after_commit = self._after_commit, []
        if not committed:
            if savepoint is not None:  # None: the block only read, so there is nothing to undo
                savepoint.rollback()
            return
        if savepoint is not None:
            savepoint.release()
        self._released.extend(callbacks)
        self._released_events = self._released_events or self._emitted

    def after_commit(self, callback: Callable[[], None]) -> None:
        if self._joined and self._depth == 1:  # outside any block: waits for the owner's commit
            self._released.append(callback)
        else:
            self._after_commit.append(callback)

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        """Push ``event`` to real-time subscribers of ``topic`` once this transaction commits.

        Straight to the hub, not through the outbox: for what the database already holds in
        order (chat messages with their sequence numbers) a push lost in a crash costs nothing,
        because clients catch up by sequence; the outbox would add two writes per message.
        Without a publisher (a script, a test's bare unit of work) nothing is pushed.
        """
        publisher = self._publisher
        if publisher is not None:
            self.after_commit(lambda: publisher(topic, event))

    def open_gates(self, name: str, keys: list[str]) -> None:
        """Units of ``keys`` came back (see ``core.gates``): once this transaction commits, open
        their gates here at once and in every other process through the hub."""
        if not keys:
            return
        gate = self.gates[name]

        def reopen() -> None:
            for key in keys:
                gate.open(key)

        self.after_commit(reopen)
        self.publish(OPENED_TOPIC, {"gate": name, "keys": keys})

    def emit(
        self,
        event_type: str,
        payload: dict[str, Any],
        *,
        topics: list[str] | None = None,
        delay: timedelta | None = None,
    ) -> None:
        """Record a domain event in this transaction; the relay delivers it after commit."""
        now = utcnow()
        # A prepared insert: hot paths emit on every order (see core.prepared).
        _OUTBOX_INSERT.execute(
            self.session,
            {
                "id": new_id(),
                "event_type": event_type,
                "topics": topics or [],
                "payload": payload,
                "created_at": now,
                "available_at": now + delay if delay else now,
                "attempts": 0,
            },
        )
        self._emitted = True
        if self._joined and self._depth == 1:
            self._released_events = True

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session outside any write transaction (concurrent with writers under WAL)."""
        if self._session is not None:
            yield self._session
            return
        if self._snapshot is not None:
            yield self._snapshot
            return
        with self.db.read_session() as session:
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every ``read()`` inside shares one read transaction, so a page that shows several
        figures (a balance and the payment that changed it) shows them as of one moment.

        SQLite's WAL gives a transaction one snapshot; PostgreSQL needs REPEATABLE READ for it.
        """
        if self._session is not None or self._snapshot is not None:
            yield
            return
        with self.db.read_session() as session:
            if not self.db.is_sqlite:
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            self._snapshot = session
            try:
                yield
            finally:
                self._snapshot = None
