"""Domain events: handlers registered per event type, and the outbox relay that delivers them.

Delivery is at least once. Each handler runs in its own transaction together with a
``handled_events`` row, so a redelivered event changes nothing the second time.
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

from sqlalchemy import select, update

from agora.core.clock import utcnow
from agora.core.db import Database
from agora.core.models import HandledEvent, OutboxEvent
from agora.core.uow import UnitOfWork

log = logging.getLogger(__name__)


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
            query = (
                select(OutboxEvent)
                .where(OutboxEvent.published_at.is_(None), OutboxEvent.available_at <= now)
                .order_by(OutboxEvent.created_at, OutboxEvent.id)
                .limit(limit)
            )
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            rows = list(uow.session.scalars(query))
            for row in rows:
                row.available_at = now + self.lease
                row.attempts += 1
            return [
                Event(r.id, r.event_type, dict(r.payload), tuple(r.topics), r.created_at)
                for r in rows
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
            row = uow.session.get(OutboxEvent, event.id)
            if row is not None:
                backoff = timedelta(seconds=min(300, 2 ** min(row.attempts, 8)))
                row.available_at = utcnow() + backoff
                row.last_error = error[:2000]

    def process_batch(self, limit: int = 100) -> list[Event]:
        """Sync part of one relay pass: the events whose handlers all succeeded."""
        return [event for event in self.claim(limit) if self.handle(event)]

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
                delivered = await self.run_once()
            except Exception:
                log.exception("outbox relay pass failed")
                delivered = 0
            if delivered:
                continue
            self.wakeup.clear()
            waiters = [
                asyncio.ensure_future(self.wakeup.wait()),
                asyncio.ensure_future(stop.wait()),
            ]
            await asyncio.wait(waiters, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
