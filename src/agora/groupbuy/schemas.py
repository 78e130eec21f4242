"""Group-deal API input. (Responses, which embed catalog's MoneyOut, live in api.py.)"""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from agora.core.fields import MAX_AMOUNT, JsonInt, Quantity


class DealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The service checks the deal's own ranges (groupbuy.domain.check_terms) and names every
    # field that is off in one answer; these bounds only keep the numbers in a column.
    team_size: JsonInt = Field(ge=0, le=1_000, description="People per team, 2 to 10.")
    group_price: JsonInt = Field(
        ge=0, le=MAX_AMOUNT, description="Fen, for every SKU; below the product's lowest SKU price."
    )
    stock: JsonInt = Field(
        ge=0, le=1_000_000_000, description="Units set aside for the deal's teams."
    )
    user_limit: JsonInt = Field(
        default=1, ge=0, le=1_000, description="Units one person may buy under the deal."
    )
    window_hours: JsonInt | None = Field(
        default=None,
        ge=0,
        le=10_000,
        description="How long a team stays open; default the platform's (24).",
    )


class TeamLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku_id: uuid.UUID
    quantity: Quantity = 1
