"""Payments endpoints: wallet, top-ups, withdrawals, charges, bank notifications, switches.

The API layer sits on top of the contexts: it checks that a store named in a switch exists
(catalog) before payments records the switch.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Header, Query, Request, status
from fastapi.responses import Response
from pydantic import BaseModel

from agora import catalog, payments
from agora.catalog.errors import StoreNotFound
from agora.catalog.schemas import MoneyOut
from agora.core.fields import BIGINT_MAX
from agora.http.deps import Actor, Uow
from agora.http.idempotency import IdempotencyKeyHeader, respond_idempotently
from agora.http.openapi import also
from agora.http.routing import Router
from agora.payments.gateways import SIGNATURE_HEADER
from agora.payments.schemas import SwitchesIn, TopUpIn, WithdrawalIn

router = Router(prefix="/api/v1", tags=["payments"])


class ChargeOut(BaseModel):
    id: uuid.UUID
    amount: MoneyOut
    gateway: str
    purpose: str
    reference: str
    status: str
    redirect_url: str
    refunded: MoneyOut
    created_at: datetime
    expires_at: datetime | None


class WalletOut(BaseModel):
    balance: MoneyOut


class StatementLineOut(BaseModel):
    entry_id: int
    kind: str
    amount: MoneyOut
    balance_after: MoneyOut
    memo: dict[str, Any]
    created_at: datetime


class StatementOut(BaseModel):
    items: list[StatementLineOut]
    next_before: int | None
    """Pass as ``before`` for the next (older) page; ``null`` on the last page."""


class WithdrawalOut(BaseModel):
    id: uuid.UUID
    amount: MoneyOut
    gateway: str
    status: str
    created_at: datetime
    finished_at: datetime | None


class NotificationOut(BaseModel):
    result: str


class SwitchOut(BaseModel):
    store_id: uuid.UUID | None
    source: str
    enabled: bool
    updated_at: datetime | None


class SwitchesOut(BaseModel):
    sources: list[str]
    switches: list[SwitchOut]


def charge_out(charge: payments.Charge) -> ChargeOut:
    return ChargeOut(
        id=charge.id,
        amount=MoneyOut(amount=charge.amount, currency=charge.currency),
        gateway=charge.gateway,
        purpose=charge.purpose,
        reference=charge.reference,
        status=charge.status,
        redirect_url=charge.redirect_url,
        refunded=MoneyOut(amount=charge.refunded, currency=charge.currency),
        created_at=charge.created_at,
        expires_at=charge.expires_at,
    )


def withdrawal_out(withdrawal: payments.Withdrawal) -> WithdrawalOut:
    return WithdrawalOut(
        id=withdrawal.id,
        amount=MoneyOut(amount=withdrawal.amount, currency=withdrawal.currency),
        gateway=withdrawal.gateway,
        status=withdrawal.status,
        created_at=withdrawal.created_at,
        finished_at=withdrawal.finished_at,
    )


@router.get("/wallet", response_model=WalletOut)
def wallet(actor: Actor, uow: Uow) -> WalletOut:
    return WalletOut(balance=MoneyOut(amount=payments.wallet_balance(uow, actor=actor)))


@router.get("/wallet/statement", response_model=StatementOut)
def statement(
    actor: Actor,
    uow: Uow,
    before: Annotated[
        int | None, Query(ge=1, le=BIGINT_MAX, description="Cursor: an entry id.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> StatementOut:
    """The wallet's history, newest first."""
    lines = payments.wallet_statement(uow, actor=actor, before=before, limit=limit + 1)
    page = lines[:limit]
    return StatementOut(
        items=[
            StatementLineOut(
                entry_id=line.entry_id,
                kind=line.kind,
                amount=MoneyOut(amount=line.amount),
                balance_after=MoneyOut(amount=line.balance_after),
                memo=line.memo,
                created_at=line.created_at,
            )
            for line in page
        ],
        next_before=page[-1].entry_id if len(lines) > limit else None,
    )


@router.post("/wallet/top-ups", status_code=status.HTTP_201_CREATED, response_model=ChargeOut)
def top_up(
    body: TopUpIn,
    actor: Actor,
    uow: Uow,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Start a top-up: send the shopper to ``redirect_url`` (the bank) to pay it."""

    def action() -> tuple[int, ChargeOut]:
        charge = payments.start_top_up(uow, actor=actor, amount=body.amount, source=body.source)
        return status.HTTP_201_CREATED, charge_out(charge)

    return respond_idempotently(
        request, uow, actor=actor, key=idempotency_key, body=body, action=action
    )


@router.post(
    "/wallet/withdrawals", status_code=status.HTTP_201_CREATED, response_model=WithdrawalOut
)
def withdraw(
    body: WithdrawalIn,
    actor: Actor,
    uow: Uow,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Leave the wallet at once; the bank pays out later (``status`` then changes)."""

    def action() -> tuple[int, WithdrawalOut]:
        withdrawal = payments.request_withdrawal(
            uow, actor=actor, amount=body.amount, source=body.source
        )
        return status.HTTP_201_CREATED, withdrawal_out(withdrawal)

    return respond_idempotently(
        request, uow, actor=actor, key=idempotency_key, body=body, action=action
    )


@router.get("/payments/charges/{charge_id}", response_model=ChargeOut)
def charge(charge_id: uuid.UUID, actor: Actor, uow: Uow) -> ChargeOut:
    return charge_out(payments.access_charge(uow, actor=actor, charge_id=charge_id))


@router.post(
    "/payments/gateways/{gateway}/notifications",
    response_model=NotificationOut,
    responses=also(400, 401),
)
async def notification(
    gateway: str,
    request: Request,
    uow: Uow,
    signature: Annotated[str, Header(alias=SIGNATURE_HEADER, max_length=200)] = "",
) -> NotificationOut:
    """A bank's signed notification (HMAC-SHA256 of the canonical JSON in the header).
    Answers 200 also for a duplicate or an out-of-order one (``result`` says which), so the bank
    stops retrying; a bad signature is refused and changes nothing."""
    body = await request.body()
    result = await anyio.to_thread.run_sync(
        lambda: payments.receive_notification(uow, gateway=gateway, body=body, signature=signature)
    )
    return NotificationOut(result=result.result)


def _switches_out(switches: list[payments.Switch]) -> SwitchesOut:
    return SwitchesOut(
        sources=list(payments.SOURCES),
        switches=[
            SwitchOut(
                store_id=s.store_id, source=s.source, enabled=s.enabled, updated_at=s.updated_at
            )
            for s in switches
        ],
    )


@router.get("/operator/payment-switches", response_model=SwitchesOut)
def switches(actor: Actor, uow: Uow) -> SwitchesOut:
    return _switches_out(payments.list_switches(uow, actor=actor))


@router.put("/operator/payment-switches", response_model=SwitchesOut)
def set_switches(body: SwitchesIn, actor: Actor, uow: Uow) -> SwitchesOut:
    """Turn sources on or off, platform-wide (no ``store_id``) or for a store; all or nothing."""
    payments.list_switches(uow, actor=actor)  # operators only, before anything is looked up
    with uow:
        for item in body.switches:
            if item.store_id is not None and uow.session.get(catalog.Store, item.store_id) is None:
                raise StoreNotFound()
            payments.set_switch(
                uow, actor=actor, source=item.source, enabled=item.enabled, store_id=item.store_id
            )
    return _switches_out(payments.list_switches(uow, actor=actor))
