"""Ordering input and output shapes for the API. Money is ``MoneyOut`` in fen."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agora.catalog.schemas import MoneyOut
from agora.core.fields import MAX_QUANTITY, Amount, JsonInt, Quantity
from agora.logistics.schemas import AddressFieldsOut


class CartItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku_id: uuid.UUID
    quantity: Quantity = 1


class CartQuantityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: JsonInt = Field(ge=0, le=MAX_QUANTITY, description="0 removes the line.")


class CartLineOut(BaseModel):
    sku_id: uuid.UUID
    product_id: uuid.UUID
    store_id: uuid.UUID
    store_name: str
    title: str
    colour: str
    size: str
    image_url: str
    unit_price: MoneyOut
    quantity: int
    line_total: MoneyOut
    stock: int
    on_sale: bool
    can_buy: bool


class CartOut(BaseModel):
    lines: list[CartLineOut]
    count: int
    total: MoneyOut


class CheckoutLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku_id: uuid.UUID
    quantity: Quantity


class CheckoutIn(BaseModel):
    """``lines`` buys those SKUs now ("buy now"); without it the whole cart is checked out."""

    model_config = ConfigDict(extra="forbid")

    lines: list[CheckoutLineIn] | None = Field(default=None, min_length=1, max_length=50)
    address_id: uuid.UUID | None = Field(
        default=None,
        description="Where to deliver: one of your addresses; without it, your default address.",
    )


class OrderLineOut(BaseModel):
    id: uuid.UUID
    sku_id: uuid.UUID
    product_id: uuid.UUID
    title: str
    title_en: str
    title_zh: str | None
    colour: str
    size: str
    image_url: str
    unit_price: MoneyOut
    quantity: int
    refunded_quantity: int
    returning_quantity: int
    line_total: MoneyOut


class OrderPaymentOut(BaseModel):
    source: str
    amount: MoneyOut
    refunded: MoneyOut
    charge_id: uuid.UUID | None


class RefundOut(BaseModel):
    id: uuid.UUID
    order_id: uuid.UUID
    kind: str = Field(description="refund (before shipment) or return (after).")
    status: str = Field(description="refunded | requested | accepted | rejected")
    amount: MoneyOut
    reason: str
    created_at: datetime
    decided_at: datetime | None
    decision_note: str
    lines: dict[uuid.UUID, int]


class OrderEventOut(BaseModel):
    kind: str
    actor_role: str
    actor_id: uuid.UUID | None
    data: dict[str, Any]
    created_at: datetime


class OrderOut(BaseModel):
    id: uuid.UUID
    number: str = Field(
        description="The order number people read and quote: the business day and 8 digits."
    )
    checkout_id: uuid.UUID
    store_id: uuid.UUID
    store_name: str
    status: str
    total: MoneyOut
    paid: MoneyOut
    refunded: MoneyOut
    return_open: bool
    tracking_number: str | None
    created_at: datetime
    pay_by: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    confirm_by: datetime | None
    closed_at: datetime | None
    lines: list[OrderLineOut]
    deal_kind: str | None = None
    """``group`` (a team's order) or ``bargain``; ``None`` for an ordinary order."""
    deal_id: uuid.UUID | None = None
    """The team or the bargain campaign the order belongs to."""
    held: bool = False
    """A team's order waiting for the team to fill: not shipped, not refundable by the buyer."""
    ship_to: AddressFieldsOut | None = None
    """The delivery address as it was at checkout."""


class OrderDetailOut(OrderOut):
    payments: list[OrderPaymentOut]
    refunds: list[RefundOut]
    timeline: list[OrderEventOut]


class OrderPageOut(BaseModel):
    items: list[OrderOut]
    next_cursor: str | None


class CheckoutOut(BaseModel):
    orders: list[OrderOut]
    total: MoneyOut


class SourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(
        max_length=40,
        description='"points", "wallet", "treasure", "credit" or "gateway:sandbox" (the treasure '
        "and credit do not combine with a bank).",
    )
    amount: Amount | None = Field(
        default=None,
        description="Fen; omit on one source for the rest. For points: the discount in fen "
        "(100 points = ¥1 by default), at most half of each order, required.",
    )


class PayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[SourceIn] = Field(min_length=1, max_length=4)


class PayOut(BaseModel):
    status: str = Field(description="paid, or awaiting_gateway: send the buyer to redirect_url.")
    orders: list[OrderOut]
    wallet_amount: MoneyOut
    gateway_amount: MoneyOut
    points_amount: MoneyOut = Field(description="The discount the points gave.")
    treasure_amount: MoneyOut = Field(description="Paid from the balance treasure.")
    credit_amount: MoneyOut = Field(description="Paid with Agora credit (owed on the line).")
    charge_id: uuid.UUID | None
    redirect_url: str | None


class ShipIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    tracking_number: str = Field(min_length=1, max_length=64)


class RefundLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_id: uuid.UUID
    quantity: Quantity


class RefundIn(BaseModel):
    """Either ``whole: true`` (everything not yet refunded) or ``lines`` with quantities."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    whole: bool = False
    lines: list[RefundLineIn] | None = Field(default=None, min_length=1, max_length=50)
    reason: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def one_of(self) -> RefundIn:
        if self.whole == (self.lines is not None):
            raise ValueError("give either whole: true or lines")
        if self.lines is not None and len({line.line_id for line in self.lines}) != len(self.lines):
            raise ValueError("each line at most once")
        return self


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str = Field(default="", max_length=500)


class SettlementOut(BaseModel):
    id: uuid.UUID
    order_id: uuid.UUID
    order_number: str
    gross: MoneyOut
    commission: MoneyOut
    net: MoneyOut
    freight: MoneyOut = Field(description="Of the net, what paid off the store's carrier labels.")
    rate: str
    created_at: datetime


class SettlementPageOut(BaseModel):
    items: list[SettlementOut]
    next_cursor: str | None
