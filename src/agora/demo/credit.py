"""The demo's credit.

Lin Mei and Wang Lei are long-standing members (their accounts are dated a little over a year
back, which is what earns them a line: 150 points for age on top of their few orders). Lin Mei
bought two orders on credit ten days before the latest statement day and split one of them into
three instalments; the statement came on the 1st (her purchase plus instalment 1) and she repaid
part of it the same night, more than the minimum. Wang Lei bought on credit today, so his
purchase waits, unbilled, for the next statement.

The past is lived through the public use cases with the clock frozen at each moment, together
with the treasure demo's month and in time order (:func:`history`,
:func:`agora.demo.steps.live_through`), then the clock is put back. Every step runs once
(idempotency keys of steps; billing is idempotent), so a second ``agora demo`` adds nothing. If
the due date of that statement has passed by the time the demo runs, the billing job charges
its late fees on the unpaid rest from then on, as it would for anyone.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from agora import catalog, credit, ordering, payments
from agora.config import get_settings
from agora.core.clock import local_midnight, local_today, utcnow
from agora.core.uow import UnitOfWork
from agora.credit import domain
from agora.demo.steps import Dated, live_through, principal, relay, run_once, top_up
from agora.demo.trading import SHOPPER, WANG, World, picks
from agora.identity import Principal, User

KEY = "agora-demo:credit"
MEMBER_FOR = timedelta(days=400)
MIN_PRICE = 5_000
REPAY_FUNDS = 20_000  # fen


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


def history(
    uow: UnitOfWork, *, shoppers: dict[str, User], stores: dict[str, catalog.Store]
) -> list[Dated]:
    """Lin Mei's last month on credit, as dated steps (:func:`steps.live_through`): the lines
    opened and two purchases ten days before the statement day, one split into instalments, the
    statement, and her repayment that evening."""
    lin_user, wang_user = shoppers.get(SHOPPER), shoppers.get(WANG)
    if lin_user is None or wang_user is None:
        return []
    lin, wang = principal(lin_user), principal(wang_user)
    world = World(uow, {SHOPPER: lin, WANG: wang}, stores, {})
    now = utcnow()
    statement_day = domain.latest_statement_day(local_today(), get_settings().credit_statement_day)
    if now < local_midnight(statement_day) + timedelta(hours=1):
        statement_day = domain.add_months(statement_day, -1)
    billed_at = local_midnight(statement_day) + timedelta(minutes=30)
    bought_at = local_midnight(statement_day - timedelta(days=10)) + timedelta(hours=11)
    # That evening, or just now if the statement came out today: never in the future.
    repaid_at = min(billed_at + timedelta(hours=21), now - timedelta(minutes=5))
    (a_store, a_pick), (b_store, b_pick) = _cheap_picks(2)

    def open_lines() -> None:
        _date_back(uow, [lin_user, wang_user])
        run_once(uow, lin, f"{KEY}:open", lambda: _line(uow, lin))
        run_once(uow, wang, f"{KEY}:open", lambda: _line(uow, wang))
        # What she repays with that evening, whatever else the demo puts in her wallet.
        run_once(uow, lin, f"{KEY}:top-up", lambda: top_up(uow, lin, REPAY_FUNDS))
        relay(uow)

    def buy_and_split() -> None:
        _, bought = run_once(
            uow, lin, f"{KEY}:order-b", lambda: _buy_on_credit(world, lin, b_store, b_pick)
        )
        purchase = _purchase_of(uow, bought["order_ids"][0])
        run_once(
            uow,
            lin,
            f"{KEY}:split",
            lambda: {
                "plan": str(credit.convert(uow, actor=lin, purchase_id=purchase, months=3).id)
            },
        )

    def repay() -> None:
        run_once(uow, lin, f"{KEY}:repay", lambda: _repay_part(uow, lin))
        relay(uow)

    return [
        Dated(bought_at, open_lines),
        Dated(
            bought_at,
            lambda: run_once(
                uow, lin, f"{KEY}:order-a", lambda: _buy_on_credit(world, lin, a_store, a_pick)
            ),
        ),
        Dated(bought_at + timedelta(minutes=20), buy_and_split),
        Dated(billed_at, lambda: credit.run_billing(uow)),
        Dated(repaid_at, repay),
    ]


def finish(
    uow: UnitOfWork, *, shoppers: dict[str, User], stores: dict[str, catalog.Store]
) -> dict[str, Any]:
    """Today: Wang Lei's purchase on credit, waiting for his next statement."""
    lin_user, wang_user = shoppers.get(SHOPPER), shoppers.get(WANG)
    if lin_user is None or wang_user is None:
        return {}
    wang = principal(wang_user)
    world = World(uow, {SHOPPER: principal(lin_user), WANG: wang}, stores, {})
    w_store, w_pick = _cheap_picks(1, skip=2)[0]
    run_once(uow, wang, f"{KEY}:order", lambda: _buy_on_credit(world, wang, w_store, w_pick))
    relay(uow)
    report = credit.audit(uow)
    return {"credit_lines": report.lines, "credit_ok": report.ok}


def seed_credit(
    uow: UnitOfWork,
    *,
    shoppers: dict[str, User],
    stores: dict[str, catalog.Store],
    password: str,
) -> dict[str, Any]:
    """This part alone: last month lived through, then today (``agora demo`` lives the dated
    parts together instead: :func:`agora.demo.seed.seed`)."""
    live_through(history(uow, shoppers=shoppers, stores=stores))
    return finish(uow, shoppers=shoppers, stores=stores)


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
