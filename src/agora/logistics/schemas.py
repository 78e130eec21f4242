"""What the address book's API takes and gives."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from agora.core.fields import JsonInt


class AddressIn(BaseModel):
    """An address as written; checked by the service (CN phones and postcodes by format)."""

    recipient: str = Field(max_length=40)
    phone: str = Field(max_length=24)
    country: str = Field(default="CN", max_length=2)
    region: str = Field(max_length=40, description="Province or state.")
    city: str = Field(max_length=40)
    district: str = Field(default="", max_length=40)
    street: str = Field(max_length=200)
    postcode: str = Field(default="", max_length=12)
    make_default: bool = False


class AddressFieldsOut(BaseModel):
    """An address's own fields (an order's copy of one is exactly this)."""

    recipient: str
    phone: str
    country: str
    region: str
    city: str
    district: str
    street: str
    postcode: str


class AddressOut(AddressFieldsOut):
    id: uuid.UUID
    one_line: str
    is_default: bool
    created_at: datetime
    updated_at: datetime


# --- carriers, labels and tracking --------------------------------------------------------------


class CarrierOut(BaseModel):
    carrier: str = Field(description="The carrier's code: `fleet`, `swift`, `pine`.")
    name: str
    fleet: bool = Field(description="The platform's own fleet (self-operated and opted-in stores).")
    enabled: bool


class CarrierSwitchIn(BaseModel):
    enabled: bool


class OfferOut(BaseModel):
    carrier: str
    name: str
    price: int = Field(description="Fen.")
    currency: str = "CNY"
    eta_days: int
    eta_at: datetime
    keeps_promise: bool = Field(description="Arrives by the store's promised delivery date.")


class ShippingOptionsOut(BaseModel):
    order_id: uuid.UUID
    weight_grams: int
    origin_region: str
    destination_region: str
    promised_by: datetime
    offers: list[OfferOut] = Field(description="Cheapest first.")
    picks: dict[str, str] = Field(
        description="The carrier each rate-shopping policy picks: cheapest, on_time, fastest."
    )


class LabelIn(BaseModel):
    """Buy a label from ``carrier``, or from the carrier ``policy`` picks."""

    carrier: str | None = Field(default=None, max_length=16)
    policy: str = Field(default="on_time", max_length=16, description="cheapest, on_time, fastest")


class TrackingEventOut(BaseModel):
    event_id: str
    status: str
    location: str
    description: str
    occurred_at: datetime


class ParcelOut(BaseModel):
    direction: str = Field(description="`outbound` to the shopper, or a `return` to the store.")
    carrier: str
    carrier_name: str
    waybill: str
    status: str
    location: str
    eta_at: datetime
    delivered_at: datetime | None
    events: list[TrackingEventOut] = Field(description="Newest first.")


class TrackingOut(BaseModel):
    order_id: uuid.UUID
    order_status: str
    parcels: list[ParcelOut]


class PushOut(BaseModel):
    new: int
    duplicates: int
    unknown: int = Field(description="Scans of waybills we do not know (ignored).")


class AdvanceIn(BaseModel):
    until: str = Field(max_length=20, description="The stage to play the parcel forward to.")


class PromiseIn(BaseModel):
    origin_region: str = Field(max_length=40, description="The province parcels leave from.")
    ship_within_hours: JsonInt = Field(
        ge=1, le=168, description="Hand paid orders to a carrier within this many hours."
    )
    deliver_within_days: JsonInt = Field(
        ge=1, le=30, description="Paid orders arrive within this many days."
    )
    fleet_opt_in: bool = False


class PromiseOut(PromiseIn):
    self_operated: bool
