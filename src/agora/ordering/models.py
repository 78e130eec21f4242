"""Ordering tables: the cart, orders with line snapshots, how they were paid, refunds, timelines.

Every status and counter here changes by a guarded single-statement UPDATE in the services, so
the CHECK constraints below are a last line of defence, never the mechanism.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Sequence,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base
from agora.core.ids import new_id


class CartItem(Base):
    """One line of a shopper's cart (one cart per shopper: the rows keyed by the user)."""

    __tablename__ = "cart_items"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    sku_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("skus.id", ondelete="CASCADE"), primary_key=True
    )
    quantity: Mapped[int]
    added_at: Mapped[datetime]


class Order(Base):
    """One store's part of a checkout. Amounts in fen; ``paid_amount`` is what sits in escrow
    plus what was refunded or settled out of it."""

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_buyer", "buyer_id", "created_at", "id"),
        Index("ix_orders_store", "store_id", "created_at", "id"),
        Index("uq_orders_number", "number", unique=True),
        CheckConstraint("total > 0", name="total_positive"),
        CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= paid_amount", name="refund_within_paid"
        ),
        CheckConstraint("paid_amount = 0 OR paid_amount = total", name="paid_in_full"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # What people read and quote ("2026120700000042", see ordering.numbers); URLs keep the id.
    number: Mapped[str] = mapped_column(String(16))
    checkout_id: Mapped[uuid.UUID]
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    total: Mapped[int]
    paid_amount: Mapped[int] = mapped_column(default=0)
    refunded_amount: Mapped[int] = mapped_column(default=0)
    # A return waiting for the merchant: blocks confirmation and auto-confirmation. Kept on the
    # order row so every guard that must see it is on the one row its UPDATE locks.
    return_open: Mapped[bool] = mapped_column(default=False)
    tracking_number: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime]
    pay_by: Mapped[datetime]
    paid_at: Mapped[datetime | None] = mapped_column(default=None)
    shipped_at: Mapped[datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    confirm_by: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Orders of a deal (a group team or a bargain), priced by that deal. ``held``: a group order
    # waiting for its team to fill — not shipped, not refundable by the buyer; on this row for
    # the same reason as ``return_open``.
    deal_kind: Mapped[str | None] = mapped_column(String(16), default=None)
    deal_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    held: Mapped[bool] = mapped_column(default=False)
    # Where it goes: the buyer's address as it was at checkout (logistics.AddressFields), so
    # editing the address book never changes an order placed. None only for orders older than
    # addresses.
    ship_to: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class OrderNumberDay(Base):
    """The last order number handed out on one business day (SQLite; PostgreSQL draws from the
    ``order_numbers`` sequence instead, see ordering.numbers)."""

    __tablename__ = "order_number_days"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int]


ORDER_NUMBERS = Sequence("order_numbers", metadata=Base.metadata)


class OrderLine(Base):
    """A snapshot of what was bought, so later catalog edits never change an order."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "refunded_quantity >= 0 AND returning_quantity >= 0 "
            "AND refunded_quantity + returning_quantity <= quantity",
            name="refunds_within_quantity",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    sku_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("skus.id", ondelete="RESTRICT"))
    product_id: Mapped[uuid.UUID]
    position: Mapped[int]
    title_en: Mapped[str] = mapped_column(String(120))
    title_zh: Mapped[str | None] = mapped_column(String(120), default=None)
    colour: Mapped[str] = mapped_column(String(32), default="")
    size: Mapped[str] = mapped_column(String(32), default="")
    image_url: Mapped[str] = mapped_column(String(500))
    unit_price: Mapped[int]
    quantity: Mapped[int]
    refunded_quantity: Mapped[int] = mapped_column(default=0)
    returning_quantity: Mapped[int] = mapped_column(default=0)


class OrderPayment(Base):
    """How much of an order one funding source paid, and how much of it went back."""

    __tablename__ = "order_payments"
    __table_args__ = (
        UniqueConstraint("order_id", "source", name="uq_order_payments_order_source"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("refunded >= 0 AND refunded <= amount", name="refund_within_amount"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int]
    refunded: Mapped[int] = mapped_column(default=0)
    charge_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime]


class OrderCharge(Base):
    """The gateway part a pending bank charge will pay of each order, until the bank answers."""

    __tablename__ = "order_charges"

    charge_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    amount: Mapped[int]
    created_at: Mapped[datetime]


class OrderEvent(Base):
    """The order's timeline: what happened, when, and who did it (``actor_id`` NULL = system)."""

    __tablename__ = "order_events"
    __table_args__ = (Index("ix_order_events_order", "order_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    actor_role: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]


class Refund(Base):
    """A refund (before shipment: done at once) or a return (after: the merchant decides)."""

    __tablename__ = "refunds"
    __table_args__ = (
        Index("ix_refunds_order", "order_id", "created_at"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    store_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int]
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    decision_note: Mapped[str] = mapped_column(String(500), default="")


class RefundLine(Base):
    __tablename__ = "refund_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    refund_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("refunds.id", ondelete="CASCADE"), primary_key=True
    )
    line_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), primary_key=True
    )
    quantity: Mapped[int]
    amount: Mapped[int]


