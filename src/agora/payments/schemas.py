"""Payments API input. (Responses, which embed catalog's MoneyOut, live in api.py: the API layer
may combine contexts, payments itself does not import catalog.)"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

Source = Literal["wallet", "gateway:sandbox", "points"]


class AmountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: StrictInt = Field(description="Minor units (fen); limits are in the settings.")


class SwitchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: Source
    enabled: bool
    store_id: uuid.UUID | None = Field(default=None, description="Omit for the platform switch.")


class SwitchesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    switches: list[SwitchIn] = Field(min_length=1, max_length=100)
