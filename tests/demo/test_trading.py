"""The demo's trading: wallets topped up at the sandbox bank, Lin Mei's orders in every state, a
checkout over two stores, settled stores, a return waiting in Yunshang Fashion — and a second
run of the seeding that adds nothing."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from agora import catalog, ledger, ordering, payments
from agora.core import security
from agora.core.clock import utcnow
from agora.core.models import IdempotencyKey
from agora.core.uow import UnitOfWork
from agora.demo.catalog_data import demo_stores
from agora.demo.seed import merchant_email, seed
from agora.demo.trading import SHOPPER, WALLETS, principal
from agora.identity import Principal, User
from agora.ordering import Order, OrderEvent, OrderPayment, Refund, Settlement, shipping
from agora.payments.models import ChargeRow, WithdrawalRow
from factories import demo_with

OTHERS = ("wang.lei@agora.demo", "chen.jing@agora.demo", "zhao.yu@agora.demo")


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo accounts are scaffolding here: hash at argon2's minimum cost to keep this quick."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture(autouse=True)
def _only_the_products_bought(monkeypatch: pytest.MonkeyPatch) -> None:
    """List only the demo products the trading buys: the other 330-odd play no part here, and
    listing them would take most of each test's time (`agora demo` itself lists them all)."""
    # Social buying runs on top of this picture; tests/demo/test_whole_demo.py covers it all.
    demo_with(monkeypatch)


def _person(uow: UnitOfWork, email: str) -> Principal:
    with uow.read() as session:
        user = session.scalar(select(User).where(User.email == email))
    assert user is not None
    return principal(user)


def _store(uow: UnitOfWork, key: str) -> catalog.Store:
    with uow.read() as session:
        store = session.scalar(select(catalog.Store).where(catalog.Store.slug == key))
    assert store is not None
    return store


def _orders(uow: UnitOfWork, buyer: Principal) -> list[Order]:
    with uow.read() as session:
        return list(
            session.scalars(select(Order).where(Order.buyer_id == buyer.user_id).order_by(Order.id))
        )


def _counts(uow: UnitOfWork) -> dict[str, Any]:
    with uow.read() as session:
        counted = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (
                Order,
                OrderEvent,
                OrderPayment,
                Refund,
                Settlement,
                ChargeRow,
                WithdrawalRow,
                IdempotencyKey,
                ledger.Transfer,
                ledger.Entry,
            )
        }
        statuses = {
            status: n
            for status, n in session.execute(
                select(Order.status, func.count()).group_by(Order.status)
            )
        }
    return {**counted, "statuses": statuses}


def test_seeding_twice_adds_nothing(uow: UnitOfWork) -> None:
    # Given the demo, seeded once
    first = seed(uow)
    before = _counts(uow)

    # When it is seeded again
    second = seed(uow)

    # Then every step was replayed, nothing was added, and the ledger replays exactly
    assert (first["trading_steps"], first["trading_steps_run"]) == (28, 28)
    assert (second["trading_steps"], second["trading_steps_run"]) == (28, 0)
    assert second["products_created"] == 0
    assert _counts(uow) == before
    assert before["statuses"] == {
        "pending_payment": 1,
        "paid": 3,
        "shipped": 2,
        "delivered": 2,
        "completed": 7,
        "cancelled": 1,
    }
    assert before["ledger_transfers"] > 0
    report = ledger.check(uow)
    assert report.ok, report.problems
    assert report.transfers == before["ledger_transfers"]


def test_lin_mei_has_an_order_in_every_state(uow: UnitOfWork) -> None:
    # Given the demo
    seed(uow)
    lin = _person(uow, SHOPPER)

    # When Lin Mei looks at her orders
    orders = _orders(uow, lin)

    # Then there is one to pay (still payable), and orders paid, shipped, delivered, completed
    # and cancelled
    assert Counter(o.status for o in orders) == {
        "pending_payment": 1,
        "paid": 3,
        "shipped": 2,
        "delivered": 2,
        "completed": 1,
        "cancelled": 1,
    }
    [pending] = [o for o in orders if o.status == "pending_payment"]
    assert utcnow() < pending.pay_by <= utcnow() + timedelta(minutes=15)
    assert ordering.list_orders(uow, actor=lin).items[0].id == pending.id, "newest first"
    shipped = [o for o in orders if o.status in ("shipped", "delivered", "completed")]
    # each shipped with a carrier's label: the waybill is the tracking number, and the sandbox
    # carrier has scanned the parcel on its way (delivered ones all the way)
    parcels = shipping.whereabouts(uow, [o.id for o in shipped])
    assert all(o.tracking_number == parcels[o.id].waybill for o in shipped)
    assert {o.status: parcels[o.id].status for o in shipped} == {
        "shipped": "in_transit",
        "delivered": "delivered",
        "completed": "delivered",
    }
    # one order partly refunded before it shipped
    [partial] = [o for o in orders if o.refunded_amount]
    assert (partial.status, 0 < partial.refunded_amount < partial.paid_amount) == ("shipped", True)
    # one checkout over two stores, paid partly from the wallet and partly at the sandbox bank
    checkouts = Counter(o.checkout_id for o in orders)
    [checkout_id] = [c for c, n in checkouts.items() if n > 1]
    both = [o for o in orders if o.checkout_id == checkout_id]
    assert len({o.store_id for o in both}) == 2
    assert [o.status for o in both] == ["paid", "paid"]
    for order in both:
        detail = ordering.order_detail(uow, actor=lin, order_id=order.id)
        assert sorted(p.source for p in detail.payments) == ["gateway:sandbox", "wallet"]
        assert sum(p.amount for p in detail.payments) == order.total
    # and two things left in her cart, from two stores
    cart = ordering.view_cart(uow, actor=lin)
    assert (cart.count, len(cart.by_store())) == (2, 2)


