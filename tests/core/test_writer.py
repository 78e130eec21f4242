"""The writer: commands applied in batches, each in its own savepoint, answered after commit."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from agora.core.db import Database
from agora.core.models import JobLease
from agora.core.uow import UnitOfWork
from agora.core.writer import Writer


class Refused(Exception):
    pass


def leases(db: Database) -> list[str]:
    with db.read_session() as session:
        return list(session.scalars(select(JobLease.name).order_by(JobLease.name)))


def add_lease(name: str, *, fail: bool = False) -> Any:
    def command(uow: UnitOfWork) -> str:
        with uow:
            uow.session.add(JobLease(name=name, owner="w"))
            uow.session.flush()
            if fail:
                raise Refused(name)
        return name

    return command


async def run_all(writer: Writer, commands: list[Any]) -> list[Any]:
    return await asyncio.gather(*(writer.run(c) for c in commands), return_exceptions=True)


def test_commands_waiting_together_commit_as_one_batch(db: Database) -> None:
    writer = Writer(db)
    try:
        results = asyncio.run(run_all(writer, [add_lease(f"l{n:02d}") for n in range(40)]))
    finally:
        writer.stop()

    assert results == [f"l{n:02d}" for n in range(40)]
    assert leases(db) == [f"l{n:02d}" for n in range(40)]
    assert writer.stats.commands == 40
    assert writer.stats.batches < 40  # they were grouped
    assert writer.stats.largest_batch > 1


def test_a_refused_command_rolls_back_alone(db: Database) -> None:
    writer = Writer(db)
    try:
        results = asyncio.run(
            run_all(writer, [add_lease("a"), add_lease("b", fail=True), add_lease("c")])
        )
    finally:
        writer.stop()

    assert results[0] == "a" and results[2] == "c"
    assert isinstance(results[1], Refused)
    assert leases(db) == ["a", "c"]


def test_a_command_refused_after_reading_alone_sends_no_savepoint(db: Database) -> None:
    def refused_after_reading(uow: UnitOfWork) -> None:
        with uow:
            with uow.read() as session:
                session.execute(select(JobLease.name)).all()
            raise Refused("read, then refused")

    def refused_in_its_session(uow: UnitOfWork) -> None:
        with uow:
            uow.session.execute(select(JobLease.name)).all()
            raise Refused("asked for the session, then refused")

    writer = Writer(db)

    def sent_by(command: Any) -> int:
        before = writer.stats.statements
        [result] = asyncio.run(run_all(writer, [command]))
        assert isinstance(result, Refused)
        return writer.stats.statements - before

    try:
        asyncio.run(run_all(writer, [add_lease("first")]))  # the writer's connection is open
        after_reading = sent_by(refused_after_reading)
        in_session = sent_by(refused_in_its_session)
        kept = asyncio.run(run_all(writer, [refused_after_reading, add_lease("kept")]))
    finally:
        writer.stop()

    assert in_session - after_reading == 3  # SAVEPOINT, ROLLBACK TO and RELEASE
    assert isinstance(kept[0], Refused) and kept[1] == "kept"
    assert leases(db) == ["first", "kept"]


def test_a_write_after_a_read_is_still_undone_with_its_command(db: Database) -> None:
    def reads_then_writes_then_fails(uow: UnitOfWork) -> None:
        with uow:
            with uow.read() as session:
                session.execute(select(JobLease.name)).all()
            uow.session.add(JobLease(name="undone", owner="w"))
            uow.session.flush()
            raise Refused("after writing")

    writer = Writer(db)
    try:
        results = asyncio.run(run_all(writer, [reads_then_writes_then_fails, add_lease("kept")]))
    finally:
        writer.stop()

    assert isinstance(results[0], Refused) and results[1] == "kept"
    assert leases(db) == ["kept"]


def test_orm_changes_left_unflushed_by_a_command_are_its_own(db: Database) -> None:
    def add_unflushed(name: str) -> Any:
        def command(uow: UnitOfWork) -> str:
            with uow:
                uow.session.add(JobLease(name=name, owner="w"))  # flushed when it is released
            return name

        return command

    writer = Writer(db)
    try:
        results = asyncio.run(
            run_all(writer, [add_unflushed("a"), add_lease("b", fail=True), add_unflushed("c")])
        )
    finally:
        writer.stop()

    assert results[0] == "a" and results[2] == "c" and isinstance(results[1], Refused)
    assert leases(db) == ["a", "c"]


def test_a_failed_flush_breaks_the_batch_and_each_command_runs_again_alone(
    db: Database,
) -> None:
    with db.write_session() as session:
        session.add(JobLease(name="taken", owner="w"))
        session.commit()
    writer = Writer(db)
    try:
        results = asyncio.run(run_all(writer, [add_lease("a"), add_lease("taken"), add_lease("c")]))
    finally:
        writer.stop()

    assert results[0] == "a" and results[2] == "c"
    assert isinstance(results[1], IntegrityError)  # its own error, not the lost transaction's
    assert leases(db) == ["a", "c", "taken"]


def test_an_answer_comes_only_after_the_commit(db: Database) -> None:
    seen: list[list[str]] = []

    def look(uow: UnitOfWork) -> None:
        with uow:
            uow.session.add(JobLease(name="seen", owner="w"))
        uow.after_commit(lambda: seen.append(leases(db)))

    writer = Writer(db)
    try:
        asyncio.run(writer.run(look))
        # The caller, once answered, reads the row from another connection
        assert leases(db) == ["seen"]
    finally:
        writer.stop()
    assert seen == [["seen"]]  # the after-commit callback saw it committed too


def test_a_command_runs_in_its_callers_context(db: Database) -> None:
    locale: contextvars.ContextVar[str] = contextvars.ContextVar("locale", default="en")
    writer = Writer(db)

    async def main() -> list[str]:
        async def one(value: str) -> str:
            locale.set(value)
            return await writer.run(lambda _: f"{locale.get()}@{threading.current_thread().name}")

        return await asyncio.gather(one("zh"), one("en"))

    try:
        assert asyncio.run(main()) == ["zh@agora-writer", "en@agora-writer"]
    finally:
        writer.stop()


def test_a_deadlocked_command_is_run_again(db: Database) -> None:
    attempts: list[int] = []

    class Deadlock(Exception):
        sqlstate = "40P01"

    def flaky(uow: UnitOfWork) -> str:
        attempts.append(1)
        with uow:
            uow.session.add(JobLease(name=f"try{len(attempts)}", owner="w"))
            uow.session.flush()
            if len(attempts) == 1:
                raise OperationalError("UPDATE ...", {}, Deadlock())
        return "done"

    writer = Writer(db)
    try:
        assert asyncio.run(writer.run(flaky)) == "done"
    finally:
        writer.stop()
    assert len(attempts) == 2
    assert leases(db) == ["try2"]  # the first attempt's savepoint was rolled back
    assert writer.stats.retried == 1


def test_on_postgresql_a_batch_waits_briefly_for_another_process_then_runs_alone(
    db: Database,
) -> None:
    if db.is_sqlite:
        pytest.skip("one SQLite writer never waits for another's rows")
    with db.write_session() as session:
        session.add(JobLease(name="held", owner="w"))
        session.commit()
    other = db.engine.connect()  # another process's batch, holding the row
    other.execute(update(JobLease).where(JobLease.name == "held").values(owner="other"))

    def take_held(uow: UnitOfWork) -> str:
        with uow:
            uow.session.execute(
                update(JobLease).where(JobLease.name == "held").values(owner="writer")
            )
        return "taken"

    def release_soon() -> None:
        time.sleep(0.3)  # past the batch's lock_timeout: the command is retried alone
        other.commit()
        other.close()

    writer = Writer(db)
    threading.Thread(target=release_soon).start()
    try:
        results = asyncio.run(run_all(writer, [add_lease("a"), take_held, add_lease("c")]))
    finally:
        writer.stop()

    assert results == ["a", "taken", "c"]
    assert writer.stats.retried >= 1
    with db.read_session() as session:
        assert session.get(JobLease, "held").owner == "writer"  # type: ignore[union-attr]


def test_a_failed_commit_retries_each_command_alone(db: Database, monkeypatch: Any) -> None:
    from sqlalchemy.orm import Session

    real_commit = Session.commit
    commits = iter([False, True])  # the second batch's commit fails once

    def commit(self: Session) -> None:
        if next(commits, False):
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))
        real_commit(self)

    monkeypatch.setattr(Session, "commit", commit)
    queued = threading.Event()

    def hold(_uow: UnitOfWork) -> None:
        queued.wait(10)  # keeps the writer busy until x and y wait together

    writer = Writer(db)

    async def main() -> list[Any]:
        first = asyncio.ensure_future(writer.run(hold))
        await asyncio.sleep(0.05)
        rest = [asyncio.ensure_future(writer.run(add_lease(n))) for n in ("x", "y")]
        await asyncio.sleep(0.05)
        queued.set()
        return await asyncio.gather(first, *rest)

    try:
        assert asyncio.run(main()) == [None, "x", "y"]
    finally:
        writer.stop()
    assert leases(db) == ["x", "y"]
    assert writer.stats.largest_batch == 2


@pytest.mark.parametrize("batch", [1, 64])
def test_the_batch_size_is_bounded(db: Database, batch: int) -> None:
    writer = Writer(db, max_batch=batch)
    try:
        asyncio.run(run_all(writer, [add_lease(f"b{n:03d}") for n in range(100)]))
    finally:
        writer.stop()
    assert writer.stats.largest_batch <= batch
    assert len(leases(db)) == 100
