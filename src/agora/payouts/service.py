"""Store payouts (PRODUCT.md D): the owner's payout account, and payouts of the settled balance.

A payout is a withdrawal owned by the store (``payments.request_store_payout``): the money leaves
the store's settlement account at once into withdrawals in flight, the bank is asked through the
outbox, and its notification pays it out or returns it with a reason — the wallet's withdrawal
code, not a copy of it. This context adds what payments cannot know: who may (the store's owner,
a catalog role) and where the money goes (the payout account).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from agora import catalog, ledger, payments
from agora.core.clock import utcnow
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.payouts import domain
from agora.payouts.errors import (
    OwnerOnly,
    PayoutAccountMissing,
    PayoutExceedsBalance,
    PayoutNotFound,
)
from agora.payouts.models import PayoutAccount

OWNER = "owner"


@dataclass(frozen=True, slots=True)
class Account:
    holder_name: str
    bank_name: str
    masked_number: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Payout:
    id: uuid.UUID
    store_id: uuid.UUID
    amount: int
    status: str
    """requested → paid | failed"""
    failure_reason: str | None
    requested_by: uuid.UUID
    created_at: datetime
    finished_at: datetime | None
    currency: str = "CNY"


@dataclass(frozen=True, slots=True)
class PayoutPage:
    balance: int
    """The store's settled balance: what it may pay out now."""
    account: Account | None
    items: list[Payout]
    next_before: uuid.UUID | None


def access_owned_store(session: Session, actor: Principal, store_id: uuid.UUID) -> catalog.Store:
    """The store, if the actor owns it. StoreNotFound (404) unless the actor sees the store at
    all; OwnerOnly (403) for its other staff (and operators): a store's money is its owner's."""
    store = catalog.access_store(session, actor, store_id)
    staff = session.get(catalog.StoreStaff, (store_id, actor.user_id))
    if staff is None or staff.role != OWNER:
        raise OwnerOnly()
    return store


def _account(row: PayoutAccount) -> Account:
    return Account(row.holder_name, row.bank_name, domain.mask(row.account_number), row.updated_at)


def _payout(withdrawal: payments.Withdrawal) -> Payout:
    assert withdrawal.store_id is not None
    return Payout(
        id=withdrawal.id,
        store_id=withdrawal.store_id,
        amount=withdrawal.amount,
        status=domain.payout_status(withdrawal.status),
        failure_reason=withdrawal.failure_reason,
        requested_by=withdrawal.user_id,
        created_at=withdrawal.created_at,
        finished_at=withdrawal.finished_at,
        currency=withdrawal.currency,
    )


def payout_account(uow: UnitOfWork, *, actor: Principal, store_id: uuid.UUID) -> Account | None:
    with uow.read() as session:
        access_owned_store(session, actor, store_id)
        row = session.get(PayoutAccount, store_id)
        return _account(row) if row is not None else None


def set_payout_account(
    uow: UnitOfWork,
    *,
    actor: Principal,
    store_id: uuid.UUID,
    holder_name: str,
    bank_name: str,
    account_number: str,
) -> Account:
    """The owner sets (or replaces) where the store's payouts go; payouts already requested go
    where they were asked to. Raises InvalidInput listing the fields that are wrong."""
    with uow:
        session = uow.session
        access_owned_store(session, actor, store_id)
        fields = domain.check_account(
            holder_name=holder_name, bank_name=bank_name, account_number=account_number
        )
        row = session.get(PayoutAccount, store_id)
        if row is None:
            row = PayoutAccount(store_id=store_id)
            session.add(row)
        row.holder_name = fields.holder_name
        row.bank_name = fields.bank_name
        row.account_number = fields.account_number
        row.updated_at = utcnow()
        row.updated_by = actor.user_id
        session.flush()
        return _account(row)


def request_payout(
    uow: UnitOfWork, *, actor: Principal, store_id: uuid.UUID, amount: int
) -> Payout:
    """The owner pays ``amount`` fen of the settled balance out to the payout account.

    Raises OwnerOnly / StoreNotFound, PayoutAccountMissing (409), InvalidInput (amount outside
    the payment limits), FundingSourceDisabled, PayoutExceedsBalance (409, with ``balance``):
    the settlement account's guarded debit refuses it, so of two payouts racing for one balance
    only what the balance covers goes through, and a refused one leaves no row and no entry.
    """
    with uow:
        session = uow.session
        access_owned_store(session, actor, store_id)
        if session.get(PayoutAccount, store_id) is None:
            raise PayoutAccountMissing()
        try:
            withdrawal = payments.request_store_payout(
                uow, store_id=store_id, requested_by=actor.user_id, amount=amount
            )
        except ledger.InsufficientFunds as short:
            balance = ledger.balance(uow, payments.store_settlement_of(store_id))
            raise PayoutExceedsBalance(balance=balance) from short
        return _payout(withdrawal)


def store_payouts(
    uow: UnitOfWork,
    *,
    actor: Principal,
    store_id: uuid.UUID,
    before: uuid.UUID | None = None,
    limit: int = 20,
) -> PayoutPage:
    """The settled balance, the payout account and the payouts, newest first (``before``: the
    last id already shown), as of one moment."""
    with uow.snapshot(), uow.read() as session:
        access_owned_store(session, actor, store_id)
        row = session.get(PayoutAccount, store_id)
        account = _account(row) if row is not None else None
        found = payments.store_withdrawals(uow, store_id=store_id, before=before, limit=limit + 1)
        balance = ledger.balance(uow, payments.store_settlement_of(store_id))
    page = [_payout(w) for w in found[:limit]]
    return PayoutPage(
        balance=balance,
        account=account,
        items=page,
        next_before=page[-1].id if len(found) > limit else None,
    )


def access_payout(
    uow: UnitOfWork, *, actor: Principal, store_id: uuid.UUID, payout_id: uuid.UUID
) -> Payout:
    """One of the store's payouts; PayoutNotFound for an id of another store's."""
    with uow.read() as session:
        access_owned_store(session, actor, store_id)
    try:
        return _payout(payments.store_withdrawal(uow, store_id=store_id, withdrawal_id=payout_id))
    except payments.WithdrawalNotFound as missing:
        raise PayoutNotFound() from missing
