"""Paying for orders (points, wallet, treasure, credit, bank gateway, mixed), cancelling and
expiring unpaid ones.

Money always reaches an order the same way: one ledger transfer wallet → the order's escrow
account (key ``order:{id}:pay``). A bank payment first lands in the wallet — payments captures
it and calls :func:`apply_captured_charge` in the same transaction — so a mixed payment is the
wallet part plus the gateway part, debited together. If the order can no longer be paid by then
(cancelled, expired, wallet spent), the captured money simply stays in the wallet.

Points are a discount, at most ``points_max_redeem_share`` of each order: the buyer's points go
to ``points_redeemed`` and the platform's points funding pays the discount into escrow, so escrow
holds the full total and the store is settled on it (:mod:`agora.points`). With a bank part the
points are redeemed when the bank confirms, like the wallet part; if they are gone by then, the
order is not paid and the bank's money stays in the wallet.

The treasure pays through the wallet: its part is redeemed into the wallet in the same
transaction (:func:`agora.treasure.spend_to_wallet`) and then paid like the wallet part. Credit
pays straight into escrow (:func:`agora.credit.charge_order`), never through the wallet, so it
can only ever buy an order. Neither combines with a bank part.

Lock order when paying: every order row (guarded UPDATEs, in id order), then the buyer's points
lots, then ledger accounts — the order that refunds and the points expiry sweep follow too.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Table, bindparam, select, update

from agora import credit, ledger, payments, points, treasure
from agora.core.clock import utcnow
from agora.core.errors import AgoraError, InvalidInput
from agora.core.ids import new_id
from agora.core.jobs import cancel_deadline
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.ordering import domain, state
from agora.ordering.checkout import PAYMENT_DUE
from agora.ordering.errors import N_, OrderStateConflict, PaymentExpired
from agora.ordering.models import Order, OrderCharge, OrderLine, OrderPayment
from agora.ordering.queries import (
    OrderView,
    access_buyer_order,
    buyer_order_views,
    order_views,
)

ORDER_PAYMENT = "order_payment"
# Sources that are not a bank: they pay at once, inside the payment's transaction.
_NOT_BANKS = (domain.WALLET, domain.POINTS, domain.TREASURE, domain.CREDIT)


@dataclass(frozen=True, slots=True)
class SourceRequest:
    """Pay ``amount`` fen from ``source`` (``"points"``, ``"wallet"``, ``"treasure"``,
    ``"credit"`` or ``"gateway:sandbox"``);
    ``None`` = the rest of the total (at most one source may leave it open; points never do:
    their amount is the discount in fen, 100 points to the yuan by default)."""

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
    points_amount: int = 0
    """The discount points gave, in fen (the points themselves: :func:`points.points_for`)."""
    treasure_amount: int = 0
    credit_amount: int = 0


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
    A points part is split over the orders in proportion to their totals, none above its share.

    Raises:
        OrderNotFound: an order is not the actor's.
        OrderStateConflict / PaymentExpired (409): not payable (any more).
        InvalidInput: unknown source, amounts that do not add up to the total, points without
            an amount.
        PointsOverLimit / PointsAmountInvalid (422): points over the share of an order, or not
            whole points.
        FundingSourceDisabled (409): a source is switched off for one of the stores.
        InsufficientFunds / PointsInsufficient (409): the wallet or the points hold less than
            their part; nothing changed.
    """
    ids = sorted(set(order_ids))
    if not ids:
        raise InvalidInput(N_("Choose at least one order to pay."))
    for requested in sources:
        if requested.source not in payments.SOURCES:
            raise InvalidInput(
                N_("Unknown funding source."), errors=[{"field": "sources", "message": "unknown"}]
            )
        if requested.source == domain.POINTS and requested.amount is None:
            raise InvalidInput(
                N_("Say how much the points should pay."),
                errors=[{"field": "sources", "message": "points need an amount"}],
            )
    with uow:
        session = uow.session
        orders = buyer_order_views(session, actor, ids)
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
        discount = parts.get(domain.POINTS, 0)
        discounts = points.split_discount(discount, [o.total for o in orders])
        store_ids = {order.store_id for order in orders}
        for source in parts:
            payments.require_enabled(uow, source=source, store_ids=store_ids)
        gateways = [source for source in parts if source not in _NOT_BANKS]
        treasure_part = parts.get(domain.TREASURE, 0)
        credit_part = parts.get(domain.CREDIT, 0)
        if not gateways:
            paid = [_mark_paid(uow, order, enforce_deadline=True) for order in orders]
            if discount:
                points.redeem(uow, user_id=actor.user_id, discount=discount)
            if treasure_part:
                treasure.spend_to_wallet(
                    uow,
                    user_id=actor.user_id,
                    amount=treasure_part,
                    key=f"order:{ids[0]}:pay",
                    purpose=ORDER_PAYMENT,
                )
            left = [o.total - d for o, d in zip(orders, discounts, strict=True)]
            credits = domain.split_over_orders(left, credit_part)
            left = [money - part for money, part in zip(left, credits, strict=True)]
            treasures = domain.split_over_orders(left, treasure_part)
            for order, part, credit_share, treasure_share in zip(
                orders, discounts, credits, treasures, strict=True
            ):
                _pay_from_wallet(
                    uow,
                    order,
                    actor=actor,
                    role="buyer",
                    discount=part,
                    gateway=None,
                    credit_part=credit_share,
                    treasure_part=treasure_share,
                )
            return PaymentOutcome(
                "paid",
                paid,
                total - discount - treasure_part - credit_part,
                0,
                points_amount=discount,
                treasure_amount=treasure_part,
                credit_amount=credit_part,
            )
        if treasure_part or credit_part:
            raise InvalidInput(
                N_("The treasure and credit pay with the wallet and points, not with a bank."),
                errors=[{"field": "sources", "message": "treasure or credit with a bank"}],
            )
        if len(gateways) > 1:
            raise InvalidInput(N_("Pay through one bank at a time."))
        gateway = gateways[0]
        wallet_part = parts.get(domain.WALLET, 0)
        # Courtesy checks so the buyer is not sent to the bank in vain; the debits themselves
        # are guarded (the ledger, the points lots) when the charge is captured.
        if wallet_part and ledger.balance(uow, payments.wallet_of(actor.user_id)) < wallet_part:
            raise ledger.InsufficientFunds(account_kind="wallet")
        totals = [o.total for o in orders]
        if discount > points.redeemable(uow, user_id=actor.user_id, totals=totals):
            raise points.PointsInsufficient()
        charge = payments.create_charge(
            uow,
            user_id=actor.user_id,
            amount=parts[gateway],
            gateway=gateway.removeprefix(domain.GATEWAY_PREFIX),
            purpose=ORDER_PAYMENT,
            reference=str(ids[0]),
            return_url=return_url,
        )
        # The bank's part in proportion to what each order leaves after its points discount,
        # so no order's bank and points parts together exceed its total.
        split = domain.split_over_orders(
            [o.total - d for o, d in zip(orders, discounts, strict=True)], parts[gateway]
        )
        for order, part, points_part in zip(orders, split, discounts, strict=True):
            session.add(
                OrderCharge(charge_id=charge.id, order_id=order.id, amount=part, created_at=now)
            )
            if points_part:
                points.plan(
                    uow,
                    payment_ref=charge.id,
                    order_id=order.id,
                    user_id=actor.user_id,
                    discount=points_part,
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
                    "points_amount": points_part,
                    "wallet_amount": order.total - part - points_part,
                },
            )
        return PaymentOutcome(
            "awaiting_gateway",
            order_views(session, ids),
            wallet_part,
            parts[gateway],
            charge_id=charge.id,
            redirect_url=charge.redirect_url,
            points_amount=discount,
        )


