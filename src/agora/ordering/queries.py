"""Who may see which order, and the read models the API and the pages show.

Shoppers see their own orders, store staff their store's orders, operators every order; anyone
else gets the same not-found as for an order that does not exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, false, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from agora.catalog import Store, StoreStaff, access_store
from agora.core.errors import InvalidInput
from agora.core.ids import parse_id
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.ordering.errors import N_, OrderNotFound, RefundNotFound
from agora.ordering.models import (
    Order,
    OrderEvent,
    OrderLine,
    OrderPayment,
    Refund,
    RefundLine,
    Settlement,
)
from agora.ordering.numbers import number_bounds

MAX_PAGE = 100


def is_staff(session: Session, actor: Principal, store_id: uuid.UUID) -> bool:
    return session.get(StoreStaff, (store_id, actor.user_id)) is not None


def access_order(session: Session, actor: Principal, order_id: uuid.UUID) -> Order:
    """The order if the actor bought it, works for its store, or is an operator."""
    order = session.get(Order, order_id)
    if order is None:
        raise OrderNotFound()
    if order.buyer_id == actor.user_id or actor.is_operator:
        return order
    if is_staff(session, actor, order.store_id):
        return order
    raise OrderNotFound()


def access_buyer_order(session: Session, actor: Principal, order_id: uuid.UUID) -> Order:
    """The order only if the actor bought it (paying, cancelling, confirming, refunds)."""
    order = session.get(Order, order_id)
    if order is None or order.buyer_id != actor.user_id:
        raise OrderNotFound()
    return order


def access_merchant_order(session: Session, actor: Principal, order_id: uuid.UUID) -> Order:
    """The order only if the actor is staff of its store (shipping, delivery, returns)."""
    order = session.get(Order, order_id)
    if order is None or not is_staff(session, actor, order.store_id):
        raise OrderNotFound()
    return order


def access_merchant_refund(session: Session, actor: Principal, refund_id: uuid.UUID) -> Refund:
    refund = session.get(Refund, refund_id)
    if refund is None or not is_staff(session, actor, refund.store_id):
        raise RefundNotFound()
    return refund


@dataclass(frozen=True, slots=True)
class LineView:
    id: uuid.UUID
    sku_id: uuid.UUID
    product_id: uuid.UUID
    title_en: str
    title_zh: str | None
    colour: str
    size: str
    image_url: str
    unit_price: int
    quantity: int
    refunded_quantity: int
    returning_quantity: int

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity

    @property
    def refundable_quantity(self) -> int:
        return self.quantity - self.refunded_quantity - self.returning_quantity


@dataclass(frozen=True, slots=True)
class PaymentView:
    source: str
    amount: int
    refunded: int
    charge_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class EventView:
    kind: str
    actor_id: uuid.UUID | None
    actor_role: str
    data: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RefundView:
    id: uuid.UUID
    order_id: uuid.UUID
    store_id: uuid.UUID
    kind: str
    status: str
    amount: int
    reason: str
    created_at: datetime
    decided_at: datetime | None
    decision_note: str
    lines: dict[uuid.UUID, int]


@dataclass(frozen=True, slots=True)
class OrderView:
    """An order with its lines; the detail also carries payments, refunds and the timeline."""

    id: uuid.UUID
    number: str
    checkout_id: uuid.UUID
    buyer_id: uuid.UUID
    store_id: uuid.UUID
    store_name_en: str
    store_name_zh: str | None
    status: str
    currency: str
    total: int
    paid_amount: int
    refunded_amount: int
    return_open: bool
    tracking_number: str | None
    created_at: datetime
    pay_by: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    confirm_by: datetime | None
    closed_at: datetime | None
    lines: list[LineView]
    deal_kind: str | None = None
    deal_id: uuid.UUID | None = None
    held: bool = False
    ship_to: dict[str, Any] | None = None
    """The delivery address as it was at checkout (``logistics.AddressFields``' fields)."""
    payments: list[PaymentView] = field(default_factory=list)
    refunds: list[RefundView] = field(default_factory=list)
    timeline: list[EventView] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class OrderPage:
    items: list[OrderView]
    next_cursor: str | None


# Bare columns, not ORM objects: order pages and every checkout read these.
_LINE_COLUMNS = (
    OrderLine.id,
    OrderLine.order_id,
    OrderLine.sku_id,
    OrderLine.product_id,
    OrderLine.title_en,
    OrderLine.title_zh,
    OrderLine.colour,
    OrderLine.size,
    OrderLine.image_url,
    OrderLine.unit_price,
    OrderLine.quantity,
    OrderLine.refunded_quantity,
    OrderLine.returning_quantity,
)


def _lines(session: Session, order_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[LineView]]:
    by_order: dict[uuid.UUID, list[LineView]] = {oid: [] for oid in order_ids}
    rows = session.execute(
        select(*_LINE_COLUMNS)
        .where(OrderLine.order_id.in_(order_ids))
        .order_by(OrderLine.order_id, OrderLine.position)
    )
    for line in rows:
        by_order[line.order_id].append(
            LineView(
                id=line.id,
                sku_id=line.sku_id,
                product_id=line.product_id,
                title_en=line.title_en,
                title_zh=line.title_zh,
                colour=line.colour,
                size=line.size,
                image_url=line.image_url,
                unit_price=line.unit_price,
                quantity=line.quantity,
                refunded_quantity=line.refunded_quantity,
                returning_quantity=line.returning_quantity,
            )
        )
    return by_order


def _refunds(session: Session, order_id: uuid.UUID) -> list[RefundView]:
    refunds = session.scalars(
        select(Refund).where(Refund.order_id == order_id).order_by(Refund.created_at, Refund.id)
    ).all()
    lines: dict[uuid.UUID, dict[uuid.UUID, int]] = {r.id: {} for r in refunds}
    if refunds:
        for row in session.scalars(
            select(RefundLine).where(RefundLine.refund_id.in_([r.id for r in refunds]))
        ):
            lines[row.refund_id][row.line_id] = row.quantity
    return [refund_view(r, lines[r.id]) for r in refunds]


def refund_view(refund: Refund, lines: dict[uuid.UUID, int]) -> RefundView:
    return RefundView(
        id=refund.id,
        order_id=refund.order_id,
        store_id=refund.store_id,
        kind=refund.kind,
        status=refund.status,
        amount=refund.amount,
        reason=refund.reason,
        created_at=refund.created_at,
        decided_at=refund.decided_at,
        decision_note=refund.decision_note,
        lines=lines,
    )


def _views(
    session: Session, orders: Sequence[Order] | Sequence[Row[Any]], *, detail: bool
) -> list[OrderView]:
    if not orders:
        return []
    stores = {
        row.id: row
        for row in session.execute(
            select(Store.id, Store.name_en, Store.name_zh).where(
                Store.id.in_({o.store_id for o in orders})
            )
        )
    }
    lines = _lines(session, [o.id for o in orders])
    views = []
    for o in orders:
        payments: list[PaymentView] = []
        refunds: list[RefundView] = []
        timeline: list[EventView] = []
        if detail:
            payments = [
                PaymentView(p.source, p.amount, p.refunded, p.charge_id)
                for p in session.scalars(
                    select(OrderPayment)
                    .where(OrderPayment.order_id == o.id)
                    .order_by(OrderPayment.source)
                )
            ]
            refunds = _refunds(session, o.id)
            timeline = [
                EventView(e.kind, e.actor_id, e.actor_role, dict(e.data), e.created_at)
                for e in session.scalars(
                    select(OrderEvent)
                    .where(OrderEvent.order_id == o.id)
                    .order_by(OrderEvent.created_at, OrderEvent.id)
                )
            ]
        store = stores[o.store_id]
        views.append(
            OrderView(
                id=o.id,
                number=o.number,
                checkout_id=o.checkout_id,
                buyer_id=o.buyer_id,
                store_id=o.store_id,
                store_name_en=store.name_en,
                store_name_zh=store.name_zh,
                status=o.status,
                currency=o.currency,
                total=o.total,
                paid_amount=o.paid_amount,
                refunded_amount=o.refunded_amount,
                return_open=o.return_open,
                tracking_number=o.tracking_number,
                created_at=o.created_at,
                pay_by=o.pay_by,
                paid_at=o.paid_at,
                shipped_at=o.shipped_at,
                delivered_at=o.delivered_at,
                confirm_by=o.confirm_by,
                closed_at=o.closed_at,
                lines=lines[o.id],
                deal_kind=o.deal_kind,
                deal_id=o.deal_id,
                held=o.held,
                ship_to=o.ship_to,
                payments=payments,
                refunds=refunds,
                timeline=timeline,
            )
        )
    return views


_orders: Table = Order.__table__  # type: ignore[assignment]
_order_lines: Table = OrderLine.__table__  # type: ignore[assignment]
_stores: Table = Store.__table__  # type: ignore[assignment]

# The order columns a view shows, by the view's own field names; then the store's names.
_VIEW_COLUMNS = tuple(name for name in OrderView.__dataclass_fields__ if name in _orders.c)
# Prepared (core.prepared): every checkout, payment and cancellation answers with these.
_ORDER = Prepared(
    select(*(_orders.c[name] for name in _VIEW_COLUMNS), _stores.c.name_en, _stores.c.name_zh)
    .join(_stores, _stores.c.id == _orders.c.store_id)
    .where(_orders.c.id == bindparam("order_id"))
)
_ORDER_LINES = Prepared(  # LineView's fields, in its order
    select(*(_order_lines.c[column.key] for column in _LINE_COLUMNS if column.key != "order_id"))
    .where(_order_lines.c.order_id == bindparam("order_id"))
    .order_by(_order_lines.c.position)
)


def order_views(session: Session, order_ids: Sequence[uuid.UUID]) -> list[OrderView]:
    """Orders by id (in the given order), with their lines; for use inside a use case.

    Raises OrderNotFound for an id that is no order.
    """
    views = []
    for order_id in order_ids:
        row = _ORDER.first(session, {"order_id": order_id})
        if row is None:
            raise OrderNotFound()
        *columns, store_name_en, store_name_zh = row
        views.append(
            OrderView(
                **dict(zip(_VIEW_COLUMNS, columns, strict=True)),
                store_name_en=store_name_en,
                store_name_zh=store_name_zh,
                lines=[
                    LineView(*line) for line in _ORDER_LINES.rows(session, {"order_id": order_id})
                ],
            )
        )
    return views


def buyer_order_views(
    session: Session, actor: Principal, order_ids: Sequence[uuid.UUID]
) -> list[OrderView]:
    """:func:`order_views` of orders the actor bought; OrderNotFound for any other."""
    views = order_views(session, order_ids)
    if any(view.buyer_id != actor.user_id for view in views):
        raise OrderNotFound()
    return views


def order_numbers(
    uow: UnitOfWork, *, actor: Principal, order_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """The numbers of those of ``order_ids`` the actor may see (bought, works for the store, or
    an operator), for pages of other contexts that name orders by id: credit purchases, wallet
    lines, referral rewards. The others are left out."""
    if not order_ids:
        return {}
    with uow.read() as session:
        query = select(Order.id, Order.number).where(Order.id.in_(set(order_ids)))
        if not actor.is_operator:
            staff_of = select(StoreStaff.store_id).where(StoreStaff.user_id == actor.user_id)
            query = query.where((Order.buyer_id == actor.user_id) | Order.store_id.in_(staff_of))
        return {order_id: number for order_id, number in session.execute(query)}


def order_detail(uow: UnitOfWork, *, actor: Principal, order_id: uuid.UUID) -> OrderView:
    """One order with lines, payments, refunds and its timeline (buyer, store staff, operator)."""
    with uow.read() as session:
        order = access_order(session, actor, order_id)
        return _views(session, [order], detail=True)[0]


def _cursor(cursor: str | None) -> uuid.UUID | None:
    if cursor is None:
        return None
    parsed = parse_id(cursor)
    if parsed is None:
        raise InvalidInput(N_("The cursor is not valid; start again from the first page."))
    return parsed


def _page(session: Session, query: Any, cursor: str | None, limit: int) -> OrderPage:
    limit = max(1, min(limit, MAX_PAGE))
    after = _cursor(cursor)
    if after is not None:
        query = query.where(Order.id < after)
    # UUIDv7 ids grow with time, so id order is placement order and a stable keyset.
    rows = list(session.scalars(query.order_by(Order.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return OrderPage(
        _views(session, rows, detail=False), str(rows[-1].id) if more and rows else None
    )


def _numbered(query: Any, number: str | None) -> Any:
    """``query`` narrowed to orders whose number is ``number`` or starts with it (digits; a
    query that cannot begin a number finds nothing). A range, so the unique index serves it."""
    if number is None:
        return query
    bounds = number_bounds(number)
    if bounds is None:
        return query.where(false())
    low, high = bounds
    return query.where(Order.number.between(low, high))


def list_orders(
    uow: UnitOfWork,
    *,
    actor: Principal,
    status: str | None = None,
    number: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> OrderPage:
    """The actor's own orders, newest first; continue with ``next_cursor``. ``number``: only
    those whose order number is it or begins with it."""
    with uow.read() as session:
        query = select(Order).where(Order.buyer_id == actor.user_id)
        if status is not None:
            query = query.where(Order.status == status)
        return _page(session, _numbered(query, number), cursor, limit)


def store_orders(
    uow: UnitOfWork,
    *,
    actor: Principal,
    store_id: uuid.UUID,
    status: str | None = None,
    number: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> OrderPage:
    """A store's orders for its staff (and operators), newest first; ``number`` as in
    :func:`list_orders`."""
    with uow.read() as session:
        access_store(session, actor, store_id)
        query = select(Order).where(Order.store_id == store_id)
        if status is not None:
            query = query.where(Order.status == status)
        return _page(session, _numbered(query, number), cursor, limit)


def store_returns(
    uow: UnitOfWork, *, actor: Principal, store_id: uuid.UUID, status: str = "requested"
) -> list[RefundView]:
    """The store's refunds and returns in ``status`` (default: returns waiting for a decision)."""
    with uow.read() as session:
        access_store(session, actor, store_id)
        refunds = session.scalars(
            select(Refund)
            .where(Refund.store_id == store_id, Refund.status == status)
            .order_by(Refund.created_at, Refund.id)
        ).all()
        lines: dict[uuid.UUID, dict[uuid.UUID, int]] = {r.id: {} for r in refunds}
        if refunds:
            for row in session.scalars(
                select(RefundLine).where(RefundLine.refund_id.in_(list(lines)))
            ):
                lines[row.refund_id][row.line_id] = row.quantity
        return [refund_view(r, lines[r.id]) for r in refunds]


@dataclass(frozen=True, slots=True)
class SettlementView:
    id: uuid.UUID
    order_id: uuid.UUID
    order_number: str
    gross: int
    commission: int
    net: int
    rate: str
    created_at: datetime
    freight: int = 0


@dataclass(frozen=True, slots=True)
class SettlementPage:
    items: list[SettlementView]
    next_cursor: str | None


def store_settlements(
    uow: UnitOfWork,
    *,
    actor: Principal,
    store_id: uuid.UUID,
    cursor: str | None = None,
    limit: int = 20,
) -> SettlementPage:
    """What completed orders paid the store (gross, commission, net), newest first."""
    limit = max(1, min(limit, MAX_PAGE))
    after = _cursor(cursor)
    with uow.read() as session:
        access_store(session, actor, store_id)
        query = (
            select(Settlement, Order.number)
            .join(Order, Order.id == Settlement.order_id)
            .where(Settlement.store_id == store_id)
        )
        if after is not None:
            query = query.where(Settlement.id < after)
        rows = list(session.execute(query.order_by(Settlement.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        SettlementView(
            s.id, s.order_id, number, s.gross, s.commission, s.net, s.rate, s.created_at, s.freight
        )
        for s, number in rows
    ]
    return SettlementPage(items, str(rows[-1][0].id) if more and rows else None)
