"""Daily rates and the accrual that pays them.

The operator publishes each day's income per ¥10,000. Once a published day is over (in the
business zone), the accrual pays it: deposits confirmed by that day join the earning balance,
then every confirmed balance earns floor(balance × per_10k / 10^8) fen, in one ledger batch with
the day's rounding residue. Claiming the rate row (``accrued_at IS NULL``) is the first write, so
two runs racing for a day pay it once: the second finds it claimed and does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Table, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from agora import ledger
from agora.core.clock import local_today, utcnow
from agora.core.db import upsert_insert
from agora.core.uow import UnitOfWork
from agora.identity import Principal, require_operator
from agora.treasure import domain
from agora.treasure.accounts import income_of, residue_source, rounding_account, treasure_of
from agora.treasure.errors import TreasureRateAccrued, TreasureRateInvalid
from agora.treasure.models import TreasureDeposit, TreasureHolding, TreasureIncome, TreasureRate

_rates: Table = TreasureRate.__table__  # type: ignore[assignment]
_holdings: Table = TreasureHolding.__table__  # type: ignore[assignment]
_deposits: Table = TreasureDeposit.__table__  # type: ignore[assignment]
_incomes: Table = TreasureIncome.__table__  # type: ignore[assignment]

_PROMOTE = (
    update(_holdings)
    .where(_holdings.c.user_id == bindparam("holder"))
    .values(confirmed=_holdings.c.confirmed + bindparam("promoted"))
)
_PAY = (
    update(_holdings)
    .where(_holdings.c.user_id == bindparam("holder"))
    .values(
        confirmed=_holdings.c.confirmed + bindparam("income"),
        income_total=_holdings.c.income_total + bindparam("income"),
        yesterday_income=bindparam("income"),
        last_income_day=bindparam("income_day"),
        updated_at=bindparam("now"),
    )
)


@dataclass(frozen=True, slots=True)
class RateView:
    day: date
    per_10k: int
    published_at: datetime
    accrued_at: datetime | None
    declared: int
    paid: int
    residue: int

    @property
    def per_10k_text(self) -> str:
        return domain.per_10k_text(self.per_10k)


def _view(row: Row[Any]) -> RateView:
    return RateView(
        day=row.day,
        per_10k=int(row.per_10k),
        published_at=row.published_at,
        accrued_at=row.accrued_at,
        declared=int(row.declared),
        paid=int(row.paid),
        residue=int(row.residue),
    )


def publish_rate(uow: UnitOfWork, *, actor: Principal, day: date, per_10k: int) -> RateView:
    """Publish (or, until it is paid, correct) the income per ¥10,000 for ``day``.

    Publishing the same value again is a no-op, also after the day was paid.

    Raises:
        Forbidden (403): not an operator. TreasureRateInvalid (422): a future day, or a rate
        outside 0 … 50,000 (¥5.0000). TreasureRateAccrued (409): the day was already paid at
        another rate.
    """
    require_operator(actor)
    if (
        not isinstance(per_10k, int)
        or isinstance(per_10k, bool)
        or not 0 <= per_10k <= domain.MAX_PER_10K
        or day > local_today()
    ):
        raise TreasureRateInvalid()
    with uow:
        session = uow.session
        now = utcnow()
        insert = upsert_insert(session, _rates).values(
            day=day,
            per_10k=per_10k,
            published_by=actor.user_id,
            published_at=now,
            accrued_at=None,
            declared=0,
            paid=0,
            residue=0,
        )
        written = session.execute(
            insert.on_conflict_do_update(
                index_elements=["day"],
                set_={
                    "per_10k": insert.excluded.per_10k,
                    "published_by": insert.excluded.published_by,
                    "published_at": insert.excluded.published_at,
                },
                where=_rates.c.accrued_at.is_(None),
            ).returning(_rates.c.day)
        ).first()
        row = session.execute(select(_rates).where(_rates.c.day == day)).one()
        if written is None and int(row.per_10k) != per_10k:
            raise TreasureRateAccrued(day=day.isoformat(), per_10k=int(row.per_10k))
        return _view(row)


def due_days(uow: UnitOfWork) -> list[date]:
    """Published days not paid yet whose business day is over, oldest first."""
    with uow.read() as session:
        return list(
            session.scalars(
                select(_rates.c.day)
                .where(_rates.c.accrued_at.is_(None), _rates.c.day < local_today())
                .order_by(_rates.c.day)
            )
        )


def accrue_due(uow: UnitOfWork) -> int:
    """Pay every due day, oldest first, one transaction per day; returns how many were paid
    by this call (0 when another run got there first)."""
    return sum(1 for day in due_days(uow) if accrue_day(uow, day))


def _lock_holders(session: Session, day: date) -> None:
    """Lock (PostgreSQL) the holding rows this day touches, in user order: the lock every
    redemption and spend takes first, so none of them changes a balance mid-accrual."""
    if session.get_bind().dialect.name == "sqlite":
        return
    confirming = select(_deposits.c.user_id).where(
        _deposits.c.confirm_on <= day, _deposits.c.remaining > 0
    )
    session.execute(
        select(_holdings.c.user_id)
        .where(or_(_holdings.c.confirmed > 0, _holdings.c.user_id.in_(confirming)))
        .order_by(_holdings.c.user_id)
        .with_for_update()
    ).all()


def accrue_day(uow: UnitOfWork, day: date) -> bool:
    """Pay ``day``'s income once; ``False`` if it is not due or already paid (or being paid)."""
    if day >= local_today():
        return False
    with uow:
        session = uow.session
        now = utcnow()
        claimed = session.execute(
            update(_rates)
            .where(_rates.c.day == day, _rates.c.accrued_at.is_(None))
            .values(accrued_at=now)
            .returning(_rates.c.per_10k)
        ).first()
        if claimed is None:
            return False
        per_10k = int(claimed.per_10k)
        _lock_holders(session, day)
        _promote(session, day)
        holders = [
            (row.user_id, int(row.confirmed))
            for row in session.execute(
                select(_holdings.c.user_id, _holdings.c.confirmed)
                .where(_holdings.c.confirmed > 0)
                .order_by(_holdings.c.user_id)
            )
        ]
        split = domain.day_income(holders, per_10k)
        specs = [
            ledger.TransferSpec(
                key=f"treasure:income:{day.isoformat()}:{user_id}",
                kind="treasure_income",
                legs=[
                    ledger.Leg(income_of(user_id), -amount),
                    ledger.Leg(treasure_of(user_id), amount),
                ],
                memo={"day": day.isoformat(), "per_10k": per_10k},
            )
            for user_id, amount in split.paid.items()
        ]
        if split.residue:
            specs.append(
                ledger.TransferSpec(
                    key=f"treasure:residue:{day.isoformat()}",
                    kind="treasure_rounding",
                    legs=[
                        ledger.Leg(residue_source(), -split.residue),
                        ledger.Leg(rounding_account(), split.residue),
                    ],
                    memo={"day": day.isoformat(), "per_10k": per_10k},
                )
            )
        ledger.transfer_many(uow, specs)
        if holders:
            session.execute(
                _PAY,
                [
                    {
                        "holder": user_id,
                        "income": split.paid.get(user_id, 0),
                        "income_day": day,
                        "now": now,
                    }
                    for user_id, _ in holders
                ],
            )
        if split.paid:
            session.execute(
                _incomes.insert(),
                [
                    {"user_id": user_id, "day": day, "amount": amount}
                    for user_id, amount in split.paid.items()
                ],
            )
        session.execute(
            update(_rates)
            .where(_rates.c.day == day)
            .values(
                declared=split.declared,
                paid=split.declared - split.residue,
                residue=split.residue,
            )
        )
        return True


