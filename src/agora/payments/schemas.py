"""Payments API input. (Responses, which embed catalog's MoneyOut, live in api.py: the API layer
may combine contexts, payments itself does not import catalog.)"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agora.core.fields import CheckedAmount

Source = Literal["wallet", "gateway:sandbox", "points", "treasure", "credit"]


class AmountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: CheckedAmount = Field(description="Minor units (fen); limits are in the settings.")


class TopUpIn(AmountIn):
    source: str = Field(
        default="gateway:sandbox",
        max_length=40,
        description="Where the money comes from: a bank gateway. Credit is refused (422).",
    )


class WithdrawalIn(AmountIn):
    source: str = Field(
        default="wallet",
        max_length=40,
        description="What is paid out: the wallet. Credit is refused (422).",
    )


class SwitchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: Source
    enabled: bool
    store_id: uuid.UUID | None = Field(default=None, description="Omit for the platform switch.")


class SwitchesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    switches: list[SwitchIn] = Field(min_length=1, max_length=100)
