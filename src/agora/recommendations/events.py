"""Recording behaviour events off the request's path: an in-process buffer and a batch writer.

``record_event`` only appends a tuple to a bounded deque (no lock, no database, no I/O), so a page
view pays about a microsecond for it. A flusher thread, started with the app, drains the buffer
every ``behaviour_flush_seconds`` or as soon as ``BATCH`` events wait, and writes each batch in
one transaction: one query for which of the batch's users consent to personalised
recommendations, then one executemany insert of their events. Events of users without the consent
are dropped there, never stored. Shutting down flushes what is left.

Each process has its own buffer; a process killed before its flush loses at most about a second of
views, a price paid knowingly: behaviour events are hints, not records. Purchases do not go
through the buffer: ``handlers`` writes them in the outbox handler's own transaction.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agora import privacy
from agora.catalog import Product
from agora.core.clock import utcnow
from agora.core.db import Database
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.recommendations.domain import KINDS, SEARCH
from agora.recommendations.models import BehaviourEvent

log = logging.getLogger(__name__)
_events: Table = BehaviourEvent.__table__  # type: ignore[assignment]

CAPACITY = 50_000
"""Events a process holds at most; beyond it the oldest are dropped (and counted)."""
BATCH = 1_000
"""Events that wake the flusher early, and the most one transaction writes."""
QUERY_LENGTH = 200

Pending = tuple[uuid.UUID, str, uuid.UUID | None, str | None, int | None, datetime]
"""(user_id, kind, product_id, query, amount, occurred_at), as recorded."""


@dataclass(slots=True)
class RecorderStats:
    """Counters for benches and logs; request threads bump them without a lock, so under
    concurrency they may undercount a little (a lock would cost every view more than they are
    worth)."""

    recorded: int = 0
    written: int = 0
    without_consent: int = 0
    dropped: int = 0
    """Pushed out of a full buffer, or lost with a batch the database refused."""
    flushes: int = 0


class Recorder:
    """The process's buffer of events and the thread that writes them."""

    def __init__(self, *, capacity: int = CAPACITY, batch: int = BATCH) -> None:
        self.capacity = capacity
        self.batch = batch
        self.stats = RecorderStats()
        self._buffer: deque[Pending] = deque(maxlen=capacity)
        self._db: Database | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._flush_lock = threading.Lock()

    def record(
        self,
        user_id: uuid.UUID,
        kind: str,
        product_id: uuid.UUID | None,
        query: str | None,
        amount: int | None,
    ) -> None:
        buffer = self._buffer
        size = len(buffer)
        if size >= self.capacity:
            self.stats.dropped += 1  # the deque's maxlen pushes out the oldest
        # deque.append is atomic under the GIL: request threads never wait on each other here.
        buffer.append((user_id, kind, product_id, query, amount, utcnow()))
        self.stats.recorded += 1
        if size + 1 == self.batch:
            self._wake.set()

    @property
    def waiting(self) -> int:
        return len(self._buffer)

    def start(self, db: Database, *, interval: float) -> None:
        """Write to ``db`` from now on; with ``interval`` > 0, flush on a thread of its own."""
        self._db = db
        if interval <= 0 or (self._thread is not None and self._thread.is_alive()):
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(interval,), name="agora-behaviour", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and write what is left (the app's shutdown)."""
        thread, self._thread = self._thread, None
        self._stop.set()
        self._wake.set()
        if thread is not None:
            thread.join()
        if self._db is not None:
            try:
                self.flush(self._db)
            except Exception:  # shutting down goes on; what could not be written is counted
                log.exception("behaviour events: the last flush failed")

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            self._wake.wait(interval)
            self._wake.clear()
            db = self._db
            if db is None or self._stop.is_set():
                continue
            try:
                self.flush(db)
            except Exception:  # the thread must outlive a database hiccup; the next tick retries
                log.exception("behaviour events: flush failed")

    def flush(self, db: Database | None = None) -> int:
        """Write every waiting event now, in batches; answers how many rows were written."""
        target = db or self._db
        if target is None:
            raise RuntimeError("no database to write behaviour events to: start the recorder")
        written = 0
        with self._flush_lock:
            while self._buffer:
                taken = self._take()
                if not taken:
                    break
                try:
                    written += self._write(target, taken)
                except Exception:
                    self.stats.dropped += len(taken)
                    raise
                self.stats.flushes += 1
        return written

    def _take(self) -> list[Pending]:
        buffer = self._buffer
        taken: list[Pending] = []
        while buffer and len(taken) < self.batch:
            try:
                taken.append(buffer.popleft())
            except IndexError:  # emptied between the check and the pop (another flusher)
                break
        return taken

    def _write(self, db: Database, taken: list[Pending]) -> int:
        try:
            with UnitOfWork(db) as uow:
                written = store_events(uow.session, taken)
        except IntegrityError:
            # A product (or account) deleted since the event was recorded: write the rest.
            with UnitOfWork(db) as uow:
                written = store_events(uow.session, taken, check_products=True)
        self.stats.written += written
        self.stats.without_consent += len(taken) - written
        return written

    def forget(self, user_id: uuid.UUID) -> int:
        """Drop the waiting events of ``user_id`` (they cleared their history); answers how
        many. Events recorded while this runs are kept: they happened after the clearing."""
        with self._flush_lock:
            kept: list[Pending] = []
            dropped = 0
            for _ in range(len(self._buffer)):
                try:
                    event = self._buffer.popleft()
                except IndexError:
                    break
                if event[0] == user_id:
                    dropped += 1
                else:
                    kept.append(event)
            self._buffer.extend(kept)
        return dropped

    def discard(self) -> int:
        """Forget every waiting event (tests; a process that will not write them)."""
        count = len(self._buffer)
        self._buffer.clear()
        return count


def store_events(
    session: Session, events: Sequence[Pending], *, check_products: bool = False
) -> int:
    """Insert ``events`` of users who consent to personalised recommendations, in the caller's
    transaction: one query for the consents, one executemany insert. Answers the rows written."""
    if not events:
        return 0
    users = {event[0] for event in events}
    allowed = set(consenting(session, users))
    kept = [event for event in events if event[0] in allowed]
    if check_products and kept:
        products = {event[2] for event in kept if event[2] is not None}
        existing = set(
            session.execute(select(Product.id).where(Product.id.in_(products))).scalars()
        )
        kept = [event for event in kept if event[2] is None or event[2] in existing]
    if not kept:
        return 0
    session.execute(
        insert(_events),
        [
            {
                "id": new_id(),
                "user_id": user_id,
                "kind": kind,
                "product_id": product_id,
                "query": query,
                "amount": amount,
                "occurred_at": occurred_at,
            }
            for user_id, kind, product_id, query, amount, occurred_at in kept
        ],
    )
    return len(kept)


def consenting(session: Session, user_ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    """Which of ``user_ids`` have the personalised-recommendations consent on (one query)."""
    wanted = list(set(user_ids))
    if not wanted:
        return []
    consent = privacy.Consent
    return list(
        session.execute(
            select(consent.user_id).where(
                consent.kind == privacy.PERSONALISED_RECOMMENDATIONS,
                consent.granted.is_(True),
                consent.user_id.in_(wanted),
            )
        ).scalars()
    )


RECORDER = Recorder()
"""The process's recorder: started and stopped by the app's lifespan."""


def record_event(
    user_id: uuid.UUID,
    kind: str,
    product_id: uuid.UUID | None = None,
    query: str | None = None,
    amount: int | None = None,
) -> None:
    """Note that ``user_id`` did ``kind`` (one of ``domain.KINDS``); never blocks, never raises
    for the shopper's input. Written later, and only if the shopper consents (see module doc)."""
    if kind not in KINDS:
        raise ValueError(f"unknown behaviour event kind {kind!r}")
    if kind == SEARCH:
        query = (query or "").strip()[:QUERY_LENGTH]
        if not query:
            return
    elif product_id is None:
        return
    RECORDER.record(user_id, kind, product_id, query, amount)


def flush_events(db: Database | None = None) -> int:
    """Write every waiting event now (tests, scripts, benches); answers the rows written."""
    return RECORDER.flush(db)
