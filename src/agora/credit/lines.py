"""The credit line: opening it from the score, re-evaluating it, and paying orders with it.

Every use case that changes a user's credit first moves their ``credit_lines`` row with a
guarded UPDATE, so one user's credit operations are serialized on that row (and lock it before
any statement, purchase or plan row: one lock order, no deadlock).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from agora import ledger
from agora.core.clock import as_utc, utcnow
from agora.core.db import greatest, upsert_insert
from agora.core.errors import N_, InvalidInput
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.credit import domain
from agora.credit.accounts import owed_of
from agora.credit.errors import (
    CreditFrozen,
    CreditLimitExceeded,
    CreditLineExists,
    CreditNotEligible,
    CreditNotOpen,
)
from agora.credit.models import CreditLine, CreditPurchase, CreditStatement
from agora.credit.records import shopping_record
from agora.identity import Principal, User

_lines: Table = CreditLine.__table__  # type: ignore[assignment]
_purchases: Table = CreditPurchase.__table__  # type: ignore[assignment]

ACTIVE = "active"
FROZEN = "frozen"


def rowcount(result: Any) -> int:
    return int(result.rowcount)


def evaluate_user(session: Session, user_id: uuid.UUID) -> domain.Evaluation:
    """The score of ``user_id`` now, from identity, ordering's record and past statements."""
    created = session.scalar(select(User.created_at).where(User.id == user_id))
    age_days = max(0, (utcnow() - as_utc(created)).days) if created is not None else 0
    record = shopping_record(session, user_id)
    on_time = session.scalar(
        select(func.count())
        .select_from(CreditStatement)
        .where(
            CreditStatement.user_id == user_id,
            CreditStatement.amount > 0,
            CreditStatement.paid_on_time >= CreditStatement.amount,
        )
    )
    late = session.scalar(
        select(func.count())
        .select_from(CreditStatement)
        .where(CreditStatement.user_id == user_id, CreditStatement.fees_through.is_not(None))
    )
    return domain.evaluate(
        account_age_days=age_days,
        completed_orders=record.completed_orders,
        spent=record.spent,
        on_time=int(on_time or 0),
        late=int(late or 0),
    )


def factors_json(evaluation: domain.Evaluation) -> list[dict[str, Any]]:
    return [asdict(factor) for factor in evaluation.factors]


def preview(uow: UnitOfWork, *, actor: Principal) -> domain.Evaluation:
    """The actor's score and limit as they would be if they opened a line now."""
    with uow.read() as session:
        return evaluate_user(session, actor.user_id)


def open_line(uow: UnitOfWork, *, actor: Principal) -> CreditLine:
    """Open the actor's line at the limit their score earns.

    Raises CreditNotEligible below the lowest band, CreditLineExists if already open."""
    with uow:
        session = uow.session
        evaluation = evaluate_user(session, actor.user_id)
        if not evaluation.eligible:
            raise CreditNotEligible(score=evaluation.score)
        now = utcnow()
        inserted = session.execute(
            upsert_insert(session, _lines)
            .values(
                user_id=actor.user_id,
                credit_limit=evaluation.limit,
                used=0,
                status=ACTIVE,
                score=evaluation.score,
                factors=factors_json(evaluation),
                opened_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["user_id"])
            .returning(_lines.c.user_id)
        ).first()
        if inserted is None:
            raise CreditLineExists()
        line = session.get(CreditLine, actor.user_id)
        assert line is not None
        return line


def reevaluate(session: Session, user_id: uuid.UUID) -> None:
    """Refresh the score and limit (on each statement). The new limit is never below what is
    owed, in one statement: ``GREATEST(band, used)``."""
    evaluation = evaluate_user(session, user_id)
    band = evaluation.limit
    session.execute(
        update(_lines)
        .where(_lines.c.user_id == user_id)
        .values(
            credit_limit=greatest(session, _lines.c.used, band),
            score=evaluation.score,
            factors=factors_json(evaluation),
            updated_at=utcnow(),
        )
    )


def lock_line(session: Session, user_id: uuid.UUID) -> bool:
    """Take the user's line row (an UPDATE holds its lock to the end of the transaction)."""
    return (
        rowcount(
            session.execute(
                update(_lines).where(_lines.c.user_id == user_id).values(updated_at=utcnow())
            )
        )
        == 1
    )


def charge_order(
    uow: UnitOfWork,
    *,
    user_id: uuid.UUID,
    order_id: uuid.UUID,
    store_id: uuid.UUID,
    amount: int,
    escrow: ledger.AccountRef,
) -> None:
    """Pay ``amount`` of an order on credit, inside the caller's transaction: the line's
    ``used`` grows by a guarded UPDATE (active, within the limit), then
    ``credit_owed(user) -amount → escrow +amount``. Once per order (a second call is a no-op).

    Raises CreditNotOpen, CreditFrozen, CreditLimitExceeded (extra ``available``); the caller's
    transaction must then roll back (nothing of credit's is left behind either way)."""
    if not isinstance(amount, int) or amount <= 0:
        raise InvalidInput(N_("A credit payment is a positive whole number of fen."))
    with uow:
        session = uow.session
        now = utcnow()
        moved = session.execute(
            update(_lines)
            .where(
                _lines.c.user_id == user_id,
                _lines.c.status == ACTIVE,
                _lines.c.used + amount <= _lines.c.credit_limit,
            )
            .values(used=_lines.c.used + amount, updated_at=now)
        )
        if rowcount(moved) != 1:
            line = session.execute(
                select(_lines.c.status, _lines.c.credit_limit, _lines.c.used).where(
                    _lines.c.user_id == user_id
                )
            ).first()
            if line is None:
                raise CreditNotOpen()
            if line.status != ACTIVE:
                raise CreditFrozen()
            raise CreditLimitExceeded(available=max(0, line.credit_limit - line.used))
        inserted = session.execute(
            upsert_insert(session, _purchases)
            .values(
                id=new_id(),
                user_id=user_id,
                order_id=order_id,
                store_id=store_id,
                amount=amount,
                refunded=0,
                credited=0,
                repaid=0,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["order_id"])
            .returning(_purchases.c.id)
        ).first()
        if inserted is None:
            # Already paid on credit: give back what this call took and do nothing else.
            session.execute(
                update(_lines)
                .where(_lines.c.user_id == user_id)
                .values(used=_lines.c.used - amount)
            )
            return
        ledger.transfer(
            uow,
            key=f"credit:order:{order_id}:pay",
            kind="credit_purchase",
            legs=[ledger.Leg(owed_of(user_id), -amount), ledger.Leg(escrow, amount)],
            memo={"order_id": str(order_id), "store_id": str(store_id)},
        )
