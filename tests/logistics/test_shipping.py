"""Shipping by a carrier's label, and what its scans do to the order — on both backends.

Duplicated, late and out-of-order scans change an order once and never move it backwards; a bad
signature changes nothing; the sandbox's pushes come through the outbox as their time comes, and
the poll job finds what a lost push did not bring.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

import factories
from agora import catalog, ledger, ordering, payments
from agora.core.clock import clock, utcnow
from agora.core.db import Database
from agora.core.models import OutboxEvent
from agora.core.uow import UnitOfWork
from agora.logistics import carriers, shipments
from agora.logistics.models import ShipmentRow, TrackingEventRow
from agora.ordering import OrderEvent, shipping
from agora.ordering.errors import CarrierReportsDelivery, NoDeliveryAddress
from ordering.world import World, build_world, buy, pay_wallet


@pytest.fixture
def world(uow: UnitOfWork) -> Iterator[World]:
    built = build_world(uow, World)
    built.fund(built.buyer_user, 100_000_00)
    yield built


def _paid(world: World) -> ordering.OrderView:
    order = buy(world, world.red_coat)
    pay_wallet(world, order)
    return order


def _shipment(world: World, order_id: uuid.UUID) -> ShipmentRow:
    with world.uow.read() as session:
        row = session.scalar(select(ShipmentRow).where(ShipmentRow.order_id == order_id))
        assert row is not None
        session.expunge(row)
        return row


def _push(world: World, row: ShipmentRow, scans: list[carriers.Scan]) -> shipping.PushOutcome:
    carrier = carriers.get_carrier(row.carrier)
    body = carrier.push_body(scans)
    return shipping.receive_push(
        world.uow, carrier=carrier.name, body=body, signature=carrier.sign(body)
    )


def _delivered_entries(world: World, order_id: uuid.UUID) -> int:
    with world.uow.read() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(OrderEvent)
                .where(OrderEvent.order_id == order_id, OrderEvent.kind == "delivered")
            )
            or 0
        )


def _stage(world: World, order_id: uuid.UUID) -> str:
    return _shipment(world, order_id).status


def test_options_then_a_label_ships_the_order_and_bills_the_store(world: World) -> None:
    order = _paid(world)
    options = shipping.shipping_options(world.uow, actor=world.merchant_a, order_id=order.id)
    # Shanghai to Zhejiang, one 500 g coat; the store promises delivery in 4 days.
    assert [(o.quote.carrier, o.quote.price, o.quote.eta_days) for o in options.offers] == [
        ("pine", 600, 3),
        ("swift", 1400, 2),
    ]
    assert options.picks == {"cheapest": "pine", "on_time": "pine", "fastest": "swift"}

    shipped = shipping.ship_by_label(
        world.uow, actor=world.merchant_a, order_id=order.id, policy="fastest"
    )
    row = _shipment(world, order.id)
    assert shipped.status == "shipped" and shipped.tracking_number == row.waybill
    assert (row.carrier, row.price, row.status) == ("swift", 1400, "label_created")
    assert row.waybill.startswith("SW") and row.destination_region == "Zhejiang"
    assert ledger.balance(world.uow, payments.store_freight_of(world.store_a.id)) == -1400
    assert ledger.balance(world.uow, payments.carrier_clearing_of("swift")) == 1400
    assert ledger.check(world.uow).ok
    with pytest.raises(CarrierReportsDelivery):  # the carrier says when it is delivered
        ordering.mark_delivered(world.uow, actor=world.merchant_a, order_id=order.id)


def test_duplicated_late_and_out_of_order_scans_change_the_order_once(world: World) -> None:
    order = _paid(world)
    shipping.ship_by_label(world.uow, actor=world.merchant_a, order_id=order.id)
    row = _shipment(world, order.id)
    picked, departed, arrived, out, delivered = carriers.get_carrier(row.carrier).plan(
        shipments.parcel_of(row, "")
    )

    assert _push(world, row, [arrived, picked]).new == 2
    assert _stage(world, order.id) == "arrived"
    late = _push(world, row, [departed, departed, picked])  # late, and twice in one push
    assert (late.new, late.duplicates) == (1, 2)
    assert _stage(world, order.id) == "arrived"  # never backwards

    first = _push(world, row, [delivered])
    assert first.delivered_orders == [order.id] and world.status(order.id) == "delivered"
    again = _push(world, row, [delivered, out])  # a retried push, and a scan that is now old
    assert (again.new, again.duplicates, again.delivered_orders) == (1, 1, [])
    assert _stage(world, order.id) == "delivered" and world.status(order.id) == "delivered"
    assert _delivered_entries(world, order.id) == 1
    with world.uow.read() as session:
        count = session.scalar(
            select(func.count())
            .select_from(TrackingEventRow)
            .where(TrackingEventRow.shipment_id == row.id)
        )
    assert count == 5

    _, parcels = shipping.order_tracking(world.uow, actor=world.buyer, order_id=order.id)
    times = [event.occurred_at for event in parcels[0].events]
    assert times == sorted(times, reverse=True) and parcels[0].events[0].status == "delivered"


def test_a_delivered_scan_after_the_buyer_confirmed_changes_nothing(world: World) -> None:
    order = _paid(world)
    shipping.ship_by_label(world.uow, actor=world.merchant_a, order_id=order.id)
    row = _shipment(world, order.id)
    plan = carriers.get_carrier(row.carrier).plan(shipments.parcel_of(row, ""))
    _push(world, row, plan[:4])
    shipping.sandbox_advance(world.uow, order_id=order.id, until="delivered")
    ordering.confirm_receipt(world.uow, actor=world.buyer, order_id=order.id)
    assert world.status(order.id) == "completed"
    assert _push(world, row, [replace(plan[4], event_id="late-delivered")]).delivered_orders == []
    assert world.status(order.id) == "completed" and _delivered_entries(world, order.id) == 1


def test_a_bad_signature_or_an_unknown_carrier_changes_nothing(world: World) -> None:
    order = _paid(world)
    shipping.ship_by_label(world.uow, actor=world.merchant_a, order_id=order.id)
    row = _shipment(world, order.id)
    delivered = carriers.get_carrier(row.carrier).plan(shipments.parcel_of(row, ""))[-1]
    body = carriers.get_carrier(row.carrier).push_body([delivered])
    before = world.snapshot()
    forged = carriers.get_carrier("fleet" if row.carrier != "fleet" else "swift").sign(body)
    with pytest.raises(carriers.BadCarrierSignature):
        shipping.receive_push(world.uow, carrier=row.carrier, body=body, signature=forged)
    with pytest.raises(carriers.UnknownCarrier):
        shipping.receive_push(world.uow, carrier="owl-post", body=body, signature=forged)
    assert world.snapshot() == before and _stage(world, order.id) == "label_created"


def test_unknown_waybills_are_ignored(world: World) -> None:
    swift = carriers.get_carrier("swift")
    scan = carriers.Scan("x-1", "SW999", carriers.DELIVERED, utcnow(), "Nowhere", "ghost")
    body = swift.push_body([scan])
    outcome = shipping.receive_push(
        world.uow, carrier="swift", body=body, signature=swift.sign(body)
    )
    assert (outcome.new, outcome.unknown) == (0, 1)


def test_the_sandbox_pushes_through_the_outbox_as_time_passes_then_auto_confirm(
    world: World,
) -> None:
    order = _paid(world)
    shipping.ship_by_label(world.uow, actor=world.merchant_a, order_id=order.id)
    world.deliver_events()
    assert _stage(world, order.id) == "label_created"
    clock.travel(timedelta(hours=2))
    world.deliver_events()
    assert _stage(world, order.id) == "picked_up"
    clock.travel(timedelta(days=4))
    world.deliver_events()
    assert world.status(order.id) == "delivered" and _delivered_entries(world, order.id) == 1
    with world.uow.read() as session:
        assert session.scalar(select(func.count()).select_from(TrackingEventRow)) == 5
    clock.travel(ordering.domain.AUTO_CONFIRM_AFTER + timedelta(minutes=1))
    world.sweep()
    assert world.status(order.id) == "completed"
    assert ledger.check(world.uow).ok


def test_the_poll_job_finds_what_a_lost_push_did_not_bring(world: World) -> None:
    order = _paid(world)
    shipping.ship_by_label(world.uow, actor=world.merchant_a, order_id=order.id)
    with world.uow:  # the carrier's pushes are lost on the way
        world.uow.session.execute(
            delete(OutboxEvent).where(OutboxEvent.event_type == shipments.SANDBOX_PUSH_EVENT)
        )
    clock.travel(timedelta(hours=1, minutes=30))
    shipping.poll_carriers(world.uow)
    assert _stage(world, order.id) == "label_created"  # not quiet for long enough yet
    clock.travel(timedelta(days=5))
    shipping.poll_carriers(world.uow)
    assert _stage(world, order.id) == "delivered" and world.status(order.id) == "delivered"
    shipping.poll_carriers(world.uow)  # delivered parcels are not asked about again
    assert _delivered_entries(world, order.id) == 1


def test_two_identical_pushes_at_once_land_once(world: World, db: Database) -> None:
    order = _paid(world)
    shipping.ship_by_label(world.uow, actor=world.merchant_a, order_id=order.id)
    row = _shipment(world, order.id)
    carrier = carriers.get_carrier(row.carrier)
    body = carrier.push_body(carrier.plan(shipments.parcel_of(row, "")))

    def push(_: int) -> Any:
        return shipping.receive_push(
            UnitOfWork(db), carrier=carrier.name, body=body, signature=carrier.sign(body)
        )

    outcomes = factories.race(8, push, workers=8)
    assert all(isinstance(o, shipping.PushOutcome) for o in outcomes), outcomes
    assert sum(o.new for o in outcomes) == 5
    assert sum(len(o.delivered_orders) for o in outcomes) == 1
    assert _delivered_entries(world, order.id) == 1 and world.status(order.id) == "delivered"


def test_refusals_change_nothing(world: World) -> None:
    order = _paid(world)
    unpaid = buy(world, world.black_coat)
    before = world.snapshot()
    with pytest.raises(ordering.OrderNotFound):  # another store's merchant
        shipping.ship_by_label(world.uow, actor=world.merchant_b, order_id=order.id)
    with pytest.raises(ordering.OrderNotFound):
        shipping.shipping_options(world.uow, actor=world.merchant_b, order_id=order.id)
    with pytest.raises(ordering.OrderNotFound):  # a shopper cannot buy labels
        shipping.ship_by_label(world.uow, actor=world.buyer, order_id=order.id)
    with pytest.raises(carriers.CarrierUnavailable):  # the fleet is for self-operated stores
        shipping.ship_by_label(
            world.uow, actor=world.merchant_a, order_id=order.id, carrier="fleet"
        )
    with pytest.raises(carriers.UnknownCarrier):
        shipping.ship_by_label(
            world.uow, actor=world.merchant_a, order_id=order.id, carrier="owl-post"
        )
    with pytest.raises(ordering.OrderStateConflict):
        shipping.ship_by_label(world.uow, actor=world.merchant_a, order_id=unpaid.id)
    assert world.snapshot() == before

    shipping.ship_by_label(world.uow, actor=world.merchant_a, order_id=order.id)
    with pytest.raises(ordering.OrderNotFound):  # another shopper's parcel
        shipping.order_tracking(world.uow, actor=world.other, order_id=order.id)
    with pytest.raises(ordering.OrderNotFound):
        shipping.order_tracking(world.uow, actor=world.merchant_b, order_id=order.id)
    shipped = world.snapshot()
    with pytest.raises(ordering.OrderStateConflict):  # one label per order
        shipping.ship_by_label(world.uow, actor=world.merchant_a, order_id=order.id)
    assert world.snapshot() == shipped
    assert list(shipping.whereabouts(world.uow, [order.id, unpaid.id])) == [order.id]


def test_switched_off_carriers_and_the_fleet_for_self_operated_stores(world: World) -> None:
    with world.uow:
        world.uow.session.execute(
            update(catalog.Store)
            .where(catalog.Store.id == world.store_a.id)
            .values(self_operated=True, deliver_within_days=1)
        )
    order = _paid(world)
    options = shipping.shipping_options(world.uow, actor=world.merchant_a, order_id=order.id)
    assert [o.quote.carrier for o in options.offers] == ["pine", "swift", "fleet"]
    assert options.picks["on_time"] == "fleet"

    shipments.set_carrier_switch(world.uow, actor=world.ops, carrier="fleet", enabled=False)
    shipments.set_carrier_switch(world.uow, actor=world.ops, carrier="pine", enabled=False)
    options = shipping.shipping_options(world.uow, actor=world.merchant_a, order_id=order.id)
    assert [o.quote.carrier for o in options.offers] == ["swift"]
    with pytest.raises(carriers.CarrierUnavailable):
        shipping.ship_by_label(world.uow, actor=world.merchant_a, order_id=order.id, carrier="pine")
    shipments.set_carrier_switch(world.uow, actor=world.ops, carrier="swift", enabled=False)
    with pytest.raises(shipments.NoCarrier):
        shipping.ship_by_label(world.uow, actor=world.merchant_a, order_id=order.id)
    assert world.status(order.id) == "paid"
    assert {s.carrier: s.enabled for s in shipments.list_carrier_switches(world.uow)} == {
        "fleet": False,
        "swift": False,
        "pine": False,
    }


def test_an_order_without_an_address_ships_only_by_a_typed_tracking_number(world: World) -> None:
    order = _paid(world)
    with world.uow:
        world.uow.session.execute(
            update(ordering.Order).where(ordering.Order.id == order.id).values(ship_to=None)
        )
    with pytest.raises(NoDeliveryAddress):
        shipping.ship_by_label(world.uow, actor=world.merchant_a, order_id=order.id)
    ordering.ship_order(
        world.uow, actor=world.merchant_a, order_id=order.id, tracking_number="SF123"
    )
    ordering.mark_delivered(world.uow, actor=world.merchant_a, order_id=order.id)
    assert world.status(order.id) == "delivered"


def test_the_stores_settlement_pays_off_its_labels_first(world: World) -> None:
    first, second = _paid(world), _paid(world)
    for order in (first, second):
        shipping.ship_by_label(world.uow, actor=world.merchant_a, order_id=order.id)
        shipping.sandbox_advance(world.uow, order_id=order.id, until="delivered")
    freight = payments.store_freight_of(world.store_a.id)
    assert ledger.balance(world.uow, freight) == -1200  # two labels of ¥6.00, owed

    ordering.confirm_receipt(world.uow, actor=world.buyer, order_id=first.id)
    with world.uow.read() as session:
        settled = session.scalar(
            select(ordering.Settlement).where(ordering.Settlement.order_id == first.id)
        )
        assert settled is not None
        net, taken = settled.net, settled.freight
    assert taken == 1200 and ledger.balance(world.uow, freight) == 0
    assert world.settlement(world.store_a) == net - 1200
    ordering.confirm_receipt(world.uow, actor=world.buyer, order_id=second.id)
    assert world.settlement(world.store_a) == 2 * net - 1200  # nothing owed any more
    assert ledger.check(world.uow).ok


def test_a_return_gets_a_label_paid_by_the_store_and_its_arrival_is_recorded(
    world: World,
) -> None:
    order = _paid(world)
    shipping.ship_by_label(world.uow, actor=world.merchant_a, order_id=order.id)
    shipping.sandbox_advance(world.uow, order_id=order.id, until="delivered")
    freight = payments.store_freight_of(world.store_a.id)
    before = ledger.balance(world.uow, freight)

    ordering.request_refund(world.uow, actor=world.buyer, order_id=order.id, reason="Too small")
    world.deliver_events()

    back = shipping.whereabouts(world.uow, [order.id], direction=shipments.RETURN)[order.id]
    # from the shopper's Zhejiang to the store's Shanghai, the cheapest carrier
    assert (back.carrier, back.price, back.destination_region) == ("pine", 600, "Shanghai")
    assert ledger.balance(world.uow, freight) == before - 600
    carrier = carriers.get_carrier(back.carrier)
    arrived = carriers.Scan(
        f"{back.waybill}-5", back.waybill, "delivered", utcnow(), "Shanghai", ""
    )
    body = carrier.push_body([arrived])
    shipping.receive_push(world.uow, carrier=carrier.name, body=body, signature=carrier.sign(body))
    with world.uow.read() as session:
        kinds = list(
            session.scalars(
                select(OrderEvent.kind)
                .where(OrderEvent.order_id == order.id)
                .order_by(OrderEvent.created_at)
            )
        )
    assert kinds[-2:] == ["return_label", "return_received"]
    assert world.status(order.id) == "delivered"  # the store still decides the return
    assert ledger.check(world.uow).ok


def test_a_return_label_does_not_stop_the_store_marking_its_own_parcel_delivered(
    world: World,
) -> None:
    order = _paid(world)
    ordering.ship_order(world.uow, actor=world.merchant_a, order_id=order.id, tracking_number="SF9")
    ordering.request_refund(world.uow, actor=world.buyer, order_id=order.id)
    world.deliver_events()
    assert shipping.whereabouts(world.uow, [order.id], direction=shipments.RETURN)
    ordering.mark_delivered(world.uow, actor=world.merchant_a, order_id=order.id)
    assert world.status(order.id) == "delivered"
