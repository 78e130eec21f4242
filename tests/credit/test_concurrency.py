"""Races with real threads against the real database: purchases racing one limit never exceed
it, and repayments racing purchases keep the line equal to the ledger."""

from __future__ import annotations

import uuid

from agora import credit, payments
from agora.core.uow import UnitOfWork
from credit.world import assert_audit, line, owed, shopper
from factories import race

TIMEOUT = 120
WORKERS = 16


def test_purchases_racing_the_limit_never_exceed_it(uow: UnitOfWork) -> None:
    who = shopper(uow)  # a ¥10,000 line
    price = 70_000  # ¥700: at most 14 fit

    def purchase(_i: int) -> bool:
        order_id = uuid.uuid4()
        mine = UnitOfWork(uow.db)
        with mine:
            credit.charge_order(
                mine,
                user_id=who.id,
                order_id=order_id,
                store_id=uuid.UUID(int=1),
                amount=price,
                escrow=payments.escrow_of(order_id),
            )
        return True

    results = race(60, purchase)
    accepted = sum(1 for r in results if r is True)
    refused = [r for r in results if r is not True]
    assert accepted == 14
    assert all(isinstance(r, credit.CreditLimitExceeded) for r in refused)
    assert line(uow, who) == (1_000_000, 14 * price, "active")
    assert owed(uow, who) == 14 * price
    assert_audit(uow)


def test_repayments_racing_purchases_keep_the_line_true(uow: UnitOfWork) -> None:
    who = shopper(uow, wallet=500_000)
    first = uuid.uuid4()
    with uow:
        credit.charge_order(
            uow,
            user_id=who.id,
            order_id=first,
            store_id=uuid.UUID(int=1),
            amount=400_000,
            escrow=payments.escrow_of(first),
        )

    def act(i: int) -> str:
        mine = UnitOfWork(uow.db)
        if i % 2:
            credit.repay(mine, actor=who.actor, amount=20_000)
            return "repaid"
        order_id = uuid.uuid4()
        with mine:
            credit.charge_order(
                mine,
                user_id=who.id,
                order_id=order_id,
                store_id=uuid.UUID(int=1),
                amount=30_000,
                escrow=payments.escrow_of(order_id),
            )
        return "bought"

    results = race(40, act)
    repaid = results.count("repaid")
    bought = results.count("bought")
    assert repaid == 20
    assert line(uow, who)[1] == 400_000 + bought * 30_000 - repaid * 20_000 <= 1_000_000
    assert_audit(uow)
