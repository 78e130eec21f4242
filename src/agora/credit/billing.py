"""Statements and late fees: the ``credit_billing`` job and :func:`run_billing`.

On the statement day (local, the 1st by default) every user with activity gets one statement
for the period just ended: purchases not billed yet (net of refunds and early repayments) plus
the next instalment of each plan, its fee posted ``credit_owed → credit_fees`` as it is billed.
The statement's unique ``(user_id, period_end)`` makes a second run, or a racing one, bill
nothing. After the due date, each unpaid statement accrues one day's late fee per local day
(``fees_through`` guards each day once, and so does the ledger key); more than
``credit_freeze_days`` overdue with less than the minimum paid by the due date freezes the line.
A run that missed days catches them up at the unpaid amount it sees then.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Table, or_, select, update
from sqlalchemy.orm import Session

from agora import ledger
from agora.config import get_settings
from agora.core.clock import local_midnight, local_today, utcnow
from agora.core.db import upsert_insert
from agora.core.ids import new_id
from agora.core.jobs import registry
from agora.core.uow import UnitOfWork
from agora.credit import domain
from agora.credit.accounts import fees_of, owed_of
from agora.credit.debts import OPEN, OVERDUE, PAID, UNPAID
from agora.credit.lines import ACTIVE, FROZEN, lock_line, reevaluate
from agora.credit.models import (
    CreditInstalment,
    CreditLine,
    CreditPlan,
    CreditPurchase,
    CreditStatement,
)

_statements: Table = CreditStatement.__table__  # type: ignore[assignment]
_purchases: Table = CreditPurchase.__table__  # type: ignore[assignment]
_plans: Table = CreditPlan.__table__  # type: ignore[assignment]
_lines: Table = CreditLine.__table__  # type: ignore[assignment]
_instalments: Table = CreditInstalment.__table__  # type: ignore[assignment]

BILLING_JOB = "credit_billing"


@dataclass
class BillingReport:
    statements: int = 0
    late_fees: int = 0
    frozen: int = 0


def post_fee(
    uow: UnitOfWork, *, user_id: uuid.UUID, amount: int, key: str, kind: str, memo: dict[str, str]
) -> None:
    """A fee becomes owed: ``credit_owed -fee → credit_fees +fee`` and the line's ``used``
    grows (fees may take it past the limit: they are owed all the same)."""
    if amount <= 0:
        return
    created = ledger.transfer(
        uow,
        key=key,
        kind=kind,
        legs=[ledger.Leg(owed_of(user_id), -amount), ledger.Leg(fees_of(user_id), amount)],
        memo=memo,
    ).created
    if created:
        uow.session.execute(
            update(_lines).where(_lines.c.user_id == user_id).values(used=_lines.c.used + amount)
        )


def bill_instalment(
    uow: UnitOfWork, plan: CreditPlan, statement_id: uuid.UUID, now: datetime
) -> int:
    """Bill ``plan``'s next instalment onto a statement; returns its total (0 if none)."""
    session = uow.session
    item = domain.next_instalment(
        principal=plan.principal,
        months=plan.months,
        billed_count=plan.billed_count,
        principal_billed=plan.principal_billed,
        prepaid=plan.prepaid,
    )
    if item is None:
        return 0
    q = _plans.c
    moved = session.execute(
        update(_plans)
        .where(q.id == plan.id, q.billed_count == item.number - 1, q.status == ACTIVE)
        .values(
            billed_count=item.number,
            principal_billed=q.principal_billed + item.principal,
            fee_billed=q.fee_billed + item.fee,
        )
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        return 0
    session.execute(
        update(_plans)
        .where(q.id == plan.id, q.principal_billed + q.prepaid >= q.principal)
        .values(status="closed")
    )
    session.execute(
        _instalments.insert().values(
            plan_id=plan.id,
            number=item.number,
            statement_id=statement_id,
            principal=item.principal,
            fee=item.fee,
            billed_at=now,
        )
    )
    post_fee(
        uow,
        user_id=plan.user_id,
        amount=item.fee,
        key=f"credit:plan:{plan.id}:fee:{item.number}",
        kind="credit_instalment_fee",
        memo={"plan_id": str(plan.id), "number": str(item.number)},
    )
    return item.total


def _users_to_bill(session: Session, cutoff: datetime) -> list[uuid.UUID]:
    purchases = select(_purchases.c.user_id).where(
        _purchases.c.statement_id.is_(None),
        _purchases.c.plan_id.is_(None),
        _purchases.c.created_at < cutoff,
    )
    plans = select(_plans.c.user_id).where(_plans.c.status == ACTIVE, _plans.c.created_at < cutoff)
    users = set(session.scalars(purchases.distinct())) | set(session.scalars(plans.distinct()))
    return sorted(users)


def bill_user(uow: UnitOfWork, user_id: uuid.UUID, statement_day: date) -> bool:
    """One user's statement for the period before ``statement_day``; False if it exists."""
    settings = get_settings()
    cutoff = local_midnight(statement_day)
    start, end = domain.period_of(statement_day)
    with uow:
        session = uow.session
        now = utcnow()
        lock_line(session, user_id)
        statement_id = session.scalar(
            upsert_insert(session, _statements)
            .values(
                id=new_id(),
                user_id=user_id,
                period_start=start,
                period_end=end,
                statement_day=statement_day,
                due_on=domain.due_date(statement_day, settings.credit_due_day),
                amount=0,
                minimum=0,
                paid=0,
                fees=0,
                fees_paid=0,
                credited=0,
                paid_on_time=0,
                status=OPEN,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["user_id", "period_end"])
            .returning(_statements.c.id)
        )
        if statement_id is None:
            return False
        p = _purchases.c
        amount = sum(
            session.scalars(
                update(_purchases)
                .where(
                    p.user_id == user_id,
                    p.statement_id.is_(None),
                    p.plan_id.is_(None),
                    p.created_at < cutoff,
                )
                .values(statement_id=statement_id)
                .returning(p.amount - p.credited - p.repaid)
            )
        )
        plans = session.scalars(
            select(CreditPlan)
            .where(
                CreditPlan.user_id == user_id,
                CreditPlan.status == ACTIVE,
                CreditPlan.created_at < cutoff,
            )
            .order_by(CreditPlan.created_at, CreditPlan.id)
        ).all()
        for plan in plans:
            amount += bill_instalment(uow, plan, statement_id, now)
        session.execute(
            update(_statements)
            .where(_statements.c.id == statement_id)
            .values(
                amount=amount,
                minimum=domain.minimum_of(amount, settings.credit_min_repay_share),
                status=OPEN if amount > 0 else PAID,
                paid_at=None if amount > 0 else now,
            )
        )
        reevaluate(session, user_id)
        return True


def _charge_late_fees(uow: UnitOfWork, statement_id: uuid.UUID, today: date) -> tuple[int, bool]:
    """Late fees of one statement through ``today``, and the freeze; (days charged, froze)."""
    settings = get_settings()
    s = _statements.c
    with uow:
        session = uow.session
        row = session.execute(select(s.user_id, s.due_on).where(s.id == statement_id)).one()
        lock_line(session, row.user_id)
        session.execute(
            update(_statements)
            .where(s.id == statement_id, s.status == OPEN, s.due_on < today)
            .values(status=OVERDUE)
        )
        statement = session.get(CreditStatement, statement_id, populate_existing=True)
        assert statement is not None
        if statement.status != OVERDUE:
            return 0, False
        first = max(
            statement.due_on + timedelta(days=1),
            (statement.fees_through + timedelta(days=1)) if statement.fees_through else date.min,
        )
        days = 0
        day = first
        while day <= today:
            claimed = session.execute(
                update(_statements)
                .where(
                    s.id == statement_id,
                    s.status == OVERDUE,
                    or_(s.fees_through.is_(None), s.fees_through < day),
                )
                .values(fees_through=day)
            )
            if claimed.rowcount == 1:  # type: ignore[attr-defined]
                unpaid = statement.amount - statement.paid - statement.credited
                fee = domain.late_fee(unpaid, settings.credit_late_fee_rate)
                if fee > 0:
                    session.execute(
                        update(_statements).where(s.id == statement_id).values(fees=s.fees + fee)
                    )
                    post_fee(
                        uow,
                        user_id=statement.user_id,
                        amount=fee,
                        key=f"credit:late:{statement_id}:{day.isoformat()}",
                        kind="credit_late_fee",
                        memo={"statement_id": str(statement_id), "day": day.isoformat()},
                    )
                days += 1
            day += timedelta(days=1)
        froze = False
        if (
            today - statement.due_on
        ).days > settings.credit_freeze_days and statement.paid_on_time < statement.minimum:
            froze = (
                session.execute(
                    update(_lines)
                    .where(_lines.c.user_id == statement.user_id, _lines.c.status == ACTIVE)
                    .values(status=FROZEN, updated_at=utcnow())
                ).rowcount  # type: ignore[attr-defined]
                == 1
            )
        return days, froze


def run_billing(uow: UnitOfWork) -> BillingReport:
    """Bill the latest statement day and charge late fees due by today; idempotent."""
    settings = get_settings()
    report = BillingReport()
    today = local_today()
    statement_day = domain.latest_statement_day(today, settings.credit_statement_day)
    with uow.read() as session:
        users = _users_to_bill(session, local_midnight(statement_day))
    for user_id in users:
        if bill_user(uow, user_id, statement_day):
            report.statements += 1
    s = _statements.c
    with uow.read() as session:
        # Only statements not charged through today: the job runs every quarter of an hour, and
        # a statement's day (its fee and the freeze decision) is settled by the first run.
        late = list(
            session.scalars(
                select(s.id)
                .where(
                    s.status.in_(UNPAID),
                    s.due_on < today,
                    or_(s.fees_through.is_(None), s.fees_through < today),
                )
                .order_by(s.due_on, s.id)
            )
        )
    for statement_id in late:
        days, froze = _charge_late_fees(uow, statement_id, today)
        report.late_fees += days
        report.frozen += int(froze)
    return report


@registry.every(BILLING_JOB, timedelta(minutes=15))
def credit_billing(uow: UnitOfWork) -> None:
    run_billing(uow)
