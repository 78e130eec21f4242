"""The outbox relay: committed events reach each handler once, and the hub after handling."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from agora.core.clock import clock
from agora.core.db import Database
from agora.core.events import Event, HandlerRegistry, OutboxRelay
from agora.core.models import HandledEvent, JobLease, OutboxEvent
from agora.core.realtime import LocalHub
from agora.core.uow import UnitOfWork

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def outbox_rows(db: Database) -> list[OutboxEvent]:
    with db.read_session() as session:
        return list(session.scalars(select(OutboxEvent).order_by(OutboxEvent.created_at)))


def handled(db: Database) -> list[tuple[uuid.UUID, str]]:
    with db.read_session() as session:
        return [(r.event_id, r.handler) for r in session.scalars(select(HandledEvent))]


def effect_rows(db: Database) -> list[str]:
    """Handlers in these tests leave their effect as a job_leases row named after the event."""
    with db.read_session() as session:
        return list(session.scalars(select(JobLease.name).order_by(JobLease.name)))


@contextmanager
def sent_to(db: Database) -> Iterator[list[str]]:
    """What the engine sends meanwhile: each statement's SQL, and "COMMIT" for every commit."""
    sent: list[str] = []

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    def on_commit(_conn: Any) -> None:
        sent.append("COMMIT")

    sa_event.listen(db.engine, "before_cursor_execute", on_statement)
    sa_event.listen(db.engine, "commit", on_commit)
    try:
        yield sent
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", on_statement)
        sa_event.remove(db.engine, "commit", on_commit)


def emit(db: Database, event_type: str, payload: dict[str, Any], **kwargs: Any) -> uuid.UUID:
    with UnitOfWork(db) as uow:
        uow.emit(event_type, payload, **kwargs)
    with db.read_session() as session:
        newest = session.scalar(
            select(OutboxEvent.id).order_by(OutboxEvent.created_at.desc(), OutboxEvent.id.desc())
        )
    assert newest is not None
    return newest


def test_a_committed_event_reaches_each_handler_exactly_once(db: Database) -> None:
    clock.freeze(T0)
    registry = HandlerRegistry()
    calls: list[tuple[str, str, dict[str, Any]]] = []

    @registry.on("order.placed")
    def notify_buyer(uow: UnitOfWork, event: Event) -> None:
        calls.append(("notify_buyer", event.event_type, event.payload))
        uow.session.add(JobLease(name=f"buyer:{event.payload['order_id']}"))

    @registry.on("order.placed")
    def notify_seller(uow: UnitOfWork, event: Event) -> None:
        calls.append(("notify_seller", event.event_type, event.payload))
        uow.session.add(JobLease(name=f"seller:{event.payload['order_id']}"))

    event_id = emit(db, "order.placed", {"order_id": "o-1"})
    relay = OutboxRelay(db, registry=registry)

    assert relay.run_sync_until_idle() == 1
    assert relay.run_sync_until_idle() == 0
    assert OutboxRelay(db, registry=registry).run_sync_until_idle() == 0

    assert calls == [
        ("notify_buyer", "order.placed", {"order_id": "o-1"}),
        ("notify_seller", "order.placed", {"order_id": "o-1"}),
    ]
    assert effect_rows(db) == ["buyer:o-1", "seller:o-1"]
    assert sorted(handled(db)) == [
        (
            event_id,
            f"{__name__}.test_a_committed_event_reaches_each_handler_exactly_once.<locals>.notify_buyer",
        ),
        (
            event_id,
            f"{__name__}.test_a_committed_event_reaches_each_handler_exactly_once.<locals>.notify_seller",
        ),
    ]
    [row] = outbox_rows(db)
    assert (row.published_at, row.attempts, row.last_error) == (T0, 1, None)


