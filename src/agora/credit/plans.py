"""Instalment plans: converting an unpaid statement or an unbilled purchase, and quotes.

A statement converts while open, untouched (nothing repaid or refunded) and not past its due
date: its amount becomes the plan's principal and the statement now carries instalment 1, due
on its own due date. A purchase converts while not billed: instalment 1 comes on the next
statement. The fee is billed with each instalment, so converting moves no money by itself
(except instalment 1's fee on a converted statement, billed at once).
"""

from __future__ import annotations

import uuid

from sqlalchemy import Table, update

from agora.config import get_settings
from agora.core.clock import local_today, utcnow
from agora.core.errors import N_, InvalidInput
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.credit import domain
from agora.credit.billing import bill_instalment
from agora.credit.errors import (
    CreditNotOpen,
    InvalidMonths,
    NotConvertible,
    PurchaseNotFound,
    StatementNotFound,
)
from agora.credit.lines import lock_line, rowcount
from agora.credit.models import CreditPlan, CreditPurchase, CreditStatement
from agora.identity import Principal

_statements: Table = CreditStatement.__table__  # type: ignore[assignment]
_purchases: Table = CreditPurchase.__table__  # type: ignore[assignment]

MIN_PER_MONTH = 100
"""Each instalment's principal is at least ¥1."""


def check_months(months: int) -> None:
    if months not in domain.PLAN_FEE_BP:
        raise InvalidMonths()


def quote(principal: int, months: int) -> domain.Quote:
    """Fee, APR and schedule of converting ``principal`` fen over ``months``."""
    check_months(months)
    if not isinstance(principal, int) or principal < MIN_PER_MONTH * months:
        raise InvalidInput(N_("The amount is too small to split into these instalments."))
    return domain.quote(principal, months)


def _new_plan(
    user_id: uuid.UUID,
    principal: int,
    months: int,
    *,
    statement_id: uuid.UUID | None = None,
    purchase_id: uuid.UUID | None = None,
) -> CreditPlan:
    offer = quote(principal, months)
    return CreditPlan(
        id=new_id(),
        user_id=user_id,
        principal=principal,
        months=months,
        fee_rate_bp=offer.fee_rate_bp,
        fee_total=offer.fee,
        apr=str(offer.apr),
        billed_count=0,
        principal_billed=0,
        fee_billed=0,
        prepaid=0,
        status="active",
        source_statement_id=statement_id,
        source_purchase_id=purchase_id,
        created_at=utcnow(),
    )


def convert(
    uow: UnitOfWork,
    *,
    actor: Principal,
    months: int,
    statement_id: uuid.UUID | None = None,
    purchase_id: uuid.UUID | None = None,
) -> CreditPlan:
    """Split one of the actor's statements or purchases into ``months`` instalments.

    Raises InvalidMonths, StatementNotFound/PurchaseNotFound (also for another user's),
    NotConvertible when it is paid, touched, billed or past due."""
    check_months(months)
    if (statement_id is None) == (purchase_id is None):
        raise InvalidInput(N_("Name a statement or a purchase to split into instalments."))
    with uow:
        session = uow.session
        if not lock_line(session, actor.user_id):
            raise CreditNotOpen()
        if statement_id is not None:
            return _convert_statement(uow, actor.user_id, statement_id, months)
        assert purchase_id is not None
        return _convert_purchase(uow, actor.user_id, purchase_id, months)


def _convert_statement(
    uow: UnitOfWork, user_id: uuid.UUID, statement_id: uuid.UUID, months: int
) -> CreditPlan:
    session = uow.session
    statement = session.get(CreditStatement, statement_id)
    if statement is None or statement.user_id != user_id:
        raise StatementNotFound()
    if statement.amount < MIN_PER_MONTH * months:
        raise NotConvertible()
    plan = _new_plan(user_id, statement.amount, months, statement_id=statement_id)
    first = domain.schedule(plan.principal, months)[0]
    s = _statements.c
    moved = session.execute(
        update(_statements)
        .where(
            s.id == statement_id,
            s.status == "open",
            s.converted_plan_id.is_(None),
            s.paid == 0,
            s.fees_paid == 0,
            s.credited == 0,
            s.due_on >= local_today(),
        )
        .values(
            converted_plan_id=plan.id,
            amount=first.total,
            minimum=domain.minimum_of(first.total, get_settings().credit_min_repay_share),
        )
    )
    if rowcount(moved) != 1:
        raise NotConvertible()
    session.add(plan)
    session.flush()
    bill_instalment(uow, plan, statement_id, utcnow())
    session.refresh(plan)
    return plan


def _convert_purchase(
    uow: UnitOfWork, user_id: uuid.UUID, purchase_id: uuid.UUID, months: int
) -> CreditPlan:
    session = uow.session
    purchase = session.get(CreditPurchase, purchase_id)
    if purchase is None or purchase.user_id != user_id:
        raise PurchaseNotFound()
    principal = purchase.amount - purchase.credited - purchase.repaid
    if purchase.statement_id is not None or purchase.plan_id is not None:
        raise NotConvertible()
    if principal < MIN_PER_MONTH * months:
        raise NotConvertible()
    plan = _new_plan(user_id, principal, months, purchase_id=purchase_id)
    session.add(plan)
    session.flush()
    p = _purchases.c
    moved = session.execute(
        update(_purchases)
        .where(
            p.id == purchase_id,
            p.statement_id.is_(None),
            p.plan_id.is_(None),
            p.amount - p.credited - p.repaid == principal,
        )
        .values(plan_id=plan.id)
    )
    if rowcount(moved) != 1:
        raise NotConvertible()
    return plan
