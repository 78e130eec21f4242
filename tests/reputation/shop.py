"""Building a store's history for the reputation tests: orders paid, shipped, delivered,
refunded and returned at chosen moments (the clock is moved to each), and an independent
recount of the figures from the raw rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from agora import catalog, ordering, reviews
from agora.core.clock import clock
from agora.identity import Principal
from agora.ordering import Order, OrderEvent, OrderView, Refund
from agora.reputation import WINDOW
from ordering.world import World, buy, pay_wallet

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""When each test's world is built; tests move the clock on from here."""


def at(moment: datetime) -> None:
    clock.freeze(moment)


def staff_of(world: World, order: OrderView) -> Principal:
    return world.merchant_a if order.store_id == world.store_a.id else world.merchant_b


def paid_order(world: World, when: datetime, sku_id: uuid.UUID | None = None) -> OrderView:
    """An order of the buyer's, placed and paid from the wallet at ``when``."""
    at(when)
    order = buy(world, sku_id or world.red_coat)
    pay_wallet(world, order)
    return order


def ship(world: World, order: OrderView, when: datetime) -> None:
    at(when)
    ordering.ship_order(
        world.uow, actor=staff_of(world, order), order_id=order.id, tracking_number="SF1"
    )


def deliver(world: World, order: OrderView, when: datetime) -> None:
    at(when)
    ordering.mark_delivered(world.uow, actor=staff_of(world, order), order_id=order.id)


def refund(world: World, order: OrderView, when: datetime) -> ordering.RefundView:
    """The buyer asks for everything back: an instant refund while paid, else a return."""
    at(when)
    return ordering.request_refund(world.uow, actor=world.buyer, order_id=order.id)


def decide(
    world: World, order: OrderView, asked: ordering.RefundView, when: datetime, *, accept: bool
) -> None:
    at(when)
    decision = ordering.accept_return if accept else ordering.reject_return
    decision(world.uow, actor=staff_of(world, order), refund_id=asked.id)


def review(world: World, order: OrderView, stars: int, when: datetime) -> None:
    at(when)
    reviews.write_review(world.uow, actor=world.buyer, order_line_id=order.lines[0].id, stars=stars)


def complain_not_genuine(
    world: World, order: OrderView, when: datetime, decided: datetime, outcome: str
) -> None:
    """The buyer complains the delivered order is not genuine; an operator decides."""
    at(when)
    dispute = ordering.open_complaint(
        world.uow, actor=world.buyer, order_id=order.id, reason="not_genuine", text="A fake."
    )
    at(decided)
    amount = 100 if outcome == "refund_partial" else None
    ordering.decide_dispute(
        world.uow, actor=world.ops, dispute_id=dispute.id, outcome=outcome, amount=amount
    )


def promise(world: World, store: catalog.Store, hours: int) -> None:
    with world.uow:
        world.uow.session.execute(
            update(catalog.Store)
            .where(catalog.Store.id == store.id)
            .values(ship_within_hours=hours)
        )


@dataclass(frozen=True)
class Recount:
    reviews: int
    stars_total: int
    judged_orders: int
    on_time_orders: int
    delivered_orders: int
    returned_orders: int
    counterfeit_complaints: int = 0
    counterfeit_upheld: int = 0

    @property
    def rating(self) -> Decimal | None:
        return _half_up(Decimal(self.stars_total) / self.reviews) if self.reviews else None

    @property
    def on_time_percent(self) -> Decimal | None:
        if not self.judged_orders:
            return None
        return _half_up(Decimal(100 * self.on_time_orders) / self.judged_orders)

    @property
    def return_percent(self) -> Decimal | None:
        if not self.delivered_orders:
            return None
        return _half_up(Decimal(100 * self.returned_orders) / self.delivered_orders)


def _half_up(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


def recount(world: World, now: datetime) -> dict[uuid.UUID, Recount]:
    """Every store's figures counted again in Python from the raw rows, by the definitions
    written on the page (not by the job's SQL)."""
    start = now - WINDOW
    with world.uow.read() as session:
        promises = {s.id: s.ship_within_hours for s in session.scalars(select(catalog.Store))}
        orders = session.scalars(select(Order)).all()
        filled: dict[uuid.UUID, datetime] = {}
        for event in session.scalars(select(OrderEvent).where(OrderEvent.kind == "team_complete")):
            filled[event.order_id] = min(
                event.created_at, filled.get(event.order_id, event.created_at)
            )
        refunds = session.scalars(select(Refund)).all()
        written = session.scalars(select(reviews.Review)).all()
        disputes = session.scalars(select(ordering.Dispute)).all()
    found: dict[uuid.UUID, Recount] = {}
    for store_id, hours in promises.items():
        rated = [
            r.stars for r in written if r.store_id == store_id and start <= r.created_at <= now
        ]
        judged = on_time = delivered = returned = 0
        for o in (o for o in orders if o.store_id == store_id):
            if o.paid_at is not None and start <= o.paid_at <= now:
                ready = filled.get(o.id) if o.deal_kind == "group" else o.paid_at
                if ready is not None:
                    due = ready + timedelta(hours=hours)
                    if o.shipped_at is not None:
                        judged += 1
                        on_time += o.shipped_at <= due
                    elif due <= now and not (
                        o.status == "refunded" and o.closed_at is not None and o.closed_at < due
                    ):
                        judged += 1
            if o.delivered_at is not None and start <= o.delivered_at <= now:
                delivered += 1
                returned += any(
                    r.order_id == o.id
                    and r.kind == "return"
                    and r.status == "accepted"
                    and r.created_at >= o.delivered_at
                    for r in refunds
                )
        counterfeit = [
            d
            for d in disputes
            if d.store_id == store_id
            and d.reason == "not_genuine"
            and d.status == "decided"
            and d.decided_at is not None
            and start <= d.decided_at <= now
        ]
        found[store_id] = Recount(
            counterfeit_complaints=len(counterfeit),
            counterfeit_upheld=sum(d.outcome != "reject" for d in counterfeit),
            reviews=len(rated),
            stars_total=sum(rated),
            judged_orders=judged,
            on_time_orders=on_time,
            delivered_orders=delivered,
            returned_orders=returned,
        )
    return found
