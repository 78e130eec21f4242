"""The wallet: balance, statement, and withdrawals to the bank — a shopper's from the wallet, a
store's (a payout) from its settled balance, by the same code.

A withdrawal leaves its account at once (into withdrawals in flight, so the money cannot be spent
twice while the bank works), and the bank's payout notification settles it: paid → out to the
bank's clearing account; refused → back where it came from, with the bank's reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from agora import ledger
from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.payments import domain
from agora.payments.accounts import (
    gateway_clearing_of,
    store_settlement_of,
    wallet_of,
    withdrawals_of,
)
from agora.payments.errors import WithdrawalNotFound
from agora.payments.gateways import get_gateway, source_of
from agora.payments.models import WithdrawalRow
from agora.payments.switches import require_enabled

PAYOUT_REQUESTED = "payments.payout_requested"


def amount_limits() -> tuple[int, int]:
    """(minimum, maximum) fen of one top-up, withdrawal or bank charge (settings)."""
    settings = get_settings()
    return settings.payment_min_amount, settings.payment_max_amount


def check_amount(amount: int) -> None:
    """Raises InvalidInput unless ``amount`` is within :func:`amount_limits`."""
    minimum, maximum = amount_limits()
    domain.check_amount(amount, minimum=minimum, maximum=maximum)


@dataclass(frozen=True, slots=True)
class Withdrawal:
    id: uuid.UUID
    user_id: uuid.UUID
    amount: int
    gateway: str
    status: str
    created_at: datetime
    finished_at: datetime | None
    currency: str = "CNY"
    store_id: uuid.UUID | None = None
    failure_reason: str | None = None


def _withdrawal(row: WithdrawalRow) -> Withdrawal:
    return Withdrawal(
        row.id,
        row.user_id,
        row.amount,
        row.gateway,
        row.status,
        row.created_at,
        row.finished_at,
        row.currency,
        row.store_id,
        row.failure_reason,
    )


def _paid_from(row: WithdrawalRow) -> ledger.AccountRef:
    """Where a withdrawal's money came from, and goes back to if the bank refuses it."""
    if row.store_id is not None:
        return store_settlement_of(row.store_id)
    return wallet_of(row.user_id)


def _topic(row: WithdrawalRow) -> str:
    return f"store:{row.store_id}" if row.store_id is not None else f"user:{row.user_id}"


def wallet_balance(uow: UnitOfWork, *, actor: Principal) -> int:
    return ledger.balance(uow, wallet_of(actor.user_id))


def wallet_statement(
    uow: UnitOfWork, *, actor: Principal, before: int | None = None, limit: int = 20
) -> list[ledger.StatementLine]:
    """The actor's wallet history, newest first; ``before`` is the last entry id already shown."""
    return ledger.statement(uow, wallet_of(actor.user_id), before=before, limit=limit)


def request_withdrawal(
    uow: UnitOfWork,
    *,
    actor: Principal,
    amount: int,
    gateway: str = "sandbox",
    source: str = domain.WALLET,
) -> Withdrawal:
    """Move ``amount`` out of the actor's wallet now and ask the bank to pay it out.

    Raises InvalidInput (amount, a source other than the wallet), CreditOnlyForOrders (credit
    cannot be paid out), FundingSourceDisabled (gateway off), InsufficientFunds (the wallet is
    short; the transaction rolls back, so no withdrawal row is left either).
    """
    domain.check_source(
        source, allowed=(domain.WALLET,), message="A withdrawal is paid out of the wallet."
    )
    return _withdraw(uow, user_id=actor.user_id, store_id=None, amount=amount, gateway=gateway)


def request_store_payout(
    uow: UnitOfWork,
    *,
    store_id: uuid.UUID,
    requested_by: uuid.UUID,
    amount: int,
    gateway: str = "sandbox",
) -> Withdrawal:
    """Move ``amount`` out of the store's settled balance now and ask the bank to pay it out: a
    withdrawal owned by the store. The caller has checked that ``requested_by`` may (payments
    knows no store roles: agora.payouts does).

    Raises InvalidInput (amount), FundingSourceDisabled (the gateway is off for the platform or
    the store), InsufficientFunds (more than the settled balance; nothing is left behind).
    """
    return _withdraw(uow, user_id=requested_by, store_id=store_id, amount=amount, gateway=gateway)


