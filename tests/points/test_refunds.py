"""Refunds give back points pro rata: the redeemed points that paid the refunded part come back
(a fresh lot), the pending points earned on the money refunded are reversed — exactly to zero
after a full refund, however the refunds were cut."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from agora import ledger, payments, points
from agora.core.clock import clock
from agora.core.jobs import Scheduler
from agora.ordering import (
    OrderView,
    SourceRequest,
    accept_return,
    confirm_receipt,
    request_refund,
)
from points.world import GATEWAY, POINTS, WALLET, World


def _grant(world: World, amount: int) -> None:
    points.grant(world.uow, user_id=world.buyer.user_id, amount=amount, key="gift", reason="Gift")


def _line(order: OrderView, sku_id: uuid.UUID) -> uuid.UUID:
    return next(line.id for line in order.lines if line.sku_id == sku_id)


def _coat_pair(world: World, discount: int) -> OrderView:
    """One order of store A: a red coat (¥299.00) and a black one (¥199.50), ¥498.50 in all."""
    [order] = world.place((world.red_coat, 1), (world.black_coat, 1))
    world.pay([order], SourceRequest(POINTS, discount), SourceRequest(WALLET))
    return order


def test_a_partial_then_a_full_refund_return_exactly_everything(world: World) -> None:
    user = world.buyer.user_id
    world.fund(world.buyer_user, 100_000)
    _grant(world, 12_000)
    order = _coat_pair(world, 10_001)
    assert world.pending(user) == 398  # on ¥398.49 of money
    assert world.active(user) == 1_999

    request_refund(
        world.uow, actor=world.buyer, order_id=order.id, lines={_line(order, world.black_coat): 1}
    )

    # 19950 of 49850 refunded: the points part back is 10001 × 19950 ÷ 49850 = 4002 (down).
    assert world.paid_with(order.id) == {"points": (10_001, 4_002), "wallet": (39_849, 15_948)}
    assert world.active(user) == 1_999 + 4_002
    assert world.pending(user) == 398 - 159  # 398 × 15948 ÷ 39849 = 159 (down)
    assert world.wallet(user) == 100_000 - 39_849 + 15_948
    assert world.lots(user) == [("grant", 12_000, 1_999, 0), ("refund", 4_002, 4_002, 0)]

    request_refund(world.uow, actor=world.buyer, order_id=order.id)

    assert world.status(order.id) == "refunded"
    assert world.paid_with(order.id) == {"points": (10_001, 10_001), "wallet": (39_849, 39_849)}
    assert world.active(user) == 12_000
    assert world.pending(user) == 0
    assert world.wallet(user) == 100_000
    assert world.lots(user) == [
        ("grant", 12_000, 1_999, 0),
        ("refund", 4_002, 4_002, 0),
        ("refund", 5_999, 5_999, 0),
    ]
    for kind in ("escrow", "points_funding", "points_redeemed"):
        assert world.platform(kind) == 0, kind
    assert world.platform("points_issued") == -12_000  # only the grant is still out there
    row = world.points_order(order.id)
    assert row is not None
    assert (row.status, row.reversed, row.restored) == ("reversed", 398, 10_001)


def test_a_full_refund_at_once_returns_everything(world: World) -> None:
    user = world.buyer.user_id
    world.fund(world.buyer_user, 100_000)
    _grant(world, 20_000)
    order = world.buy(world.red_coat, discount=14_950)

    request_refund(world.uow, actor=world.buyer, order_id=order.id)

    assert (world.active(user), world.pending(user), world.wallet(user)) == (20_000, 0, 100_000)
    assert world.platform("points_funding") == 0


def test_a_partial_refund_before_completion_activates_only_what_was_not_reversed(
    world: World,
) -> None:
    user = world.buyer.user_id
    world.fund(world.buyer_user, 100_000)
    [order] = world.place((world.red_coat, 1), (world.black_coat, 1))
    world.pay([order], SourceRequest(WALLET))
    assert world.pending(user) == 498
    world.deliver(order)

    returned = request_refund(
        world.uow, actor=world.buyer, order_id=order.id, lines={_line(order, world.red_coat): 1}
    )
    assert world.pending(user) == 498  # a return waits for the merchant: nothing reversed yet
    accept_return(world.uow, actor=world.merchant_a, refund_id=returned.id)
    assert world.pending(user) == 498 - 298  # 498 × 29900 ÷ 49850 = 298 (down)

    confirm_receipt(world.uow, actor=world.buyer, order_id=order.id)

    assert (world.pending(user), world.active(user)) == (0, 200)
    assert world.lots(user) == [("order", 200, 200, 0)]


def test_with_a_bank_part_the_points_come_back_pro_rata_and_the_bank_before_the_wallet(
    world: World,
) -> None:
    user = world.buyer.user_id
    _grant(world, 10_000)
    [order] = world.place((world.red_coat, 1), (world.black_coat, 1))  # 49850
    outcome = world.pay([order], SourceRequest(POINTS, 10_000), SourceRequest(GATEWAY))
    assert outcome.charge_id is not None
    payments.submit_sandbox_payment(
        world.uow, actor=world.buyer, charge_id=outcome.charge_id, approve=True
    )
    world.deliver_events()
    assert world.paid_with(order.id) == {"points": (10_000, 0), GATEWAY: (39_850, 0)}

    request_refund(
        world.uow, actor=world.buyer, order_id=order.id, lines={_line(order, world.black_coat): 1}
    )

    # 10000 × 19950 ÷ 49850 = 4002 points; the rest, 15948, to the bank.
    assert world.paid_with(order.id) == {"points": (10_000, 4_002), GATEWAY: (39_850, 15_948)}
    assert world.active(user) == 4_002
    assert world.wallet(user) == 0

    request_refund(world.uow, actor=world.buyer, order_id=order.id)

    assert world.paid_with(order.id) == {"points": (10_000, 10_000), GATEWAY: (39_850, 39_850)}
    assert (world.active(user), world.pending(user)) == (10_000, 0)


def _balanced(world: World) -> None:
    """The ledger replays and every user's lots add up to their points."""
    report = ledger.check(world.uow)
    assert report.ok, report.problems
    audit = points.audit(world.uow)
    assert audit.ok, audit.problems