def test_a_redelivered_event_changes_nothing_the_second_time(db: Database) -> None:
    registry = HandlerRegistry()
    calls: list[uuid.UUID] = []

    @registry.on("payment.captured")
    def credit(uow: UnitOfWork, event: Event) -> None:
        calls.append(event.id)
        uow.session.add(JobLease(name=f"credit:{event.id}"))

    event_id = emit(db, "payment.captured", {"amount": 1999})
    relay = OutboxRelay(db, registry=registry)
    [event] = relay.claim()

    # The same event handled twice (e.g. a relay crashed before marking it published)
    assert relay.handle(event) is True
    assert relay.handle(event) is True

    assert calls == [event_id]
    assert effect_rows(db) == [f"credit:{event_id}"]
    assert len(handled(db)) == 1


def test_an_unpublished_event_is_claimed_again_after_its_lease_and_not_rehandled(
    db: Database,
) -> None:
    clock.freeze(T0)
    registry = HandlerRegistry()
    calls: list[uuid.UUID] = []

    @registry.on("order.paid")
    def ship(uow: UnitOfWork, event: Event) -> None:
        calls.append(event.id)

    event_id = emit(db, "order.paid", {})
    relay = OutboxRelay(db, registry=registry)
    # A relay handles the event but dies before marking it published
    assert [e.id for e in relay.process_batch()] == [event_id]
    assert relay.claim() == []  # still leased

    clock.travel(OutboxRelay.lease)

    assert relay.run_sync_until_idle() == 1
    assert calls == [event_id]
    [row] = outbox_rows(db)
    assert (row.published_at, row.attempts) == (T0 + OutboxRelay.lease, 2)


def test_a_failing_handler_postpones_the_event_and_it_succeeds_later(db: Database) -> None:
    clock.freeze(T0)
    registry = HandlerRegistry()
    first_calls: list[uuid.UUID] = []
    flaky_calls: list[uuid.UUID] = []

    @registry.on("order.placed")
    def first(uow: UnitOfWork, event: Event) -> None:
        first_calls.append(event.id)
        uow.session.add(JobLease(name=f"first:{event.id}"))

    @registry.on("order.placed")
    def flaky(uow: UnitOfWork, event: Event) -> None:
        flaky_calls.append(event.id)
        uow.session.add(JobLease(name=f"flaky:{event.id}"))
        if len(flaky_calls) == 1:
            raise RuntimeError("mail server down")

    event_id = emit(db, "order.placed", {"order_id": "o-1"})
    relay = OutboxRelay(db, registry=registry)

    # When the second handler fails
    assert relay.run_sync_until_idle() == 0

    # Then the event is postponed with the error, the failed handler's writes are rolled back,
    # and the successful handler's effect is kept
    [row] = outbox_rows(db)
    flaky_name = f"{__name__}.{flaky.__qualname__}"
    assert row.published_at is None
    assert row.attempts == 1
    assert row.available_at == T0 + timedelta(seconds=2)
    assert row.last_error == f"{flaky_name}: RuntimeError('mail server down')"
    assert effect_rows(db) == [f"first:{event_id}"]

    # Not before the back-off has passed
    clock.travel(timedelta(seconds=1))
    assert relay.run_sync_until_idle() == 0
    assert flaky_calls == [event_id]

    # After it, the failed handler runs again and the successful one is not repeated
    clock.travel(timedelta(seconds=1))
    assert relay.run_sync_until_idle() == 1

    assert first_calls == [event_id]
    assert flaky_calls == [event_id, event_id]
    assert effect_rows(db) == [f"first:{event_id}", f"flaky:{event_id}"]
    [row] = outbox_rows(db)
    assert (row.published_at, row.attempts) == (T0 + timedelta(seconds=2), 2)
    assert len(handled(db)) == 2


def test_the_handlers_of_claimed_events_commit_together_32_events_at_most(db: Database) -> None:
    clock.freeze(T0)
    registry = HandlerRegistry()

    @registry.on("order.placed")
    def ship(uow: UnitOfWork, event: Event) -> None:
        uow.session.add(JobLease(name=f"ship:{event.payload['n']:02d}"))

    for n in range(40):
        emit(db, "order.placed", {"n": n})
    relay = OutboxRelay(db, registry=registry)

    with sent_to(db) as sent:
        delivered = relay.process_batch()

    assert [e.payload["n"] for e in delivered] == list(range(40))
    assert sent.count("COMMIT") == 3  # the claim, then the handlers of 32 events and of 8
    assert effect_rows(db) == [f"ship:{n:02d}" for n in range(40)]
    assert len(handled(db)) == 40


