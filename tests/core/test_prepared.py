"""Prepared statements: Core compiled once, run on the session's cursor inside its transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from agora.core.db import Database, dialect_insert
from agora.core.ids import new_id
from agora.core.models import IdempotencyKey, OutboxEvent
from agora.core.prepared import STATEMENTS, Prepared
from agora.core.uow import UnitOfWork

_outbox = OutboxEvent.__table__
_keys = IdempotencyKey.__table__
WHEN = datetime(2026, 12, 6, 22, 0, 0, 123456, tzinfo=UTC)

INSERT = Prepared.insert(
    _outbox,  # type: ignore[arg-type]
    ["id", "event_type", "topics", "payload", "created_at", "available_at", "attempts"],
)
READ = Prepared(
    select(_outbox.c.id, _outbox.c.topics, _outbox.c.payload, _outbox.c.created_at).where(
        _outbox.c.id == bindparam("id")
    )
)


def event(**overrides: object) -> dict[str, object]:
    return {
        "id": new_id(),
        "event_type": "test.prepared",
        "topics": ["user:1"],
        "payload": {"amount": 100, "note": "红包"},
        "created_at": WHEN,
        "available_at": WHEN,
        "attempts": 0,
        **overrides,
    }


def count(uow: UnitOfWork) -> int:
    with uow.read() as session:
        return int(session.scalar(select(func.count()).select_from(_outbox)) or 0)


def test_values_go_in_and_come_back_through_the_column_types(uow: UnitOfWork) -> None:
    row = event()
    with uow:
        INSERT.execute(uow.session, row)
        found = READ.first(uow.session, {"id": row["id"]})

    assert found == (row["id"], ["user:1"], {"amount": 100, "note": "红包"}, WHEN)
    assert isinstance(found[0], uuid.UUID)
    with uow.read() as session:  # and the ORM reads what the cursor wrote
        stored = session.get(OutboxEvent, row["id"])
        assert stored is not None and stored.created_at == WHEN


def test_a_rolled_back_savepoint_takes_its_prepared_statements_with_it(uow: UnitOfWork) -> None:
    kept, undone = event(), event()
    with uow:
        INSERT.execute(uow.session, kept)
        savepoint = uow.session.begin_nested()
        INSERT.execute(uow.session, undone)  # the first statement inside: SAVEPOINT goes first
        savepoint.rollback()
        assert READ.first(uow.session, {"id": undone["id"]}) is None

    assert count(uow) == 1


def test_a_refused_command_of_a_joined_unit_of_work_rolls_back_alone(db: Database) -> None:
    with db.write_session() as session:
        first = UnitOfWork.joined(db, session)
        with first:
            INSERT.execute(first.session, event())
        second = UnitOfWork.joined(db, session)
        with pytest.raises(RuntimeError), second:
            INSERT.execute(second.session, event())
            raise RuntimeError("refused")
        third = UnitOfWork.joined(db, session)
        with third:
            INSERT.execute(third.session, event())
        session.commit()

    assert count(UnitOfWork(db)) == 2


def test_the_session_can_be_used_again_after_its_commit(uow: UnitOfWork) -> None:
    for _ in range(3):  # each transaction gets its own connection and cursor
        with uow:
            INSERT.execute(uow.session, event())

    assert count(uow) == 3


def test_driver_errors_are_raised_as_sqlalchemys(uow: UnitOfWork) -> None:
    row = event()
    with uow:
        INSERT.execute(uow.session, row)
    with pytest.raises(IntegrityError), uow:
        INSERT.execute(uow.session, row)  # the same primary key

    assert count(uow) == 1


def test_an_upsert_spelled_per_dialect_and_values_fixed_in_the_statement(uow: UnitOfWork) -> None:
    record = Prepared(
        lambda dialect: (
            dialect_insert(dialect, _keys)
            .values(
                id=bindparam("id"),
                scope="test",
                key=bindparam("key"),
                request_hash="h",
                status_code=200,
                response_body=bindparam("body"),
                created_at=bindparam("now"),
            )
            .on_conflict_do_nothing(index_elements=["scope", "key"])
            .returning(_keys.c.id)
        )
    )
    with uow:
        first = record.scalar(uow.session, {"id": new_id(), "key": "k", "body": {}, "now": WHEN})
        again = record.scalar(uow.session, {"id": new_id(), "key": "k", "body": {}, "now": WHEN})

    assert first is not None and again is None


def test_statements_are_counted_and_in_lists_are_refused(uow: UnitOfWork) -> None:
    with uow:
        READ.rows(uow.session, {"id": new_id()})  # the transaction begins (BEGIN counts too)
        before = STATEMENTS.count
        INSERT.execute_many(uow.session, [event(), event()])
        READ.rows(uow.session, {"id": new_id()})
        uow.session.execute(select(func.count()).select_from(_outbox))  # through the engine
        assert STATEMENTS.count == before + 3

    expanding = Prepared(select(_outbox.c.id).where(_outbox.c.id.in_([new_id(), new_id()])))
    with pytest.raises(ValueError, match="fixed shape"), uow:
        expanding.rows(uow.session, {})


def test_statements_of_one_value_and_of_none(uow: UnitOfWork) -> None:
    # Values are taken by name in one call (operator.itemgetter), which answers one name with a
    # bare value and takes none at all: both shapes still bind as lists.
    rows = [event(), event(event_type="test.other")]
    count_all = Prepared(select(func.count()).select_from(_outbox))
    of_type = Prepared(select(_outbox.c.id).where(_outbox.c.event_type == bindparam("kind")))
    with uow:
        INSERT.execute_many(uow.session, rows)
        total = count_all.scalar(uow.session, {})
        found = of_type.rows(uow.session, {"kind": "test.other"})

    assert total == 2
    assert found == [(rows[1]["id"],)]