class Settlement(Base):
    """What a completed order paid out of escrow: the store's part and the platform commission."""

    __tablename__ = "settlements"
    __table_args__ = (Index("ix_settlements_store", "store_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="RESTRICT"), unique=True
    )
    store_id: Mapped[uuid.UUID]
    gross: Mapped[int]
    commission: Mapped[int]
    net: Mapped[int]
    rate: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    freight: Mapped[int] = mapped_column(default=0)
    """Of ``net``, what paid off the store's carrier labels (its freight account) instead of
    reaching its settled balance."""


class Dispute(Base):
    """A shopper's case for an operator to decide: a rejected return escalated, or a complaint
    that an order was not as described or not genuine. ``reason`` and ``outcome`` stay on the
    row for good, so reputation figures (counterfeit complaints upheld) are counted from here.

    ``status`` moves ``open → decided`` once, by a guarded UPDATE; the evidence counters are
    raised by guarded UPDATEs too (``status = 'open' AND n < limit``), so nothing is added to a
    decided dispute. ``held``: opening it set the order's ``return_open`` (an order still in
    escrow), which the decision clears. ``from_store`` and ``from_commission``: what a refund
    of an order already settled took back from the store and the platform's commission.
    """

    __tablename__ = "disputes"
    __table_args__ = (
        Index("ix_disputes_queue", "status", "created_at", "id"),
        Index("ix_disputes_order", "order_id", "created_at"),
        Index("ix_disputes_store", "store_id", "created_at"),
        Index(
            "uq_disputes_open_order",
            "order_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        CheckConstraint("status IN ('open', 'decided')", name="status_known"),
        CheckConstraint(
            "reason IN ('return_rejected', 'not_as_described', 'not_genuine')", name="reason_known"
        ),
        CheckConstraint("claimed > 0", name="claimed_positive"),
        CheckConstraint(
            "refunded >= 0 AND from_store >= 0 AND from_commission >= 0 "
            "AND from_store + from_commission <= refunded",
            name="amounts_within",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id", ondelete="RESTRICT"))
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # The rejected return escalated (one dispute per return); None for a complaint.
    refund_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("refunds.id", ondelete="CASCADE"), unique=True, default=None
    )
    reason: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default="open")
    claimed: Mapped[int]
    held: Mapped[bool] = mapped_column(default=False)
    buyer_evidence: Mapped[int] = mapped_column(default=0)
    merchant_evidence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    refunded: Mapped[int] = mapped_column(default=0)
    from_store: Mapped[int] = mapped_column(default=0)
    from_commission: Mapped[int] = mapped_column(default=0)
    decision_refund_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    decision_note: Mapped[str] = mapped_column(String(500), default="")


class DisputeEvidence(Base):
    """What one side put forward: text and links to images (http or https)."""

    __tablename__ = "dispute_evidence"
    __table_args__ = (
        Index("ix_dispute_evidence_dispute", "dispute_id", "created_at", "id"),
        CheckConstraint("side IN ('buyer', 'merchant')", name="side_known"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    dispute_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    side: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    image_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
