"""Bargain API input. (Responses, which embed catalog's MoneyOut, live in api.py.)"""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from agora.bargain import domain
from agora.catalog.schemas import Fen
from agora.core.fields import JsonInt


class OfferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku_id: uuid.UUID = Field(description="The one SKU sold at the bargain price.")
    start_price: Fen = Field(description="Where campaigns start; at most the SKU's price.")
    floor_price: Fen = Field(description="Where the last helper brings the price; below start.")
    helpers_needed: JsonInt = Field(
        ge=domain.MIN_HELPERS,
        le=domain.MAX_HELPERS,
        description="Friends needed to reach the floor (shown to shoppers).",
    )
    allotment: JsonInt = Field(ge=1, le=domain.MAX_ALLOTMENT, description="Units sold this way.")
    window_hours: JsonInt | None = Field(
        default=None,
        ge=1,
        le=domain.MAX_WINDOW_HOURS,
        description="How long each campaign stays open (default: the bargain_hours setting).",
    )
