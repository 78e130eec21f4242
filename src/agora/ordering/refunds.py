"""Refunds and returns, whole orders or per line (a quantity of each line).

Before shipment a refund happens at once and the held units go back on sale. Once shipped, the
buyer asks for a return; the merchant accepts (money back, goods back on sale) or rejects it, and
a merchant who does neither within ``return_answer_hours`` has accepted it (the
``return_answer_due`` deadline). A rejected return may go on to an operator (disputes.py).
Money goes back to where it came from: points pro rata, then credit first (it reduces what is
owed), then the gateway, then the wallet, which also takes back what the treasure paid
(:func:`domain.refund_split`); pending points earned on it are reversed pro rata. Never more
than was paid: the order row's ``refunded_amount + amount <= paid_amount`` guard, the lines'
quantity guards and each payment row's ``refunded <= amount`` guard all hold in the database.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy import Table, select, update

from agora import credit, ledger, payments, points
from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.errors import InvalidInput
from agora.core.ids import new_id
from agora.core.jobs import cancel_deadline, schedule_deadline
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.ordering import domain, state
from agora.ordering.errors import (
    N_,
    OrderHeld,
    OrderStateConflict,
    RefundDecided,
    RefundTooLarge,
    ReturnPending,
)
from agora.ordering.fulfilment import AUTO_CONFIRM, reschedule_auto_confirm
from agora.ordering.models import Order, OrderLine, OrderPayment, Refund, RefundLine
from agora.ordering.queries import (
    RefundView,
    access_buyer_order,
    access_merchant_refund,
    refund_view,
)

_orders: Table = Order.__table__  # type: ignore[assignment]
_lines: Table = OrderLine.__table__  # type: ignore[assignment]
_payments: Table = OrderPayment.__table__  # type: ignore[assignment]
_refunds: Table = Refund.__table__  # type: ignore[assignment]

MAX_REASON = 500
# The deadline of a return the store has not answered: when it fires, the return is accepted.
RETURN_ANSWER_DUE = "return_answer_due"


def request_refund(
    uow: UnitOfWork,
    *,
    actor: Principal,
    order_id: uuid.UUID,
    lines: Mapping[uuid.UUID, int] | None = None,
    reason: str = "",
) -> RefundView:
    """The buyer asks for money back: ``lines`` maps order-line ids to quantities; ``None``
    means everything not yet refunded. A ``paid`` order is refunded at once (status
    ``refunded`` on the result); a shipped or delivered one gets a return request
    (``requested``) for the merchant.

    Raises:
        OrderNotFound: not the actor's order.
        OrderStateConflict (409): unpaid, completed, cancelled or already refunded.
        RefundTooLarge (409): more than is left to refund; nothing changed.
        ReturnPending (409): another return is waiting for the merchant.
        InvalidInput: a line of another order, a quantity below 1.
    """
    reason = reason.strip()[:MAX_REASON]
    with uow:
        session = uow.session
        order = access_buyer_order(session, actor, order_id)
        try:
            kind = domain.refund_kind(order.status)
        except domain.TransitionRefused as exc:
            raise OrderStateConflict(order_status=order.status) from exc
        if order.held:
            raise OrderHeld()
        if kind == "return" and order.return_open:
            raise ReturnPending()
        wanted, skus, amount = _wanted(uow, order, lines)
        if amount > order.paid_amount - order.refunded_amount:
            # An operator's refund on a dispute gives money without taking lines back.
            raise RefundTooLarge(refundable=order.paid_amount - order.refunded_amount)
        if kind == "refund":
            return _refund_now(uow, order, wanted, skus, amount, reason=reason, actor=actor)
        refund = Refund(
            id=new_id(),
            order_id=order.id,
            store_id=order.store_id,
            kind=kind,
            status="requested",
            amount=amount,
            reason=reason,
            created_at=utcnow(),
        )
        opened = session.execute(
            update(_orders)
            .where(
                _orders.c.id == order.id,
                _orders.c.status.in_(sorted(domain.RETURN_STATUSES)),
                _orders.c.return_open.is_(False),
            )
            .values(return_open=True)
        )
        if opened.rowcount != 1:  # type: ignore[attr-defined]
            current = state.reload(session, order.id)
            if current.return_open:
                raise ReturnPending()
            raise OrderStateConflict(order_status=current.status)
        _move_lines(uow, wanted, refunded=False)
        session.add(refund)
        session.flush()
        answer_by = refund.created_at + timedelta(hours=get_settings().return_answer_hours)
        schedule_deadline(uow, kind=RETURN_ANSWER_DUE, ref_id=refund.id, due_at=answer_by)
        state.record(
            uow,
            order,
            "return_requested",
            actor=actor,
            role="buyer",
            data={"refund_id": str(refund.id), "amount": amount, "reason": reason},
        )
        return _add_refund_lines(uow, refund, wanted)


def refund_held_order(uow: UnitOfWork, *, order_id: uuid.UUID, reason: str) -> bool:
    """The system refunds a held group order in full (its team did not fill): the money goes
    back to its sources and the units back on sale. ``False`` if there was nothing to refund
    (already refunded, or not a held paid order) — a second run of the team's deadline does
    nothing."""
    with uow:
        session = uow.session
        order = state.reload(session, order_id)
        if not order.held or order.status != domain.PAID:
            return False
        wanted, skus, amount = _wanted(uow, order, None)
        _refund_now(uow, order, wanted, skus, amount, reason=reason[:MAX_REASON], actor=None)
        session.execute(update(_orders).where(_orders.c.id == order.id).values(held=False))
        return True


def _refund_now(
    uow: UnitOfWork,
    order: Order,
    wanted: dict[uuid.UUID, tuple[int, int, uuid.UUID]],
    skus: dict[uuid.UUID, int],
    amount: int,
    *,
    reason: str,
    actor: Principal | None,
) -> RefundView:
    """An instant refund of a paid order (nothing shipped): money back, units back on sale."""
    session = uow.session
    refund = Refund(
        id=new_id(),
        order_id=order.id,
        store_id=order.store_id,
        kind="refund",
        status="refunded",
        amount=amount,
        reason=reason,
        created_at=utcnow(),
    )
    totals = _add_refunded(uow, order.id, amount, statuses=(domain.PAID,))
    _move_lines(uow, wanted, refunded=True)
    session.add(refund)
    session.flush()
    state.release_stock(uow, skus)
    _pay_back(uow, order, refund.id, amount)
    state.record(
        uow,
        order,
        "refunded",
        actor=actor,
        role="buyer" if actor is not None else state.SYSTEM,
        data={"refund_id": str(refund.id), "amount": amount, "reason": reason},
    )
    _close_if_fully_refunded(uow, order, totals)
    return _add_refund_lines(uow, refund, wanted)


def _add_refund_lines(
    uow: UnitOfWork, refund: Refund, wanted: dict[uuid.UUID, tuple[int, int, uuid.UUID]]
) -> RefundView:
    uow.session.add_all(
        RefundLine(
            refund_id=refund.id,
            line_id=line_id,
            quantity=quantity,
            amount=unit_price * quantity,
        )
        for line_id, (quantity, unit_price, _) in wanted.items()
    )
    uow.session.flush()
    return refund_view(refund, {line_id: q for line_id, (q, _, _) in wanted.items()})


def accept_return(
    uow: UnitOfWork, *, actor: Principal, refund_id: uuid.UUID, note: str = ""
) -> RefundView:
    """Store staff accept a return: the money goes back to its sources, the goods back on sale.

    Raises RefundNotFound unless the actor is staff of the store; RefundDecided if it was
    already accepted or rejected.
    """
    with uow:
        refund = _decide(uow, actor, refund_id, "accepted", note)
        return _give_back(uow, refund, actor=actor)


def accept_unanswered_return(uow: UnitOfWork, refund_id: uuid.UUID) -> bool:
    """The ``return_answer_due`` deadline: the store neither accepted nor rejected the return
    in time, so the system accepts it exactly as :func:`accept_return` would. ``False`` (nothing
    changed) if the store decided first — the same guarded UPDATE of the refund row."""
    with uow:
        decided = uow.session.execute(
            update(_refunds)
            .where(_refunds.c.id == refund_id, _refunds.c.status == "requested")
            .values(status="accepted", decided_at=utcnow(), decided_by=None)
        )
        if decided.rowcount != 1:  # type: ignore[attr-defined]
            return False
        refund = uow.session.get(Refund, refund_id, populate_existing=True)
        assert refund is not None
        _give_back(uow, refund, actor=None)
        return True


def _give_back(uow: UnitOfWork, refund: Refund, *, actor: Principal | None) -> RefundView:
    """An accepted return: money back to its sources, goods back on sale. ``actor`` None: the
    system accepted it because the store did not answer in time."""
    session = uow.session
    order = state.reload(session, refund.order_id)
    totals = _add_refunded(
        uow,
        order.id,
        refund.amount,
        statuses=tuple(domain.RETURN_STATUSES),
        closing_return=True,
    )
    quantities = _refund_lines(uow, refund.id)
    skus: dict[uuid.UUID, int] = {}
    for line_id, quantity in sorted(quantities.items()):
        done = session.execute(
            update(_lines)
            .where(_lines.c.id == line_id, _lines.c.returning_quantity >= quantity)
            .values(
                returning_quantity=_lines.c.returning_quantity - quantity,
                refunded_quantity=_lines.c.refunded_quantity + quantity,
            )
            .returning(_lines.c.sku_id)
        ).first()
        if done is None:
            raise RuntimeError(f"order line {line_id} does not hold the return it should")
        skus[done[0]] = skus.get(done[0], 0) + quantity
    state.restock(uow, skus)
    _pay_back(uow, order, refund.id, refund.amount)
    state.record(
        uow,
        order,
        "return_accepted" if actor is not None else "return_auto_accepted",
        actor=actor,
        role="merchant" if actor is not None else state.SYSTEM,
        data={"refund_id": str(refund.id), "amount": refund.amount},
    )
    if not _close_if_fully_refunded(uow, order, totals):
        reschedule_auto_confirm(uow, state.reload(session, order.id))
    return _view(uow, refund.id)


def reject_return(
    uow: UnitOfWork, *, actor: Principal, refund_id: uuid.UUID, note: str = ""
) -> RefundView:
    """Store staff reject a return; the order carries on (and may auto-confirm again)."""
    with uow:
        session = uow.session
        refund = _decide(uow, actor, refund_id, "rejected", note)
        closed = session.execute(
            update(_orders)
            .where(_orders.c.id == refund.order_id, _orders.c.return_open.is_(True))
            .values(return_open=False)
        )
        if closed.rowcount != 1:  # type: ignore[attr-defined]
            raise RuntimeError(f"order {refund.order_id} has no open return")
        for line_id, quantity in sorted(_refund_lines(uow, refund.id).items()):
            session.execute(
                update(_lines)
                .where(_lines.c.id == line_id, _lines.c.returning_quantity >= quantity)
                .values(returning_quantity=_lines.c.returning_quantity - quantity)
            )
        order = state.reload(session, refund.order_id)
        state.record(
            uow,
            order,
            "return_rejected",
            actor=actor,
            role="merchant",
            data={"refund_id": str(refund.id), "note": note.strip()[:MAX_REASON]},
        )
        reschedule_auto_confirm(uow, order)
        return _view(uow, refund.id)


def _wanted(
    uow: UnitOfWork, order: Order, lines: Mapping[uuid.UUID, int] | None
) -> tuple[dict[uuid.UUID, tuple[int, int, uuid.UUID]], dict[uuid.UUID, int], int]:
    """(line id → (quantity, unit price, sku)), units per SKU, and the amount to refund."""
    rows = {
        line.id: line
        for line in uow.session.scalars(
            select(OrderLine)
            .where(OrderLine.order_id == order.id)
            .execution_options(populate_existing=True)
        )
    }
    left = {i: r.quantity - r.refunded_quantity - r.returning_quantity for i, r in rows.items()}
    if lines is None:
        asked = {i: n for i, n in left.items() if n > 0}
    else:
        asked = dict(lines)
        for line_id, quantity in asked.items():
            if line_id not in rows:
                raise InvalidInput(
                    N_("This line is not part of the order."),
                    errors=[{"field": "lines", "message": f"unknown line {line_id}"}],
                )
            if quantity < 1:
                raise InvalidInput(
                    N_("Refund at least one unit of a line."),
                    errors=[{"field": "lines", "message": "quantity below 1"}],
                )
            if quantity > left[line_id]:
                raise RefundTooLarge(line_id=str(line_id), refundable=left[line_id])
    if not asked:
        raise RefundTooLarge(refundable=0)
    wanted = {i: (q, rows[i].unit_price, rows[i].sku_id) for i, q in sorted(asked.items())}
    skus: dict[uuid.UUID, int] = {}
    for quantity, _, sku_id in wanted.values():
        skus[sku_id] = skus.get(sku_id, 0) + quantity
    return wanted, skus, sum(q * price for q, price, _ in wanted.values())


def _add_refunded(
    uow: UnitOfWork,
    order_id: uuid.UUID,
    amount: int,
    *,
    statuses: tuple[str, ...],
    closing_return: bool = False,
) -> tuple[int, int]:
    """Count ``amount`` as refunded on the order row, guarded so the total never exceeds what
    was paid. Returns (refunded, paid) after the update."""
    where = [
        _orders.c.id == order_id,
        _orders.c.status.in_(statuses),
        _orders.c.refunded_amount + amount <= _orders.c.paid_amount,
    ]
    values: dict[str, object] = {"refunded_amount": _orders.c.refunded_amount + amount}
    if closing_return:
        where.append(_orders.c.return_open.is_(True))
        values["return_open"] = False
    row = uow.session.execute(
        update(_orders)
        .where(*where)
        .values(**values)
        .returning(_orders.c.refunded_amount, _orders.c.paid_amount)
    ).first()
    if row is None:
        current = state.reload(uow.session, order_id)
        if current.status not in statuses:
            raise OrderStateConflict(order_status=current.status)
        raise RefundTooLarge(refundable=current.paid_amount - current.refunded_amount)
    return int(row[0]), int(row[1])


def _move_lines(
    uow: UnitOfWork, wanted: Mapping[uuid.UUID, tuple[int, int, uuid.UUID]], *, refunded: bool
) -> None:
    column = "refunded_quantity" if refunded else "returning_quantity"
    for line_id, (quantity, _, _) in sorted(wanted.items()):
        done = uow.session.execute(
            update(_lines)
            .where(
                _lines.c.id == line_id,
                _lines.c.refunded_quantity + _lines.c.returning_quantity + quantity
                <= _lines.c.quantity,
            )
            .values({column: _lines.c[column] + quantity})
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise RefundTooLarge(line_id=str(line_id))


def _pay_back(uow: UnitOfWork, order: Order, refund_id: uuid.UUID, amount: int) -> None:
    """Move ``amount`` out of the order's escrow to the sources that paid it: the points part
    pro rata, then money gateway first (:func:`domain.refund_split`). Points then reverse the
    pending points earned on the money refunded and restore the redeemed ones refunded."""
    session = uow.session
    paid = session.scalars(
        select(OrderPayment)
        .where(OrderPayment.order_id == order.id)
        .execution_options(populate_existing=True)
    ).all()
    split = domain.refund_split(
        amount, [domain.SourcePaid(p.source, p.amount, p.refunded) for p in paid]
    )
    escrow = payments.escrow_of(order.id)
    for payment in sorted(paid, key=lambda p: p.source):
        part = split.get(payment.source, 0)
        if not part:
            continue
        counted = session.execute(
            update(_payments)
            .where(_payments.c.id == payment.id, _payments.c.refunded + part <= _payments.c.amount)
            .values(refunded=_payments.c.refunded + part)
        )
        if counted.rowcount != 1:  # type: ignore[attr-defined]
            raise RefundTooLarge()
        key = f"refund:{refund_id}:{payment.source}"
        if payment.source == domain.POINTS:
            continue  # moved by points.order_refunded below, with the points themselves
        if payment.source == domain.CREDIT:
            credit.order_refunded(
                uow,
                user_id=order.buyer_id,
                order_id=order.id,
                refund_id=refund_id,
                amount=part,
                escrow=escrow,
            )
        elif payment.source in (domain.WALLET, domain.TREASURE):
            # The treasure paid through the wallet, and its part comes back there.
            ledger.transfer(
                uow,
                key=key,
                kind="order_refund",
                legs=[
                    ledger.Leg(escrow, -part),
                    ledger.Leg(payments.wallet_of(order.buyer_id), part),
                ],
                memo={"order_id": str(order.id), "refund_id": str(refund_id)},
            )
        else:
            assert payment.charge_id is not None
            payments.refund_to_gateway(
                uow, charge_id=payment.charge_id, amount=part, source=escrow, key=key
            )
    discount = split.get(domain.POINTS, 0)
    points.order_refunded(
        uow,
        order_id=order.id,
        refund_id=refund_id,
        money=amount - discount,
        discount=discount,
        escrow=escrow,
    )


def _close_if_fully_refunded(uow: UnitOfWork, order: Order, totals: tuple[int, int]) -> bool:
    refunded, paid = totals
    if refunded != paid:
        return False
    if state.transition(uow, order.id, domain.REFUNDED, closed_at=utcnow()):
        cancel_deadline(uow, kind=AUTO_CONFIRM, ref_id=order.id)
        state.record(uow, order, "closed_refunded", actor=None, role=state.SYSTEM)
    return True


def _decide(
    uow: UnitOfWork, actor: Principal, refund_id: uuid.UUID, status: str, note: str
) -> Refund:
    refund = access_merchant_refund(uow.session, actor, refund_id)
    decided = uow.session.execute(
        update(_refunds)
        .where(_refunds.c.id == refund.id, _refunds.c.status == "requested")
        .values(
            status=status,
            decided_at=utcnow(),
            decided_by=actor.user_id,
            decision_note=note.strip()[:MAX_REASON],
        )
    )
    if decided.rowcount != 1:  # type: ignore[attr-defined]
        raise RefundDecided()
    cancel_deadline(uow, kind=RETURN_ANSWER_DUE, ref_id=refund.id)
    return refund


def _refund_lines(uow: UnitOfWork, refund_id: uuid.UUID) -> dict[uuid.UUID, int]:
    return {
        line_id: quantity
        for line_id, quantity in uow.session.execute(
            select(RefundLine.line_id, RefundLine.quantity).where(RefundLine.refund_id == refund_id)
        )
    }


def _view(uow: UnitOfWork, refund_id: uuid.UUID) -> RefundView:
    refund = uow.session.scalar(
        select(Refund).where(Refund.id == refund_id).execution_options(populate_existing=True)
    )
    assert refund is not None
    return refund_view(refund, _refund_lines(uow, refund_id))
