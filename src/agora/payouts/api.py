"""Payouts endpoints: a store's payout account, its payouts, and the operator's commission rate
per store (what a store is paid, both). The owner's use cases check the actor; the API only
shapes the answers."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, status
from fastapi.responses import Response

from agora import catalog, payouts
from agora.catalog.schemas import MoneyOut
from agora.http.deps import Actor, Uow
from agora.http.idempotency import IdempotencyKeyHeader, respond_idempotently
from agora.http.routing import Router
from agora.payouts.schemas import (
    CommissionIn,
    CommissionOut,
    PayoutAccountIn,
    PayoutAccountOut,
    PayoutIn,
    PayoutOut,
    PayoutPageOut,
)

router = Router(prefix="/api/v1", tags=["payouts"])


def payout_out(payout: payouts.Payout) -> PayoutOut:
    return PayoutOut(
        id=payout.id,
        store_id=payout.store_id,
        amount=MoneyOut(amount=payout.amount, currency=payout.currency),
        status=payout.status,
        failure_reason=payout.failure_reason,
        created_at=payout.created_at,
        finished_at=payout.finished_at,
    )


def account_out(account: payouts.Account | None) -> PayoutAccountOut | None:
    if account is None:
        return None
    return PayoutAccountOut(
        holder_name=account.holder_name,
        bank_name=account.bank_name,
        account_number=account.masked_number,
        updated_at=account.updated_at,
    )


@router.get("/stores/{store_id}/payouts", response_model=PayoutPageOut)
def store_payouts(
    store_id: uuid.UUID,
    actor: Actor,
    uow: Uow,
    before: Annotated[uuid.UUID | None, Query(description="Cursor: a payout id.")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> PayoutPageOut:
    """The settled balance, the payout account and the payouts, newest first (owner only)."""
    page = payouts.store_payouts(uow, actor=actor, store_id=store_id, before=before, limit=limit)
    return PayoutPageOut(
        balance=MoneyOut(amount=page.balance),
        account=account_out(page.account),
        items=[payout_out(p) for p in page.items],
        next_before=page.next_before,
    )


@router.post(
    "/stores/{store_id}/payouts", status_code=status.HTTP_201_CREATED, response_model=PayoutOut
)
def request_payout(
    store_id: uuid.UUID,
    body: PayoutIn,
    actor: Actor,
    uow: Uow,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Pay part of the settled balance out to the payout account: it leaves the balance at once
    (``requested``); the bank's answer makes it ``paid``, or ``failed`` with the money back."""

    def action() -> tuple[int, PayoutOut]:
        payout = payouts.request_payout(uow, actor=actor, store_id=store_id, amount=body.amount)
        return status.HTTP_201_CREATED, payout_out(payout)

    return respond_idempotently(
        request, uow, actor=actor, key=idempotency_key, body=body, action=action
    )


@router.get("/stores/{store_id}/payouts/{payout_id}", response_model=PayoutOut)
def payout(store_id: uuid.UUID, payout_id: uuid.UUID, actor: Actor, uow: Uow) -> PayoutOut:
    return payout_out(
        payouts.access_payout(uow, actor=actor, store_id=store_id, payout_id=payout_id)
    )


@router.get("/stores/{store_id}/payout-account", response_model=PayoutAccountOut | None)
def payout_account(store_id: uuid.UUID, actor: Actor, uow: Uow) -> PayoutAccountOut | None:
    """The account payouts go to, its number masked; ``null`` until the owner sets one."""
    return account_out(payouts.payout_account(uow, actor=actor, store_id=store_id))


@router.put("/stores/{store_id}/payout-account", response_model=PayoutAccountOut)
def set_payout_account(
    store_id: uuid.UUID, body: PayoutAccountIn, actor: Actor, uow: Uow
) -> PayoutAccountOut | None:
    account = payouts.set_payout_account(
        uow,
        actor=actor,
        store_id=store_id,
        holder_name=body.holder_name,
        bank_name=body.bank_name,
        account_number=body.account_number,
    )
    return account_out(account)


@router.put("/operator/stores/{store_id}/commission", response_model=CommissionOut)
def set_commission(
    store_id: uuid.UUID, body: CommissionIn, actor: Actor, uow: Uow
) -> CommissionOut:
    """Operators: the store's own commission rate, or ``null`` for the platform default. Orders
    completed from now on settle at it."""
    store = catalog.set_store_commission(
        uow, actor=actor, store_id=store_id, percent=body.commission_percent
    )
    commission = catalog.store_commission(store)
    return CommissionOut(
        store_id=store.id,
        commission_percent=commission.own,
        effective_percent=commission.effective,
    )
