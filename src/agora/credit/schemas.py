"""Credit request and response bodies (money as ``{"amount": fen, "currency": "CNY"}``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agora.catalog.schemas import MoneyOut
from agora.core.fields import Amount


class FactorOut(BaseModel):
    name: str
    value: int
    points: int
    explanation: str


class LineOut(BaseModel):
    open: bool
    status: str | None
    score: int
    eligible: bool
    limit: MoneyOut
    used: MoneyOut
    available: MoneyOut
    unbilled: MoneyOut
    factors: list[FactorOut]
    due: dict[str, MoneyOut]
    opened_at: datetime | None


class PurchaseOut(BaseModel):
    id: uuid.UUID
    order_id: uuid.UUID
    store_id: uuid.UUID
    amount: MoneyOut
    refunded: MoneyOut
    outstanding: MoneyOut
    plan_id: uuid.UUID | None
    created_at: datetime


class InstalmentLineOut(BaseModel):
    plan_id: uuid.UUID
    number: int
    principal: MoneyOut
    fee: MoneyOut


class StatementOut(BaseModel):
    id: uuid.UUID
    period_start: date
    period_end: date
    statement_day: date
    due_on: date
    amount: MoneyOut
    minimum: MoneyOut
    late_fees: MoneyOut
    repaid: MoneyOut
    outstanding: MoneyOut
    minimum_left: MoneyOut
    status: str
    converted_plan_id: uuid.UUID | None
    purchases: list[PurchaseOut] = Field(default_factory=list)
    instalments: list[InstalmentLineOut] = Field(default_factory=list)


class StatementsOut(BaseModel):
    items: list[StatementOut]


class ScheduleItemOut(BaseModel):
    number: int
    principal: MoneyOut
    fee: MoneyOut
    total: MoneyOut


class QuoteOut(BaseModel):
    principal: MoneyOut
    months: int
    fee_rate: str
    """Percent of the principal, e.g. ``"2.5"``."""
    fee: MoneyOut
    apr: str
    """Annual percentage rate, percent with one decimal."""
    schedule: list[ScheduleItemOut]


class PlanOut(BaseModel):
    id: uuid.UUID
    principal: MoneyOut
    months: int
    fee_rate: str
    fee: MoneyOut
    apr: str
    billed_count: int
    remaining_principal: MoneyOut
    status: str
    schedule: list[ScheduleItemOut]
    created_at: datetime


class ConvertIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    statement_id: uuid.UUID | None = None
    purchase_id: uuid.UUID | None = None
    months: Literal[3, 6, 9, 12]

    @model_validator(mode="after")
    def _one_target(self) -> ConvertIn:
        if (self.statement_id is None) == (self.purchase_id is None):
            raise ValueError("name a statement_id or a purchase_id")
        return self


class RepaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Amount | None = Field(default=None, description="Fen; with kind 'amount'.")
    kind: Literal["amount", "statement", "minimum", "all"] | None = None
    source: str = Field(default="wallet", max_length=40)

    @model_validator(mode="after")
    def _amount_or_kind(self) -> RepaymentIn:
        if self.kind is None:
            self.kind = "amount"
        if (self.kind == "amount") != (self.amount is not None):
            raise ValueError("give an amount, or a kind other than 'amount'")
        return self


class RepaymentOut(BaseModel):
    id: uuid.UUID
    amount: MoneyOut
    applied: MoneyOut
    source: str
    kind: str
    status: str
    charge_id: uuid.UUID | None
    redirect_url: str | None = None
    created_at: datetime
