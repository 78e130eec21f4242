"""Domain events: handlers registered per event type, and the outbox relay that delivers them.

Delivery is at least once. Each handler runs in its own savepoint together with a
``handled_events`` row, so a redelivered event changes nothing the second time. The handlers of a
claimed batch share one transaction: on SQLite every write transaction queues for the one write
lock the writer's checkouts also need, and one commit per handler cost the relay most of its time.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from agora.core.clock import utcnow
from agora.core.db import Database
from agora.core.models import HandledEvent, OutboxEvent
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork

log = logging.getLogger(__name__)

_outbox: Table = OutboxEvent.__table__  # type: ignore[assignment]
_HANDLED_INSERT = Prepared.insert(
    HandledEvent.__table__,  # type: ignore[arg-type]
    ["event_id", "handler", "handled_at"],
)


@dataclass(frozen=True, slots=True)
class Event:
    id: uuid.UUID
    event_type: str
    payload: dict[str, Any]
    topics: tuple[str, ...]
    created_at: datetime

    def message(self) -> dict[str, Any]:
        """The form pushed to real-time subscribers."""
        return {"type": self.event_type, "id": str(self.id), **self.payload}


Handler = Callable[[UnitOfWork, Event], None]


class HandlerRegistry:
    def __init__(self) -> None:
        self._handlers: dict[str, list[tuple[str, Handler]]] = defaultdict(list)

    def on(self, event_type: str) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            name = f"{fn.__module__}.{fn.__qualname__}"
            if all(existing != name for existing, _ in self._handlers[event_type]):
                self._handlers[event_type].append((name, fn))
            return fn

        return register

    def for_type(self, event_type: str) -> list[tuple[str, Handler]]:
        return list(self._handlers.get(event_type, ()))


handlers = HandlerRegistry()

Publish = Callable[[str, dict[str, Any]], Awaitable[None]]


class OutboxRelay:
    """Claims pending outbox rows, runs their handlers, publishes them, marks them done."""

    lease = timedelta(seconds=30)
    chunk = 32
    """Events whose handlers share one transaction, at most: on SQLite it holds the write lock
    that the writer's batches wait for."""
    limit = 100
    """Events claimed by one pass."""
    gather = 0.05
    """Seconds between passes while events keep coming."""

    def __init__(
        self, db: Database, *, publish: Publish | None = None, registry: HandlerRegistry = handlers
    ) -> None:
        self.db = db
        self.publish = publish
        self.registry = registry
        self.wakeup = asyncio.Event()

    def claim(self, limit: int = 100) -> list[Event]:
        now = utcnow()
        with UnitOfWork(self.db) as uow:
            # Core, not ORM objects: a server's relay claims after every commit that emitted.
            query = (
                select(
                    _outbox.c.id,
                    _outbox.c.event_type,
                    _outbox.c.payload,
                    _outbox.c.topics,
                    _outbox.c.created_at,
                )
                .where(_outbox.c.published_at.is_(None), _outbox.c.available_at <= now)
                .order_by(_outbox.c.created_at, _outbox.c.id)
                .limit(limit)
            )
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            rows = uow.session.execute(query).all()
            if rows:
                uow.session.execute(
                    update(_outbox)
                    .where(_outbox.c.id.in_([row.id for row in rows]))
                    .values(available_at=now + self.lease, attempts=_outbox.c.attempts + 1)
                )
            return [
                Event(row.id, row.event_type, dict(row.payload), tuple(row.topics), row.created_at)
                for row in rows
            ]

    def handle(self, event: Event) -> bool:
        """Run every handler of the event once; ``False`` if one failed (the event is retried)."""
        for name, fn in self.registry.for_type(event.event_type):
            try:
                with UnitOfWork(self.db) as uow:
                    if uow.session.get(HandledEvent, (event.id, name)) is not None:
                        continue
                    fn(uow, event)
                    uow.session.add(
                        HandledEvent(event_id=event.id, handler=name, handled_at=utcnow())
                    )
            except Exception as exc:
                log.exception("handler %s failed on event %s", name, event.id)
                self._postpone(event, f"{name}: {exc!r}")
                return False
        return True

    def mark_published(self, ids: list[uuid.UUID]) -> None:
        if not ids:
            return
        with UnitOfWork(self.db) as uow:
            uow.session.execute(
                update(OutboxEvent).where(OutboxEvent.id.in_(ids)).values(published_at=utcnow())
            )

    def _postpone(self, event: Event, error: str) -> None:
        with UnitOfWork(self.db) as uow:
            _postpone_in(uow.session, event.id, error)

    def process_batch(self, limit: int = 100) -> list[Event]:
        """Sync part of one relay pass: the events whose handlers all succeeded."""
        events = self.claim(limit)
        delivered: list[Event] = []
        for start in range(0, len(events), self.chunk):
            delivered.extend(self._handle_together(events[start : start + self.chunk]))
        return delivered

    def _handle_together(self, events: list[Event]) -> list[Event]:
        """Run the handlers of ``events`` in one transaction, each (event, handler) in its own
        savepoint; the events whose handlers all succeeded. Should the transaction itself be
        lost, each event is handled again on its own, so one bad event cannot hold back the rest.
        """
        todo = [(event, self.registry.for_type(event.event_type)) for event in events]
        with_handlers = [event.id for event, named in todo if named]
        if not with_handlers:
            return events  # nothing to run: no transaction, no wait for the write lock
        joined: list[UnitOfWork] = []
        try:
            with self.db.write_session() as session:
                done = {
                    (event_id, handler)
                    for event_id, handler in session.execute(
                        select(HandledEvent.event_id, HandledEvent.handler).where(
                            HandledEvent.event_id.in_(with_handlers)
                        )
                    )
                }
                delivered = [
                    event
                    for event, named in todo
                    if self._run_handlers(session, event, named, done, joined)
                ]
                session.commit()
        except Exception as exc:
            log.warning(
                "outbox batch of %d events failed (%s); handling each alone", len(events), exc
            )
            return [event for event in events if self.handle(event)]
        for uow in joined:
            try:
                uow.finish_joined()
            except Exception:  # the handler's work is committed; its event is still delivered
                log.exception("after-commit callback of an event handler failed")
        return delivered

    def _run_handlers(
        self,
        session: Session,
        event: Event,
        named: list[tuple[str, Handler]],
        done: set[tuple[uuid.UUID, str]],
        joined: list[UnitOfWork],
    ) -> bool:
        """Run the handlers of ``event`` not in ``done``, each in a savepoint of ``session``
        with its handled-events row. ``False`` if one failed: its savepoint is rolled back, the
        event postponed, and the handlers after it wait for the redelivery.

        Raises _BatchBroken if a handler left the transaction itself unusable (a failed flush).
        """
        for name, fn in named:
            if (event.id, name) in done:
                continue
            uow = UnitOfWork.joined(self.db, session)
            joined.append(uow)
            try:
                with uow:
                    fn(uow, event)
                    _HANDLED_INSERT.execute(
                        session, {"event_id": event.id, "handler": name, "handled_at": utcnow()}
                    )
            except Exception as exc:
                if not session.is_active:
                    raise _BatchBroken(f"{name} on event {event.id}: {exc!r}") from exc
                log.exception("handler %s failed on event %s", name, event.id)
                _postpone_in(session, event.id, f"{name}: {exc!r}")
                return False
            if not session.is_active:  # the handler caught the failed flush and carried on
                raise _BatchBroken(f"{name} on event {event.id} lost the transaction")
        return True

    async def run_once(self, limit: int = 100) -> int:
        import anyio.to_thread

        events = await anyio.to_thread.run_sync(self.process_batch, limit)
        if self.publish is not None:
            for event in events:
                message = event.message()
                for topic in event.topics:
                    await self.publish(topic, message)
        await anyio.to_thread.run_sync(self.mark_published, [e.id for e in events])
        return len(events)

    def run_sync_until_idle(self, max_passes: int = 100) -> int:
        """Deliver everything pending without a hub (tests, CLI). Returns the number delivered."""
        total = 0
        for _ in range(max_passes):
            events = self.process_batch()
            self.mark_published([e.id for e in events])
            total += len(events)
            if not events:
                break
        return total

    async def run_forever(self, stop: asyncio.Event, interval: float) -> None:
        while not stop.is_set():
            try:
                delivered = await self.run_once(self.limit)
            except Exception:
                log.exception("outbox relay pass failed")
                delivered = 0
            if delivered >= self.limit:
                continue  # a backlog: the next pass at once
            if delivered:
                # Busy: let the next events gather. A pass per commit under load cost more than
                # the handlers it ran; a pause of a few tens of milliseconds delays no one.
                await _wait(stop, self.gather)
                continue
            self.wakeup.clear()
            await _wait(stop, interval, self.wakeup)


async def _wait(stop: asyncio.Event, timeout: float, wakeup: asyncio.Event | None = None) -> None:
    """Until ``stop`` (or ``wakeup``) is set, ``timeout`` seconds at most."""
    waiters = [asyncio.ensure_future(stop.wait())]
    if wakeup is not None:
        waiters.append(asyncio.ensure_future(wakeup.wait()))
    await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()


class _BatchBroken(Exception):
    """A handler left the batch's transaction unusable; each event of it is handled alone."""


def _postpone_in(session: Session, event_id: uuid.UUID, error: str) -> None:
    """Put the event off in ``session``'s transaction, longer after each attempt (up to 5
    minutes), with the error that stopped it."""
    attempts = session.scalar(select(OutboxEvent.attempts).where(OutboxEvent.id == event_id))
    if attempts is None:
        return
    backoff = timedelta(seconds=min(300, 2 ** min(attempts, 8)))
    session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id == event_id)
        .values(available_at=utcnow() + backoff, last_error=error[:2000])
    )
