"""Money in and out of the treasure: deposits (wallet → treasure), instant redemptions
(treasure → wallet, capped per day), and spending through the wallet for other contexts.

Lock order, shared with the daily accrual so they cannot deadlock on PostgreSQL: the user's
``treasure_holdings`` row, then their pending deposits, then the redemption counter, then ledger
accounts (the ledger sorts those itself). A deposit only inserts rows and never waits on a lock
the accrual holds before the ledger's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Table, bindparam, select, update
from sqlalchemy.orm import Session

from agora import ledger, payments
from agora.config import get_settings
from agora.core.clock import local, utcnow
from agora.core.db import for_update, upsert_insert
from agora.core.errors import N_, InvalidInput
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.treasure import domain
from agora.treasure.accounts import treasure_of
from agora.treasure.errors import (
    TreasureAmountInvalid,
    TreasureDailyCapExceeded,
    TreasureInsufficient,
)
from agora.treasure.models import TreasureDeposit, TreasureHolding, TreasureRedemptionDay

_holdings: Table = TreasureHolding.__table__  # type: ignore[assignment]
_deposits: Table = TreasureDeposit.__table__  # type: ignore[assignment]
_days: Table = TreasureRedemptionDay.__table__  # type: ignore[assignment]

MAX_KEY = 200

_TAKE_DEPOSIT = (
    update(_deposits)
    .where(_deposits.c.id == bindparam("deposit_id"), _deposits.c.remaining >= bindparam("take"))
    .values(remaining=_deposits.c.remaining - bindparam("take"))
)


@dataclass(frozen=True, slots=True)
class Deposit:
    id: uuid.UUID
    amount: int
    remaining: int
    confirm_on: date
    """The first business day this money earns income."""
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Redemption:
    amount: int
    redeemed_today: int
    remaining_today: int
    """What is left of today's instant-redemption cap after this one."""


def check_amount(amount: object) -> int:
    """Raises TreasureAmountInvalid unless ``amount`` is a whole number of fen, at least one."""
    if (
        not isinstance(amount, int)
        or isinstance(amount, bool)
        or not 1 <= amount <= domain.MAX_AMOUNT
    ):
        raise TreasureAmountInvalid()
    return amount


def check_source(source: str) -> None:
    """Only the wallet funds the treasure; credit never does (it pays orders only)."""
    payments.check_source(
        source, allowed=(payments.WALLET,), message="Money comes into the treasure from the wallet."
    )


def ensure_holding(session: Session, user_id: uuid.UUID, now: datetime) -> None:
    session.execute(
        upsert_insert(session, _holdings)
        .values(
            user_id=user_id,
            confirmed=0,
            income_total=0,
            yesterday_income=0,
            last_income_day=None,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["user_id"])
    )


def _deposit(row: Row[Any]) -> Deposit:
    return Deposit(row.id, row.amount, row.remaining, row.confirm_on, row.created_at)