def test_a_failing_event_of_a_batch_is_postponed_while_the_others_are_delivered(
    db: Database,
) -> None:
    clock.freeze(T0)
    registry = HandlerRegistry()
    notified: list[str] = []

    @registry.on("order.placed")
    def ship(uow: UnitOfWork, event: Event) -> None:
        uow.session.add(JobLease(name=f"ship:{event.payload['order_id']}"))
        uow.session.flush()
        if event.payload["order_id"] == "o-2":
            raise RuntimeError("no courier")

    @registry.on("order.placed")
    def notify(uow: UnitOfWork, event: Event) -> None:
        notified.append(event.payload["order_id"])
        uow.session.add(JobLease(name=f"notify:{event.payload['order_id']}"))

    first, failing, third = (emit(db, "order.placed", {"order_id": f"o-{n}"}) for n in (1, 2, 3))
    relay = OutboxRelay(db, registry=registry)

    with sent_to(db) as sent:
        delivered = relay.process_batch()

    # Then the other two are delivered, in one transaction with the failing one's postponement
    assert [e.id for e in delivered] == [first, third]
    assert sent.count("COMMIT") == 2
    # the failing handler's write is rolled back and the event's next handler waits for it
    assert notified == ["o-1", "o-3"]
    assert effect_rows(db) == ["notify:o-1", "notify:o-3", "ship:o-1", "ship:o-3"]
    ship_name, notify_name = (f"{__name__}.{fn.__qualname__}" for fn in (ship, notify))
    assert sorted(handled(db)) == sorted(
        [(first, ship_name), (first, notify_name), (third, ship_name), (third, notify_name)]
    )
    rows = {row.id: row for row in outbox_rows(db)}
    assert (rows[failing].attempts, rows[failing].available_at, rows[failing].last_error) == (
        1,
        T0 + timedelta(seconds=2),
        f"{ship_name}: RuntimeError('no courier')",
    )
    assert [(rows[i].available_at, rows[i].last_error) for i in (first, third)] == [
        (T0 + OutboxRelay.lease, None),
        (T0 + OutboxRelay.lease, None),
    ]


def test_handlers_that_already_handled_an_event_are_skipped_after_one_lookup(
    db: Database,
) -> None:
    clock.freeze(T0)
    registry = HandlerRegistry()
    calls: list[tuple[str, int]] = []

    @registry.on("order.paid")
    def credit(uow: UnitOfWork, event: Event) -> None:
        calls.append(("credit", event.payload["n"]))

    @registry.on("order.paid")
    def ship(uow: UnitOfWork, event: Event) -> None:
        calls.append(("ship", event.payload["n"]))

    first = emit(db, "order.paid", {"n": 1})
    second = emit(db, "order.paid", {"n": 2})
    credit_name, ship_name = (f"{__name__}.{fn.__qualname__}" for fn in (credit, ship))
    # An earlier delivery of the first event credited it, then failed to ship it
    with db.write_session() as session:
        session.add(HandledEvent(event_id=first, handler=credit_name, handled_at=T0))
        session.commit()

    with sent_to(db) as sent:
        delivered = OutboxRelay(db, registry=registry).process_batch()

    assert [e.id for e in delivered] == [first, second]
    assert calls == [("ship", 1), ("credit", 2), ("ship", 2)]
    assert len([sql for sql in sent if "FROM handled_events" in sql]) == 1
    assert sorted(handled(db)) == sorted(
        [(first, credit_name), (first, ship_name), (second, credit_name), (second, ship_name)]
    )


