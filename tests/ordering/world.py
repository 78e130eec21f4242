"""The ordering tests' world: two stores with products, a buyer, and what they watch."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func, select, update

import factories
from agora import catalog, inventory, ledger, payments
from agora.core.events import OutboxRelay
from agora.core.jobs import Scheduler
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User
from agora.ordering import (
    LineRequest,
    Order,
    OrderEvent,
    OrderLine,
    OrderPayment,
    OrderView,
    PaymentOutcome,
    Refund,
    Settlement,
    SourceRequest,
    pay_orders,
    place_orders,
)

WALLET = "wallet"
GATEWAY = "gateway:sandbox"


@dataclass
class World:
    uow: UnitOfWork
    ops: Principal
    buyer_user: User
    buyer: Principal
    other_user: User
    other: Principal
    merchant_a: Principal
    merchant_b: Principal
    store_a: catalog.Store
    store_b: catalog.Store
    coat: catalog.ProductDetail  # store A: red M ¥299.00 ×10, black M ¥199.50 ×5
    dress: catalog.ProductDetail  # store B: blue S ¥150.00 ×3

    @property
    def red_coat(self) -> uuid.UUID:
        return self.coat.skus[0].id

    @property
    def black_coat(self) -> uuid.UUID:
        return self.coat.skus[1].id

    @property
    def dress_sku(self) -> uuid.UUID:
        return self.dress.skus[0].id

    def fund(self, user: User, amount: int) -> None:
        factories.fund_wallet(self.uow, user, amount)

    def wallet(self, user_id: uuid.UUID) -> int:
        return ledger.balance(self.uow, payments.wallet_of(user_id))

    def stock(self, sku_id: uuid.UUID) -> tuple[int, int]:
        """(available, reserved)."""
        with self.uow.read() as session:
            row = session.get(inventory.Stock, sku_id)
            assert row is not None
            return row.available, row.reserved

    def escrow(self) -> int:
        return ledger.total_balance(self.uow, owner_type="platform", kind="escrow")

    def settlement(self, store: catalog.Store) -> int:
        return ledger.balance(self.uow, payments.store_settlement_of(store.id))

    def commission(self) -> int:
        return ledger.total_balance(self.uow, owner_type="platform", kind="commission")

    def status(self, order_id: uuid.UUID | str) -> str:
        with self.uow.read() as session:
            order = session.get(Order, uuid.UUID(str(order_id)))
            assert order is not None
            return order.status

    def deliver_events(self) -> int:
        return OutboxRelay(self.uow.db).run_sync_until_idle()

    def sweep(self) -> int:
        return Scheduler(self.uow.db, owner="tests").sweep_deadlines()

    def snapshot(self) -> dict[str, Any]:
        """Everything a refused request must leave as it was."""
        with self.uow.read() as session:
            counts = {
                model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (
                    Order,
                    OrderLine,
                    OrderPayment,
                    OrderEvent,
                    Refund,
                    Settlement,
                    ledger.Entry,
                    ledger.Transfer,
                )
            }
            statuses = sorted((str(o.id), o.status) for o in session.scalars(select(Order)))
            stock = sorted(
                (str(s.sku_id), s.available, s.reserved)
                for s in session.scalars(select(inventory.Stock))
            )
            balances = sorted(
                (str(a.id), a.balance) for a in session.scalars(select(ledger.Account))
            )
        return {"counts": counts, "statuses": statuses, "stock": stock, "balances": balances}


def buy(world: World, sku_id: uuid.UUID, quantity: int = 1) -> OrderView:
    """The buyer buys one SKU now (one order)."""
    [order] = place_orders(world.uow, actor=world.buyer, lines=[LineRequest(sku_id, quantity)])
    return order


def pay_wallet(world: World, order: OrderView) -> PaymentOutcome:
    return pay_orders(
        world.uow, actor=world.buyer, order_ids=[order.id], sources=[SourceRequest(WALLET)]
    )


def pay_by_gateway(world: World, order: OrderView, *, wallet_part: int = 0) -> PaymentOutcome:
    """Pay ``wallet_part`` from the wallet and the rest at the sandbox bank, which approves."""
    sources = [SourceRequest(GATEWAY)]
    if wallet_part:
        sources.insert(0, SourceRequest(WALLET, wallet_part))
    outcome = pay_orders(world.uow, actor=world.buyer, order_ids=[order.id], sources=sources)
    assert outcome.charge_id is not None
    payments.submit_sandbox_payment(
        world.uow, actor=world.buyer, charge_id=outcome.charge_id, approve=True
    )
    world.deliver_events()
    return outcome


W = TypeVar("W", bound=World)


def build_world(
    uow: UnitOfWork,
    kind: type[W],
    *,
    coat_stock: tuple[int, int] = (10, 5),
    dress_stock: int = 3,
) -> W:
    """Two stores (a coat in A: red M ¥299.00 and black M ¥199.50; a dress in B: blue S
    ¥150.00), their merchants, a buyer and another shopper — as ``kind`` (World or a subclass
    with more to watch)."""
    ops = factories.make_operator(uow)
    a_user = factories.make_user(uow, name="Merchant A")
    b_user = factories.make_user(uow, name="Merchant B")
    buyer = factories.make_user(uow, name="Buyer")
    other = factories.make_user(uow, name="Other shopper")
    store_a = factories.make_store(uow, ops, a_user, name_en="North Wind", name_zh="北风")
    store_b = factories.make_store(uow, ops, b_user, name_en="East Lake")
    categories = factories.make_categories(uow, ops)
    merchant_a, merchant_b = factories.principal(a_user), factories.principal(b_user)
    coat = factories.make_product(
        uow,
        merchant_a,
        store_a,
        categories["coats"],
        title_en="Wool Coat",
        title_zh="羊毛外套",
        skus=[("red", "M", 29900, coat_stock[0]), ("black", "M", 19950, coat_stock[1])],
    )
    dress = factories.make_product(
        uow,
        merchant_b,
        store_b,
        categories["dresses"],
        title_en="Silk Dress",
        title_zh=None,
        skus=[("blue", "S", 15000, dress_stock)],
    )
    return kind(
        uow=uow,
        ops=ops,
        buyer_user=buyer,
        buyer=factories.principal(buyer),
        other_user=other,
        other=factories.principal(other),
        merchant_a=merchant_a,
        merchant_b=merchant_b,
        store_a=store_a,
        store_b=store_b,
        coat=coat,
        dress=dress,
    )


def detach_categories(uow: UnitOfWork) -> None:
    """Detach child categories so the shared clean-up can delete them in any order on SQLite."""
    with uow.db.write_session() as session:
        session.execute(update(catalog.Category).values(parent_id=None))
        session.commit()
