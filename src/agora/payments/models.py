"""Payments tables: charges at bank gateways, the bank's notifications (deduplicated by the
bank's own id), refunds against charges, withdrawals, funding-source switches, and the sandbox
bank's record of what the shopper decided on its page."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base
from agora.core.ids import new_id


class ChargeRow(Base):
    """Money asked of a bank for a user; captured into the user's wallet when the bank confirms."""

    __tablename__ = "payment_charges"
    __table_args__ = (
        CheckConstraint("amount > 0", name="positive"),
        CheckConstraint("refunded >= 0 AND refunded <= amount", name="refund_within_amount"),
        Index("ix_payment_charges_user", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    gateway: Mapped[str] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    return_url: Mapped[str] = mapped_column(String(500))
    redirect_url: Mapped[str] = mapped_column(String(500), default="")
    refunded: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class NotificationRow(Base):
    """Every signed notification a bank sent us, once per the bank's id, and what it did."""

    __tablename__ = "payment_notifications"
    __table_args__ = (
        UniqueConstraint("gateway", "notification_id", name="uq_payment_notifications_bank_id"),
        Index("ix_payment_notifications_ref", "ref_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    gateway: Mapped[str] = mapped_column(String(40))
    notification_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[uuid.UUID]
    outcome: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int]
    result: Mapped[str] = mapped_column(String(20), default="received")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime]


class RefundRow(Base):
    """Money sent back to the bank against a captured charge; ``key`` makes it idempotent."""

    __tablename__ = "payment_refunds"
    __table_args__ = (CheckConstraint("amount > 0", name="positive"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    charge_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("payment_charges.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[int]
    key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]


class WithdrawalRow(Base):
    """Money leaving a wallet — or, with ``store_id``, a store's settled balance (a payout) — for
    a bank account; in flight until the bank answers."""

    __tablename__ = "payment_withdrawals"
    __table_args__ = (
        CheckConstraint("amount > 0", name="positive"),
        Index("ix_payment_withdrawals_user", "user_id", "created_at"),
        Index("ix_payment_withdrawals_store", "store_id", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    """Whose wallet pays; for a store's payout, the owner who asked for it."""
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    gateway: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    store_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("stores.id", ondelete="RESTRICT"), default=None
    )
    """Set for a store's payout: the money comes from the store's settlement account."""
    failure_reason: Mapped[str | None] = mapped_column(String(200), default=None)
    """The bank's reason when it refused the payout."""


class SwitchRow(Base):
    """A funding source switched on or off for the platform (``scope_id`` nil) or one store.
    No row means on."""

    __tablename__ = "payment_switches"

    scope_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    enabled: Mapped[bool]
    updated_at: Mapped[datetime]
    updated_by: Mapped[uuid.UUID | None] = mapped_column(default=None)


class SandboxDecisionRow(Base):
    """The sandbox bank's own state: what the shopper chose on its page (once per charge)."""

    __tablename__ = "payment_sandbox_decisions"

    charge_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("payment_charges.id", ondelete="RESTRICT"), primary_key=True
    )
    outcome: Mapped[str] = mapped_column(String(20))
    decided_at: Mapped[datetime]