def deposit(
    uow: UnitOfWork,
    *,
    actor: Principal,
    amount: int,
    source: str = payments.WALLET,
    key: str | None = None,
) -> Deposit:
    """Move ``amount`` from the actor's wallet into their treasure. It earns from
    :func:`domain.confirm_on` (before the local cut-off: tomorrow; after: the day after).

    With ``key``, a second call with the same key returns the first deposit and moves nothing.

    Raises:
        CreditOnlyForOrders (422): source "credit". InvalidInput (422): any other source but the
        wallet. TreasureAmountInvalid (422). InsufficientFunds (409): the wallet is short.
    """
    check_source(source)
    check_amount(amount)
    if key is not None and not 1 <= len(key) <= MAX_KEY:
        raise InvalidInput(N_("A deposit key is 1 to 200 characters."))
    user_id = actor.user_id
    with uow:
        session = uow.session
        now = utcnow()
        row_key = f"{user_id}:{key}" if key is not None else None
        ensure_holding(session, user_id, now)
        confirm_on = domain.confirm_on(local(now), cutoff_hour=get_settings().treasure_cutoff_hour)
        deposit_id = new_id()
        inserted = session.execute(
            upsert_insert(session, _deposits)
            .values(
                id=deposit_id,
                user_id=user_id,
                key=row_key,
                amount=amount,
                remaining=amount,
                confirm_on=confirm_on,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(_deposits.c.id)
        ).first()
        if inserted is None:
            existing = session.execute(select(_deposits).where(_deposits.c.key == row_key)).one()
            return _deposit(existing)
        ledger.transfer(
            uow,
            key=f"treasure:deposit:{deposit_id}",
            kind="treasure_deposit",
            legs=[
                ledger.Leg(payments.wallet_of(user_id), -amount),
                ledger.Leg(treasure_of(user_id), amount),
            ],
            memo={"deposit_id": str(deposit_id), "confirm_on": confirm_on.isoformat()},
        )
        return Deposit(deposit_id, amount, amount, confirm_on, now)


@dataclass(frozen=True, slots=True)
class _Holding:
    confirmed: int
    pending: list[tuple[uuid.UUID, int]]
    """(deposit id, remaining), newest first: the order redemptions take them in."""

    @property
    def total(self) -> int:
        return self.confirmed + sum(remaining for _, remaining in self.pending)


def _lock_holding(session: Session, user_id: uuid.UUID) -> _Holding:
    """Lock the user's holding row and pending deposits (PostgreSQL; SQLite's write lock
    already serializes) and read what they hold."""
    query = select(_holdings.c.confirmed).where(_holdings.c.user_id == user_id)
    pending = (
        select(_deposits.c.id, _deposits.c.remaining)
        .where(_deposits.c.user_id == user_id, _deposits.c.remaining > 0)
        .order_by(_deposits.c.created_at.desc(), _deposits.c.id.desc())
    )
    confirmed = session.scalar(for_update(session, query))
    if confirmed is None:
        return _Holding(0, [])
    rows = session.execute(for_update(session, pending)).all()
    return _Holding(int(confirmed), [(row.id, int(row.remaining)) for row in rows])


def _take(session: Session, user_id: uuid.UUID, holding: _Holding, amount: int) -> None:
    """Take ``amount`` out of the locked holding: pending deposits first (newest first, they
    earn nothing yet), then the confirmed balance. Guarded updates; the caller checked the total."""
    left = amount
    for deposit_id, remaining in holding.pending:
        if not left:
            break
        part = min(remaining, left)
        taken = session.execute(_TAKE_DEPOSIT, {"deposit_id": deposit_id, "take": part})
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise TreasureInsufficient()
        left -= part
    if left:
        taken = session.execute(
            update(_holdings)
            .where(_holdings.c.user_id == user_id, _holdings.c.confirmed >= left)
            .values(confirmed=_holdings.c.confirmed - left, updated_at=utcnow())
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise TreasureInsufficient()


def _count_redemption(session: Session, user_id: uuid.UUID, day: date, amount: int) -> int:
    """Add ``amount`` to the user's redemptions of ``day`` unless that would pass the cap (one
    guarded upsert); returns the day's total. Raises TreasureDailyCapExceeded."""
    cap = get_settings().treasure_daily_redeem_cap
    row = None
    if amount <= cap:
        insert = upsert_insert(session, _days).values(user_id=user_id, day=day, amount=amount)
        row = session.execute(
            insert.on_conflict_do_update(
                index_elements=["user_id", "day"],
                set_={"amount": _days.c.amount + amount},
                where=_days.c.amount + amount <= cap,
            ).returning(_days.c.amount)
        ).first()
    if row is None:
        used = session.scalar(
            select(_days.c.amount).where(_days.c.user_id == user_id, _days.c.day == day)
        )
        raise TreasureDailyCapExceeded(remaining=max(0, cap - int(used or 0)), cap=cap)
    return int(row.amount)


def redeem(uow: UnitOfWork, *, actor: Principal, amount: int) -> Redemption:
    """Move ``amount`` from the actor's treasure to their wallet now, within the daily cap
    (``treasure_daily_redeem_cap`` per business day).

    Raises:
        TreasureAmountInvalid (422). TreasureInsufficient (409). TreasureDailyCapExceeded (409,
        ``remaining``: what is left of today's cap). Nothing changes on a refusal.
    """
    check_amount(amount)
    user_id = actor.user_id
    with uow:
        session = uow.session
        now = utcnow()
        holding = _lock_holding(session, user_id)
        if holding.total < amount:
            raise TreasureInsufficient(available=holding.total)
        used = _count_redemption(session, user_id, local(now).date(), amount)
        redemption_id = new_id()
        ledger.transfer(
            uow,
            key=f"treasure:redeem:{redemption_id}",
            kind="treasure_redeem",
            legs=[
                ledger.Leg(treasure_of(user_id), -amount),
                ledger.Leg(payments.wallet_of(user_id), amount),
            ],
            memo={"redemption_id": str(redemption_id)},
        )
        _take(session, user_id, holding, amount)
        cap = get_settings().treasure_daily_redeem_cap
        return Redemption(amount=amount, redeemed_today=used, remaining_today=max(0, cap - used))


def spend_to_wallet(
    uow: UnitOfWork, *, user_id: uuid.UUID, amount: int, key: str, purpose: str
) -> bool:
    """Move ``amount`` from the user's treasure to their wallet inside the caller's
    transaction, for the caller to spend there at once ("pay from the treasure": an order, a
    red envelope, a credit repayment).

    Not counted against the daily redemption cap: the cap limits cash-outs, and this money is
    spent on Agora in the same transaction, not cashed out. Idempotent per ``key`` (ledger key
    ``treasure:spend:{key}``): a repeated call moves nothing and returns ``False``; ``True``
    when the money moved now. Takes pending deposits first, then the confirmed balance.

    Raises:
        TreasureAmountInvalid (422). TreasureInsufficient (409): nothing changed.
    """
    check_amount(amount)
    ledger_key = f"treasure:spend:{key}"
    if not 1 <= len(key) <= MAX_KEY:
        raise InvalidInput(N_("A spend key is 1 to 200 characters."))
    with uow:
        session = uow.session
        holding = _lock_holding(session, user_id)
        done = session.scalar(select(ledger.Transfer.id).where(ledger.Transfer.key == ledger_key))
        if done is not None:
            return False
        if holding.total < amount:
            raise TreasureInsufficient(available=holding.total)
        moved = ledger.transfer(
            uow,
            key=ledger_key,
            kind="treasure_spend",
            legs=[
                ledger.Leg(treasure_of(user_id), -amount),
                ledger.Leg(payments.wallet_of(user_id), amount),
            ],
            memo={"purpose": purpose[:100]},
        )
        if not moved.created:
            return False
        _take(session, user_id, holding, amount)
        return True


def treasure_balance(uow: UnitOfWork, user_id: uuid.UUID) -> int:
    """Everything the user holds in the treasure (confirmed and pending), in fen."""
    return ledger.balance(uow, treasure_of(user_id))
