"""Earning points on the money paid, activating them when the order completes, expiring them
twelve calendar months later."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import factories
from agora import ledger, points
from agora.core.clock import clock
from agora.core.jobs import Scheduler
from agora.ordering import SourceRequest, confirm_receipt
from points.world import GATEWAY, WALLET, World


def test_paying_from_the_wallet_earns_pending_points_per_whole_yuan(world: World) -> None:
    world.fund(world.buyer_user, 100_000)

    order = world.buy(world.black_coat)  # ¥199.50

    user = world.buyer.user_id
    assert world.pending(user) == 199
    assert world.active(user) == 0
    assert world.lots(user) == []
    row = world.points_order(order.id)
    assert row is not None
    assert (row.status, row.money_paid, row.earned, row.redeemed) == ("pending", 19950, 199, 0)
    assert world.platform("points_issued") == -199
    assert ledger.transfers_with(world.uow, key_prefix=f"points:order:{order.id}") == [
        (f"points:order:{order.id}:earn", "points_earned")
    ]
    mine = points.summary(world.uow, user_id=user)
    assert (mine.active, mine.pending, mine.expiring_at) == (0, 199, None)


def test_a_checkout_of_two_stores_earns_on_each_order(world: World) -> None:
    world.fund(world.buyer_user, 100_000)
    orders = world.place((world.red_coat, 1), (world.dress_sku, 1))

    world.pay(orders)

    assert world.pending(world.buyer.user_id) == 299 + 150
    assert sorted(world.points_order(o.id).earned for o in orders) == [150, 299]  # type: ignore[union-attr]


def test_an_order_under_one_yuan_earns_nothing_and_records_nothing(world: World) -> None:
    world.fund(world.buyer_user, 1_000)
    category = world.coat.category_path[-1]
    pin = factories.make_product(
        world.uow, world.merchant_a, world.store_a, category, title_en="Pin", skus=[("", "", 99, 5)]
    )

    order = world.buy(pin.skus[0].id)

    assert world.status(order.id) == "paid"
    assert world.points_order(order.id) is None
    assert world.pending(world.buyer.user_id) == 0


def test_the_bank_part_earns_points_too(world: World) -> None:
    world.fund(world.buyer_user, 10_000)
    [order] = world.place((world.red_coat, 1))

    outcome = world.pay([order], SourceRequest(WALLET, 10_000), SourceRequest(GATEWAY))
    assert outcome.charge_id is not None
    assert world.pending(world.buyer.user_id) == 0  # nothing until the bank confirms
    from agora import payments

    payments.submit_sandbox_payment(
        world.uow, actor=world.buyer, charge_id=outcome.charge_id, approve=True
    )
    world.deliver_events()

    assert world.status(order.id) == "paid"
    assert world.pending(world.buyer.user_id) == 299


def test_confirming_receipt_makes_the_points_active_in_a_lot(world: World) -> None:
    clock.freeze(datetime(2025, 5, 20, 10, 0, tzinfo=UTC))
    world.fund(world.buyer_user, 100_000)
    order = world.buy(world.red_coat)
    world.deliver(order)

    confirm_receipt(world.uow, actor=world.buyer, order_id=order.id)

    user = world.buyer.user_id
    assert (world.pending(user), world.active(user)) == (0, 299)
    assert world.lots(user) == [("order", 299, 299, 0)]
    row = world.points_order(order.id)
    assert row is not None and row.status == "active"
    mine = points.summary(world.uow, user_id=user)
    assert (mine.active, mine.pending, mine.expiring_amount) == (299, 0, 299)
    assert mine.expiring_at == datetime(2026, 5, 20, 10, 0, tzinfo=UTC)


def test_auto_confirmation_activates_the_points_too(world: World) -> None:
    world.fund(world.buyer_user, 100_000)
    order = world.buy(world.dress_sku)
    world.deliver(order)
    clock.travel(timedelta(days=10, minutes=1))

    world.sweep()

    assert world.status(order.id) == "completed"
    assert (world.pending(world.buyer.user_id), world.active(world.buyer.user_id)) == (0, 150)
    assert world.lots(world.buyer.user_id) == [("order", 150, 150, 0)]


def test_after_twelve_months_only_the_older_lot_expires(world: World) -> None:
    user = world.buyer.user_id
    world.fund(world.buyer_user, 100_000)
    clock.freeze(datetime(2025, 1, 10, tzinfo=UTC))
    first = world.buy(world.red_coat)
    world.deliver(first)
    confirm_receipt(world.uow, actor=world.buyer, order_id=first.id)
    clock.travel(timedelta(days=60))
    second = world.buy(world.dress_sku)
    world.deliver(second)
    confirm_receipt(world.uow, actor=world.buyer, order_id=second.id)
    assert world.active(user) == 299 + 150
    third = world.buy(world.black_coat)  # still pending when the first lot expires

    clock.freeze(datetime(2026, 1, 10, tzinfo=UTC) + timedelta(minutes=1))
    Scheduler(world.uow.db, owner="tests").run_due()  # the periodic expiry sweep

    assert world.active(user) == 150
    assert world.pending(user) == 199
    assert world.lots(user) == [("order", 299, 0, 299), ("order", 150, 150, 0)]
    assert world.platform("points_expired") == 299
    assert world.points_order(third.id).status == "pending"  # type: ignore[union-attr]
    mine = points.summary(world.uow, user_id=user)
    assert (mine.active, mine.pending, mine.expiring_amount) == (150, 199, 150)
    assert mine.expiring_at == datetime(2026, 3, 11, tzinfo=UTC)
    # The second run finds nothing more to do.
    assert points.expire_due(world.uow) == 0
    assert world.active(user) == 150