def test_a_handler_that_loses_the_transaction_sends_its_batch_back_one_event_at_a_time(
    db: Database,
) -> None:
    clock.freeze(T0)
    with db.write_session() as session:
        session.add(JobLease(name="taken"))
        session.commit()
    registry = HandlerRegistry()
    calls: list[str] = []

    @registry.on("lease.wanted")
    def take(uow: UnitOfWork, event: Event) -> None:
        calls.append(event.payload["name"])
        uow.session.add(JobLease(name=event.payload["name"]))
        uow.session.flush()  # "taken": the failed flush loses the transaction, not a savepoint

    first, failing, third = (emit(db, "lease.wanted", {"name": n}) for n in ("a", "taken", "c"))

    delivered = OutboxRelay(db, registry=registry).process_batch()

    assert [e.id for e in delivered] == [first, third]
    # the batch ran up to the handler that broke it, then each event ran again on its own
    assert calls == ["a", "taken", "a", "taken", "c"]
    assert effect_rows(db) == ["a", "c", "taken"]
    take_name = f"{__name__}.{take.__qualname__}"
    assert sorted(handled(db)) == sorted([(first, take_name), (third, take_name)])
    failed = {row.id: row for row in outbox_rows(db)}[failing]
    assert (failed.attempts, failed.available_at, failed.published_at) == (
        1,
        T0 + timedelta(seconds=2),
        None,
    )
    assert failed.last_error is not None
    assert failed.last_error.startswith(f"{take_name}: IntegrityError(")


def test_after_commit_callbacks_of_handlers_run_once_the_batch_committed(db: Database) -> None:
    registry = HandlerRegistry()
    seen: list[tuple[str, list[str]]] = []

    @registry.on("order.placed")
    def ship(uow: UnitOfWork, event: Event) -> None:
        order_id = event.payload["order_id"]
        with uow:
            uow.session.add(JobLease(name=f"ship:{order_id}"))
            uow.after_commit(lambda: seen.append((order_id, effect_rows(db))))
            if order_id == "o-2":
                raise RuntimeError("no courier")

    for n in (1, 2, 3):
        emit(db, "order.placed", {"order_id": f"o-{n}"})

    assert len(OutboxRelay(db, registry=registry).process_batch()) == 2

    # Each saw both committed effects: nothing ran before the commit, nothing of the failed one
    assert seen == [("o-1", ["ship:o-1", "ship:o-3"]), ("o-3", ["ship:o-1", "ship:o-3"])]


def test_a_delayed_event_is_not_delivered_before_its_time(db: Database) -> None:
    clock.freeze(T0)
    registry = HandlerRegistry()
    calls: list[str] = []

    @registry.on("cart.reminder")
    def remind(uow: UnitOfWork, event: Event) -> None:
        calls.append(event.payload["cart"])

    emit(db, "cart.reminder", {"cart": "c-1"}, delay=timedelta(hours=1))
    relay = OutboxRelay(db, registry=registry)

    clock.travel(timedelta(minutes=59, seconds=59))
    assert relay.run_sync_until_idle() == 0
    clock.travel(timedelta(seconds=1))
    assert relay.run_sync_until_idle() == 1
    assert calls == ["c-1"]


def test_events_of_a_rolled_back_transaction_are_never_delivered(db: Database) -> None:
    registry = HandlerRegistry()
    calls: list[str] = []

    @registry.on("order.placed")
    def record(uow: UnitOfWork, event: Event) -> None:
        calls.append("called")

    with pytest.raises(ZeroDivisionError), UnitOfWork(db) as uow:
        uow.emit("order.placed", {"order_id": "o-1"})
        uow.session.flush()
        _ = 1 / 0

    assert OutboxRelay(db, registry=registry).run_sync_until_idle() == 0
    assert calls == []
    assert outbox_rows(db) == []


def test_events_without_handlers_are_still_published(db: Database) -> None:
    clock.freeze(T0)
    emit(db, "nobody.listens", {"n": 1})

    assert OutboxRelay(db, registry=HandlerRegistry()).run_sync_until_idle() == 1

    [row] = outbox_rows(db)
    assert row.published_at == T0
    assert handled(db) == []


