"""The money of a dispute's decision: a refund paid back by the returns' own path (escrow back
to the sources that paid: credit first, then the bank, then the wallet; points pro rata), under
the order row's guard that nothing is refunded beyond what was paid.

An order still in escrow pays from there. An order already completed was settled to the store:
the refund first moves the money back into the order's escrow from the store's settlement
account and, pro rata, from the platform's commission — one ledger transfer — and then goes back
like any refund. A store that no longer holds that much is refused (``store_funds_short``).
"""

from __future__ import annotations

import uuid

from sqlalchemy import Table, func, select, update

from agora import ledger, payments
from agora.core.clock import utcnow
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.ordering import domain, state
from agora.ordering.dispute_queries import DISPUTABLE
from agora.ordering.errors import StoreFundsShort
from agora.ordering.fulfilment import reschedule_auto_confirm
from agora.ordering.models import Dispute, Order, Refund, Settlement
from agora.ordering.refunds import _add_refunded, _close_if_fully_refunded, _pay_back

_disputes: Table = Dispute.__table__  # type: ignore[assignment]


def refund_on_decision(
    uow: UnitOfWork, actor: Principal, order: Order, dispute: Dispute, amount: int, note: str
) -> None:
    """The money of a decision: taken back from the store first if the order is settled, then
    back to the buyer's sources by the refunds' own path, as a ``dispute`` refund of the order."""
    session = uow.session
    now = utcnow()
    refund = Refund(
        id=new_id(),
        order_id=order.id,
        store_id=order.store_id,
        kind="dispute",
        status="refunded",
        amount=amount,
        reason="",
        created_at=now,
        decided_at=now,
        decided_by=actor.user_id,
        decision_note=note,
    )
    session.add(refund)
    session.flush()
    from_store = from_commission = 0
    if order.status == domain.COMPLETED:
        from_store, from_commission = take_back_settlement(uow, order, dispute.id, amount)
    totals = _add_refunded(
        uow,
        order.id,
        amount,
        statuses=tuple(sorted(DISPUTABLE)),
        closing_return=dispute.held,
    )
    _pay_back(uow, order, refund.id, amount)
    session.execute(
        update(_disputes)
        .where(_disputes.c.id == dispute.id)
        .values(
            refunded=amount,
            from_store=from_store,
            from_commission=from_commission,
            decision_refund_id=refund.id,
        )
    )
    state.record(
        uow,
        order,
        "dispute_refunded",
        actor=actor,
        role="operator",
        data={
            "dispute_id": str(dispute.id),
            "refund_id": str(refund.id),
            "amount": amount,
            "note": note,
        },
    )
    if not _close_if_fully_refunded(uow, order, totals):
        reschedule_auto_confirm(uow, state.reload(session, order.id))


def take_back_settlement(
    uow: UnitOfWork, order: Order, dispute_id: uuid.UUID, amount: int
) -> tuple[int, int]:
    """Move ``amount`` of a settled order back into its escrow: the platform's commission on
    it pro rata (cumulative over the order's disputes, rounded down, so taking back the whole
    gross returns exactly the whole commission), the rest from the store's settlement account.
    Returns (from the store, from the commission)."""
    session = uow.session
    settlement = session.scalar(select(Settlement).where(Settlement.order_id == order.id))
    if settlement is None:
        raise RuntimeError(f"completed order {order.id} has no settlement")
    taken, commission_taken = session.execute(
        select(
            func.coalesce(func.sum(Dispute.from_store + Dispute.from_commission), 0),
            func.coalesce(func.sum(Dispute.from_commission), 0),
        ).where(Dispute.order_id == order.id, Dispute.id != dispute_id)
    ).one()
    commission_after = (
        settlement.commission * (int(taken) + amount) // settlement.gross if settlement.gross else 0
    )
    from_commission = commission_after - int(commission_taken)
    from_store = amount - from_commission
    legs = [ledger.Leg(payments.escrow_of(order.id), amount)]
    if from_store:
        legs.append(ledger.Leg(payments.store_settlement_of(order.store_id), -from_store))
    if from_commission:
        legs.append(ledger.Leg(payments.commission_of(order.id), -from_commission))
    try:
        ledger.transfer(
            uow,
            key=f"dispute:{dispute_id}:take_back",
            kind="dispute_take_back",
            legs=legs,
            memo={"order_id": str(order.id), "dispute_id": str(dispute_id)},
        )
    except ledger.InsufficientFunds as exc:
        raise StoreFundsShort() from exc
    return from_store, from_commission
