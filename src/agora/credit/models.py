"""Tables of credit: each shopper's line, their purchases on credit, monthly statements,
instalment plans with the instalments billed so far, and repayments.

Balances live in the ledger (``credit_owed``); these rows say where a debt sits. For every line
``used`` = minus the ``credit_owed`` balance = Σ statements' outstanding + Σ unbilled purchases'
outstanding + Σ plans' unbilled principal (:func:`agora.credit.audit` checks it). Every counter
changes by a guarded single-statement UPDATE; the CHECK constraints are the last defence.
``order_id`` and ``store_id`` name ordering's and catalog's rows without a foreign key: credit
sits below ordering and never reads its tables.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base
from agora.core.ids import new_id


class CreditLine(Base):
    """A shopper's line: ``used`` counts against ``credit_limit``; ``status`` active|frozen."""

    __tablename__ = "credit_lines"
    __table_args__ = (
        CheckConstraint("credit_limit >= 0", name="limit_not_negative"),
        CheckConstraint("used >= 0", name="used_not_negative"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True
    )
    credit_limit: Mapped[int]
    used: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="active")
    score: Mapped[int]
    factors: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    opened_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CreditPurchase(Base):
    """An order paid on credit. Until billed, its outstanding is ``amount − credited − repaid``
    (refunds applied to it, early repayments); then its statement (or plan) carries it."""

    __tablename__ = "credit_purchases"
    __table_args__ = (
        Index("ix_credit_purchases_user", "user_id", "created_at"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("refunded >= 0 AND refunded <= amount", name="refunded_within"),
        CheckConstraint(
            "credited >= 0 AND repaid >= 0 AND credited + repaid <= amount",
            name="settled_within",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    order_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    store_id: Mapped[uuid.UUID]
    amount: Mapped[int]
    refunded: Mapped[int] = mapped_column(default=0)
    """All of the order's credit part refunded so far (wherever the refund went)."""
    credited: Mapped[int] = mapped_column(default=0)
    """The part of those refunds that reduced this purchase before it was billed."""
    repaid: Mapped[int] = mapped_column(default=0)
    """Early repayments before it was billed."""
    created_at: Mapped[datetime]
    statement_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("credit_statements.id", ondelete="RESTRICT"), default=None
    )
    plan_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("credit_plans.id", ondelete="RESTRICT"), default=None
    )


class CreditStatement(Base):
    """One month's bill. Outstanding = ``amount + fees − paid − fees_paid − credited``.

    ``amount`` is what was billed (purchases net of refunds and early repayments, plus
    instalments); ``fees`` are late fees, charged daily after ``due_on`` through
    ``fees_through``; ``paid_on_time`` is what was repaid or refunded by the end of the due
    date (the minimum test for freezing and the on-time record for the score).
    """

    __tablename__ = "credit_statements"
    __table_args__ = (
        UniqueConstraint("user_id", "period_end"),
        Index("ix_credit_statements_due", "status", "due_on"),
        CheckConstraint("amount >= 0 AND minimum >= 0 AND minimum <= amount", name="amounts"),
        CheckConstraint(
            "paid >= 0 AND credited >= 0 AND paid + credited <= amount", name="principal_within"
        ),
        CheckConstraint("fees_paid >= 0 AND fees_paid <= fees", name="fees_within"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    period_start: Mapped[date]
    period_end: Mapped[date]
    statement_day: Mapped[date]
    due_on: Mapped[date]
    amount: Mapped[int] = mapped_column(default=0)
    minimum: Mapped[int] = mapped_column(default=0)
    paid: Mapped[int] = mapped_column(default=0)
    fees: Mapped[int] = mapped_column(default=0)
    fees_paid: Mapped[int] = mapped_column(default=0)
    credited: Mapped[int] = mapped_column(default=0)
    paid_on_time: Mapped[int] = mapped_column(default=0)
    fees_through: Mapped[date | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(16), default="open")
    converted_plan_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    """The plan this statement's original amount went into (its amount is now instalment 1)."""
    created_at: Mapped[datetime]
    paid_at: Mapped[datetime | None] = mapped_column(default=None)


class CreditPlan(Base):
    """Instalments: ``principal`` repaid over ``months`` statements with a fixed fee.

    ``prepaid`` is principal settled early (repayments or refunds) and shortens the tail; the
    plan is ``closed`` once no principal is left to bill, and no further fees are charged."""

    __tablename__ = "credit_plans"
    __table_args__ = (
        Index("ix_credit_plans_user", "user_id", "status"),
        CheckConstraint("principal > 0", name="principal_positive"),
        CheckConstraint("months IN (3, 6, 9, 12)", name="months_allowed"),
        CheckConstraint(
            "billed_count >= 0 AND billed_count <= months", name="billed_within_months"
        ),
        CheckConstraint(
            "principal_billed >= 0 AND prepaid >= 0 AND principal_billed + prepaid <= principal",
            name="principal_within",
        ),
        CheckConstraint("fee_billed >= 0 AND fee_billed <= fee_total", name="fee_within"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    principal: Mapped[int]
    months: Mapped[int]
    fee_rate_bp: Mapped[int]
    fee_total: Mapped[int]
    apr: Mapped[str] = mapped_column(String(12))
    """The APR as a percentage with one decimal (``"14.9"``): shown beside the fee."""
    billed_count: Mapped[int] = mapped_column(default=0)
    principal_billed: Mapped[int] = mapped_column(default=0)
    fee_billed: Mapped[int] = mapped_column(default=0)
    prepaid: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="active")
    source_statement_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    source_purchase_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime]


class CreditInstalment(Base):
    """An instalment as billed onto a statement (one row per plan and number)."""

    __tablename__ = "credit_instalments"
    __table_args__ = (Index("ix_credit_instalments_statement", "statement_id"),)

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("credit_plans.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("credit_statements.id", ondelete="RESTRICT")
    )
    principal: Mapped[int]
    fee: Mapped[int]
    billed_at: Mapped[datetime]


class CreditRepayment(Base):
    """A repayment: applied at once from the wallet or treasure, or when a bank charge is
    captured (``pending`` until then; ``applied`` may be less than ``amount`` if less was owed
    by then, the rest stays in the wallet)."""

    __tablename__ = "credit_repayments"
    __table_args__ = (
        Index("ix_credit_repayments_user", "user_id", "created_at"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("applied >= 0 AND applied <= amount", name="applied_within"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    amount: Mapped[int]
    applied: Mapped[int] = mapped_column(default=0)
    source: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    charge_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime]
    applied_at: Mapped[datetime | None] = mapped_column(default=None)
