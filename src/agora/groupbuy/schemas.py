"""Group-deal API input. (Responses, which embed catalog's MoneyOut, live in api.py.)"""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field


class DealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    team_size: int = Field(description="People per team, 2 to 10.")
    group_price: int = Field(
        description="Fen, for every SKU; below the product's lowest SKU price."
    )
    stock: int = Field(description="Units set aside for the deal's teams.")
    user_limit: int = Field(default=1, description="Units one person may buy under the deal.")
    window_hours: int | None = Field(
        default=None, description="How long a team stays open; default the platform's (24)."
    )


class TeamLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku_id: uuid.UUID
    quantity: int = Field(default=1, ge=1, le=99)