def test_events_are_delivered_in_commit_order(db: Database) -> None:
    registry = HandlerRegistry()
    seen: list[int] = []

    @registry.on("seq")
    def record(uow: UnitOfWork, event: Event) -> None:
        seen.append(event.payload["n"])

    clock.freeze(T0)
    for n in range(5):
        emit(db, "seq", {"n": n})
        clock.travel(timedelta(milliseconds=1))

    assert OutboxRelay(db, registry=registry).run_sync_until_idle() == 5
    assert seen == [0, 1, 2, 3, 4]


def test_a_handler_registered_twice_under_one_name_runs_once() -> None:
    registry = HandlerRegistry()

    def handler(uow: UnitOfWork, event: Event) -> None:
        return None

    registry.on("x")(handler)
    registry.on("x")(handler)

    assert [name for name, _ in registry.for_type("x")] == [f"{__name__}.{handler.__qualname__}"]
    assert registry.for_type("y") == []


def test_run_once_publishes_each_event_to_every_topic_after_handling(db: Database) -> None:
    clock.freeze(T0)
    registry = HandlerRegistry()
    handled_before_publish: list[bool] = []

    @registry.on("message.sent")
    def store(uow: UnitOfWork, event: Event) -> None:
        uow.session.add(JobLease(name=f"stored:{event.payload['seq']}"))

    first = emit(db, "message.sent", {"seq": 1, "text": "你好"}, topics=["conv:9", "user:2"])
    second = emit(db, "message.sent", {"seq": 2, "text": "hi"}, topics=["conv:9"])

    async def scenario() -> tuple[list[Any], list[Any], list[Any], int, int]:
        hub = LocalHub()
        conv = await hub.subscribe(["conv:9"])
        user = await hub.subscribe(["user:2"])
        other = await hub.subscribe(["conv:10"])

        async def publish(topic: str, message: dict[str, Any]) -> None:
            handled_before_publish.append(f"stored:{message['seq']}" in effect_rows(db))
            await hub.publish(topic, message)

        relay = OutboxRelay(db, registry=registry, publish=publish)
        delivered = await relay.run_once()
        again = await relay.run_once()
        conv_got = [await conv.get(timeout=1), await conv.get(timeout=1)]
        user_got = [await user.get(timeout=1)]
        assert await conv.get(timeout=0.01) is None
        assert await user.get(timeout=0.01) is None
        other_got = [await other.get(timeout=0.01)]
        return conv_got, user_got, other_got, delivered, again

    conv_got, user_got, other_got, delivered, again = asyncio.run(scenario())

    assert (delivered, again) == (2, 0)
    assert conv_got == [
        ("conv:9", {"type": "message.sent", "id": str(first), "seq": 1, "text": "你好"}),
        ("conv:9", {"type": "message.sent", "id": str(second), "seq": 2, "text": "hi"}),
    ]
    assert user_got == [
        ("user:2", {"type": "message.sent", "id": str(first), "seq": 1, "text": "你好"})
    ]
    assert other_got == [None]
    assert handled_before_publish == [True, True, True]
    assert [r.published_at for r in outbox_rows(db)] == [T0, T0]


def test_run_once_leaves_an_event_unpublished_when_publishing_fails(db: Database) -> None:
    clock.freeze(T0)
    emit(db, "message.sent", {"seq": 1}, topics=["conv:1"])

    async def broken(topic: str, message: dict[str, Any]) -> None:
        raise ConnectionError("hub unreachable")

    relay = OutboxRelay(db, registry=HandlerRegistry(), publish=broken)
    with pytest.raises(ConnectionError):
        asyncio.run(relay.run_once())

    [row] = outbox_rows(db)
    assert row.published_at is None
    assert row.available_at == T0 + OutboxRelay.lease  # it comes back after the claim lease


def test_a_claimed_event_is_not_claimed_by_a_second_relay(db: Database) -> None:
    clock.freeze(T0)
    event_id = emit(db, "x", {})

    first = OutboxRelay(db, registry=HandlerRegistry()).claim()
    second = OutboxRelay(db, registry=HandlerRegistry()).claim()

    assert [e.id for e in first] == [event_id]
    assert second == []
    with db.read_session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEvent)) == 1
