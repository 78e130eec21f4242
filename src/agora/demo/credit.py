"""The demo's credit.

Lin Mei and Wang Lei are long-standing members (their accounts are dated a little over a year
back, which is what earns them a line: 150 points for age on top of their few orders). Lin Mei
bought two orders on credit ten days before the latest statement day and split one of them into
three instalments; the statement came on the 1st (her purchase plus instalment 1) and she repaid
part of it the same night, more than the minimum. Wang Lei bought on credit today, so his
purchase waits, unbilled, for the next statement.

The past is lived through the public use cases with the clock frozen at each moment, then put
back. Every step runs once (idempotency keys of steps; billing is idempotent), so a second
``agora demo`` adds nothing. If the due date of that statement has passed by the time the demo
runs, the billing job charges its late fees on the unpaid rest from then on, as it would for
anyone.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from agora import catalog, credit, ordering, payments
from agora.config import get_settings
from agora.core.clock import clock, local_midnight, local_today, utcnow
from agora.core.uow import UnitOfWork
from agora.credit import domain
from agora.demo.steps import principal, relay, run_once
from agora.demo.trading import SHOPPER, WANG, World, picks
from agora.identity import Principal, User

KEY = "agora-demo:credit"
MEMBER_FOR = timedelta(days=400)
MIN_PRICE = 5_000


def _cheap_picks(count: int, skip: int = 0) -> list[tuple[str, int]]:
    """The cheapest demo SKUs (at least ¥50), each from another store: (store key, pick)."""
    stores = ("agora-self", "warm-home", "peach-beauty", "stride-sneakers", "lumen-digital")
    best = []
    for store_key in stores:
        options = [
            (sku.price, store_key, n)
            for n, (_product, sku) in enumerate(picks(store_key))
            if sku.price >= MIN_PRICE
        ]
        if options:
            best.append(min(options))
    best.sort()
    return [(store_key, n) for _price, store_key, n in best[skip : skip + count]]


def _buy_on_credit(world: World, buyer: Principal, store_key: str, pick: int) -> dict[str, Any]:
    uow = world.uow
    orders = ordering.place_orders(
        uow, actor=buyer, lines=[ordering.LineRequest(world.sku(store_key, pick), 1)]
    )
    ids = [order.id for order in orders]
    ordering.pay_orders(
        uow, actor=buyer, order_ids=ids, sources=[ordering.SourceRequest(payments.CREDIT)]
    )
    return {"order_ids": [str(order_id) for order_id in ids]}


def _purchase_of(uow: UnitOfWork, order_id: str) -> uuid.UUID:
    with uow.read() as session:
        found = session.scalar(
            select(credit.CreditPurchase.id).where(
                credit.CreditPurchase.order_id == uuid.UUID(order_id)
            )
        )
    assert found is not None
    return found


def _date_back(uow: UnitOfWork, users: list[User]) -> None:
    """Make the two shoppers members of over a year (once: older accounts are left alone)."""
    with uow:
        for user in users:
            uow.session.execute(
                update(User)
                .where(User.id == user.id, User.created_at > utcnow() - timedelta(days=300))
                .values(created_at=utcnow() - MEMBER_FOR)
            )


def seed_credit(
    uow: UnitOfWork,
    *,
    shoppers: dict[str, User],
    stores: dict[str, catalog.Store],
    password: str,
) -> dict[str, Any]:
    lin_user, wang_user = shoppers.get(SHOPPER), shoppers.get(WANG)
    if lin_user is None or wang_user is None:
        return {}
    lin, wang = principal(lin_user), principal(wang_user)
    world = World(uow, {SHOPPER: lin, WANG: wang}, stores, {})
    _date_back(uow, [lin_user, wang_user])

    settings = get_settings()
    statement_day = domain.latest_statement_day(local_today(), settings.credit_statement_day)
    if utcnow() < local_midnight(statement_day) + timedelta(minutes=10):
        statement_day = domain.add_months(statement_day, -1)
    billed_at = local_midnight(statement_day) + timedelta(minutes=30)
    bought_at = local_midnight(statement_day - timedelta(days=10)) + timedelta(hours=11)
    (a_store, a_pick), (b_store, b_pick), (w_store, w_pick) = _cheap_picks(3)

    with clock.kept():
        clock.freeze(bought_at)
        run_once(uow, lin, f"{KEY}:open", lambda: _line(uow, lin))
        run_once(uow, wang, f"{KEY}:open", lambda: _line(uow, wang))
        _, first = run_once(
            uow, lin, f"{KEY}:order-a", lambda: _buy_on_credit(world, lin, a_store, a_pick)
        )
        clock.freeze(bought_at + timedelta(minutes=20))
        _, second = run_once(
            uow, lin, f"{KEY}:order-b", lambda: _buy_on_credit(world, lin, b_store, b_pick)
        )
        purchase_b = _purchase_of(uow, second["order_ids"][0])
        run_once(
            uow,
            lin,
            f"{KEY}:split",
            lambda: {
                "plan": str(credit.convert(uow, actor=lin, purchase_id=purchase_b, months=3).id)
            },
        )
        clock.freeze(billed_at)
        credit.run_billing(uow)
        clock.freeze(billed_at + timedelta(hours=21))  # 21:30 on the statement day
        run_once(uow, lin, f"{KEY}:repay", lambda: _repay_part(uow, lin))
    relay(uow)
    run_once(uow, wang, f"{KEY}:order", lambda: _buy_on_credit(world, wang, w_store, w_pick))
    relay(uow)
    report = credit.audit(uow)
    return {
        "credit_lines": report.lines,
        "credit_ok": report.ok,
        "credit_first_order": first["order_ids"][0],
    }


def _line(uow: UnitOfWork, who: Principal) -> dict[str, Any]:
    line = credit.open_line(uow, actor=who)
    return {"limit": line.credit_limit}


def _repay_part(uow: UnitOfWork, who: Principal) -> dict[str, Any]:
    """Repay 40 % of what the statement asks (more than its 10 % minimum) from the wallet."""
    with uow.read() as session:
        due = credit.amounts_due(session, who.user_id)["statement"]
    repayment, _charge = credit.repay(uow, actor=who, amount=max(1, due * 4 // 10))
    return {"repaid": repayment.applied, "at": datetime.isoformat(repayment.created_at)}


def demo_product_keys() -> set[str]:
    """The demo products this part buys (tests list only the products the demo acts on)."""
    return {picks(store_key)[pick][0].key for store_key, pick in _cheap_picks(3)}
