"""Live-selling API input. (Responses, which embed catalog's MoneyOut, live in api.py.)"""

from __future__ import annotations

import uuid

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from agora.core.fields import MAX_AMOUNT, JsonInt, Quantity


class RoomIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The service checks the room's own rules (live.domain.check_draft) and names every field
    # that is off in one answer; these bounds only keep the values in a column.
    title: str = Field(max_length=200, description="Up to 80 characters.")
    stream_url: str = Field(max_length=2_000, description="The HLS stream's http(s) address.")
    cover_url: str = Field(default="", max_length=2_000, description="A cover image's address.")
    starts_at: AwareDatetime = Field(description="Now or later, with its time zone.")
    product_ids: list[uuid.UUID] = Field(
        max_length=200, description="The store's products the room will sell, in order (1-50)."
    )


class PinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: uuid.UUID


class FlashDealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku_id: uuid.UUID = Field(description="A colour and size of the pinned product.")
    price: JsonInt = Field(ge=0, le=MAX_AMOUNT, description="Fen; below the SKU's price.")
    units: JsonInt = Field(ge=0, le=1_000_000_000, description="Units to set aside.")
    per_buyer_limit: JsonInt = Field(default=1, ge=0, le=1_000)
    countdown_seconds: JsonInt = Field(default=10, ge=0, le=100_000, description="10 to 300.")
    duration_seconds: JsonInt = Field(default=60, ge=0, le=100_000, description="60 to 1200.")


class FlashBuyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: Quantity = 1
    address_id: uuid.UUID | None = None
