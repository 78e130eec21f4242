"""Redeeming points when paying: at most half of each order, never more than the points held,
soonest-expiring lots first; alone with the wallet, or with a bank part redeemed on capture."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agora import ledger, payments, points
from agora.core.clock import clock
from agora.core.errors import InvalidInput
from agora.ordering import SourceRequest, confirm_receipt
from points.world import GATEWAY, POINTS, WALLET, World


def _grant(world: World, amount: int, key: str = "gift") -> None:
    points.grant(world.uow, user_id=world.buyer.user_id, amount=amount, key=key, reason="Gift")


def test_points_pay_half_and_escrow_still_holds_the_full_total(world: World) -> None:
    user = world.buyer.user_id
    world.fund(world.buyer_user, 100_000)
    _grant(world, 20_000)
    [order] = world.place((world.red_coat, 1))  # ¥299.00

    outcome = world.pay([order], SourceRequest(POINTS, 14_950), SourceRequest(WALLET))

    assert (outcome.status, outcome.points_amount, outcome.wallet_amount) == (
        "paid",
        14_950,
        14_950,
    )
    assert world.status(order.id) == "paid"
    assert world.paid_with(order.id) == {"points": (14_950, 0), "wallet": (14_950, 0)}
    assert world.wallet(user) == 100_000 - 14_950
    assert world.active(user) == 20_000 - 14_950
    assert world.lots(user) == [("grant", 20_000, 5_050, 0)]
    assert world.pending(user) == 149  # earned on the money part only
    assert world.platform("escrow") == 29_900
    assert world.platform("points_funding") == -14_950
    assert world.platform("points_redeemed") == 14_950
    row = world.points_order(order.id)
    assert row is not None
    assert (row.redeemed, row.discount, row.money_paid, row.earned) == (14_950, 14_950, 14_950, 149)


def test_the_store_is_settled_on_the_full_total(world: World) -> None:
    world.fund(world.buyer_user, 100_000)
    _grant(world, 20_000)
    order = world.buy(world.red_coat, discount=10_000)
    world.deliver(order)

    confirm_receipt(world.uow, actor=world.buyer, order_id=order.id)

    commission = world.platform("commission")
    assert commission == 1_495  # 5% of ¥299.00, rounded half up
    assert ledger.balance(world.uow, payments.store_settlement_of(world.store_a.id)) == 28_405
    assert world.platform("escrow") == 0
    assert world.active(world.buyer.user_id) == 10_000 + 199  # the earned points became active


def test_more_than_half_an_order_is_refused_and_changes_nothing(world: World) -> None:
    world.fund(world.buyer_user, 100_000)
    _grant(world, 20_000)
    [order] = world.place((world.red_coat, 1))
    before = world.snapshot()

    with pytest.raises(points.PointsOverLimit):
        world.pay([order], SourceRequest(POINTS, 14_951), SourceRequest(WALLET))

    assert world.snapshot() == before
    assert world.status(order.id) == "pending_payment"


def test_more_points_than_held_are_refused_and_change_nothing(world: World) -> None:
    world.fund(world.buyer_user, 100_000)
    _grant(world, 1_000)
    [order] = world.place((world.red_coat, 1))
    before = world.snapshot()

    with pytest.raises(points.PointsInsufficient):
        world.pay([order], SourceRequest(POINTS, 1_001), SourceRequest(WALLET))

    assert world.snapshot() == before


def test_points_need_an_amount(world: World) -> None:
    _grant(world, 20_000)
    [order] = world.place((world.red_coat, 1))
    before = world.snapshot()

    with pytest.raises(InvalidInput):
        world.pay([order], SourceRequest(POINTS), SourceRequest(WALLET, 10_000))

    assert world.snapshot() == before


def test_points_switched_off_by_the_operator_are_refused(world: World) -> None:
    world.fund(world.buyer_user, 100_000)
    _grant(world, 20_000)
    payments.set_switch(world.uow, actor=world.ops, source="points", enabled=False)
    [order] = world.place((world.red_coat, 1))
    before = world.snapshot()

    with pytest.raises(payments.FundingSourceDisabled):
        world.pay([order], SourceRequest(POINTS, 1_000), SourceRequest(WALLET))

    assert world.snapshot() == before


def test_the_soonest_expiring_lot_is_used_first(world: World) -> None:
    user = world.buyer.user_id
    world.fund(world.buyer_user, 100_000)
    clock.freeze(datetime(2025, 1, 1, tzinfo=UTC))
    _grant(world, 3_000, "older")
    clock.travel(timedelta(days=30))
    _grant(world, 5_000, "newer")

    world.buy(world.red_coat, discount=4_000)

    assert world.lots(user) == [("grant", 3_000, 0, 0), ("grant", 5_000, 4_000, 0)]
    assert world.active(user) == 4_000


def test_a_lot_past_its_date_cannot_be_redeemed_even_before_the_sweep(world: World) -> None:
    world.fund(world.buyer_user, 100_000)
    clock.freeze(datetime(2025, 1, 1, tzinfo=UTC))
    _grant(world, 3_000)
    clock.freeze(datetime(2026, 1, 1, tzinfo=UTC))
    [order] = world.place((world.red_coat, 1))
    before = world.snapshot()

    with pytest.raises(points.PointsInsufficient):
        world.pay([order], SourceRequest(POINTS, 100), SourceRequest(WALLET))

    assert world.snapshot() == before
    assert points.summary(world.uow, user_id=world.buyer.user_id).active == 0


def test_a_checkout_splits_the_points_in_proportion_to_the_orders(world: World) -> None:
    world.fund(world.buyer_user, 100_000)
    _grant(world, 30_000)
    coat, dress = world.place((world.red_coat, 1), (world.dress_sku, 1))  # 29900 + 15000

    world.pay([coat, dress], SourceRequest(POINTS, 20_000), SourceRequest(WALLET))

    assert world.paid_with(coat.id) == {"points": (13_318, 0), "wallet": (16_582, 0)}
    assert world.paid_with(dress.id) == {"points": (6_682, 0), "wallet": (8_318, 0)}
    assert world.active(world.buyer.user_id) == 10_000
    assert world.pending(world.buyer.user_id) == 165 + 83


def test_a_checkout_caps_points_at_half_of_every_order(world: World) -> None:
    world.fund(world.buyer_user, 100_000)
    _grant(world, 30_000)
    orders = world.place((world.red_coat, 1), (world.dress_sku, 1))
    before = world.snapshot()

    with pytest.raises(points.PointsOverLimit):
        world.pay(orders, SourceRequest(POINTS, 22_451), SourceRequest(WALLET))
    assert world.snapshot() == before

    world.pay(orders, SourceRequest(POINTS, 22_450), SourceRequest(WALLET))
    assert world.paid_with(orders[0].id)["points"] == (14_950, 0)
    assert world.paid_with(orders[1].id)["points"] == (7_500, 0)


def _pay_at_bank(world: World, outcome_charge: object) -> None:
    payments.submit_sandbox_payment(
        world.uow,
        actor=world.buyer,
        charge_id=outcome_charge,  # type: ignore[arg-type]
        approve=True,
    )
    world.deliver_events()


def test_points_with_the_bank_are_redeemed_when_the_bank_confirms(world: World) -> None:
    user = world.buyer.user_id
    _grant(world, 20_000)
    [order] = world.place((world.red_coat, 1))

    outcome = world.pay([order], SourceRequest(POINTS, 10_000), SourceRequest(GATEWAY))

    assert (outcome.status, outcome.gateway_amount, outcome.points_amount) == (
        "awaiting_gateway",
        19_900,
        10_000,
    )
    assert world.active(user) == 20_000  # nothing moves before the bank answers
    _pay_at_bank(world, outcome.charge_id)

    assert world.status(order.id) == "paid"
    assert world.paid_with(order.id) == {"points": (10_000, 0), GATEWAY: (19_900, 0)}
    assert world.active(user) == 10_000
    assert world.wallet(user) == 0
    assert world.pending(user) == 199
    assert world.platform("escrow") == 29_900


def test_points_spent_before_the_bank_confirms_leave_the_order_unpaid(world: World) -> None:
    user = world.buyer.user_id
    _grant(world, 10_000)
    first, second = world.place((world.red_coat, 1)), world.place((world.dress_sku, 1))
    outcome = world.pay(first, SourceRequest(POINTS, 10_000), SourceRequest(GATEWAY))
    world.fund(world.buyer_user, 10_000)
    world.pay(second, SourceRequest(POINTS, 5_000), SourceRequest(WALLET))  # points spent here

    _pay_at_bank(world, outcome.charge_id)

    assert world.status(first[0].id) == "pending_payment"
    assert world.wallet(user) == 19_900  # the bank's money stays in the wallet
    assert world.active(user) == 5_000
    assert world.paid_with(first[0].id) == {}


def test_points_with_the_bank_are_checked_before_going_to_the_bank(world: World) -> None:
    _grant(world, 1_000)
    [order] = world.place((world.red_coat, 1))
    before = world.snapshot()

    with pytest.raises(points.PointsInsufficient):
        world.pay([order], SourceRequest(POINTS, 5_000), SourceRequest(GATEWAY))

    assert world.snapshot() == before
