"""Repaying credit from the wallet, the treasure or a bank gateway, early or late.

The line's ``used`` falls by a guarded UPDATE (``used >= :amount``: never more than is owed)
before any money moves; the money goes ``wallet → credit_owed`` and is poured into the debts
oldest first (see :mod:`agora.credit.debts`). From the treasure, ``treasure.spend_to_wallet``
first moves it to the wallet in the same transaction. Through a bank, a charge of purpose
``credit_repayment`` is created; when the bank captures it the money is in the wallet and is
applied then (up to what is owed at that moment; any rest stays in the wallet).
"""

from __future__ import annotations

import uuid

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from agora import ledger, payments, treasure
from agora.core.clock import utcnow
from agora.core.errors import N_, InvalidInput
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.credit import debts
from agora.credit.accounts import owed_of
from agora.credit.errors import CreditNotOpen, NothingToRepay, RepaymentTooLarge
from agora.credit.lines import lock_line, rowcount
from agora.credit.models import CreditLine, CreditRepayment, CreditStatement
from agora.identity import Principal

_lines: Table = CreditLine.__table__  # type: ignore[assignment]
_repayments: Table = CreditRepayment.__table__  # type: ignore[assignment]
_statements: Table = CreditStatement.__table__  # type: ignore[assignment]

REPAYMENT = "credit_repayment"
KINDS = ("amount", "statement", "minimum", "all")
GATEWAY_PREFIX = "gateway:"


def amounts_due(session: Session, user_id: uuid.UUID) -> dict[str, int]:
    """What each repayment kind stands for now: ``statement`` (every billed statement in full),
    ``minimum`` (what is left of each statement's minimum, plus its late fees) and ``all``."""
    s = _statements.c
    rows = session.execute(
        select(s.amount, s.fees, s.paid, s.fees_paid, s.credited, s.minimum).where(
            s.user_id == user_id, s.status.in_(debts.UNPAID)
        )
    ).all()
    statement = sum(r.amount + r.fees - r.paid - r.fees_paid - r.credited for r in rows)
    minimum = sum(max(0, r.minimum - r.paid - r.credited) + r.fees - r.fees_paid for r in rows)
    used = session.scalar(select(_lines.c.used).where(_lines.c.user_id == user_id))
    return {"statement": statement, "minimum": minimum, "all": int(used or 0)}


def _resolve(
    session: Session, user_id: uuid.UUID, amount: int | None, kind: str
) -> tuple[int, str]:
    if kind not in KINDS:
        raise InvalidInput(N_("Repay an amount, the statement, the minimum or everything."))
    if kind == "amount":
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise InvalidInput(N_("A repayment is a positive whole number of fen."))
        return amount, kind
    due = amounts_due(session, user_id)[kind]
    if due <= 0:
        raise NothingToRepay()
    return due, kind


def _check_source(source: str) -> None:
    if source.startswith(GATEWAY_PREFIX):
        return  # the bank is named when its charge is made (an unknown one is refused there)
    payments.check_source(
        source,
        allowed=(payments.WALLET, payments.TREASURE),
        message="Repay from the wallet, the treasure or a bank.",
    )


def apply_from_wallet(
    uow: UnitOfWork, *, user_id: uuid.UUID, repayment_id: uuid.UUID, amount: int
) -> None:
    """Move ``amount`` wallet → credit_owed and pour it into the debts. The caller has taken
    ``amount`` off the line's ``used`` already."""
    ledger.transfer(
        uow,
        key=f"credit:repay:{repayment_id}",
        kind=REPAYMENT,
        legs=[
            ledger.Leg(payments.wallet_of(user_id), -amount),
            ledger.Leg(owed_of(user_id), amount),
        ],
        memo={"repayment_id": str(repayment_id)},
    )
    session = uow.session
    left = debts.pour(session, user_id, amount, debts.all_debts(session, user_id), refund=False)
    assert left == 0, "used equals the sum of the debts"