def test_merchants_have_orders_settlements_and_a_return_to_decide(uow: UnitOfWork) -> None:
    # Given the demo
    seed(uow)
    lin = _person(uow, SHOPPER)

    # Then every store has a completed order, and its settlement shows through the merchant's
    # view: the paid amount less refunds, less 5 % commission rounded half up
    for demo_store in demo_stores():
        store = _store(uow, demo_store.key)
        merchant = _person(uow, merchant_email(demo_store.key))
        completed = ordering.store_orders(
            uow, actor=merchant, store_id=store.id, status="completed"
        ).items
        assert completed
        settled = {
            s.order_id: s
            for s in ordering.store_settlements(uow, actor=merchant, store_id=store.id).items
        }
        for order in completed:
            gross = order.paid_amount - order.refunded_amount
            commission = int(
                (Decimal(gross) * Decimal("0.05")).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            )
            settlement = settled[order.id]
            assert (settlement.gross, settlement.commission, settlement.net) == (
                gross,
                commission,
                gross - commission,
            )
        # what the settlements paid, less what paid off the store's carrier labels first
        assert ledger.balance(uow, payments.store_settlement_of(store.id)) == sum(
            s.net - s.freight for s in settled.values()
        )
        # labels bought since (orders still on their way) are owed until the next settlement
        assert ledger.balance(uow, payments.store_freight_of(store.id)) <= 0
        assert all(0 <= s.freight <= s.net for s in settled.values())

    # And Yunshang Fashion has Lin Mei's return of a delivered coat waiting for its decision
    yunshang = _store(uow, "yunshang-fashion")
    merchant = _person(uow, merchant_email("yunshang-fashion"))
    [waiting] = ordering.store_returns(uow, actor=merchant, store_id=yunshang.id)
    order = ordering.order_detail(uow, actor=merchant, order_id=waiting.order_id)
    assert (order.buyer_id, order.status, order.return_open) == (lin.user_id, "delivered", True)
    assert (waiting.kind, waiting.status, waiting.lines) == (
        "return",
        "requested",
        {order.lines[0].id: 1},
    )

    # And the other shoppers each completed two orders
    for email in OTHERS:
        statuses = [o.status for o in _orders(uow, _person(uow, email))]
        assert statuses == ["completed", "completed"]


def test_every_shopper_has_a_wallet_history(uow: UnitOfWork) -> None:
    # Given the demo
    seed(uow)

    for email, (top_ups, withdrawn) in WALLETS.items():
        shopper = _person(uow, email)

        # When the shopper opens the wallet
        balance = payments.wallet_balance(uow, actor=shopper)
        lines = payments.wallet_statement(uow, actor=shopper, limit=100)

        # Then the money came in through the sandbox bank, paid orders, came back from a refund
        # and went out to the bank again; the balance is what the statement adds up to
        kinds = Counter(line.kind for line in lines)
        assert kinds["order_payment"] >= 2
        assert (kinds["order_refund"], kinds["withdrawal"]) == (1, 1)
        captures = [line for line in lines if line.kind == "charge_capture"]
        assert [c.amount for c in reversed(captures)][: len(top_ups)] == list(top_ups)
        assert [line.amount for line in lines if line.kind == "withdrawal"] == [-withdrawn]
        assert balance == lines[0].balance_after == sum(line.amount for line in lines) > 0
        [withdrawal] = payments.recent_withdrawals(uow, actor=shopper)
        assert (withdrawal.amount, withdrawal.status) == (withdrawn, "succeeded")
        assert _uuid_set(c.memo.get("charge_id") for c in captures) == _charges(uow, shopper)


def _uuid_set(values: Any) -> set[uuid.UUID]:
    return {uuid.UUID(str(v)) for v in values}


def _charges(uow: UnitOfWork, shopper: Principal) -> set[uuid.UUID]:
    """The shopper's charges at the sandbox bank, every one of them paid."""
    with uow.read() as session:
        rows = session.execute(
            select(ChargeRow.id, ChargeRow.status).where(ChargeRow.user_id == shopper.user_id)
        ).all()
    assert {status for _, status in rows} == {"succeeded"}
    return {charge_id for charge_id, _ in rows}
