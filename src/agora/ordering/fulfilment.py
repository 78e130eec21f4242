"""After payment: the merchant ships and delivers, the buyer confirms (or time does), escrow
settles to the store minus the platform's commission."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from agora import catalog, ledger, payments, points
from agora.core.clock import utcnow
from agora.core.errors import InvalidInput
from agora.core.jobs import cancel_deadline, schedule_deadline
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.logistics.models import ShipmentRow
from agora.logistics.shipments import OUTBOUND
from agora.ordering import domain, state
from agora.ordering.errors import (
    N_,
    CarrierReportsDelivery,
    OrderHeld,
    OrderStateConflict,
    ReturnPending,
)
from agora.ordering.models import Order, OrderLine, Settlement
from agora.ordering.queries import (
    OrderView,
    access_buyer_order,
    access_merchant_order,
    order_views,
)

AUTO_CONFIRM = "order_auto_confirm"
MAX_TRACKING = 64


def ship_order(
    uow: UnitOfWork, *, actor: Principal, order_id: uuid.UUID, tracking_number: str
) -> OrderView:
    """Store staff hand a paid order to the carrier; the held units leave stock.

    Raises OrderNotFound unless the actor is staff of the order's store; OrderStateConflict
    unless the order is ``paid``.
    """
    tracking = tracking_number.strip()
    if not 1 <= len(tracking) <= MAX_TRACKING:
        raise InvalidInput(
            N_("Enter the tracking number (up to 64 characters)."),
            errors=[{"field": "tracking_number", "message": "1 to 64 characters"}],
        )
    with uow:
        order = access_merchant_order(uow.session, actor, order_id)
        hand_over(
            uow,
            order,
            actor=actor,
            tracking_number=tracking,
            data={"tracking_number": tracking},
        )
        return order_views(uow.session, [order.id])[0]


def hand_over(
    uow: UnitOfWork,
    order: Order,
    *,
    actor: Principal,
    tracking_number: str,
    data: dict[str, object],
) -> None:
    """Move a paid order to ``shipped`` (guarded; not while a refund holds it) and its units out
    of stock; the timeline says how it left (``data``). Inside the caller's ``with uow:``."""
    session = uow.session
    if not state.transition(
        uow,
        order.id,
        domain.SHIPPED,
        extra_where=(Order.held.is_(False),),
        tracking_number=tracking_number,
        shipped_at=utcnow(),
    ):
        current = state.reload(session, order.id)
        if current.held and current.status == domain.PAID:
            raise OrderHeld()
        raise OrderStateConflict(order_status=current.status)
    # Read after the guarded update: a refund that won the race is already in the lines.
    shipped: dict[uuid.UUID, int] = {}
    for sku_id, quantity, refunded in session.execute(
        select(OrderLine.sku_id, OrderLine.quantity, OrderLine.refunded_quantity).where(
            OrderLine.order_id == order.id
        )
    ):
        shipped[sku_id] = shipped.get(sku_id, 0) + quantity - refunded
    state.ship_stock(session, shipped)
    state.record(uow, order, "shipped", actor=actor, role="merchant", data=data)


def mark_delivered(uow: UnitOfWork, *, actor: Principal, order_id: uuid.UUID) -> OrderView:
    """Store staff record the delivery of a parcel they sent with their own carrier; the buyer
    then has 10 days to confirm or ask a return. A parcel shipped with a label is delivered when
    its carrier says so (CarrierReportsDelivery, 409)."""
    with uow:
        session = uow.session
        order = access_merchant_order(session, actor, order_id)
        by_carrier = select(ShipmentRow.id).where(
            ShipmentRow.order_id == order.id, ShipmentRow.direction == OUTBOUND
        )
        if session.scalar(by_carrier.limit(1)):
            raise CarrierReportsDelivery()
        if not deliver(uow, order, actor=actor, role="merchant"):
            raise OrderStateConflict(order_status=state.reload(session, order.id).status)
        return order_views(session, [order.id])[0]


def deliver(
    uow: UnitOfWork,
    order: state.OrderFacts,
    *,
    actor: Principal | None,
    role: str,
    delivered_at: datetime | None = None,
    data: dict[str, object] | None = None,
) -> bool:
    """Move a shipped order to ``delivered`` — at ``delivered_at``, now by default — (guarded;
    ``False`` if it is not shipped any more) and give the buyer 10 days from now to confirm or
    ask a return; the timeline says who reported it (``data``). Inside ``with uow:``."""
    now = utcnow()
    confirm_by = now + domain.AUTO_CONFIRM_AFTER
    if not state.transition(
        uow, order.id, domain.DELIVERED, delivered_at=delivered_at or now, confirm_by=confirm_by
    ):
        return False
    schedule_deadline(uow, kind=AUTO_CONFIRM, ref_id=order.id, due_at=confirm_by)
    state.record(uow, order, "delivered", actor=actor, role=role, data=data)
    return True