def _take_from_used(session: Session, user_id: uuid.UUID, amount: int) -> bool:
    return (
        rowcount(
            session.execute(
                update(_lines)
                .where(_lines.c.user_id == user_id, _lines.c.used >= amount)
                .values(used=_lines.c.used - amount, updated_at=utcnow())
            )
        )
        == 1
    )


def repay(
    uow: UnitOfWork,
    *,
    actor: Principal,
    amount: int | None = None,
    kind: str = "amount",
    source: str = payments.WALLET,
    return_url: str = "/credit",
) -> tuple[CreditRepayment, payments.Charge | None]:
    """Repay the actor's credit. ``kind`` is ``amount`` (with ``amount``), ``statement``,
    ``minimum`` or ``all``; ``source`` is ``wallet``, ``treasure`` or ``gateway:<name>``.

    Raises CreditOnlyForOrders for ``credit``, CreditNotOpen, NothingToRepay,
    RepaymentTooLarge (more than owed; extra ``owed``), InsufficientFunds (wallet) or
    TreasureInsufficient; nothing changes then. Returns the repayment and, for a bank, the
    charge to pay (the repayment applies when the bank captures it)."""
    _check_source(source)
    user_id = actor.user_id
    with uow:
        session = uow.session
        if not lock_line(session, user_id):
            raise CreditNotOpen()
        value, kind = _resolve(session, user_id, amount, kind)
        owed = int(session.scalar(select(_lines.c.used).where(_lines.c.user_id == user_id)) or 0)
        if value > owed:
            raise RepaymentTooLarge(owed=owed)
        now = utcnow()
        repayment = CreditRepayment(
            id=new_id(),
            user_id=user_id,
            amount=value,
            applied=0,
            source=source,
            kind=kind,
            status="pending",
            created_at=now,
        )
        session.add(repayment)
        session.flush()
        if source.startswith(GATEWAY_PREFIX):
            charge = payments.create_charge(
                uow,
                user_id=user_id,
                amount=value,
                gateway=source.removeprefix(GATEWAY_PREFIX),
                purpose=REPAYMENT,
                reference=str(repayment.id),
                return_url=return_url,
            )
            repayment.charge_id = charge.id
            session.flush()
            return repayment, charge
        if not _take_from_used(session, user_id, value):
            raise RepaymentTooLarge(owed=owed)
        if source == payments.TREASURE:
            treasure.spend_to_wallet(
                uow,
                user_id=user_id,
                amount=value,
                key=f"credit:repay:{repayment.id}",
                purpose=REPAYMENT,
            )
        apply_from_wallet(uow, user_id=user_id, repayment_id=repayment.id, amount=value)
        repayment.applied = value
        repayment.status = "applied"
        repayment.applied_at = now
        session.flush()
        return repayment, None


@payments.on_charge_succeeded(REPAYMENT)
def _repayment_captured(uow: UnitOfWork, charge: payments.Charge) -> None:
    """The bank paid a repayment into the wallet: apply it now, up to what is owed now."""
    session = uow.session
    try:
        repayment_id = uuid.UUID(charge.reference)
    except ValueError:
        return
    repayment = session.get(CreditRepayment, repayment_id)
    if repayment is None or repayment.user_id != charge.user_id:
        return
    lock_line(session, repayment.user_id)
    claimed = session.execute(
        update(_repayments)
        .where(_repayments.c.id == repayment_id, _repayments.c.status == "pending")
        .values(status="applied", applied_at=utcnow())
    )
    if rowcount(claimed) != 1:
        return
    owed = int(
        session.scalar(select(_lines.c.used).where(_lines.c.user_id == repayment.user_id)) or 0
    )
    value = min(repayment.amount, owed)
    if value > 0 and _take_from_used(session, repayment.user_id, value):
        apply_from_wallet(uow, user_id=repayment.user_id, repayment_id=repayment_id, amount=value)
        session.execute(
            update(_repayments).where(_repayments.c.id == repayment_id).values(applied=value)
        )


def repaid_total(session: Session, user_id: uuid.UUID) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(_repayments.c.applied), 0)).where(
                _repayments.c.user_id == user_id
            )
        )
        or 0
    )
