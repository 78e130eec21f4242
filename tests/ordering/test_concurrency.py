"""Races with real threads against the real database (SQLite and PostgreSQL).

Each thread runs its use case in its own unit of work, as concurrent requests do. Pools are
bounded and every wait has a timeout, so a deadlock fails the test instead of hanging it.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

import factories
from agora import inventory, ledger, payments
from agora.core.db import Database
from agora.core.errors import AgoraError
from agora.core.idempotency import run_idempotent
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.ordering import (
    LineRequest,
    Order,
    OrderStateConflict,
    SourceRequest,
    cancel_order,
    pay_orders,
    place_orders,
)
from agora.payments.models import ChargeRow
from ordering.world import GATEWAY, WALLET, World, buy

TIMEOUT = 120


def _count(db: Database, model: Any, *where: Any) -> int:
    with UnitOfWork(db).read() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _race(n: int, fn: Callable[[int], Any], *, workers: int = 16) -> list[Any]:
    """Run ``fn(i)`` for i in range(n) on a bounded pool; each result or the AgoraError raised."""

    def guarded(i: int) -> Any:
        try:
            return fn(i)
        except AgoraError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(guarded, i) for i in range(n)]
        return [f.result(timeout=TIMEOUT) for f in futures]


def test_200_buyers_race_for_10_units_and_exactly_10_win(world: World, db: Database) -> None:
    buyers = [factories.principal(factories.make_user(world.uow)) for _ in range(200)]
    sku = world.red_coat
    assert world.stock(sku) == (10, 0)
    start = threading.Barrier(16, timeout=TIMEOUT)

    def attempt(i: int) -> Any:
        if i < 16:
            start.wait()  # the first wave leaves together
        return place_orders(UnitOfWork(db), actor=buyers[i], lines=[LineRequest(sku, 1)])

    results = _race(200, attempt)

    placed = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, AgoraError)]
    assert len(placed) == 10
    assert len(refused) == 190
    assert {type(r) for r in refused} == {inventory.InsufficientStock}
    assert world.stock(sku) == (0, 10)
    assert _count(db, Order) == 10
    assert len({order.buyer_id for [order] in placed}) == 10


def test_one_idempotency_key_20_times_at_once_makes_one_order(world: World, db: Database) -> None:
    buyer = world.buyer

    def checkout(_: int) -> Any:
        uow = UnitOfWork(db)

        def action() -> tuple[int, Any]:
            orders = place_orders(uow, actor=buyer, lines=[LineRequest(world.red_coat, 2)])
            return 201, [str(o.id) for o in orders]

        return run_idempotent(
            uow, scope=f"user:{buyer.user_id}", key="checkout-1", request_hash="h", action=action
        )

    results = _race(20, checkout)

    assert not [r for r in results if isinstance(r, AgoraError)]
    assert len({tuple(r.body) for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert _count(db, Order) == 1
    assert world.stock(world.red_coat) == (8, 2)


def test_one_idempotency_key_20_times_at_once_makes_one_charge(world: World, db: Database) -> None:
    buyer = world.buyer
    order = buy(world, world.red_coat, 1)

    def pay(_: int) -> Any:
        uow = UnitOfWork(db)

        def action() -> tuple[int, Any]:
            outcome = pay_orders(
                uow, actor=buyer, order_ids=[order.id], sources=[SourceRequest(GATEWAY)]
            )
            return 200, str(outcome.charge_id)

        return run_idempotent(
            uow, scope=f"user:{buyer.user_id}", key="pay-1", request_hash="h", action=action
        )

    results = _race(20, pay)

    assert not [r for r in results if isinstance(r, AgoraError)]
    assert len({r.body for r in results}) == 1
    assert _count(db, ChargeRow) == 1
    assert world.status(order.id) == "pending_payment"


def test_one_idempotency_key_pays_from_the_wallet_once(world: World, db: Database) -> None:
    world.fund(world.buyer_user, 100000)
    order = buy(world, world.red_coat, 1)

    def pay(_: int) -> Any:
        uow = UnitOfWork(db)
        return run_idempotent(
            uow,
            scope=f"user:{world.buyer.user_id}",
            key="pay-wallet",
            request_hash="h",
            action=lambda: (
                200,
                pay_orders(
                    uow,
                    actor=world.buyer,
                    order_ids=[order.id],
                    sources=[SourceRequest(WALLET)],
                ).status,
            ),
        )

    results = _race(20, pay)

    assert [r.body for r in results] == ["paid"] * 20
    assert world.wallet(world.buyer.user_id) == 100000 - 29900
    assert ledger.transfers_with(world.uow, key_prefix=f"order:{order.id}:") == [
        (f"order:{order.id}:pay", "order_payment")
    ]


def test_pay_and_cancel_of_one_order_at_once_exactly_one_wins(world: World, db: Database) -> None:
    rounds = 8
    world.fund(world.buyer_user, 29900 * rounds)
    orders = [buy(world, world.red_coat, 1) for _ in range(rounds)]
    assert world.stock(world.red_coat) == (10 - rounds, rounds)
    outcomes: Counter[str] = Counter()

    for order in orders:
        # Escrow accounts are shards shared by many orders: compare the shard before and after.
        shard_before = ledger.balance(world.uow, payments.escrow_of(order.id))
        results = _pay_against_cancel(db, world.buyer, order.id)

        won = [r for r in results if isinstance(r, str)]
        lost = [r for r in results if isinstance(r, AgoraError)]
        assert len(won) == 1, results
        assert len(lost) == 1 and isinstance(lost[0], OrderStateConflict)
        assert world.status(order.id) == won[0]
        outcomes[won[0]] += 1
        escrow = ledger.balance(world.uow, payments.escrow_of(order.id)) - shard_before
        assert escrow == (29900 if won[0] == "paid" else 0)

    paid, cancelled = outcomes["paid"], outcomes["cancelled"]
    assert paid + cancelled == rounds
    assert world.wallet(world.buyer.user_id) == 29900 * (rounds - paid)
    assert world.escrow() == 29900 * paid
    assert world.stock(world.red_coat) == (10 - paid, paid)


def _pay_against_cancel(db: Database, buyer: Principal, order_id: uuid.UUID) -> list[Any]:
    start = threading.Barrier(2, timeout=TIMEOUT)

    def pay() -> str:
        start.wait()
        pay_orders(
            UnitOfWork(db), actor=buyer, order_ids=[order_id], sources=[SourceRequest(WALLET)]
        )
        return "paid"

    def cancel() -> str:
        start.wait()
        cancel_order(UnitOfWork(db), actor=buyer, order_id=order_id)
        return "cancelled"

    contenders = (pay, cancel)
    return _race(2, lambda i: contenders[i](), workers=2)


@pytest.mark.parametrize("quantity", [1])
def test_concurrent_refunds_never_exceed_what_was_paid(
    world: World, db: Database, quantity: int
) -> None:
    world.fund(world.buyer_user, 29900 * 3)
    order = buy(world, world.red_coat, 3)
    pay_orders(world.uow, actor=world.buyer, order_ids=[order.id], sources=[SourceRequest(WALLET)])
    line = order.lines[0]
    buyer: Principal = world.buyer

    from agora.ordering import RefundTooLarge, request_refund

    def refund(_: int) -> Any:
        return request_refund(
            UnitOfWork(db), actor=buyer, order_id=order.id, lines={line.id: quantity}
        )

    results = _race(10, refund, workers=8)

    done = [r for r in results if not isinstance(r, AgoraError)]
    refused = [r for r in results if isinstance(r, AgoraError)]
    assert len(done) == 3
    assert all(isinstance(r, (RefundTooLarge, OrderStateConflict)) for r in refused)
    assert world.wallet(world.buyer.user_id) == 29900 * 3
    assert world.escrow() == 0
    assert world.status(order.id) == "refunded"
    assert world.stock(world.red_coat) == (10, 0)
