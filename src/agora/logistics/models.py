"""Logistics tables: each shopper's address book; shipments bought from carriers, their tracking
events; the operator's carrier switches."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base
from agora.core.ids import new_id


class AddressRow(Base):
    """One delivery address of a shopper. The partial unique index keeps at most one default per
    shopper, so "my default address" is never ambiguous, even when two pages set it at once."""

    __tablename__ = "addresses"
    __table_args__ = (
        Index("ix_addresses_user", "user_id", "created_at"),
        Index(
            "uq_addresses_default",
            "user_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(40))
    city: Mapped[str] = mapped_column(String(40))
    district: Mapped[str] = mapped_column(String(40))
    street: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(12))
    is_default: Mapped[bool]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ShipmentRow(Base):
    """A parcel a carrier carries for an order: outbound to the shopper, or a return back to the
    store. ``stage`` only grows (a guarded update), so late and out-of-order tracking events
    never move a parcel backwards."""

    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("carrier", "waybill", name="uq_shipments_waybill"),
        Index("ix_shipments_order", "order_id", "created_at"),
        Index("ix_shipments_in_flight", "stage", "polled_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"))
    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id", ondelete="RESTRICT"))
    direction: Mapped[str] = mapped_column(String(8))
    carrier: Mapped[str] = mapped_column(String(16))
    waybill: Mapped[str] = mapped_column(String(32))
    price: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    weight_grams: Mapped[int]
    zone: Mapped[int]
    origin_region: Mapped[str] = mapped_column(String(40))
    destination_region: Mapped[str] = mapped_column(String(40))
    eta_at: Mapped[datetime]
    stage: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(String(80), default="")
    last_event_at: Mapped[datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    polled_at: Mapped[datetime]
    created_at: Mapped[datetime]


class TrackingEventRow(Base):
    """One scan of a parcel as its carrier reported it; the carrier's event id makes a
    duplicated delivery (push twice, push and poll) land once."""

    __tablename__ = "tracking_events"
    __table_args__ = (
        UniqueConstraint("shipment_id", "event_id", name="uq_tracking_events_event"),
        Index("ix_tracking_events_shipment", "shipment_id", "occurred_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]


class CarrierSwitchRow(Base):
    """The operator's switch for one carrier; no row means on."""

    __tablename__ = "carrier_switches"

    carrier: Mapped[str] = mapped_column(String(16), primary_key=True)
    enabled: Mapped[bool]
    changed_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    changed_at: Mapped[datetime]
