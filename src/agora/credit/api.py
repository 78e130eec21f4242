"""Credit endpoints: the actor's own line, statements, instalments and repayments. No user id
in any path; another user's statement is not found."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

from fastapi import Query, Request, status
from fastapi.responses import Response

from agora import credit
from agora.catalog.schemas import MoneyOut
from agora.core.fields import MAX_AMOUNT
from agora.credit.schemas import (
    ConvertIn,
    FactorOut,
    InstalmentLineOut,
    LineOut,
    PlanOut,
    PurchaseOut,
    QuoteOut,
    RepaymentIn,
    RepaymentOut,
    ScheduleItemOut,
    StatementOut,
    StatementsOut,
)
from agora.http.deps import Actor, Uow
from agora.http.idempotency import IdempotencyKeyHeader, respond_idempotently
from agora.http.routing import Router

router = Router(prefix="/api/v1", tags=["credit"])


def _money(amount: int) -> MoneyOut:
    return MoneyOut(amount=amount)


def _rate(bp: int) -> str:
    return str((Decimal(bp) / 100).normalize())


def line_out(summary: credit.CreditSummary) -> LineOut:
    line = summary.line
    return LineOut(
        open=line is not None,
        status=line.status if line is not None else None,
        score=line.score if line is not None else summary.evaluation.score,
        eligible=summary.evaluation.eligible,
        limit=_money(line.credit_limit if line is not None else summary.evaluation.limit),
        used=_money(line.used if line is not None else 0),
        available=_money(summary.available),
        unbilled=_money(summary.unbilled_total),
        factors=[
            FactorOut(name=f.name, value=f.value, points=f.points, explanation=f.explanation)
            for f in summary.evaluation.factors
        ],
        due={kind: _money(amount) for kind, amount in summary.due.items()},
        opened_at=line.opened_at if line is not None else None,
    )


def purchase_out(p: credit.CreditPurchase) -> PurchaseOut:
    return PurchaseOut(
        id=p.id,
        order_id=p.order_id,
        store_id=p.store_id,
        amount=_money(p.amount),
        refunded=_money(p.refunded),
        outstanding=_money(
            p.amount - p.credited - p.repaid if p.statement_id is None and p.plan_id is None else 0
        ),
        plan_id=p.plan_id,
        created_at=p.created_at,
    )


def statement_out(s: credit.StatementView) -> StatementOut:
    return StatementOut(
        id=s.id,
        period_start=s.period_start,
        period_end=s.period_end,
        statement_day=s.statement_day,
        due_on=s.due_on,
        amount=_money(s.amount),
        minimum=_money(s.minimum),
        late_fees=_money(s.fees),
        repaid=_money(s.repaid),
        outstanding=_money(s.outstanding),
        minimum_left=_money(s.minimum_left),
        status=s.status,
        converted_plan_id=s.converted_plan_id,
        purchases=[purchase_out(p) for p in s.purchases],
        instalments=[
            InstalmentLineOut(
                plan_id=i.plan_id, number=i.number, principal=_money(i.principal), fee=_money(i.fee)
            )
            for i in s.instalments
        ],
    )


def _schedule(
    items: list[credit.Instalment] | tuple[credit.Instalment, ...],
) -> list[ScheduleItemOut]:
    return [
        ScheduleItemOut(
            number=i.number, principal=_money(i.principal), fee=_money(i.fee), total=_money(i.total)
        )
        for i in items
    ]


def quote_out(q: credit.Quote) -> QuoteOut:
    return QuoteOut(
        principal=_money(q.principal),
        months=q.months,
        fee_rate=_rate(q.fee_rate_bp),
        fee=_money(q.fee),
        apr=str(q.apr),
        schedule=_schedule(q.instalments),
    )


def plan_out(view: credit.PlanView) -> PlanOut:
    plan = view.plan
    return PlanOut(
        id=plan.id,
        principal=_money(plan.principal),
        months=plan.months,
        fee_rate=_rate(plan.fee_rate_bp),
        fee=_money(plan.fee_total),
        apr=plan.apr,
        billed_count=plan.billed_count,
        remaining_principal=_money(view.remaining_principal),
        status=plan.status,
        schedule=_schedule(view.schedule),
        created_at=plan.created_at,
    )


def repayment_out(r: credit.CreditRepayment, redirect_url: str | None = None) -> RepaymentOut:
    return RepaymentOut(
        id=r.id,
        amount=_money(r.amount),
        applied=_money(r.applied),
        source=r.source,
        kind=r.kind,
        status=r.status,
        charge_id=r.charge_id,
        redirect_url=redirect_url,
        created_at=r.created_at,
    )


@router.get("/credit", response_model=LineOut)
def my_credit(actor: Actor, uow: Uow) -> LineOut:
    """My line (or, before I open one, the limit my score would earn) with the score explained."""
    return line_out(credit.summary(uow, actor=actor))


@router.post("/credit/line", status_code=status.HTTP_201_CREATED, response_model=LineOut)
def open_my_line(actor: Actor, uow: Uow) -> LineOut:
    """Open my credit line at the limit my score earns (409 if not eligible or already open)."""
    credit.open_line(uow, actor=actor)
    return line_out(credit.summary(uow, actor=actor))


@router.get("/credit/statements", response_model=StatementsOut)
def my_statements(actor: Actor, uow: Uow) -> StatementsOut:
    return StatementsOut(items=[statement_out(s) for s in credit.list_statements(uow, actor=actor)])


@router.get("/credit/statements/{statement_id}", response_model=StatementOut)
def my_statement(statement_id: uuid.UUID, actor: Actor, uow: Uow) -> StatementOut:
    """One statement with its purchases and instalments."""
    return statement_out(credit.access_statement(uow, actor=actor, statement_id=statement_id))


@router.get("/credit/instalments/quote", response_model=QuoteOut)
def instalment_quote(
    actor: Actor,
    amount: Annotated[int, Query(ge=1, le=MAX_AMOUNT, description="Fen to split.")],
    months: Annotated[int, Query(ge=3, le=12, description="3, 6, 9 or 12.")],
) -> QuoteOut:
    """The fee, APR and schedule of splitting ``amount`` over ``months`` (3, 6, 9 or 12)."""
    return quote_out(credit.quote(amount, months))


@router.get("/credit/instalments", response_model=list[PlanOut])
def my_plans(actor: Actor, uow: Uow) -> list[PlanOut]:
    return [plan_out(view) for view in credit.summary(uow, actor=actor).plans]


@router.post("/credit/instalments", status_code=status.HTTP_201_CREATED, response_model=PlanOut)
def convert(
    body: ConvertIn,
    actor: Actor,
    uow: Uow,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Split an unpaid statement (before its due date) or an unbilled purchase."""

    def action() -> tuple[int, PlanOut]:
        plan = credit.convert(
            uow,
            actor=actor,
            months=body.months,
            statement_id=body.statement_id,
            purchase_id=body.purchase_id,
        )
        view = credit.PlanView(
            plan=plan,
            schedule=list(credit.quote(plan.principal, plan.months).instalments),
            billed=plan.billed_count,
            remaining_principal=plan.principal - plan.principal_billed - plan.prepaid,
        )
        return status.HTTP_201_CREATED, plan_out(view)

    return respond_idempotently(
        request, uow, actor=actor, key=idempotency_key, body=body, action=action
    )


@router.post("/credit/repayments", status_code=status.HTTP_201_CREATED, response_model=RepaymentOut)
def repay(
    body: RepaymentIn,
    actor: Actor,
    uow: Uow,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Repay from ``wallet``, ``treasure`` or ``gateway:sandbox`` (then pay at
    ``redirect_url``; it applies when the bank confirms). ``credit`` is refused (422)."""

    def action() -> tuple[int, RepaymentOut]:
        repayment, charge = credit.repay(
            uow, actor=actor, amount=body.amount, kind=body.kind or "amount", source=body.source
        )
        return status.HTTP_201_CREATED, repayment_out(
            repayment, charge.redirect_url if charge is not None else None
        )

    return respond_idempotently(
        request, uow, actor=actor, key=idempotency_key, body=body, action=action
    )
