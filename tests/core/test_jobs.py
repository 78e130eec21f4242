"""The scheduler: periodic jobs elected by lease rows, deadlines fired once when due."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from agora.core.clock import clock
from agora.core.db import Database
from agora.core.jobs import JobRegistry, Scheduler, cancel_deadline, schedule_deadline
from agora.core.models import Deadline, JobLease
from agora.core.prepared import STATEMENTS
from agora.core.uow import UnitOfWork

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def deadlines(db: Database) -> list[Deadline]:
    with db.read_session() as session:
        return list(session.scalars(select(Deadline).order_by(Deadline.due_at, Deadline.id)))


def lease(db: Database, name: str) -> tuple[str | None, datetime | None, datetime | None]:
    with db.read_session() as session:
        row = session.get(JobLease, name)
    assert row is not None
    return row.owner, row.leased_until, row.last_run_at


def schedule(db: Database, kind: str, ref_id: uuid.UUID, due_at: datetime) -> None:
    with UnitOfWork(db) as uow:
        schedule_deadline(uow, kind=kind, ref_id=ref_id, due_at=due_at)


def run_in_threads(n: int, target: object) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def body(index: int) -> None:
        try:
            start.wait(timeout=10)
            target(index)  # type: ignore[operator]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return errors


# --- periodic jobs -------------------------------------------------------------------------------


def test_a_periodic_job_runs_once_per_interval_across_workers(db: Database) -> None:
    clock.freeze(T0)
    jobs = JobRegistry()
    runs: list[datetime] = []

    @jobs.every("digest", timedelta(minutes=5))
    def digest(uow: UnitOfWork) -> None:
        runs.append(clock.now())

    first = Scheduler(db, owner="worker-1", jobs=jobs)
    second = Scheduler(db, owner="worker-2", jobs=jobs)

    # The first worker wins the lease; the second does nothing in the same interval
    assert first.run_due() == 1
    assert second.run_due() == 0
    assert first.run_due() == 0
    assert runs == [T0]
    assert lease(db, "digest") == ("worker-1", T0 + timedelta(minutes=5), T0)

    clock.travel(timedelta(minutes=4, seconds=59))
    assert second.run_due() == 0
    assert first.run_due() == 0
    assert runs == [T0]

    # Once the interval has passed, whichever worker ticks first runs it, once
    clock.travel(timedelta(seconds=1))
    assert second.run_due() == 1
    assert first.run_due() == 0
    assert runs == [T0, T0 + timedelta(minutes=5)]
    assert lease(db, "digest") == (
        "worker-2",
        T0 + timedelta(minutes=10),
        T0 + timedelta(minutes=5),
    )


def test_a_quiet_tick_asks_for_no_lease_until_one_ends(db: Database) -> None:
    clock.freeze(T0)
    jobs = JobRegistry()
    for name in ("digest", "sweep", "report"):
        jobs.every(name, timedelta(minutes=5))(lambda uow: None)
    first = Scheduler(db, owner="worker-1", jobs=jobs)
    second = Scheduler(db, owner="worker-2", jobs=jobs)
    assert first.run_due() == 3
    assert second.run_due() == 0  # it saw the leases held until T0 + 5 min

    def statements(scheduler: Scheduler) -> int:
        before = STATEMENTS.count
        scheduler.run_due()
        return STATEMENTS.count - before

    clock.travel(timedelta(minutes=4))
    # Only the look for due deadlines (a read; SQLite's counts its BEGIN): no lease asked for,
    # where each tick used to send two statements per job in a write transaction.
    assert statements(first) <= 2
    assert statements(second) <= 2

    clock.travel(timedelta(minutes=1))
    assert second.run_due() == 3
    assert first.run_due() == 0


def test_the_job_runs_in_a_committed_transaction(db: Database) -> None:
    jobs = JobRegistry()

    @jobs.every("writer", timedelta(minutes=1))
    def writer(uow: UnitOfWork) -> None:
        uow.session.add(JobLease(name="written-by-job"))

    assert Scheduler(db, owner="w", jobs=jobs).run_due() == 1

    with db.read_session() as session:
        assert session.get(JobLease, "written-by-job") is not None


def test_a_failing_periodic_job_rolls_back_and_waits_for_the_next_interval(db: Database) -> None:
    clock.freeze(T0)
    jobs = JobRegistry()
    attempts: list[datetime] = []

    @jobs.every("flaky", timedelta(minutes=1))
    def flaky(uow: UnitOfWork) -> None:
        attempts.append(clock.now())
        uow.session.add(JobLease(name="partial-work"))
        raise RuntimeError("boom")

    scheduler = Scheduler(db, owner="w", jobs=jobs)
    assert scheduler.run_due() == 0
    assert scheduler.run_due() == 0
    clock.travel(timedelta(minutes=1))
    assert scheduler.run_due() == 0

    assert attempts == [T0, T0 + timedelta(minutes=1)]
    with db.read_session() as session:
        assert session.get(JobLease, "partial-work") is None


def test_workers_racing_for_a_new_job_elect_exactly_one(db: Database) -> None:
    clock.freeze(T0)
    jobs = JobRegistry()
    runs: list[str] = []
    lock = threading.Lock()

    @jobs.every("nightly", timedelta(hours=24))
    def nightly(uow: UnitOfWork) -> None:
        with lock:
            runs.append("ran")

    results: list[int] = []

    def tick(index: int) -> None:
        ran = Scheduler(db, owner=f"worker-{index}", jobs=jobs).run_due()
        with lock:
            results.append(ran)

    assert run_in_threads(6, tick) == []

    assert runs == ["ran"]
    assert sorted(results) == [0, 0, 0, 0, 0, 1]
    with db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(JobLease)) == 1


# --- deadlines ----------------------------------------------------------------------------------


def test_a_deadline_fires_once_when_the_clock_passes_due_at(db: Database) -> None:
    clock.freeze(T0)
    jobs = JobRegistry()
    fired: list[uuid.UUID] = []

    @jobs.on_deadline("order.expire")
    def expire(uow: UnitOfWork, ref_id: uuid.UUID) -> None:
        fired.append(ref_id)
        uow.session.add(JobLease(name=f"expired:{ref_id}"))

    order_id = uuid.uuid4()
    schedule(db, "order.expire", order_id, T0 + timedelta(minutes=10))
    scheduler = Scheduler(db, owner="w", jobs=jobs)

    assert scheduler.sweep_deadlines() == 0
    clock.travel(timedelta(minutes=9, seconds=59))
    assert scheduler.sweep_deadlines() == 0
    assert fired == []

    clock.travel(timedelta(seconds=1))
    assert scheduler.sweep_deadlines() == 1
    assert scheduler.sweep_deadlines() == 0
    clock.travel(timedelta(days=1))
    assert scheduler.run_due() == 0

    assert fired == [order_id]
    [row] = deadlines(db)
    assert (row.kind, row.ref_id, row.fired_at, row.attempts, row.last_error) == (
        "order.expire",
        order_id,
        T0 + timedelta(minutes=10),
        1,
        None,
    )
    with db.read_session() as session:
        assert session.get(JobLease, f"expired:{order_id}") is not None


def test_a_cancelled_deadline_never_fires(db: Database) -> None:
    clock.freeze(T0)
    jobs = JobRegistry()
    fired: list[uuid.UUID] = []
    jobs.on_deadline("order.expire")(lambda uow, ref_id: fired.append(ref_id))
    order_id, other_id = uuid.uuid4(), uuid.uuid4()
    schedule(db, "order.expire", order_id, T0 + timedelta(minutes=10))
    schedule(db, "order.expire", other_id, T0 + timedelta(minutes=10))

    clock.travel(timedelta(minutes=1))
    with UnitOfWork(db) as uow:
        cancel_deadline(uow, kind="order.expire", ref_id=order_id)
    clock.travel(timedelta(hours=1))

    assert Scheduler(db, owner="w", jobs=jobs).sweep_deadlines() == 1
    assert fired == [other_id]
    by_ref = {row.ref_id: row for row in deadlines(db)}
    cancelled = by_ref[order_id]
    assert (cancelled.fired_at, cancelled.attempts, cancelled.last_error) == (
        T0 + timedelta(minutes=1),
        0,
        "cancelled",
    )


def test_cancelling_a_fired_deadline_changes_nothing(db: Database) -> None:
    clock.freeze(T0)
    jobs = JobRegistry()
    jobs.on_deadline("k")(lambda uow, ref_id: None)
    ref = uuid.uuid4()
    schedule(db, "k", ref, T0)
    assert Scheduler(db, owner="w", jobs=jobs).sweep_deadlines() == 1

    clock.travel(timedelta(minutes=1))
    with UnitOfWork(db) as uow:
        cancel_deadline(uow, kind="k", ref_id=ref)

    [row] = deadlines(db)
    assert (row.fired_at, row.last_error) == (T0, None)


def test_rescheduling_moves_the_deadline(db: Database) -> None:
    clock.freeze(T0)
    jobs = JobRegistry()
    fired: list[tuple[uuid.UUID, datetime]] = []
    jobs.on_deadline("team.close")(lambda uow, ref_id: fired.append((ref_id, clock.now())))
    team = uuid.uuid4()
    schedule(db, "team.close", team, T0 + timedelta(minutes=10))
    schedule(db, "team.close", team, T0 + timedelta(minutes=20))
    scheduler = Scheduler(db, owner="w", jobs=jobs)

    clock.travel(timedelta(minutes=10))
    assert scheduler.sweep_deadlines() == 0
    clock.travel(timedelta(minutes=10))
    assert scheduler.sweep_deadlines() == 1

    assert fired == [(team, T0 + timedelta(minutes=20))]
    [row] = deadlines(db)
    assert (row.due_at, row.fired_at) == (T0 + timedelta(minutes=20), T0 + timedelta(minutes=20))


def test_rescheduling_a_fired_or_cancelled_deadline_arms_it_again(db: Database) -> None:
    clock.freeze(T0)
    jobs = JobRegistry()
    fired: list[datetime] = []
    jobs.on_deadline("k")(lambda uow, ref_id: fired.append(clock.now()))
    ref = uuid.uuid4()
    scheduler = Scheduler(db, owner="w", jobs=jobs)
    schedule(db, "k", ref, T0)
    assert scheduler.sweep_deadlines() == 1

    schedule(db, "k", ref, T0 + timedelta(minutes=5))
    with UnitOfWork(db) as uow:
        cancel_deadline(uow, kind="k", ref_id=ref)
    schedule(db, "k", ref, T0 + timedelta(minutes=10))
    clock.travel(timedelta(minutes=10))
    assert scheduler.sweep_deadlines() == 1

    assert fired == [T0, T0 + timedelta(minutes=10)]
    assert len(deadlines(db)) == 1


def test_a_failing_deadline_handler_is_postponed_and_retried(db: Database) -> None:
    clock.freeze(T0)
    jobs = JobRegistry()
    calls: list[datetime] = []

    @jobs.on_deadline("order.expire")
    def expire(uow: UnitOfWork, ref_id: uuid.UUID) -> None:
        calls.append(clock.now())
        uow.session.add(JobLease(name=f"effect-{len(calls)}"))
        if len(calls) == 1:
            raise RuntimeError("stock service down")

    ref = uuid.uuid4()
    schedule(db, "order.expire", ref, T0)
    scheduler = Scheduler(db, owner="w", jobs=jobs)

    # When the handler fails, its work is rolled back and the deadline moves out by a back-off
    assert scheduler.sweep_deadlines() == 0
    [row] = deadlines(db)
    assert (row.fired_at, row.attempts, row.due_at, row.last_error) == (
        None,
        1,
        T0 + timedelta(seconds=2),
        "RuntimeError('stock service down')",
    )
    with db.read_session() as session:
        assert session.get(JobLease, "effect-1") is None

    clock.travel(timedelta(seconds=1))
    assert scheduler.sweep_deadlines() == 0
    assert calls == [T0]

    # Then it fires once the clock reaches the new due time
    clock.travel(timedelta(seconds=1))
    assert scheduler.sweep_deadlines() == 1
    assert calls == [T0, T0 + timedelta(seconds=2)]
    [row] = deadlines(db)
    assert (row.fired_at, row.attempts) == (T0 + timedelta(seconds=2), 2)
    with db.read_session() as session:
        assert session.get(JobLease, "effect-2") is not None


def test_a_failing_deadline_does_not_block_the_others(db: Database) -> None:
    clock.freeze(T0)
    jobs = JobRegistry()
    fired: list[str] = []

    @jobs.on_deadline("bad")
    def bad(uow: UnitOfWork, ref_id: uuid.UUID) -> None:
        raise ValueError("always")

    jobs.on_deadline("good")(lambda uow, ref_id: fired.append("good"))
    schedule(db, "bad", uuid.uuid4(), T0 - timedelta(minutes=2))
    schedule(db, "good", uuid.uuid4(), T0 - timedelta(minutes=1))

    assert Scheduler(db, owner="w", jobs=jobs).sweep_deadlines() == 1

    assert fired == ["good"]
    by_kind = {row.kind: row for row in deadlines(db)}
    assert by_kind["bad"].fired_at is None
    assert by_kind["bad"].last_error == "ValueError('always')"
    assert by_kind["good"].fired_at == T0


def test_a_deadline_without_a_handler_is_closed_with_an_error(db: Database) -> None:
    clock.freeze(T0)
    schedule(db, "unknown.kind", uuid.uuid4(), T0)

    assert Scheduler(db, owner="w", jobs=JobRegistry()).sweep_deadlines() == 0

    [row] = deadlines(db)
    assert (row.fired_at, row.attempts, row.last_error) == (T0, 1, "no handler registered")


def test_due_deadlines_fire_in_due_order(db: Database) -> None:
    clock.freeze(T0)
    jobs = JobRegistry()
    order: list[uuid.UUID] = []
    jobs.on_deadline("k")(lambda uow, ref_id: order.append(ref_id))
    refs = [uuid.uuid4() for _ in range(4)]
    for minutes, ref in zip([3, 1, 4, 2], refs, strict=True):
        schedule(db, "k", ref, T0 - timedelta(minutes=minutes))

    assert Scheduler(db, owner="w", jobs=jobs).sweep_deadlines() == 4
    assert order == [refs[2], refs[0], refs[3], refs[1]]


def test_four_workers_sweeping_200_due_deadlines_fire_each_exactly_once(db: Database) -> None:
    # Given 200 deadlines that are all due
    clock.freeze(T0)
    jobs = JobRegistry()
    fired: Counter[uuid.UUID] = Counter()
    counter_lock = threading.Lock()

    @jobs.on_deadline("order.expire")
    def expire(uow: UnitOfWork, ref_id: uuid.UUID) -> None:
        with counter_lock:
            fired[ref_id] += 1

    refs = [uuid.uuid4() for _ in range(200)]
    with UnitOfWork(db) as uow:
        for i, ref in enumerate(refs):
            schedule_deadline(
                uow, kind="order.expire", ref_id=ref, due_at=T0 - timedelta(seconds=i)
            )

    # When four workers sweep at the same time
    swept: list[int] = []

    def sweep(index: int) -> None:
        count = Scheduler(db, owner=f"worker-{index}", jobs=jobs).sweep_deadlines()
        with counter_lock:
            swept.append(count)

    assert run_in_threads(4, sweep) == []

    # Then every deadline fired exactly once
    assert sum(swept) == 200
    assert fired == Counter(dict.fromkeys(refs, 1))
    rows = deadlines(db)
    assert len(rows) == 200
    assert {(r.fired_at, r.attempts, r.last_error) for r in rows} == {(T0, 1, None)}
