"""Refunds of orders paid on credit: they first reduce what is owed and restore the limit."""

from __future__ import annotations

import uuid

from sqlalchemy import Table, select, update

from agora import ledger, payments
from agora.core.errors import N_, InvalidInput
from agora.core.uow import UnitOfWork
from agora.credit import debts
from agora.credit.accounts import owed_of
from agora.credit.lines import lock_line, rowcount
from agora.credit.models import CreditLine, CreditPurchase, CreditStatement

_purchases: Table = CreditPurchase.__table__  # type: ignore[assignment]
_lines: Table = CreditLine.__table__  # type: ignore[assignment]


def _own_debts(uow: UnitOfWork, purchase: CreditPurchase) -> list[debts.Debt]:
    """Where the refunded purchase's debt sits now, first in line for the refund."""
    session = uow.session
    if purchase.plan_id is not None:
        return [
            d for d in debts.unbilled_debts(session, purchase.user_id) if d.ref == purchase.plan_id
        ]
    if purchase.statement_id is None:
        return [d for d in debts.unbilled_debts(session, purchase.user_id) if d.ref == purchase.id]
    own = [
        d
        for d in debts.statement_debts(session, purchase.user_id)
        if d.ref == purchase.statement_id and d.kind == "statement"
    ]
    statement = session.get(CreditStatement, purchase.statement_id)
    if statement is not None and statement.converted_plan_id is not None:
        own += [
            d
            for d in debts.unbilled_debts(session, purchase.user_id)
            if d.ref == statement.converted_plan_id
        ]
    return own


def order_refunded(
    uow: UnitOfWork,
    *,
    user_id: uuid.UUID,
    order_id: uuid.UUID,
    refund_id: uuid.UUID,
    amount: int,
    escrow: ledger.AccountRef,
) -> None:
    """Refund ``amount`` of an order's credit part from ``escrow``, inside the caller's
    transaction, once per ``refund_id``.

    The refund first reduces what is owed — the purchase itself while unbilled, else its
    statement (or the plan it became), then the user's other debts in repayment order —
    ``escrow → credit_owed`` (key ``credit:refund:{refund_id}:owed``) and restores the limit;
    whatever exceeds the debt (the shopper had already repaid) goes ``escrow → wallet``
    (``…:wallet``). Raises InvalidInput for an order not paid on credit or more than its
    unrefunded credit part."""
    if not isinstance(amount, int) or amount <= 0:
        raise InvalidInput(N_("A refund is a positive whole number of fen."))
    with uow:
        session = uow.session
        if ledger.transfers_with(uow, key_prefix=f"credit:refund:{refund_id}:"):
            return
        if not lock_line(session, user_id):
            raise InvalidInput(N_("This order was not paid on credit."))
        purchase_id = session.scalar(
            update(_purchases)
            .where(
                _purchases.c.order_id == order_id,
                _purchases.c.user_id == user_id,
                _purchases.c.refunded + amount <= _purchases.c.amount,
            )
            .values(refunded=_purchases.c.refunded + amount)
            .returning(_purchases.c.id)
        )
        if purchase_id is None:
            raise InvalidInput(N_("The refund is more than the order's credit part not refunded."))
        purchase = session.get(CreditPurchase, purchase_id, populate_existing=True)
        assert purchase is not None
        used = session.scalar(select(_lines.c.used).where(_lines.c.user_id == user_id)) or 0
        to_owed = min(amount, int(used))
        if to_owed > 0:
            own = _own_debts(uow, purchase)
            own_room = sum(d.room for d in own)
            left = debts.pour(session, user_id, min(to_owed, own_room), own, refund=True)
            assert left == 0
            rest = to_owed - min(to_owed, own_room)
            if rest:
                left = debts.pour(
                    session, user_id, rest, debts.all_debts(session, user_id), refund=True
                )
                assert left == 0, "used equals the sum of the debts"
            if (
                rowcount(
                    session.execute(
                        update(_lines)
                        .where(_lines.c.user_id == user_id, _lines.c.used >= to_owed)
                        .values(used=_lines.c.used - to_owed)
                    )
                )
                != 1
            ):
                raise InvalidInput(N_("The credit line changed during the refund."))
            ledger.transfer(
                uow,
                key=f"credit:refund:{refund_id}:owed",
                kind="credit_refund",
                legs=[ledger.Leg(escrow, -to_owed), ledger.Leg(owed_of(user_id), to_owed)],
                memo={"order_id": str(order_id), "refund_id": str(refund_id)},
            )
        if amount > to_owed:
            ledger.transfer(
                uow,
                key=f"credit:refund:{refund_id}:wallet",
                kind="credit_refund",
                legs=[
                    ledger.Leg(escrow, -(amount - to_owed)),
                    ledger.Leg(payments.wallet_of(user_id), amount - to_owed),
                ],
                memo={"order_id": str(order_id), "refund_id": str(refund_id)},
            )
