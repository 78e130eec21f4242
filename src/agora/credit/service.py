"""What a shopper sees of their credit, and the audit that ties the rows to the ledger."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agora import ledger
from agora.core.uow import UnitOfWork
from agora.credit import debts, domain
from agora.credit.accounts import owed_of
from agora.credit.errors import StatementNotFound
from agora.credit.lines import evaluate_user
from agora.credit.models import (
    CreditInstalment,
    CreditLine,
    CreditPlan,
    CreditPurchase,
    CreditRepayment,
    CreditStatement,
)
from agora.credit.repay import amounts_due
from agora.identity import Principal


@dataclass(frozen=True, slots=True)
class StatementView:
    id: uuid.UUID
    period_start: date
    period_end: date
    statement_day: date
    due_on: date
    amount: int
    minimum: int
    fees: int
    repaid: int
    """Repaid and refunded against it (fees and amount)."""
    outstanding: int
    minimum_left: int
    status: str
    converted_plan_id: uuid.UUID | None
    purchases: list[CreditPurchase] = field(default_factory=list)
    instalments: list[CreditInstalment] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PlanView:
    plan: CreditPlan
    schedule: list[domain.Instalment]
    billed: int
    remaining_principal: int


@dataclass(frozen=True, slots=True)
class CreditSummary:
    line: CreditLine | None
    evaluation: domain.Evaluation
    available: int
    unbilled: list[CreditPurchase]
    unbilled_total: int
    statements: list[StatementView]
    plans: list[PlanView]
    repayments: list[CreditRepayment]
    due: dict[str, int]


def _statement_view(session: Session, row: CreditStatement, *, lines: bool) -> StatementView:
    outstanding = row.amount + row.fees - row.paid - row.fees_paid - row.credited
    view = StatementView(
        id=row.id,
        period_start=row.period_start,
        period_end=row.period_end,
        statement_day=row.statement_day,
        due_on=row.due_on,
        amount=row.amount,
        minimum=row.minimum,
        fees=row.fees,
        repaid=row.paid + row.fees_paid + row.credited,
        outstanding=outstanding,
        minimum_left=max(0, row.minimum - row.paid - row.credited) + row.fees - row.fees_paid
        if row.status in debts.UNPAID
        else 0,
        status=row.status,
        converted_plan_id=row.converted_plan_id,
    )
    if lines:
        view.purchases.extend(
            session.scalars(
                select(CreditPurchase)
                .where(CreditPurchase.statement_id == row.id)
                .order_by(CreditPurchase.created_at)
            )
        )
        view.instalments.extend(
            session.scalars(
                select(CreditInstalment)
                .where(CreditInstalment.statement_id == row.id)
                .order_by(CreditInstalment.billed_at)
            )
        )
    return view


def _plan_view(plan: CreditPlan) -> PlanView:
    return PlanView(
        plan=plan,
        schedule=domain.schedule(plan.principal, plan.months),
        billed=plan.billed_count,
        remaining_principal=plan.principal - plan.principal_billed - plan.prepaid,
    )


def summary(uow: UnitOfWork, *, actor: Principal) -> CreditSummary:
    """The actor's line, score explained, unbilled purchases, statements, plans, repayments."""
    user_id = actor.user_id
    with uow.snapshot(), uow.read() as session:
        line = session.get(CreditLine, user_id)
        evaluation = evaluate_user(session, user_id)
        unbilled = list(
            session.scalars(
                select(CreditPurchase)
                .where(
                    CreditPurchase.user_id == user_id,
                    CreditPurchase.statement_id.is_(None),
                    CreditPurchase.plan_id.is_(None),
                )
                .order_by(CreditPurchase.created_at.desc())
            )
        )
        statements = [
            _statement_view(session, row, lines=False)
            for row in session.scalars(
                select(CreditStatement)
                .where(CreditStatement.user_id == user_id)
                .order_by(CreditStatement.statement_day.desc())
                .limit(12)
            )
        ]
        plans = [
            _plan_view(plan)
            for plan in session.scalars(
                select(CreditPlan)
                .where(CreditPlan.user_id == user_id)
                .order_by(CreditPlan.created_at.desc())
            )
        ]
        repayments = list(
            session.scalars(
                select(CreditRepayment)
                .where(CreditRepayment.user_id == user_id)
                .order_by(CreditRepayment.created_at.desc())
                .limit(10)
            )
        )
        due = amounts_due(session, user_id) if line is not None else {}
        for item in [line, *unbilled, *repayments, *(p.plan for p in plans)]:
            if item is not None:
                session.expunge(item)
    return CreditSummary(
        line=line,
        evaluation=evaluation,
        available=max(0, line.credit_limit - line.used) if line is not None else 0,
        unbilled=unbilled,
        unbilled_total=sum(p.amount - p.credited - p.repaid for p in unbilled),
        statements=statements,
        plans=plans,
        repayments=repayments,
        due=due,
    )


def access_statement(
    uow: UnitOfWork, *, actor: Principal, statement_id: uuid.UUID
) -> StatementView:
    """One of the actor's statements with its lines; another user's is not found."""
    with uow.read() as session:
        row = session.get(CreditStatement, statement_id)
        if row is None or row.user_id != actor.user_id:
            raise StatementNotFound()
        view = _statement_view(session, row, lines=True)
        for item in [*view.purchases, *view.instalments]:
            session.expunge(item)
        return view


def list_statements(uow: UnitOfWork, *, actor: Principal) -> list[StatementView]:
    with uow.read() as session:
        return [
            _statement_view(session, row, lines=False)
            for row in session.scalars(
                select(CreditStatement)
                .where(CreditStatement.user_id == actor.user_id)
                .order_by(CreditStatement.statement_day.desc())
            )
        ]


@dataclass
class CreditAudit:
    lines: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit(uow: UnitOfWork) -> CreditAudit:
    """For every line: ``used`` = minus its ``credit_owed`` balance = the sum of its debts
    (statements' outstanding, unbilled purchases, plans' unbilled principal); and no owed
    balance without a line."""
    report = CreditAudit()
    with uow.read() as session:
        lines = list(session.execute(select(CreditLine.user_id, CreditLine.used)))
        report.lines = len(lines)
        balances: dict[uuid.UUID, Any] = {}
        if lines:
            refs = {row.user_id: owed_of(row.user_id) for row in lines}
            found = ledger.balances(uow, refs.values())
            balances = {user: found.get(ref, 0) for user, ref in refs.items()}
        for row in lines:
            owed = -int(balances.get(row.user_id, 0))
            parts = sum(debt.room for debt in debts.all_debts(session, row.user_id))
            if owed != row.used or parts != row.used:
                report.problems.append(
                    f"user {row.user_id}: used {row.used}, ledger owes {owed}, debts {parts}"
                )
    return report
