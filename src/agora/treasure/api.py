"""Treasure endpoints: the actor's own treasure (no user id in any path, so nobody can ask for
another's), the public rate history, and the operator's rate publishing."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import Query, Request, status
from fastapi.responses import Response
from pydantic import BaseModel

from agora import treasure
from agora.catalog.schemas import MoneyOut
from agora.http.deps import Actor, Uow
from agora.http.idempotency import IdempotencyKeyHeader, respond_idempotently
from agora.http.routing import Router
from agora.treasure.schemas import DepositIn, RateIn, RedemptionIn

router = Router(prefix="/api/v1", tags=["treasure"])


class PendingOut(BaseModel):
    id: uuid.UUID
    amount: MoneyOut
    remaining: MoneyOut
    earns_from: date
    created_at: datetime


class DailyIncomeOut(BaseModel):
    day: date
    amount: MoneyOut


class TreasureOut(BaseModel):
    balance: MoneyOut
    confirmed: MoneyOut
    pending: list[PendingOut]
    yesterday_income: MoneyOut
    income_total: MoneyOut
    last_income_day: date | None
    redeemable_today: MoneyOut
    """What can still be redeemed today (the daily cap left, at most the balance)."""
    daily_redeem_cap: MoneyOut
    seven_day_yield_percent: str | None
    incomes: list[DailyIncomeOut]


class DepositOut(BaseModel):
    id: uuid.UUID
    amount: MoneyOut
    earns_from: date
    created_at: datetime


class RedemptionOut(BaseModel):
    amount: MoneyOut
    redeemed_today: MoneyOut
    remaining_today: MoneyOut


class IncomesOut(BaseModel):
    items: list[DailyIncomeOut]


class RateOut(BaseModel):
    day: date
    per_10k: int
    per_10k_yuan: str
    """The rate as yuan per ¥10,000 ("0.4560")."""
    published_at: datetime
    accrued_at: datetime | None
    declared: MoneyOut
    paid: MoneyOut
    residue: MoneyOut


class RatesOut(BaseModel):
    seven_day_yield_percent: str | None
    items: list[RateOut]


def _money(amount: int) -> MoneyOut:
    return MoneyOut(amount=amount)


def _incomes(items: list[treasure.DailyIncome]) -> list[DailyIncomeOut]:
    return [DailyIncomeOut(day=i.day, amount=_money(i.amount)) for i in items]


def rate_out(rate: treasure.RateView) -> RateOut:
    return RateOut(
        day=rate.day,
        per_10k=rate.per_10k,
        per_10k_yuan=rate.per_10k_text,
        published_at=rate.published_at,
        accrued_at=rate.accrued_at,
        declared=_money(rate.declared),
        paid=_money(rate.paid),
        residue=_money(rate.residue),
    )


@router.get("/treasure", response_model=TreasureOut)
def my_treasure(actor: Actor, uow: Uow) -> TreasureOut:
    """My balance, the part that earns, deposits waiting to (and from when), income, today's
    remaining instant redemption, the 7-day annualised yield and the last 30 days' income."""
    mine = treasure.summary(uow, user_id=actor.user_id)
    return TreasureOut(
        balance=_money(mine.balance),
        confirmed=_money(mine.confirmed),
        pending=[
            PendingOut(
                id=p.id,
                amount=_money(p.amount),
                remaining=_money(p.remaining),
                earns_from=p.confirm_on,
                created_at=p.created_at,
            )
            for p in mine.pending
        ],
        yesterday_income=_money(mine.yesterday_income),
        income_total=_money(mine.income_total),
        last_income_day=mine.last_income_day,
        redeemable_today=_money(mine.redeemable_today),
        daily_redeem_cap=_money(mine.redeem_cap),
        seven_day_yield_percent=mine.seven_day_yield,
        incomes=_incomes(mine.incomes),
    )


@router.post("/treasure/deposits", status_code=status.HTTP_201_CREATED, response_model=DepositOut)
def deposit(
    body: DepositIn,
    actor: Actor,
    uow: Uow,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Move money from my wallet into the treasure; it earns from ``earns_from``."""

    def action() -> tuple[int, DepositOut]:
        made = treasure.deposit(uow, actor=actor, amount=body.amount, source=body.source)
        return status.HTTP_201_CREATED, DepositOut(
            id=made.id,
            amount=_money(made.amount),
            earns_from=made.confirm_on,
            created_at=made.created_at,
        )

    return respond_idempotently(
        request, uow, actor=actor, key=idempotency_key, body=body, action=action
    )


@router.post(
    "/treasure/redemptions", status_code=status.HTTP_201_CREATED, response_model=RedemptionOut
)
def redeem(
    body: RedemptionIn,
    actor: Actor,
    uow: Uow,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Move money from the treasure to my wallet now, within today's cap."""

    def action() -> tuple[int, RedemptionOut]:
        done = treasure.redeem(uow, actor=actor, amount=body.amount)
        return status.HTTP_201_CREATED, RedemptionOut(
            amount=_money(done.amount),
            redeemed_today=_money(done.redeemed_today),
            remaining_today=_money(done.remaining_today),
        )

    return respond_idempotently(
        request, uow, actor=actor, key=idempotency_key, body=body, action=action
    )


@router.get("/treasure/incomes", response_model=IncomesOut)
def my_incomes(
    actor: Actor, uow: Uow, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> IncomesOut:
    """My income for each of the last ``days`` days, oldest first (0 on days without)."""
    return IncomesOut(items=_incomes(treasure.incomes(uow, user_id=actor.user_id, days=days)))


@router.get("/treasure/rates", response_model=RatesOut)
def rates(uow: Uow, limit: Annotated[int, Query(ge=1, le=366)] = 30) -> RatesOut:
    """Published daily rates, newest first, and the 7-day annualised yield (public)."""
    return RatesOut(
        seven_day_yield_percent=treasure.seven_day_yield(uow),
        items=[rate_out(rate) for rate in treasure.list_rates(uow, limit=limit)],
    )


@router.post(
    "/operator/treasure/rates", status_code=status.HTTP_201_CREATED, response_model=RateOut
)
def publish_rate(
    body: RateIn,
    actor: Actor,
    uow: Uow,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Publish (or correct, until paid) a day's income per ¥10,000. Operators only."""

    def action() -> tuple[int, RateOut]:
        rate = treasure.publish_rate(uow, actor=actor, day=body.day, per_10k=body.per_10k)
        return status.HTTP_201_CREATED, rate_out(rate)

    return respond_idempotently(
        request, uow, actor=actor, key=idempotency_key, body=body, action=action
    )
