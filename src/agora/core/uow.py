"""The unit of work: one transaction per use case, committed once, with its events in the outbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from types import TracebackType
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from agora.core.clock import utcnow
from agora.core.db import Database
from agora.core.ids import new_id
from agora.core.models import OutboxEvent

_OUTBOX_INSERT = insert(OutboxEvent)


class UnitOfWork:
    """``with uow:`` opens a write transaction; leaving the block commits (or rolls back on error).

    Re-entrant: a use case that calls another shares its transaction, and only the outermost block
    commits. Callbacks registered with :meth:`after_commit` run once the commit succeeded.
    """

    def __init__(
        self,
        db: Database,
        *,
        on_events: Callable[[], None] | None = None,
        publisher: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> None:
        self.db = db
        self._publisher = publisher
        self._depth = 0
        self._stack: ExitStack | None = None
        self._session: Session | None = None
        self._after_commit: list[Callable[[], None]] = []
        self._on_events = on_events
        self._emitted = False
        self._snapshot: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open; use `with uow:`")
        return self._session

    def __enter__(self) -> UnitOfWork:
        if self._depth == 0:
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

    def after_commit(self, callback: Callable[[], None]) -> None:
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
        # A Core insert: hot paths emit on every order, and the ORM's flush costs more than it.
        self.session.execute(
            _OUTBOX_INSERT,
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
