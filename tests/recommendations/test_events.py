"""Recording behaviour events: buffered without touching the database, written in one batch for
the shoppers who consent, erased when the consent goes, swept after the retention period."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from agora import recommendations
from agora.config import get_settings
from agora.core.clock import clock
from agora.core.db import Database
from agora.core.jobs import Scheduler, registry
from agora.core.uow import UnitOfWork
from agora.recommendations.events import Recorder
from agora.recommendations.jobs import RETENTION_SWEEP
from recommendations.behaviour_world import World

VIEW, SEARCH, CART = recommendations.VIEW, recommendations.SEARCH, recommendations.CART


class Statements:
    """The SQL sent to ``db`` while the block runs, from any thread."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.sql: list[str] = []

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.sql.append(statement)

    def __enter__(self) -> Statements:
        event.listen(self.db.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.db.engine, "before_cursor_execute", self._seen)

    def touching(self, table: str) -> list[str]:
        return [sql for sql in self.sql if table in sql]


@pytest.fixture
def frozen() -> Iterator[datetime]:
    moment = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    clock.freeze(moment)
    yield moment


def test_many_events_are_written_in_one_batch_with_one_consent_query(
    world: World, uow: UnitOfWork
) -> None:
    coat = world.coats[0].product.id
    for _ in range(300):
        recommendations.record_event(world.lin.id, VIEW, product_id=coat)
    recommendations.record_event(world.lin.id, SEARCH, query="  red coat  ")
    assert recommendations.RECORDER.waiting == 301
    assert world.count() == 0

    with Statements(uow.db) as seen:
        written = recommendations.flush_events(uow.db)

    assert written == 301
    assert len(seen.touching("behaviour_events")) == 1  # one executemany insert
    assert len(seen.touching("consents")) == 1
    assert recommendations.RECORDER.waiting == 0
    events = world.events(world.lin)
    assert len(events) == 301
    assert events.count((VIEW, coat, None, None)) == 300
    assert (SEARCH, None, "red coat", None) in events


def test_events_of_a_shopper_without_the_consent_are_never_stored(world: World) -> None:
    coat = world.coats[0].product.id
    recommendations.record_event(world.wang.id, VIEW, product_id=coat)
    recommendations.record_event(world.wang.id, CART, product_id=coat)
    recommendations.record_event(world.lin.id, VIEW, product_id=coat)

    assert recommendations.flush_events(world.uow.db) == 1
    assert world.events(world.wang) == []
    assert world.events(world.lin) == [(VIEW, coat, None, None)]


def test_withdrawing_the_consent_erases_the_events_and_stops_recording(world: World) -> None:
    coat = world.coats[0].product.id
    recommendations.record_event(world.lin.id, VIEW, product_id=coat)
    recommendations.flush_events(world.uow.db)
    recommendations.record_event(world.wang.id, VIEW, product_id=coat)
    world.consent(world.wang)
    recommendations.flush_events(world.uow.db)
    assert len(world.events(world.lin)) == 1

    world.consent(world.lin, granted=False)
    world.deliver()
    recommendations.record_event(world.lin.id, VIEW, product_id=coat)
    recommendations.flush_events(world.uow.db)

    assert world.events(world.lin) == []
    assert world.events(world.wang) == [(VIEW, coat, None, None)]  # others' rows stay


def test_a_paid_order_records_one_purchase_per_product_at_the_unit_price(world: World) -> None:
    coat = world.coats[2]
    world.buy(world.lin, coat, quantity=2)
    world.buy(world.wang, coat)

    assert world.events(world.lin) == [
        (recommendations.PURCHASE, coat.product.id, None, coat.skus[0].price)
    ]
    assert world.events(world.wang) == []


def test_events_older_than_the_retention_period_are_swept(
    world: World, uow: UnitOfWork, frozen: datetime
) -> None:
    days = get_settings().behaviour_retention_days
    old, recent = world.coats[0].product.id, world.coats[1].product.id
    recommendations.record_event(world.lin.id, VIEW, product_id=old)
    clock.travel(timedelta(days=2))
    recommendations.record_event(world.lin.id, VIEW, product_id=recent)
    recommendations.flush_events(uow.db)

    clock.travel(timedelta(days=days - 1))  # the old one is past the period, the recent not
    registry.periodic[RETENTION_SWEEP].fn(uow)

    assert world.events(world.lin) == [(VIEW, recent, None, None)]


def test_the_retention_sweep_runs_as_a_scheduled_job(world: World, uow: UnitOfWork) -> None:
    recommendations.record_event(world.lin.id, VIEW, product_id=world.coats[0].product.id)
    recommendations.flush_events(uow.db)
    clock.travel(timedelta(days=get_settings().behaviour_retention_days + 1))

    Scheduler(uow.db, owner="test").run_due()

    assert world.count() == 0


def test_an_event_of_a_product_deleted_since_does_not_lose_the_batch(world: World) -> None:
    coat = world.coats[0].product.id
    recommendations.record_event(world.lin.id, VIEW, product_id=uuid.uuid4())
    recommendations.record_event(world.lin.id, VIEW, product_id=coat)

    assert recommendations.flush_events(world.uow.db) == 1
    assert world.events(world.lin) == [(VIEW, coat, None, None)]


def test_the_buffer_is_bounded_and_drops_the_oldest_first() -> None:
    recorder = Recorder(capacity=3, batch=100)
    user = uuid.uuid4()
    products = [uuid.uuid4() for _ in range(5)]
    for product in products:
        recorder.record(user, VIEW, product, None, None)

    assert recorder.waiting == 3
    assert recorder.stats.dropped == 2
    assert [pending[2] for pending in recorder._take()] == products[2:]


def test_recording_ignores_what_carries_nothing_and_refuses_an_unknown_kind() -> None:
    user = uuid.uuid4()
    recommendations.record_event(user, SEARCH, query="   ")
    recommendations.record_event(user, VIEW)  # no product
    assert recommendations.RECORDER.waiting == 0

    recommendations.record_event(user, SEARCH, query="x" * 500)
    [(_, _, _, query, _, _)] = recommendations.RECORDER._take()
    assert query == "x" * 200

    with pytest.raises(ValueError):
        recommendations.record_event(user, "stare", product_id=uuid.uuid4())


def test_the_flusher_thread_writes_without_being_asked(world: World, uow: UnitOfWork) -> None:
    recorder = Recorder(batch=2)
    recorder.start(uow.db, interval=60)  # only the batch size can wake it within the test
    try:
        recorder.record(world.lin.id, VIEW, world.coats[0].product.id, None, None)
        recorder.record(world.lin.id, VIEW, world.coats[1].product.id, None, None)
    finally:
        recorder.stop()  # joins the thread, then writes what it had not

    assert recorder.waiting == 0
    assert recorder.stats.written == 2
    assert len(world.events(world.lin)) == 2


def test_a_batch_the_database_refuses_is_counted_and_shutting_down_still_completes() -> None:
    recorder = Recorder()
    nowhere = Database("sqlite://")  # no tables: every statement fails
    for _ in range(3):
        recorder.record(uuid.uuid4(), VIEW, uuid.uuid4(), None, None)

    with pytest.raises(OperationalError):
        recorder.flush(nowhere)
    assert (recorder.waiting, recorder.stats.dropped) == (0, 3)

    recorder.record(uuid.uuid4(), VIEW, uuid.uuid4(), None, None)
    recorder.start(nowhere, interval=0)
    recorder.stop()  # logs the failure instead of raising into the app's shutdown
    assert recorder.stats.dropped == 4
    nowhere.dispose()
