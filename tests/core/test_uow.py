"""The unit of work and the database sessions under it, on every backend."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, StatementError

from agora.core.clock import clock
from agora.core.db import Database
from agora.core.models import Deadline, JobLease, OutboxEvent
from agora.core.uow import UnitOfWork

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class Boom(Exception):
    pass


def lease_names(db: Database) -> list[str]:
    with db.read_session() as session:
        return list(session.scalars(select(JobLease.name).order_by(JobLease.name)))


def outbox_count(db: Database) -> int:
    with db.read_session() as session:
        return session.scalar(select(func.count()).select_from(OutboxEvent)) or 0


def test_leaving_the_block_commits(db: Database, uow: UnitOfWork) -> None:
    with uow:
        uow.session.add(JobLease(name="committed", owner="w1"))

    with db.read_session() as session:
        row = session.get(JobLease, "committed")
    assert row is not None
    assert row.owner == "w1"  # still readable after the read session closed


def test_an_exception_rolls_back_and_propagates(db: Database, uow: UnitOfWork) -> None:
    with pytest.raises(Boom), uow:
        uow.session.add(JobLease(name="doomed"))
        uow.session.flush()
        raise Boom

    assert lease_names(db) == []


def test_the_session_exists_only_inside_the_block(uow: UnitOfWork) -> None:
    with pytest.raises(RuntimeError, match="not open"):
        _ = uow.session
    with uow:
        assert uow.session is not None
    with pytest.raises(RuntimeError, match="not open"):
        _ = uow.session


def test_nested_blocks_share_one_transaction_and_commit_once(db: Database, uow: UnitOfWork) -> None:
    commits: list[str] = []
    with uow:
        outer_session = uow.session
        uow.session.add(JobLease(name="outer"))
        with uow:
            assert uow.session is outer_session
            uow.session.add(JobLease(name="inner"))
        uow.after_commit(lambda: commits.append("after inner block"))
        # The inner block left nothing committed: a separate reader sees no rows yet.
        assert lease_names(db) == []
        assert commits == []

    assert lease_names(db) == ["inner", "outer"]
    assert commits == ["after inner block"]


def test_an_outer_exception_rolls_back_work_done_in_an_inner_block(
    db: Database, uow: UnitOfWork
) -> None:
    with pytest.raises(Boom), uow:
        with uow:
            uow.session.add(JobLease(name="inner"))
        uow.session.add(JobLease(name="outer"))
        raise Boom

    assert lease_names(db) == []


def test_the_unit_of_work_is_reusable_after_a_rollback(db: Database, uow: UnitOfWork) -> None:
    with pytest.raises(Boom), uow:
        uow.session.add(JobLease(name="first"))
        raise Boom
    with uow:
        uow.session.add(JobLease(name="second"))

    assert lease_names(db) == ["second"]


def test_emit_writes_an_outbox_row_in_the_same_transaction(db: Database, uow: UnitOfWork) -> None:
    clock.freeze(T0)

    with uow:
        uow.emit("order.placed", {"order_id": "o-1", "total": 1999}, topics=["user:1", "store:2"])
        uow.emit("order.reminder", {"order_id": "o-1"}, delay=timedelta(minutes=15))

    with db.read_session() as session:
        rows = list(session.scalars(select(OutboxEvent).order_by(OutboxEvent.event_type)))
    assert [(r.event_type, r.payload, r.topics) for r in rows] == [
        ("order.placed", {"order_id": "o-1", "total": 1999}, ["user:1", "store:2"]),
        ("order.reminder", {"order_id": "o-1"}, []),
    ]
    assert [(r.created_at, r.available_at) for r in rows] == [
        (T0, T0),
        (T0, T0 + timedelta(minutes=15)),
    ]
    assert [(r.published_at, r.attempts, r.last_error) for r in rows] == [(None, 0, None)] * 2


def test_an_event_emitted_in_a_rolled_back_transaction_leaves_no_outbox_row(
    db: Database, uow: UnitOfWork
) -> None:
    with pytest.raises(Boom), uow:
        uow.emit("order.placed", {"order_id": "o-1"})
        uow.session.flush()
        raise Boom

    assert outbox_count(db) == 0


def test_after_commit_callbacks_run_only_after_a_commit(db: Database, uow: UnitOfWork) -> None:
    seen: list[tuple[str, list[str]]] = []

    with uow:
        uow.session.add(JobLease(name="visible"))
        uow.after_commit(lambda: seen.append(("first", lease_names(db))))
        uow.after_commit(lambda: seen.append(("second", lease_names(db))))
        assert seen == []

    # Each callback ran once, in order, and could already read the committed row.
    assert seen == [("first", ["visible"]), ("second", ["visible"])]

    with pytest.raises(Boom), uow:
        uow.after_commit(lambda: seen.append(("rolled back", [])))
        raise Boom
    with uow:
        pass

    assert seen == [("first", ["visible"]), ("second", ["visible"])]


def test_a_failed_commit_runs_no_callbacks(db: Database) -> None:
    with UnitOfWork(db) as first:
        first.session.add(JobLease(name="taken"))
    ran: list[str] = []
    events: list[str] = []
    uow = UnitOfWork(db, on_events=lambda: events.append("woken"))

    with pytest.raises(IntegrityError), uow:
        uow.session.add(JobLease(name="taken"))
        uow.emit("x.happened", {})
        uow.after_commit(lambda: ran.append("callback"))

    assert ran == []
    assert events == []
    assert outbox_count(db) == 0


def test_on_events_fires_after_a_commit_that_emitted_and_not_otherwise(db: Database) -> None:
    wakeups: list[int] = []
    uow = UnitOfWork(db, on_events=lambda: wakeups.append(outbox_count(db)))

    with uow:
        uow.session.add(JobLease(name="no events"))
    assert wakeups == []

    with uow:
        uow.emit("x.happened", {"n": 1})
    assert wakeups == [1]

    with pytest.raises(Boom), uow:
        uow.emit("x.happened", {"n": 2})
        raise Boom
    assert wakeups == [1]

    with uow:
        uow.session.add(JobLease(name="no events again"))
    assert wakeups == [1]


def test_read_outside_a_transaction_does_not_see_uncommitted_writes(db: Database) -> None:
    writer = UnitOfWork(db)
    reader = UnitOfWork(db)

    with writer:
        writer.session.add(JobLease(name="pending"))
        writer.session.flush()
        # Reading does not wait for the writer (WAL on SQLite, MVCC on PostgreSQL).
        with reader.read() as session:
            assert session.get(JobLease, "pending") is None
        # Inside the transaction, read() shares it.
        with writer.read() as session:
            assert session is writer.session
            assert session.get(JobLease, "pending") is not None

    with reader.read() as session:
        assert session.get(JobLease, "pending") is not None


def test_rows_loaded_in_a_read_block_stay_usable_after_it(db: Database, uow: UnitOfWork) -> None:
    with uow:
        uow.session.add(JobLease(name="job", owner="w1"))

    with uow.read() as session:
        row = session.scalar(select(JobLease).where(JobLease.name == "job"))

    assert row is not None
    assert (row.name, row.owner, row.leased_until) == ("job", "w1", None)


def test_times_round_trip_as_aware_utc(db: Database, uow: UnitOfWork) -> None:
    beijing = timezone(timedelta(hours=8))
    ref = uuid.uuid4()

    with uow:
        uow.session.add(
            Deadline(kind="k", ref_id=ref, due_at=datetime(2025, 3, 1, 20, 0, 0, 123456, beijing))
        )

    with db.read_session() as session:
        row = session.scalar(select(Deadline))
    assert row is not None
    assert row.due_at == datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
    assert row.due_at.utcoffset() == timedelta(0)
    assert row.ref_id == ref


def test_naive_datetimes_are_refused_and_nothing_is_stored(db: Database, uow: UnitOfWork) -> None:
    with pytest.raises(StatementError, match="naive datetimes"), uow:
        uow.session.add(Deadline(kind="k", ref_id=uuid.uuid4(), due_at=datetime(2025, 3, 1)))

    with db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Deadline)) == 0


def test_an_open_sqlite_write_transaction_holds_the_write_lock(db: Database) -> None:
    if not db.is_sqlite:
        pytest.skip("the in-process write lock exists only on SQLite")

    def try_lock() -> bool:
        result: list[bool] = []

        def attempt() -> None:
            got = db.write_lock.acquire(blocking=False)
            if got:
                db.write_lock.release()
            result.append(got)

        thread = threading.Thread(target=attempt)
        thread.start()
        thread.join(timeout=10)
        return result[0]

    assert try_lock() is True
    with UnitOfWork(db):
        assert try_lock() is False
    assert try_lock() is True


def test_concurrent_read_modify_write_loses_no_update_on_sqlite(db: Database) -> None:
    # Given one counter row (a deadline's attempts column) and 8 writer threads
    if not db.is_sqlite:
        pytest.skip(
            "SQLite serializes writers with its write lock; on PostgreSQL read-modify-write "
            "is not safe by design (the project uses guarded single-statement updates there)"
        )
    counter_id = uuid.uuid4()
    with UnitOfWork(db) as uow:
        uow.session.add(Deadline(id=counter_id, kind="counter", ref_id=counter_id, due_at=T0))
    threads_n, rounds = 8, 25
    start = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait(timeout=10)
            uow = UnitOfWork(db)
            for _ in range(rounds):
                with uow:
                    value = uow.session.scalar(
                        select(Deadline.attempts).where(Deadline.id == counter_id)
                    )
                    assert value is not None
                    row = uow.session.get(Deadline, counter_id)
                    assert row is not None
                    row.attempts = value + 1
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)

    # When each reads the counter and writes it back incremented, all at once
    threads = [threading.Thread(target=work) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then no increment was lost
    assert errors == []
    with db.read_session() as session:
        assert session.get(Deadline, counter_id).attempts == threads_n * rounds  # type: ignore[union-attr]


def test_reads_in_a_snapshot_see_one_moment(db: Database, uow: UnitOfWork) -> None:
    # Given a job lease row, read once inside a snapshot
    with uow:
        uow.session.add(JobLease(name="a", owner="first"))

    def owner() -> str | None:
        with uow.read() as session:
            return session.scalar(select(JobLease.owner).where(JobLease.name == "a"))

    with uow.snapshot():
        before = owner()
        # When another unit of work commits a change meanwhile
        other = UnitOfWork(db)
        with other:
            lease = other.session.get(JobLease, "a")
            assert lease is not None
            lease.owner = "second"
        # Then reads in the same snapshot still see the moment it started
        during = owner()

    assert (before, during, owner()) == ("first", "first", "second")


def test_publish_pushes_after_the_commit_and_never_for_a_rollback(db: Database) -> None:
    pushed: list[tuple[str, dict[str, object], list[str]]] = []
    uow = UnitOfWork(
        db, publisher=lambda topic, event: pushed.append((topic, event, lease_names(db)))
    )

    with uow:
        uow.session.add(JobLease(name="sent"))
        uow.publish("conv:1", {"seq": 1})
        assert pushed == []
    with pytest.raises(Boom), uow:
        uow.publish("conv:1", {"seq": 2})
        raise Boom

    # Pushed once, after the row it announces was visible to other sessions.
    assert pushed == [("conv:1", {"seq": 1}, ["sent"])]


def test_publish_without_a_publisher_pushes_nothing(db: Database, uow: UnitOfWork) -> None:
    with uow:
        uow.publish("conv:1", {"seq": 1})
    with uow:
        uow.session.add(JobLease(name="still works"))
    assert lease_names(db) == ["still works"]
