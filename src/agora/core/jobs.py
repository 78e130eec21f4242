"""The scheduler: periodic jobs elected by lease rows, and deadlines swept when due.

Both are safe with several workers: a periodic job runs only where the guarded lease update
succeeded, and a due deadline is claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (on SQLite
the process-wide write lock already serializes). A deadline fires in the same transaction that
marks it fired, so it fires exactly once however many workers sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError

from agora.core.clock import utcnow
from agora.core.db import Database, dialect_insert
from agora.core.ids import new_id
from agora.core.models import Deadline, JobLease
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork

log = logging.getLogger(__name__)
_deadlines: Table = Deadline.__table__  # type: ignore[assignment]

PeriodicJob = Callable[[UnitOfWork], None]
DeadlineHandler = Callable[[UnitOfWork, uuid.UUID], None]


@dataclass(frozen=True, slots=True)
class Periodic:
    name: str
    interval: timedelta
    fn: PeriodicJob


class JobRegistry:
    def __init__(self) -> None:
        self.periodic: dict[str, Periodic] = {}
        self.deadline_handlers: dict[str, DeadlineHandler] = {}

    def every(self, name: str, interval: timedelta) -> Callable[[PeriodicJob], PeriodicJob]:
        def register(fn: PeriodicJob) -> PeriodicJob:
            self.periodic[name] = Periodic(name, interval, fn)
            return fn

        return register

    def on_deadline(self, kind: str) -> Callable[[DeadlineHandler], DeadlineHandler]:
        def register(fn: DeadlineHandler) -> DeadlineHandler:
            self.deadline_handlers[kind] = fn
            return fn

        return register


registry = JobRegistry()


def schedule_deadline(uow: UnitOfWork, *, kind: str, ref_id: uuid.UUID, due_at: datetime) -> None:
    """Set (or move) the deadline of ``kind`` for ``ref_id``, inside the caller's transaction.

    One statement either way (an upsert on the ``(kind, ref_id)`` key): placing an order sets one.
    """
    _SCHEDULE.execute(
        uow.session, {"id": new_id(), "kind": kind, "ref_id": ref_id, "due_at": due_at}
    )


def cancel_deadline(uow: UnitOfWork, *, kind: str, ref_id: uuid.UUID) -> None:
    _CANCEL.execute(uow.session, {"kind": kind, "ref_id": ref_id, "now": utcnow()})


# Prepared (core.prepared): every order sets one deadline and its payment cancels it.
_SCHEDULE = Prepared(
    lambda dialect: (
        dialect_insert(dialect, _deadlines)
        .values(
            id=bindparam("id"),
            kind=bindparam("kind"),
            ref_id=bindparam("ref_id"),
            due_at=bindparam("due_at"),
            attempts=0,
        )
        .on_conflict_do_update(
            index_elements=["kind", "ref_id"],
            set_={"due_at": bindparam("due_at"), "fired_at": None, "last_error": None},
        )
    )
)
_CANCEL = Prepared(
    update(_deadlines)
    .where(
        _deadlines.c.kind == bindparam("kind"),
        _deadlines.c.ref_id == bindparam("ref_id"),
        _deadlines.c.fired_at.is_(None),
    )
    .values(fired_at=bindparam("now"), last_error="cancelled")
)


_ANY_DUE = Prepared(
    select(_deadlines.c.id)
    .where(_deadlines.c.fired_at.is_(None), _deadlines.c.due_at <= bindparam("now"))
    .limit(1)
)


class Scheduler:
    def __init__(self, db: Database, *, owner: str, jobs: JobRegistry = registry) -> None:
        self.db = db
        self.owner = owner
        self.jobs = jobs
        # When each periodic job's lease is next worth asking for: the end of the lease this
        # worker won or saw another hold. A tick asks only for those, and looks for due deadlines
        # with one read before it takes the write lock: a tick of a quiet server then costs one
        # statement instead of a write transaction per job, which held the GIL and SQLite's write
        # lock often enough to show in the tail of every request (docs/performance.md).
        self._not_before: dict[str, datetime] = {}

    def run_due(self) -> int:
        """One tick: run periodic jobs whose lease this worker wins, then sweep due deadlines."""
        ran = 0
        now = utcnow()
        for job in list(self.jobs.periodic.values()):
            not_before = self._not_before.get(job.name)
            if not_before is not None and now < not_before:
                continue
            if self._acquire(job):
                try:
                    with UnitOfWork(self.db) as uow:
                        job.fn(uow)
                    ran += 1
                except Exception:
                    log.exception("periodic job %s failed", job.name)
        return ran + self.sweep_deadlines()

    def _acquire(self, job: Periodic) -> bool:
        now = utcnow()
        with UnitOfWork(self.db) as uow:
            lease = uow.session.get(JobLease, job.name)
            held_until = lease.leased_until if lease is not None else None
            if lease is None:
                try:
                    with uow.session.begin_nested():
                        uow.session.add(JobLease(name=job.name))
                except IntegrityError:
                    pass
            won = uow.session.execute(
                update(JobLease)
                .where(
                    JobLease.name == job.name,
                    or_(JobLease.leased_until.is_(None), JobLease.leased_until <= now),
                )
                .values(owner=self.owner, leased_until=now + job.interval, last_run_at=now)
            )
            if won.rowcount == 1:  # type: ignore[attr-defined]
                self._not_before[job.name] = now + job.interval
                return True
            if held_until is not None:
                self._not_before[job.name] = held_until
            return False

    def sweep_deadlines(self, limit: int = 500) -> int:
        with self.db.read_session() as session:
            if _ANY_DUE.scalar(session, {"now": utcnow()}) is None:
                return 0
        fired = 0
        for _ in range(limit):
            outcome = self._fire_one()
            if outcome is None:
                break
            fired += outcome
        return fired

    def _fire_one(self) -> int | None:
        """Fire one due deadline: 1 fired, 0 failed (postponed), ``None`` when nothing is due."""
        now = utcnow()
        failed: tuple[uuid.UUID, str] | None = None
        try:
            with UnitOfWork(self.db) as uow:
                query = (
                    select(Deadline)
                    .where(Deadline.fired_at.is_(None), Deadline.due_at <= now)
                    .order_by(Deadline.due_at, Deadline.id)
                    .limit(1)
                )
                if not self.db.is_sqlite:
                    query = query.with_for_update(skip_locked=True)
                deadline = uow.session.scalar(query)
                if deadline is None:
                    return None
                handler = self.jobs.deadline_handlers.get(deadline.kind)
                deadline.fired_at = now
                deadline.attempts += 1
                if handler is None:
                    deadline.last_error = "no handler registered"
                    return 0
                failed = (deadline.id, deadline.kind)
                handler(uow, deadline.ref_id)
                failed = None
                return 1
        except Exception as exc:
            if failed is None:
                raise
            log.exception("deadline %s (%s) failed", *failed)
            self._postpone(failed[0], repr(exc))
            return 0

    def _postpone(self, deadline_id: uuid.UUID, error: str) -> None:
        with UnitOfWork(self.db) as uow:
            row = uow.session.get(Deadline, deadline_id)
            if row is not None:
                row.attempts += 1
                row.due_at = utcnow() + timedelta(seconds=min(600, 2 ** min(row.attempts, 9)))
                row.last_error = error[:2000]

    async def run_forever(self, stop: asyncio.Event, interval: float) -> None:
        import anyio.to_thread

        while not stop.is_set():
            try:
                await anyio.to_thread.run_sync(self.run_due)
            except Exception:
                log.exception("scheduler tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