def _withdraw(
    uow: UnitOfWork,
    *,
    user_id: uuid.UUID,
    store_id: uuid.UUID | None,
    amount: int,
    gateway: str,
) -> Withdrawal:
    check_amount(amount)
    bank = get_gateway(gateway)
    with uow:
        store_ids = () if store_id is None else (store_id,)
        require_enabled(uow, source=source_of(gateway), store_ids=store_ids)
        row = WithdrawalRow(
            id=new_id(),
            user_id=user_id,
            store_id=store_id,
            amount=amount,
            currency="CNY",
            gateway=bank.name,
            status=domain.PENDING,
            created_at=utcnow(),
        )
        uow.session.add(row)
        uow.session.flush()
        ledger.transfer(
            uow,
            key=f"withdrawal:{row.id}:hold",
            kind="withdrawal",
            legs=[
                ledger.Leg(_paid_from(row), -amount),
                ledger.Leg(withdrawals_of(row.id), amount),
            ],
            memo=_memo(row),
        )
        # The bank is asked after commit, by the relay: never a network call inside this
        # transaction, and a crash before commit leaves no payout request behind.
        uow.emit(
            PAYOUT_REQUESTED,
            {"withdrawal_id": str(row.id), "gateway": bank.name, "amount": amount},
        )
        return _withdrawal(row)


def _memo(row: WithdrawalRow) -> dict[str, str]:
    memo = {"withdrawal_id": str(row.id), "gateway": row.gateway}
    if row.store_id is not None:
        memo["store_id"] = str(row.store_id)
    return memo


def recent_withdrawals(uow: UnitOfWork, *, actor: Principal, limit: int = 10) -> list[Withdrawal]:
    """The actor's own withdrawals from the wallet (not the payouts of stores they own)."""
    with uow.read() as session:
        rows = session.scalars(
            select(WithdrawalRow)
            .where(WithdrawalRow.user_id == actor.user_id, WithdrawalRow.store_id.is_(None))
            .order_by(WithdrawalRow.created_at.desc(), WithdrawalRow.id.desc())
            .limit(limit)
        )
        return [_withdrawal(row) for row in rows]


def store_withdrawals(
    uow: UnitOfWork, *, store_id: uuid.UUID, before: uuid.UUID | None = None, limit: int = 20
) -> list[Withdrawal]:
    """A store's payouts, newest first; ``before`` is the last id already shown (ids are
    time-ordered). The caller has checked the actor may see the store's money."""
    stmt = select(WithdrawalRow).where(WithdrawalRow.store_id == store_id)
    if before is not None:
        stmt = stmt.where(WithdrawalRow.id < before)
    with uow.read() as session:
        rows = session.scalars(stmt.order_by(WithdrawalRow.id.desc()).limit(limit))
        return [_withdrawal(row) for row in rows]


def store_withdrawal(
    uow: UnitOfWork, *, store_id: uuid.UUID, withdrawal_id: uuid.UUID
) -> Withdrawal:
    """One payout of the store; WithdrawalNotFound for any other id (another store's too)."""
    with uow.read() as session:
        row = session.get(WithdrawalRow, withdrawal_id)
        if row is None or row.store_id != store_id:
            raise WithdrawalNotFound()
        return _withdrawal(row)


def ask_bank_for_payout(uow: UnitOfWork, withdrawal_id: uuid.UUID) -> None:
    """Relay side of a withdrawal: hand it to its gateway (once per event, see handlers)."""
    with uow:
        row = uow.session.get(WithdrawalRow, withdrawal_id)
        if row is None or row.status != domain.PENDING:
            return
        get_gateway(row.gateway).request_payout(
            uow, withdrawal_id=row.id, amount=row.amount, currency=row.currency
        )


def apply_payout_outcome(uow: UnitOfWork, gateway: str, note: domain.Notification) -> str:
    """Settle a withdrawal from the bank's payout notification (inside the caller's UoW)."""
    session = uow.session
    row = session.get(WithdrawalRow, note.ref_id)
    if row is None or row.gateway != gateway:
        return "unknown"
    if row.amount != note.amount or row.currency != note.currency:
        return "mismatch"
    failed = note.outcome != domain.SUCCEEDED
    moved = session.execute(
        update(WithdrawalRow)
        .where(WithdrawalRow.id == row.id, WithdrawalRow.status == domain.PENDING)
        .values(
            status=note.outcome,
            finished_at=utcnow(),
            failure_reason=(note.reason or "refused") if failed else None,
        )
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        return "ignored"
    in_flight = withdrawals_of(row.id)
    if failed:
        key, kind, target = "return", "withdrawal_returned", _paid_from(row)
    else:
        key, kind, target = "payout", "withdrawal_paid", gateway_clearing_of(gateway, row.id)
    ledger.transfer(
        uow,
        key=f"withdrawal:{row.id}:{key}",
        kind=kind,
        legs=[ledger.Leg(in_flight, -row.amount), ledger.Leg(target, row.amount)],
        memo=_memo(row),
    )
    uow.emit(
        "payments.withdrawal_updated",
        {"withdrawal_id": str(row.id), "status": note.outcome},
        topics=[_topic(row)],
    )
    return "applied"
