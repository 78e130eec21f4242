"""The points tests' world: two stores, a buyer and another shopper, and what they watch."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from agora import inventory, ledger, points
from agora.identity import Principal
from agora.ordering import (
    LineRequest,
    Order,
    OrderPayment,
    OrderView,
    PaymentOutcome,
    SourceRequest,
    pay_orders,
    place_orders,
)
from ordering import world as ordering_world

WALLET = "wallet"
GATEWAY = "gateway:sandbox"
POINTS = "points"


@dataclass
class World(ordering_world.World):
    """Ordering's world (stores, buyer, wallets, stock, statuses), with points to watch."""

    def active(self, user_id: uuid.UUID) -> int:
        """The user's active points account in the ledger."""
        return ledger.balance(self.uow, points.active_of(user_id))

    def pending(self, user_id: uuid.UUID) -> int:
        return ledger.balance(self.uow, points.pending_of(user_id))

    def platform(self, kind: str) -> int:
        return ledger.total_balance(self.uow, owner_type="platform", kind=kind)

    def lots(self, user_id: uuid.UUID) -> list[tuple[str, int, int, int]]:
        """(source, amount, remaining, expired) of the user's lots, oldest first."""
        with self.uow.read() as session:
            rows = session.scalars(
                select(points.PointsLot)
                .where(points.PointsLot.user_id == user_id)
                .order_by(points.PointsLot.created_at, points.PointsLot.id)
            ).all()
            return [(r.source, r.amount, r.remaining, r.expired) for r in rows]

    def points_order(self, order_id: uuid.UUID) -> points.PointsOrder | None:
        with self.uow.read() as session:
            return session.get(points.PointsOrder, order_id)

    def paid_with(self, order_id: uuid.UUID) -> dict[str, tuple[int, int]]:
        """source → (amount, refunded) of an order's payments."""
        with self.uow.read() as session:
            rows = session.scalars(
                select(OrderPayment).where(OrderPayment.order_id == order_id)
            ).all()
            return {r.source: (r.amount, r.refunded) for r in rows}

    def snapshot(self) -> dict[str, Any]:
        """Everything a refused request must leave as it was."""
        with self.uow.read() as session:
            counts = {
                model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (
                    Order,
                    OrderPayment,
                    points.PointsLot,
                    points.PointsOrder,
                    points.PointsPlan,
                    ledger.Entry,
                    ledger.Transfer,
                )
            }
            statuses = sorted((str(o.id), o.status) for o in session.scalars(select(Order)))
            lots = sorted(
                (str(lot.id), lot.remaining, lot.expired)
                for lot in session.scalars(select(points.PointsLot))
            )
            stock = sorted(
                (str(s.sku_id), s.available, s.reserved)
                for s in session.scalars(select(inventory.Stock))
            )
            balances = sorted(
                (str(a.id), a.balance) for a in session.scalars(select(ledger.Account))
            )
        return {
            "counts": counts,
            "statuses": statuses,
            "lots": lots,
            "stock": stock,
            "balances": balances,
        }

    # --- buying ------------------------------------------------------------------------------

    def place(
        self, *lines: tuple[uuid.UUID, int], actor: Principal | None = None
    ) -> list[OrderView]:
        return place_orders(
            self.uow,
            actor=actor or self.buyer,
            lines=[LineRequest(sku, quantity) for sku, quantity in lines],
        )

    def pay(
        self,
        orders: list[OrderView],
        *sources: SourceRequest,
        actor: Principal | None = None,
    ) -> PaymentOutcome:
        return pay_orders(
            self.uow,
            actor=actor or self.buyer,
            order_ids=[o.id for o in orders],
            sources=list(sources) or [SourceRequest(WALLET)],
        )

    def buy(self, sku_id: uuid.UUID, quantity: int = 1, *, discount: int = 0) -> OrderView:
        """Place one order and pay it: ``discount`` fen with points, the rest from the wallet."""
        [order] = self.place((sku_id, quantity))
        sources = [SourceRequest(WALLET)]
        if discount:
            sources.insert(0, SourceRequest(POINTS, discount))
        self.pay([order], *sources)
        return order

    def deliver(self, order: OrderView) -> None:
        """The store ships and delivers the order."""
        from agora.ordering import mark_delivered, ship_order

        merchant = self.merchant_a if order.store_id == self.store_a.id else self.merchant_b
        ship_order(self.uow, actor=merchant, order_id=order.id, tracking_number="SF100")
        mark_delivered(self.uow, actor=merchant, order_id=order.id)