def _promote(session: Session, day: date) -> None:
    """Deposits that confirm by ``day`` join their owners' earning balance."""
    due = (_deposits.c.confirm_on <= day, _deposits.c.remaining > 0)
    promoted = session.execute(
        select(_deposits.c.user_id, func.sum(_deposits.c.remaining).label("amount"))
        .where(*due)
        .group_by(_deposits.c.user_id)
        .order_by(_deposits.c.user_id)
    ).all()
    if not promoted:
        return
    session.execute(update(_deposits).where(*due).values(remaining=0))
    session.execute(
        _PROMOTE, [{"holder": row.user_id, "promoted": int(row.amount)} for row in promoted]
    )


def list_rates(uow: UnitOfWork, *, limit: int = 30) -> list[RateView]:
    """Published rates, newest day first."""
    with uow.read() as session:
        rows = session.execute(
            select(_rates).order_by(_rates.c.day.desc()).limit(max(1, min(limit, 366)))
        ).all()
    return [_view(row) for row in rows]


def seven_day_yield(uow: UnitOfWork) -> str | None:
    """The annualised yield of the last 7 published days up to today ("1.68", a percentage);
    fewer days are annualised over what there is; ``None`` before any rate."""
    with uow.read() as session:
        rates = list(
            session.scalars(
                select(_rates.c.per_10k)
                .where(_rates.c.day <= local_today())
                .order_by(_rates.c.day.desc())
                .limit(7)
            )
        )
    return domain.annualised_yield([int(rate) for rate in rates])