def _mark_paid(uow: UnitOfWork, order: OrderView, *, enforce_deadline: bool) -> OrderView:
    """Move the order to ``paid`` (guarded); the order as it is now. A late bank capture still
    pays an order that has not been cancelled yet (``enforce_deadline`` off): the buyer did pay
    in time at the bank; only the sweep had not run."""
    now = utcnow()
    statement = _MARK_PAID_IN_TIME if enforce_deadline else _MARK_PAID
    moved = statement.execute(uow.session, {"order_id": order.id, "now": now, "total": order.total})
    if moved.rowcount != 1:
        raise state.refuse(uow.session, order.id, expected=domain.PENDING_PAYMENT)
    return replace(order, status=domain.PAID, paid_at=now, paid_amount=order.total)


# Prepared (core.prepared): the guarded UPDATE of every payment, with and without the deadline.
_orders: Table = Order.__table__  # type: ignore[assignment]
(_PAYABLE,) = domain.sources_into(domain.PAID)  # one status only: a fixed-shape statement
_PAY = (
    update(_orders)
    .where(_orders.c.id == bindparam("order_id"), _orders.c.status == _PAYABLE)
    .values(status=domain.PAID, paid_at=bindparam("now"), paid_amount=bindparam("total"))
)
_MARK_PAID = Prepared(_PAY)
_MARK_PAID_IN_TIME = Prepared(_PAY.where(_orders.c.pay_by > bindparam("now")))
_INSERT_PAYMENT = Prepared.insert(
    OrderPayment.__table__,  # type: ignore[arg-type]
    ["id", "order_id", "source", "amount", "refunded", "charge_id", "created_at"],
)


