"""Treasure API input. (Responses, which embed catalog's MoneyOut, live in api.py.)"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from agora.core.fields import CheckedAmount, JsonInt


class DepositIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: CheckedAmount = Field(description="Minor units (fen), at least 1.")
    source: str = Field(default="wallet", max_length=32, description='Only "wallet".')


class RedemptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: CheckedAmount = Field(description="Minor units (fen), within today's remaining cap.")


class RateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: date = Field(description="A business-zone date, today or earlier.")
    # The service refuses rates outside its range with its own code (treasure_rate_invalid).
    per_10k: JsonInt = Field(
        ge=-1_000_000,
        le=1_000_000,
        description="Income per ¥10,000 for the day in units of ¥0.0001 (4560 = ¥0.4560).",
    )
