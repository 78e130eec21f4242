"""Paying orders from the balance treasure and with credit, and refunding them: the treasure pays
through the wallet in the payment's transaction, credit pays straight into escrow, and a refund
of a credit payment first reduces what is owed."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from agora import credit, ledger, payments, treasure
from agora.core.clock import utcnow
from agora.core.errors import InvalidInput
from agora.identity import User
from agora.ordering import (
    SourceRequest,
    confirm_receipt,
    mark_delivered,
    order_detail,
    pay_orders,
    request_refund,
    ship_order,
)
from ordering.world import GATEWAY, World, buy

TREASURE = payments.TREASURE
CREDIT = payments.CREDIT


def saved(world: World) -> int:
    return treasure.treasure_balance(world.uow, world.buyer.user_id)


def owed(world: World) -> int:
    return -ledger.balance(world.uow, credit.owed_of(world.buyer.user_id))


def open_credit(world: World) -> int:
    """The buyer opens a line as a shopper would, with a year-old account (the age factor alone
    earns the first band); returns the limit."""
    with world.uow:
        world.uow.session.execute(
            update(User)
            .where(User.id == world.buyer.user_id)
            .values(created_at=utcnow() - timedelta(days=366))
        )
    line = credit.open_line(world.uow, actor=world.buyer)
    assert line.credit_limit > 29900
    return line.credit_limit


def _line(world: World) -> credit.CreditLine | None:
    with world.uow.read() as session:
        return session.get(credit.CreditLine, world.buyer.user_id)


def deposit(world: World, amount: int) -> None:
    world.fund(world.buyer_user, amount)
    treasure.deposit(world.uow, actor=world.buyer, amount=amount)


def test_paying_from_the_treasure_redeems_into_the_wallet_and_pays_escrow(world: World) -> None:
    deposit(world, 50000)
    order = buy(world, world.red_coat)

    outcome = pay_orders(
        world.uow, actor=world.buyer, order_ids=[order.id], sources=[SourceRequest(TREASURE)]
    )

    assert outcome.status == "paid" and outcome.treasure_amount == 29900
    assert saved(world) == 50000 - 29900
    assert world.wallet(world.buyer.user_id) == 0
    assert ledger.balance(world.uow, payments.escrow_of(order.id)) == 29900
    detail = order_detail(world.uow, actor=world.buyer, order_id=order.id)
    assert [(p.source, p.amount) for p in detail.payments] == [("treasure", 29900)]

    request_refund(world.uow, actor=world.buyer, order_id=order.id)

    # What the treasure paid comes back to the wallet, where it went through.
    assert world.wallet(world.buyer.user_id) == 29900
    assert saved(world) == 50000 - 29900
    assert world.escrow() == 0


def test_treasure_and_wallet_share_one_payment(world: World) -> None:
    deposit(world, 10000)
    world.fund(world.buyer_user, 20000)
    order = buy(world, world.red_coat)

    pay_orders(
        world.uow,
        actor=world.buyer,
        order_ids=[order.id],
        sources=[SourceRequest(TREASURE, 10000), SourceRequest(payments.WALLET)],
    )

    assert saved(world) == 0
    assert world.wallet(world.buyer.user_id) == 20000 - 19900
    detail = order_detail(world.uow, actor=world.buyer, order_id=order.id)
    assert sorted((p.source, p.amount) for p in detail.payments) == [
        ("treasure", 10000),
        ("wallet", 19900),
    ]


def test_too_little_in_the_treasure_changes_nothing(world: World) -> None:
    deposit(world, 29899)
    order = buy(world, world.red_coat)
    before = world.snapshot()

    with pytest.raises(treasure.TreasureInsufficient):
        pay_orders(
            world.uow, actor=world.buyer, order_ids=[order.id], sources=[SourceRequest(TREASURE)]
        )

    assert world.snapshot() == before
    assert world.status(order.id) == "pending_payment"


@pytest.mark.parametrize("source", [TREASURE, CREDIT])
def test_treasure_or_credit_with_a_bank_part_is_refused(world: World, source: str) -> None:
    deposit(world, 50000)
    open_credit(world)
    order = buy(world, world.red_coat)
    before = world.snapshot()

    with pytest.raises(InvalidInput):
        pay_orders(
            world.uow,
            actor=world.buyer,
            order_ids=[order.id],
            sources=[SourceRequest(source, 100), SourceRequest(GATEWAY)],
        )

    assert world.snapshot() == before


def test_paying_with_credit_owes_the_total_and_a_refund_reduces_what_is_owed(
    world: World,
) -> None:
    open_credit(world)
    order = buy(world, world.red_coat)

    outcome = pay_orders(
        world.uow, actor=world.buyer, order_ids=[order.id], sources=[SourceRequest(CREDIT)]
    )

    assert outcome.status == "paid" and outcome.credit_amount == 29900
    assert owed(world) == 29900
    assert world.wallet(world.buyer.user_id) == 0
    assert ledger.balance(world.uow, payments.escrow_of(order.id)) == 29900
    line = _line(world)
    assert line is not None and line.used == 29900

    request_refund(world.uow, actor=world.buyer, order_id=order.id)

    assert owed(world) == 0
    assert world.wallet(world.buyer.user_id) == 0
    line = _line(world)
    assert line is not None and line.used == 0
    assert world.escrow() == 0


def test_credit_over_the_limit_changes_nothing(world: World) -> None:
    limit = open_credit(world)
    quantity = limit // 29900 + 1
    order = buy(world, world.red_coat, quantity)
    before = world.snapshot()

    with pytest.raises(credit.CreditLimitExceeded):
        pay_orders(
            world.uow, actor=world.buyer, order_ids=[order.id], sources=[SourceRequest(CREDIT)]
        )

    assert world.snapshot() == before
    assert owed(world) == 0


def test_credit_without_a_line_is_refused(world: World) -> None:
    order = buy(world, world.red_coat)
    before = world.snapshot()

    with pytest.raises(credit.CreditNotOpen):
        pay_orders(
            world.uow, actor=world.buyer, order_ids=[order.id], sources=[SourceRequest(CREDIT)]
        )

    assert world.snapshot() == before


def test_the_shopping_record_counts_completed_orders_for_the_score(world: World) -> None:
    """Ordering tells credit what the buyer completed (after refunds); credit never reads
    ordering's tables itself."""
    from agora.credit.records import shopping_record

    world.fund(world.buyer_user, 100000)
    done, open_one = buy(world, world.red_coat), buy(world, world.black_coat)
    for order in (done, open_one):
        pay_orders(
            world.uow,
            actor=world.buyer,
            order_ids=[order.id],
            sources=[SourceRequest(payments.WALLET)],
        )
    ship_order(world.uow, actor=world.merchant_a, order_id=done.id, tracking_number="SF1")
    mark_delivered(world.uow, actor=world.merchant_a, order_id=done.id)
    confirm_receipt(world.uow, actor=world.buyer, order_id=done.id)

    with world.uow.read() as session:
        assert shopping_record(session, world.buyer.user_id) == credit.ShoppingRecord(1, 29900)
        assert shopping_record(session, uuid.uuid4()) == credit.ShoppingRecord(0, 0)
