"""Treasure API input. (Responses, which embed catalog's MoneyOut, live in api.py.)"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, StrictInt


class DepositIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: StrictInt = Field(description="Minor units (fen), at least 1.")
    source: str = Field(default="wallet", max_length=32, description='Only "wallet".')


class RedemptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: StrictInt = Field(description="Minor units (fen), within today's remaining cap.")


class RateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: date = Field(description="A business-zone date, today or earlier.")
    per_10k: StrictInt = Field(
        description="Income per ¥10,000 for the day in units of ¥0.0001 (4560 = ¥0.4560)."
    )
