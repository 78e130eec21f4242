"""Where a user's debt sits, and pouring money into it: repayments and refunds.

Debts in the order a repayment pays them: statements oldest first (late fees, then the billed
amount), then purchases not billed yet (an early repayment), then instalment plans' principal
not billed yet (paying a plan off early shortens it from the tail; a plan with nothing left to
bill charges no further fees). Each part moves by a guarded UPDATE that re-checks its room; the
caller holds the user's line row, so these rows are read and written by one transaction at a
time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Table, Update, and_, exists, select, update
from sqlalchemy.orm import Session

from agora.core.clock import local_today, utcnow
from agora.core.errors import N_, Conflict
from agora.credit import domain
from agora.credit.models import CreditLine, CreditPlan, CreditPurchase, CreditStatement

_statements: Table = CreditStatement.__table__  # type: ignore[assignment]
_purchases: Table = CreditPurchase.__table__  # type: ignore[assignment]
_plans: Table = CreditPlan.__table__  # type: ignore[assignment]
_lines: Table = CreditLine.__table__  # type: ignore[assignment]

OPEN = "open"
OVERDUE = "overdue"
PAID = "paid"
UNPAID = (OPEN, OVERDUE)


@dataclass(frozen=True, slots=True)
class Debt:
    """One place money can go: ``kind`` statement_fees | statement | purchase | plan."""

    kind: str
    ref: uuid.UUID
    room: int


def statement_debts(session: Session, user_id: uuid.UUID) -> list[Debt]:
    rows = session.execute(
        select(
            _statements.c.id,
            _statements.c.amount,
            _statements.c.fees,
            _statements.c.paid,
            _statements.c.fees_paid,
            _statements.c.credited,
        )
        .where(_statements.c.user_id == user_id, _statements.c.status.in_(UNPAID))
        .order_by(_statements.c.statement_day, _statements.c.created_at)
    ).all()
    debts: list[Debt] = []
    for row in rows:
        debts.append(Debt("statement_fees", row.id, row.fees - row.fees_paid))
        debts.append(Debt("statement", row.id, row.amount - row.paid - row.credited))
    return [debt for debt in debts if debt.room > 0]


def unbilled_debts(session: Session, user_id: uuid.UUID) -> list[Debt]:
    purchases = session.execute(
        select(
            _purchases.c.id,
            (_purchases.c.amount - _purchases.c.credited - _purchases.c.repaid).label("room"),
        )
        .where(
            _purchases.c.user_id == user_id,
            _purchases.c.statement_id.is_(None),
            _purchases.c.plan_id.is_(None),
        )
        .order_by(_purchases.c.created_at, _purchases.c.id)
    ).all()
    plans = session.execute(
        select(
            _plans.c.id,
            (_plans.c.principal - _plans.c.principal_billed - _plans.c.prepaid).label("room"),
        )
        .where(_plans.c.user_id == user_id, _plans.c.status == "active")
        .order_by(_plans.c.created_at, _plans.c.id)
    ).all()
    debts = [Debt("purchase", row.id, int(row.room)) for row in purchases]
    debts += [Debt("plan", row.id, int(row.room)) for row in plans]
    return [debt for debt in debts if debt.room > 0]


def all_debts(session: Session, user_id: uuid.UUID) -> list[Debt]:
    return statement_debts(session, user_id) + unbilled_debts(session, user_id)


def _guarded(session: Session, statement: Update) -> None:
    if session.execute(statement).rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(N_("A credit record changed while it was being repaid; please try again."))


def pay_debt(session: Session, debt: Debt, amount: int, *, refund: bool, today: date) -> None:
    """Put ``amount`` (≤ the debt's room) into one debt. A refund applied to a statement's
    billed amount is ``credited`` there rather than ``paid``; both count toward the minimum
    when they land by the end of the due date."""
    if amount <= 0:
        return
    s = _statements.c
    if debt.kind in ("statement", "statement_fees"):
        on_time = s.paid_on_time + amount
        if debt.kind == "statement_fees":
            values = {"fees_paid": s.fees_paid + amount}
            room = s.fees - s.fees_paid
        elif refund:
            values = {"credited": s.credited + amount}
            room = s.amount - s.paid - s.credited
        else:
            values = {"paid": s.paid + amount}
            room = s.amount - s.paid - s.credited
        values_on_time = {
            **values,
            "paid_on_time": on_time,
        }
        moved = session.execute(
            update(_statements)
            .where(s.id == debt.ref, room >= amount, s.due_on >= today)
            .values(values_on_time)
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            _guarded(
                session,
                update(_statements).where(s.id == debt.ref, room >= amount).values(values),
            )
        _settle(session, debt.ref)
    elif debt.kind == "purchase":
        p = _purchases.c
        column = "credited" if refund else "repaid"
        _guarded(
            session,
            update(_purchases)
            .where(p.id == debt.ref, p.amount - p.credited - p.repaid >= amount)
            .values({column: p[column] + amount}),
        )
    elif debt.kind == "plan":
        q = _plans.c
        _guarded(
            session,
            update(_plans)
            .where(q.id == debt.ref, q.principal - q.principal_billed - q.prepaid >= amount)
            .values(prepaid=q.prepaid + amount),
        )
        session.execute(
            update(_plans)
            .where(q.id == debt.ref, q.principal_billed + q.prepaid >= q.principal)
            .values(status="closed")
        )
    else:  # pragma: no cover - the kinds above are the only ones built
        raise ValueError(debt.kind)


def _settle(session: Session, statement_id: uuid.UUID) -> None:
    s = _statements.c
    session.execute(
        update(_statements)
        .where(
            s.id == statement_id,
            s.status.in_(UNPAID),
            s.amount + s.fees - s.paid - s.fees_paid - s.credited == 0,
        )
        .values(status=PAID, paid_at=utcnow())
    )


def pour(
    session: Session, user_id: uuid.UUID, amount: int, debts: list[Debt], *, refund: bool
) -> int:
    """Pay ``debts`` in order with ``amount``; returns what is left over."""
    parts, left = domain.allocate(amount, [debt.room for debt in debts])
    today = local_today()
    for debt, part in zip(debts, parts, strict=True):
        pay_debt(session, debt, part, refund=refund, today=today)
    unfreeze_if_clear(session, user_id)
    return left


def unfreeze_if_clear(session: Session, user_id: uuid.UUID) -> None:
    """A frozen line thaws once none of its statements is overdue."""
    overdue = exists().where(
        and_(_statements.c.user_id == user_id, _statements.c.status == OVERDUE)
    )
    session.execute(
        update(_lines)
        .where(_lines.c.user_id == user_id, _lines.c.status == "frozen", ~overdue)
        .values(status="active", updated_at=utcnow())
    )