def _pay_from_wallet(
    uow: UnitOfWork,
    order: OrderView,
    *,
    actor: Principal | None,
    role: str,
    discount: int,
    gateway: tuple[str, int, uuid.UUID] | None,
    credit_part: int = 0,
    treasure_part: int = 0,
) -> None:
    """Pay an order just marked paid: its total less the points ``discount`` and the
    ``credit_part`` moves wallet → escrow in one transfer (the credit part goes from the credit
    line straight into escrow), then points records the order (earning on the money part; with a
    discount, the redeemed points taken just before move and the platform's points funding pays
    escrow the discount).

    ``gateway`` is (source, part, charge id) when the bank paid part of it into the wallet just
    before; ``treasure_part`` is what the treasure put into the wallet just before.
    """
    session = uow.session
    now = utcnow()
    money = order.total - discount
    escrow = payments.escrow_of(order.id)
    if credit_part:
        credit.charge_order(
            uow,
            user_id=order.buyer_id,
            order_id=order.id,
            store_id=order.store_id,
            amount=credit_part,
            escrow=escrow,
        )
    if money - credit_part:
        ledger.transfer(
            uow,
            key=f"order:{order.id}:pay",
            kind=ORDER_PAYMENT,
            legs=[
                ledger.Leg(payments.wallet_of(order.buyer_id), -(money - credit_part)),
                ledger.Leg(escrow, money - credit_part),
            ],
            memo={"order_id": str(order.id), "store_id": str(order.store_id)},
        )
    points.order_paid(
        uow,
        order_id=order.id,
        user_id=order.buyer_id,
        money_paid=money,
        discount=discount,
        escrow=escrow,
    )
    gateway_part = gateway[1] if gateway else 0
    rows: list[tuple[str, int, uuid.UUID | None]] = [
        (domain.WALLET, money - gateway_part - credit_part - treasure_part, None),
        (domain.POINTS, discount, None),
        (domain.CREDIT, credit_part, None),
        (domain.TREASURE, treasure_part, None),
    ]
    if gateway is not None:
        rows.append((gateway[0], gateway_part, gateway[2]))
    _INSERT_PAYMENT.execute_many(
        session,
        [
            {
                "id": new_id(),
                "order_id": order.id,
                "source": source,
                "amount": amount,
                "refunded": 0,
                "charge_id": charge_id,
                "created_at": now,
            }
            for source, amount, charge_id in rows
            if amount > 0
        ],
    )
    cancel_deadline(uow, kind=PAYMENT_DUE, ref_id=order.id)
    state.record(
        uow,
        order,
        "paid",
        actor=actor,
        role=role,
        data={
            "total": order.total,
            "gateway_amount": gateway_part,
            "points_amount": discount,
            "credit_amount": credit_part,
            "treasure_amount": treasure_part,
        },
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
            (order,) = order_views(session, [link.order_id])
            if order.buyer_id != charge.user_id:
                continue
            gateway = (f"{domain.GATEWAY_PREFIX}{charge.gateway}", link.amount, charge.id)
            discount = points.planned(uow, payment_ref=charge.id, order_id=order.id)
            try:
                with session.begin_nested():
                    _mark_paid(uow, order, enforce_deadline=False)
                    if discount:
                        points.redeem(uow, user_id=order.buyer_id, discount=discount)
                    _pay_from_wallet(
                        uow,
                        order,
                        actor=None,
                        role=state.SYSTEM,
                        discount=discount,
                        gateway=gateway,
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
        state.release_stock(uow, _line_quantities(uow, order.id))
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
        state.release_stock(uow, _line_quantities(uow, order_id))
        state.record(uow, order, "expired", actor=None, role=state.SYSTEM)
        return True