def confirm_receipt(
    uow: UnitOfWork,
    *,
    actor: Principal,
    order_id: uuid.UUID,
    commission_rate: Decimal | None = None,
) -> OrderView:
    """The buyer confirms receipt: the order completes and escrow settles to the store.

    Raises ReturnPending (409) while a return waits for the merchant; OrderStateConflict
    unless the order is ``delivered``.
    """
    with uow:
        session = uow.session
        order = access_buyer_order(session, actor, order_id)
        if not _complete(uow, order.id):
            current = state.reload(session, order.id)
            if current.status == domain.DELIVERED and current.return_open:
                raise ReturnPending()
            raise OrderStateConflict(order_status=current.status)
        cancel_deadline(uow, kind=AUTO_CONFIRM, ref_id=order.id)
        state.record(uow, order, "confirmed", actor=actor, role="buyer")
        _settle(uow, order.id, commission_rate)
        return order_views(session, [order.id])[0]


def auto_confirm(
    uow: UnitOfWork, order_id: uuid.UUID, *, commission_rate: Decimal | None = None
) -> bool:
    """The ``order_auto_confirm`` deadline: complete a delivered order nobody confirmed in 10
    days. Does nothing (``False``) while a return is open; deciding it schedules this again."""
    with uow:
        now = utcnow()
        if not _complete(uow, order_id, extra_where=(Order.confirm_by <= now,)):
            return False
        order = state.reload(uow.session, order_id)
        state.record(uow, order, "auto_confirmed", actor=None, role=state.SYSTEM)
        _settle(uow, order_id, commission_rate)
        return True


def _complete(
    uow: UnitOfWork, order_id: uuid.UUID, *, extra_where: tuple[object, ...] = ()
) -> bool:
    return state.transition(
        uow,
        order_id,
        domain.COMPLETED,
        extra_where=(Order.return_open.is_(False), *extra_where),
        closed_at=utcnow(),
    )


def _settle(uow: UnitOfWork, order_id: uuid.UUID, rate: Decimal | None) -> None:
    """Pay out the order's escrow: the store gets gross − commission, the platform the
    commission (on the full total: points funding paid escrow the points discount); the points
    earned on the order become active. What the store owes for carrier labels is paid off first
    from its part (its freight account is locked while read, so two settlements at once cannot
    both pay the same debt). Runs in the completing transaction, which holds the order row, so
    the refunded amount read here cannot change underneath."""
    session = uow.session
    order = state.reload(session, order_id)
    rate = catalog.commission_rate_of(session, order.store_id) if rate is None else rate
    gross = order.paid_amount - order.refunded_amount
    commission = domain.commission_for(gross, rate)
    net = gross - commission
    freight_account = payments.store_freight_of(order.store_id)
    owed = -ledger.balance_for_update(uow, freight_account) if net else 0
    freight = min(max(owed, 0), net)
    legs = [ledger.Leg(payments.escrow_of(order.id), -gross)]
    if net - freight:
        legs.append(ledger.Leg(payments.store_settlement_of(order.store_id), net - freight))
    if freight:
        legs.append(ledger.Leg(freight_account, freight))
    if commission:
        legs.append(ledger.Leg(payments.commission_of(order.id), commission))
    if gross:
        ledger.transfer(
            uow,
            key=f"order:{order.id}:settle",
            kind="order_settlement",
            legs=legs,
            memo={"order_id": str(order.id), "store_id": str(order.store_id), "rate": str(rate)},
        )
    # Completion is when the points earned on the order become active (a lot of their own).
    points.order_completed(uow, order_id=order.id)
    session.add(
        Settlement(
            order_id=order.id,
            store_id=order.store_id,
            gross=gross,
            commission=commission,
            net=net,
            rate=str(rate),
            created_at=utcnow(),
            freight=freight,
        )
    )
    state.record(
        uow,
        order,
        "settled",
        actor=None,
        role=state.SYSTEM,
        data={"gross": gross, "commission": commission, "net": net, "freight": freight},
    )


def reschedule_auto_confirm(uow: UnitOfWork, order: Order) -> None:
    """After a return is decided on a delivered order, auto-confirmation may run again — at its
    original time, or at the next sweep if that has passed."""
    if order.status == domain.DELIVERED and order.confirm_by is not None:
        schedule_deadline(
            uow, kind=AUTO_CONFIRM, ref_id=order.id, due_at=max(order.confirm_by, utcnow())
        )
