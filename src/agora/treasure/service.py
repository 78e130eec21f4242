"""Reading the treasure: a user's summary, their daily income, their movements; and the audit
that rows and ledger agree. Every read is of the caller's own user id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Table, func, select

from agora import ledger
from agora.config import get_settings
from agora.core.clock import local_today
from agora.core.uow import UnitOfWork
from agora.treasure.accounts import rounding_account, treasure_of
from agora.treasure.models import (
    TreasureDeposit,
    TreasureHolding,
    TreasureIncome,
    TreasureRate,
    TreasureRedemptionDay,
)
from agora.treasure.rates import seven_day_yield

_holdings: Table = TreasureHolding.__table__  # type: ignore[assignment]
_deposits: Table = TreasureDeposit.__table__  # type: ignore[assignment]
_incomes: Table = TreasureIncome.__table__  # type: ignore[assignment]
_rates: Table = TreasureRate.__table__  # type: ignore[assignment]
_days: Table = TreasureRedemptionDay.__table__  # type: ignore[assignment]

MAX_DAYS = 366


@dataclass(frozen=True, slots=True)
class PendingView:
    id: uuid.UUID
    amount: int
    remaining: int
    confirm_on: date
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DailyIncome:
    day: date
    amount: int


@dataclass(frozen=True, slots=True)
class TreasureSummary:
    balance: int
    """Everything held (the ledger's ``treasure`` account)."""
    confirmed: int
    """The part that earns income."""
    pending: list[PendingView]
    yesterday_income: int
    income_total: int
    last_income_day: date | None
    redeemable_today: int
    """What is left of today's instant-redemption cap (not more than the balance)."""
    redeem_cap: int
    seven_day_yield: str | None
    """Annualised, as a percentage with two decimals ("1.68"); None before any rate."""
    incomes: list[DailyIncome]
    """The last 30 days' income, oldest first, a row for every day (0 when nothing)."""

    @property
    def pending_total(self) -> int:
        return sum(p.remaining for p in self.pending)


def incomes(uow: UnitOfWork, *, user_id: uuid.UUID, days: int = 30) -> list[DailyIncome]:
    """The user's income for each of the last ``days`` days before today, oldest first."""
    days = max(1, min(days, MAX_DAYS))
    today = local_today()
    first = today - timedelta(days=days)
    with uow.read() as session:
        paid = dict(
            session.execute(
                select(_incomes.c.day, _incomes.c.amount).where(
                    _incomes.c.user_id == user_id,
                    _incomes.c.day >= first,
                    _incomes.c.day < today,
                )
            ).all()
        )
    return [
        DailyIncome(day, int(paid.get(day, 0)))
        for day in (first + timedelta(days=n) for n in range(days))
    ]


def summary(uow: UnitOfWork, *, user_id: uuid.UUID) -> TreasureSummary:
    """The user's treasure as of now, read in one snapshot (callers pass the actor's own id)."""
    today = local_today()
    cap = get_settings().treasure_daily_redeem_cap
    with uow.snapshot():
        with uow.read() as session:
            holding = session.execute(
                select(_holdings).where(_holdings.c.user_id == user_id)
            ).first()
            pending = [
                PendingView(r.id, r.amount, r.remaining, r.confirm_on, r.created_at)
                for r in session.execute(
                    select(_deposits)
                    .where(_deposits.c.user_id == user_id, _deposits.c.remaining > 0)
                    .order_by(_deposits.c.created_at, _deposits.c.id)
                )
            ]
            used = session.scalar(
                select(_days.c.amount).where(_days.c.user_id == user_id, _days.c.day == today)
            )
        balance = ledger.balance(uow, treasure_of(user_id))
        history = incomes(uow, user_id=user_id, days=30)
        yield_text = seven_day_yield(uow)
    last_day = holding.last_income_day if holding is not None else None
    yesterday = today - timedelta(days=1)
    return TreasureSummary(
        balance=balance,
        confirmed=int(holding.confirmed) if holding is not None else 0,
        pending=pending,
        yesterday_income=(
            int(holding.yesterday_income) if holding is not None and last_day == yesterday else 0
        ),
        income_total=int(holding.income_total) if holding is not None else 0,
        last_income_day=last_day,
        redeemable_today=min(balance, max(0, cap - int(used or 0))),
        redeem_cap=cap,
        seven_day_yield=yield_text,
        incomes=history,
    )


def movements(
    uow: UnitOfWork, *, user_id: uuid.UUID, before: int | None = None, limit: int = 20
) -> list[ledger.StatementLine]:
    """The user's treasure account history, newest first."""
    return ledger.statement(uow, treasure_of(user_id), before=before, limit=limit)


@dataclass
class TreasureAudit:
    users: int = 0
    days: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit(uow: UnitOfWork, *, limit: int = 50) -> TreasureAudit:
    """Rows and ledger agree: for every user, confirmed + Σ pending remaining equals their
    ``treasure`` balance; for every paid day, declared = paid + residue and Σ income rows =
    paid; the rounding account holds Σ residue."""
    report = TreasureAudit()
    problems = report.problems
    with uow.snapshot(), uow.read() as session:
        confirmed = dict(session.execute(select(_holdings.c.user_id, _holdings.c.confirmed)).all())
        pending = dict(
            session.execute(
                select(_deposits.c.user_id, func.sum(_deposits.c.remaining)).group_by(
                    _deposits.c.user_id
                )
            ).all()
        )
        held = dict(
            session.execute(
                select(ledger.Account.owner_id, ledger.Account.balance).where(
                    ledger.Account.owner_type == "user", ledger.Account.kind == "treasure"
                )
            ).all()
        )
        paid_rows = dict(
            session.execute(
                select(_incomes.c.day, func.sum(_incomes.c.amount)).group_by(_incomes.c.day)
            ).all()
        )
        days = session.execute(select(_rates).where(_rates.c.accrued_at.is_not(None))).all()
        rounding = session.scalar(
            select(ledger.Account.balance).where(ledger.Account.id == rounding_account().id)
        )
    users = set(confirmed) | set(pending) | set(held)
    report.users = len(users)
    report.days = len(days)
    for user_id in sorted(users):
        rows = int(confirmed.get(user_id, 0)) + int(pending.get(user_id, 0) or 0)
        balance = int(held.get(user_id, 0))
        if rows != balance:
            problems.append(f"user {user_id}: treasure balance {balance}, rows say {rows}")
    for day in days:
        if day.declared != day.paid + day.residue:
            problems.append(
                f"day {day.day}: declared {day.declared} != paid {day.paid} + residue {day.residue}"
            )
        if int(paid_rows.get(day.day, 0)) != day.paid:
            problems.append(
                f"day {day.day}: incomes sum to {paid_rows.get(day.day, 0)}, paid {day.paid}"
            )
    residue = sum(int(day.residue) for day in days)
    if int(rounding or 0) != residue:
        problems.append(f"rounding account {rounding or 0}, residues sum to {residue}")
    del problems[limit:]
    return report