def test_a_year_of_earning_redeeming_refunding_and_expiring_keeps_lots_and_ledger_equal(
    world: World,
) -> None:
    user = world.buyer.user_id
    world.fund(world.buyer_user, 200_000)
    sweep = Scheduler(world.uow.db, owner="tests")

    # March: a coat earns 299 points, active when received (lot A, until next March)
    clock.freeze(datetime(2025, 3, 1, 9, tzinfo=UTC))
    first = world.buy(world.red_coat)
    world.deliver(first)
    confirm_receipt(world.uow, actor=world.buyer, order_id=first.id)
    assert (world.pending(user), world.active(user)) == (0, 299)
    _balanced(world)

    # September: two coats, 200 points off (taken from lot A), the rest from the wallet
    clock.freeze(datetime(2025, 9, 1, 9, tzinfo=UTC))
    pair = _coat_pair(world, 200)
    assert world.active(user) == 99
    earned = world.pending(user)
    assert earned == (49850 - 200) // 100
    world.deliver(pair)
    # the red coat goes back: part of the points come back as a fresh lot, part of what the
    # order earned is taken back, both in proportion
    returned = request_refund(
        world.uow, actor=world.buyer, order_id=pair.id, lines={_line(pair, world.red_coat): 1}
    )
    accept_return(world.uow, actor=world.merchant_a, refund_id=returned.id)
    restored = world.active(user) - 99
    assert 0 < restored < 200 and restored == 200 * 29900 // 49850
    left_pending = world.pending(user)
    assert 0 < left_pending < earned
    confirm_receipt(world.uow, actor=world.buyer, order_id=pair.id)
    assert world.active(user) == 99 + restored + left_pending
    _balanced(world)

    # A year after March: what is left of lot A expires, the rest stays
    clock.freeze(datetime(2026, 3, 1, 9, 1, tzinfo=UTC))
    sweep.run_due()
    assert world.active(user) == restored + left_pending
    assert world.platform("points_expired") == 99
    _balanced(world)

    # A year after September everything left has expired; a second sweep finds nothing
    clock.freeze(datetime(2026, 9, 2, 9, tzinfo=UTC))
    sweep.run_due()
    assert world.active(user) == 0
    assert world.platform("points_expired") == 99 + restored + left_pending
    assert points.expire_due(world.uow) == 0
    _balanced(world)
