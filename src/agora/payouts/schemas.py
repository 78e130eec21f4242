"""Payouts API input and output. (Money embeds catalog's MoneyOut: payouts sits above catalog.)"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from agora.catalog.schemas import MoneyOut
from agora.payments.schemas import AmountIn


class PayoutIn(AmountIn):
    """``amount`` in fen: at least the payment minimum and at most the settled balance."""


class PayoutAccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    holder_name: str = Field(max_length=200, description="The account holder, as the bank has it.")
    bank_name: str = Field(max_length=200)
    account_number: str = Field(
        max_length=60, description="8 to 30 digits; spaces and dashes are ignored."
    )


class PayoutAccountOut(BaseModel):
    holder_name: str
    bank_name: str
    account_number: str = Field(description="Masked: only the last four digits are shown.")
    updated_at: datetime


class PayoutOut(BaseModel):
    id: uuid.UUID
    store_id: uuid.UUID
    amount: MoneyOut
    status: str = Field(description="requested → paid | failed")
    failure_reason: str | None = Field(description="The bank's reason, when it failed.")
    created_at: datetime
    finished_at: datetime | None


class PayoutPageOut(BaseModel):
    balance: MoneyOut
    """The settled balance: what the store may pay out now."""
    account: PayoutAccountOut | None
    items: list[PayoutOut]
    next_before: uuid.UUID | None
    """Pass as ``before`` for the next (older) page; ``null`` on the last page."""


class CommissionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    commission_percent: Decimal | None = Field(
        description="0 to 50, at most two decimals (5.25 = 5.25 %); null: the platform default."
    )


class CommissionOut(BaseModel):
    store_id: uuid.UUID
    commission_percent: Decimal | None
    """The store's own rate; null when it pays the platform default."""
    effective_percent: Decimal
    """What its orders settle at now."""
