"""Paying for orders (wallet, bank gateway, or both), cancelling and expiring unpaid ones.

Money always reaches an order the same way: one ledger transfer wallet → the order's escrow
account (key ``order:{id}:pay``). A bank payment first lands in the wallet — payments captures
it and calls :func:`apply_captured_charge` in the same transaction — so a mixed payment is the
wallet part plus the gateway part, debited together. If the order can no longer be paid by then
(cancelled, expired, wallet spent), the captured money simply stays in the wallet.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from agora import ledger, payments
from agora.core.clock import utcnow
from agora.core.errors import AgoraError, InvalidInput
from agora.core.jobs import cancel_deadline
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.ordering import domain, state
from agora.ordering.checkout import PAYMENT_DUE
from agora.ordering.errors import N_, OrderStateConflict, PaymentExpired
from agora.ordering.models import Order, OrderCharge, OrderLine, OrderPayment
from agora.ordering.queries import OrderView, access_buyer_order, order_views

ORDER_PAYMENT = "order_payment"


@dataclass(frozen=True, slots=True)
class SourceRequest:
    """Pay ``amount`` fen from ``source`` (``"wallet"`` or ``"gateway:sandbox"``); ``None`` = the
    rest of the total (at most one source may leave it open)."""

    source: str
    amount: int | None = None


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    """``paid`` (settled from the wallet now) or ``awaiting_gateway`` (send the buyer to
    ``redirect_url``; the orders are paid when the bank confirms the charge)."""

    status: str
    orders: list[OrderView]
    wallet_amount: int
    gateway_amount: int
    charge_id: uuid.UUID | None = None
    redirect_url: str | None = None


def pay_orders(
    uow: UnitOfWork,
    *,
    actor: Principal,
    order_ids: Sequence[uuid.UUID],
    sources: Sequence[SourceRequest],
    return_url: str = "/orders",
) -> PaymentOutcome:
    """Pay the actor's unpaid orders (one or several, e.g. a whole checkout) together.

    Checks every source's switch for every store in the payment. Without a gateway part the
    orders are paid at once; with one, a pending charge is created and nothing moves yet.

    Raises:
        OrderNotFound: an order is not the actor's.
        OrderStateConflict / PaymentExpired (409): not payable (any more).
        InvalidInput: unknown source, amounts that do not add up to the total.
        FundingSourceDisabled (409): a source is switched off for one of the stores.
        InsufficientFunds (409): the wallet holds less than its part; nothing changed.
    """
    ids = sorted(set(order_ids))
    if not ids:
        raise InvalidInput(N_("Choose at least one order to pay."))
    for requested in sources:
        if requested.source not in payments.SOURCES:
            raise InvalidInput(
                N_("Unknown funding source."), errors=[{"field": "sources", "message": "unknown"}]
            )
    with uow:
        session = uow.session
        orders = [access_buyer_order(session, actor, order_id) for order_id in ids]
        now = utcnow()
        for order in orders:
            if order.status != domain.PENDING_PAYMENT:
                raise OrderStateConflict(order_status=order.status)
            if order.pay_by <= now:
                raise PaymentExpired()
        total = sum(order.total for order in orders)
        try:
            parts = domain.resolve_sources(total, [(s.source, s.amount) for s in sources])
        except ValueError as exc:
            raise InvalidInput(
                N_("The amounts must add up to the total."),
                errors=[{"field": "sources", "message": str(exc)}],
            ) from exc
        store_ids = {order.store_id for order in orders}
        for source in parts:
            payments.require_enabled(uow, source=source, store_ids=store_ids)
        gateways = [source for source in parts if source != domain.WALLET]
        if not gateways:
            for order in orders:
                _pay_from_wallet(
                    uow, order, actor=actor, role="buyer", gateway=None, enforce_deadline=True
                )
            return PaymentOutcome("paid", order_views(session, ids), total, 0)
        if len(gateways) > 1:
            raise InvalidInput(N_("Pay through one bank at a time."))
        gateway = gateways[0]
        wallet_part = parts.get(domain.WALLET, 0)
        # A courtesy check so the buyer is not sent to the bank in vain; the debit itself is
        # guarded by the ledger when the charge is captured.
        if wallet_part and ledger.balance(uow, payments.wallet_of(actor.user_id)) < wallet_part:
            raise ledger.InsufficientFunds(account_kind="wallet")
        charge = payments.create_charge(
            uow,
            user_id=actor.user_id,
            amount=parts[gateway],
            gateway=gateway.removeprefix(domain.GATEWAY_PREFIX),
            purpose=ORDER_PAYMENT,
            reference=str(ids[0]),
            return_url=return_url,
        )
        split = domain.split_gateway_part([o.total for o in orders], parts[gateway])
        for order, part in zip(orders, split, strict=True):
            session.add(
                OrderCharge(charge_id=charge.id, order_id=order.id, amount=part, created_at=now)
            )
            state.record(
                uow,
                order,
                "payment_started",
                actor=actor,
                role="buyer",
                data={
                    "charge_id": str(charge.id),
                    "gateway": gateway,
                    "gateway_amount": part,
                    "wallet_amount": order.total - part,
                },
            )
        return PaymentOutcome(
            "awaiting_gateway",
            order_views(session, ids),
            wallet_part,
            parts[gateway],
            charge_id=charge.id,
            redirect_url=charge.redirect_url,
        )


def _pay_from_wallet(
    uow: UnitOfWork,
    order: Order,
    *,
    actor: Principal | None,
    role: str,
    gateway: tuple[str, int, uuid.UUID] | None,
    enforce_deadline: bool,
) -> None:
    """Mark the order paid (guarded) and move its total wallet → escrow in one transfer.

    ``gateway`` is (source, part, charge id) when the bank paid part of it into the wallet just
    before. A late bank capture still pays an order that has not been cancelled yet: the buyer
    did pay in time at the bank; only the sweep had not run.
    """
    session = uow.session
    now = utcnow()
    where = (Order.pay_by > now,) if enforce_deadline else ()
    if not state.transition(
        uow, order.id, domain.PAID, extra_where=where, paid_at=now, paid_amount=order.total
    ):
        raise state.refuse(session, order.id, expected=domain.PENDING_PAYMENT)
    ledger.transfer(
        uow,
        key=f"order:{order.id}:pay",
        kind=ORDER_PAYMENT,
        legs=[
            ledger.Leg(payments.wallet_of(order.buyer_id), -order.total),
            ledger.Leg(payments.escrow_of(order.id), order.total),
        ],
        memo={"order_id": str(order.id), "store_id": str(order.store_id)},
    )
    gateway_part = gateway[1] if gateway else 0
    if order.total - gateway_part > 0:
        session.add(
            OrderPayment(
                order_id=order.id,
                source=domain.WALLET,
                amount=order.total - gateway_part,
                created_at=now,
            )
        )
    if gateway is not None and gateway_part > 0:
        session.add(
            OrderPayment(
                order_id=order.id,
                source=gateway[0],
                amount=gateway_part,
                charge_id=gateway[2],
                created_at=now,
            )
        )
    cancel_deadline(uow, kind=PAYMENT_DUE, ref_id=order.id)
    state.record(
        uow,
        order,
        "paid",
        actor=actor,
        role=role,
        data={"total": order.total, "gateway_amount": gateway_part},
    )


def apply_captured_charge(uow: UnitOfWork, charge: payments.Charge) -> None:
    """The bank captured an ``order_payment`` charge into the buyer's wallet: pay its orders.

    Never raises for an order that cannot be paid any more; that order's part stays in the
    wallet and its timeline says so.
    """
    with uow:
        session = uow.session
        links = session.scalars(
            select(OrderCharge)
            .where(OrderCharge.charge_id == charge.id)
            .order_by(OrderCharge.order_id)
        ).all()
        for link in links:
            order = session.get(Order, link.order_id)
            if order is None or order.buyer_id != charge.user_id:
                continue
            gateway = (f"{domain.GATEWAY_PREFIX}{charge.gateway}", link.amount, charge.id)
            try:
                with session.begin_nested():
                    _pay_from_wallet(
                        uow,
                        order,
                        actor=None,
                        role=state.SYSTEM,
                        gateway=gateway,
                        enforce_deadline=False,
                    )
            except AgoraError as exc:
                state.record(
                    uow,
                    state.reload(session, order.id),
                    "payment_not_applied",
                    actor=None,
                    role=state.SYSTEM,
                    data={"charge_id": str(charge.id), "reason": type(exc).__name__},
                )


def _line_quantities(uow: UnitOfWork, order_id: uuid.UUID) -> dict[uuid.UUID, int]:
    quantities: dict[uuid.UUID, int] = {}
    for sku_id, quantity in uow.session.execute(
        select(OrderLine.sku_id, OrderLine.quantity).where(OrderLine.order_id == order_id)
    ):
        quantities[sku_id] = quantities.get(sku_id, 0) + quantity
    return quantities


def cancel_order(uow: UnitOfWork, *, actor: Principal, order_id: uuid.UUID) -> OrderView:
    """The buyer cancels an unpaid order; its stock goes back on sale.

    Raises OrderStateConflict (409) if it was paid (or cancelled) first — a concurrent payment
    and cancellation cannot both win: both are guarded UPDATEs from ``pending_payment``.
    """
    with uow:
        session = uow.session
        order = access_buyer_order(session, actor, order_id)
        if not state.transition(uow, order.id, domain.CANCELLED, closed_at=utcnow()):
            raise OrderStateConflict(order_status=state.reload(session, order.id).status)
        state.release_stock(session, _line_quantities(uow, order.id))
        cancel_deadline(uow, kind=PAYMENT_DUE, ref_id=order.id)
        state.record(uow, order, "cancelled", actor=actor, role="buyer")
        return order_views(session, [order.id])[0]


def expire_order(uow: UnitOfWork, order_id: uuid.UUID) -> bool:
    """Cancel the order if it is still unpaid past its deadline (the ``order_payment_due``
    sweep). ``False`` if there was nothing to do (paid or cancelled meanwhile)."""
    with uow:
        session = uow.session
        now = utcnow()
        if not state.transition(
            uow, order_id, domain.CANCELLED, extra_where=(Order.pay_by <= now,), closed_at=now
        ):
            return False
        order = state.reload(session, order_id)
        state.release_stock(session, _line_quantities(uow, order_id))
        state.record(uow, order, "expired", actor=None, role=state.SYSTEM)
        return True
