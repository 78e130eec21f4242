"""Tables of the treasure: what part of each user's balance earns, deposits waiting to, the
published daily rates, income paid per user and day, and the per-day redemption counter.

The balance itself lives in the ledger (``treasure`` account). For every user,
``confirmed + Σ remaining`` of their pending deposits equals that balance
(:func:`agora.treasure.audit` checks it).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base
from agora.core.ids import new_id


class TreasureHolding(Base):
    """One user's earning balance and the income it has earned."""

    __tablename__ = "treasure_holdings"
    __table_args__ = (
        CheckConstraint("confirmed >= 0", name="confirmed_not_negative"),
        CheckConstraint("income_total >= 0", name="income_not_negative"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True
    )
    confirmed: Mapped[int] = mapped_column(default=0)
    """Earns income each day; grows by that income (compounding)."""
    income_total: Mapped[int] = mapped_column(default=0)
    yesterday_income: Mapped[int] = mapped_column(default=0)
    """The income of ``last_income_day`` (the latest day accrued while holding money)."""
    last_income_day: Mapped[date | None] = mapped_column(Date, default=None)
    updated_at: Mapped[datetime]


class TreasureDeposit(Base):
    """Money moved in that does not earn yet: it joins ``confirmed`` on ``confirm_on`` (a
    business-zone date). ``remaining`` falls as redemptions take it (newest first) and drops to
    zero when it is confirmed."""

    __tablename__ = "treasure_deposits"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("remaining >= 0 AND remaining <= amount", name="remaining_within"),
        Index(
            "ix_treasure_deposits_pending",
            "user_id",
            "created_at",
            sqlite_where=text("remaining > 0"),
            postgresql_where=text("remaining > 0"),
        ),
        Index(
            "ix_treasure_deposits_due",
            "confirm_on",
            sqlite_where=text("remaining > 0"),
            postgresql_where=text("remaining > 0"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    key: Mapped[str | None] = mapped_column(String(250), unique=True, default=None)
    """``{user_id}:{caller's key}`` when the caller gave one: the deposit happens once."""
    amount: Mapped[int]
    remaining: Mapped[int]
    confirm_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]


class TreasureRate(Base):
    """A published daily rate; ``accrued_at`` is set once, when that day's income is paid."""

    __tablename__ = "treasure_rates"
    __table_args__ = (
        CheckConstraint("per_10k >= 0", name="per_10k_not_negative"),
        CheckConstraint(
            "declared >= 0 AND paid >= 0 AND residue >= 0 AND declared = paid + residue",
            name="declared_split",
        ),
    )

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    per_10k: Mapped[int]
    """Income per ¥10,000 for the day, in units of ¥0.0001 (4560 = ¥0.4560)."""
    published_by: Mapped[uuid.UUID]
    published_at: Mapped[datetime]
    accrued_at: Mapped[datetime | None] = mapped_column(default=None)
    declared: Mapped[int] = mapped_column(default=0)
    paid: Mapped[int] = mapped_column(default=0)
    residue: Mapped[int] = mapped_column(default=0)


class TreasureIncome(Base):
    """Income paid to one user for one day (the chart, and the audit's Σ paid)."""

    __tablename__ = "treasure_incomes"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    amount: Mapped[int]


class TreasureRedemptionDay(Base):
    """What a user has redeemed on one business day, against the daily cap (guarded upsert)."""

    __tablename__ = "treasure_redemption_days"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    amount: Mapped[int]
