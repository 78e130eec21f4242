"""Charges at bank gateways: creating them, the bank's notifications, capture, expiry, refunds.

A charge moves by guarded single-statement updates (``WHERE status IN (...)``), so however many
copies of a notification race, one capture happens; the notification row, unique on the bank's
own id, makes a redelivered notification a no-op before anything else is read.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from agora import ledger
from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.db import upsert_insert
from agora.core.errors import N_, InvalidInput
from agora.core.ids import new_id
from agora.core.jobs import cancel_deadline, schedule_deadline
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.payments import domain
from agora.payments.accounts import gateway_clearing_of, wallet_of
from agora.payments.errors import ChargeNotCaptured, ChargeNotFound, RefundExceedsCharge
from agora.payments.gateways import get_gateway, sandbox, source_of
from agora.payments.models import ChargeRow, NotificationRow, RefundRow
from agora.payments.switches import require_enabled
from agora.payments.wallet import apply_payout_outcome, check_amount

CHARGE_DEADLINE = "payments.charge_expiry"
TOP_UP = "top_up"
_notifications: Table = NotificationRow.__table__  # type: ignore[assignment]
_refunds: Table = RefundRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Charge:
    id: uuid.UUID
    user_id: uuid.UUID
    amount: int
    gateway: str
    purpose: str
    reference: str
    status: str
    redirect_url: str
    created_at: datetime
    return_url: str = ""
    expires_at: datetime | None = None
    refunded: int = 0
    currency: str = "CNY"


ChargeHandler = Callable[[UnitOfWork, Charge], None]
_purpose_handlers: dict[str, ChargeHandler] = {}


def on_charge_succeeded(purpose: str) -> Callable[[ChargeHandler], ChargeHandler]:
    """Register what a captured charge of ``purpose`` does next, in the capture's transaction.
    The money is already in the user's wallet; a handler that cannot use it must leave it there
    and return (raising would refuse the bank's notification, which the bank then retries)."""

    def register(fn: ChargeHandler) -> ChargeHandler:
        _purpose_handlers[purpose] = fn
        return fn

    return register


def _charge(row: ChargeRow) -> Charge:
    return Charge(
        id=row.id,
        user_id=row.user_id,
        amount=row.amount,
        gateway=row.gateway,
        purpose=row.purpose,
        reference=row.reference,
        status=row.status,
        redirect_url=row.redirect_url,
        created_at=row.created_at,
        return_url=row.return_url,
        expires_at=row.expires_at,
        refunded=row.refunded,
        currency=row.currency,
    )


def _moved(session: Session, statement: Any) -> bool:
    return bool(session.execute(statement).rowcount == 1)  # type: ignore[attr-defined]


def create_charge(
    uow: UnitOfWork,
    *,
    user_id: uuid.UUID,
    amount: int,
    gateway: str = "sandbox",
    purpose: str,
    reference: str,
    return_url: str,
) -> Charge:
    """Ask ``gateway`` for ``amount`` from the user, inside the caller's transaction. The shopper
    then pays at ``redirect_url``; the charge expires if the bank says nothing in time.

    Raises FundingSourceDisabled when the gateway is off platform-wide, InvalidInput on amounts.
    """
    check_amount(amount)
    bank = get_gateway(gateway)
    if not purpose or len(purpose) > 40 or len(reference) > 200 or len(return_url) > 500:
        raise InvalidInput(N_("The charge's purpose, reference or return URL is too long."))
    with uow:
        require_enabled(uow, source=source_of(gateway), store_ids=())
        now = utcnow()
        row = ChargeRow(
            id=new_id(),
            user_id=user_id,
            amount=amount,
            gateway=gateway,
            purpose=purpose,
            reference=reference,
            status=domain.PENDING,
            return_url=return_url,
            refunded=0,
            created_at=now,
            expires_at=now + timedelta(minutes=get_settings().payment_charge_minutes),
        )
        uow.session.add(row)
        row.redirect_url = bank.redirect_url(row.id)
        schedule_deadline(uow, kind=CHARGE_DEADLINE, ref_id=row.id, due_at=row.expires_at)
        uow.session.flush()
        return _charge(row)


def start_top_up(
    uow: UnitOfWork,
    *,
    actor: Principal,
    amount: int,
    return_url: str = "/wallet",
    source: str = domain.GATEWAY_SANDBOX,
) -> Charge:
    """A top-up: a charge at the sandbox bank whose capture is all it does (the wallet grows).

    Raises CreditOnlyForOrders when asked to top up from credit (it would turn credit into
    cash), InvalidInput for any other source than the sandbox bank.
    """
    domain.check_source(
        source, allowed=(domain.GATEWAY_SANDBOX,), message="A top-up comes from the bank."
    )
    with uow:
        return create_charge(
            uow,
            user_id=actor.user_id,
            amount=amount,
            purpose=TOP_UP,
            reference=f"user:{actor.user_id}",
            return_url=return_url,
        )


def waiting_top_ups(uow: UnitOfWork, *, actor: Principal, limit: int = 3) -> list[Charge]:
    """The actor's top-ups the bank has not answered and that have not expired, newest first:
    the wallet offers a way back to the bank for each (a shopper who closed the bank's page
    would otherwise have no way to finish paying)."""
    with uow.read() as session:
        rows = session.scalars(
            select(ChargeRow)
            .where(
                ChargeRow.user_id == actor.user_id,
                ChargeRow.purpose == TOP_UP,
                ChargeRow.status == domain.PENDING,
                ChargeRow.expires_at > utcnow(),
            )
            .order_by(ChargeRow.created_at.desc())
            .limit(limit)
        ).all()
        return [_charge(row) for row in rows]


def access_charge(uow: UnitOfWork, *, actor: Principal, charge_id: uuid.UUID) -> Charge:
    """The charge, if the actor owns it; ChargeNotFound (404) otherwise."""
    with uow.read() as session:
        row = session.get(ChargeRow, charge_id)
        if row is None or row.user_id != actor.user_id:
            raise ChargeNotFound()
        return _charge(row)


def submit_sandbox_payment(
    uow: UnitOfWork, *, actor: Principal, charge_id: uuid.UUID, approve: bool
) -> str:
    """The shopper pressed Pay (``approve``) or Decline on the sandbox bank page. The bank will
    notify us; the shopper goes back to the charge's return URL, which gets ``charge=<id>``."""
    with uow:
        charge = access_charge(uow, actor=actor, charge_id=charge_id)
        if charge.gateway != sandbox.name:
            raise ChargeNotFound()
        sandbox.decide_charge(uow, charge_id=charge.id, amount=charge.amount, approve=approve)
    return domain.with_query(charge.return_url, charge=str(charge.id))


@dataclass(frozen=True, slots=True)
class NotificationResult:
    result: str
    """applied | late (captured after expiry) | ignored (out of order) | duplicate | unknown |
    mismatch (the amount disagrees with ours)"""


def receive_notification(
    uow: UnitOfWork, *, gateway: str, body: bytes, signature: str
) -> NotificationResult:
    """Apply a bank's signed notification once. The signature is checked before anything is
    read or written (BadSignature, MalformedNotification); the same bank id twice is a no-op.
    """
    bank = get_gateway(gateway)
    note = bank.read_notification(body, signature)
    with uow:
        inserted = uow.session.execute(
            upsert_insert(uow.session, _notifications)
            .values(
                id=new_id(),
                gateway=gateway,
                notification_id=note.notification_id,
                kind=note.kind,
                ref_id=note.ref_id,
                outcome=note.outcome,
                amount=note.amount,
                result="received",
                payload=note.as_dict(),
                received_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["gateway", "notification_id"])
            .returning(_notifications.c.id)
        ).first()
        if inserted is None:
            return NotificationResult("duplicate")
        if note.kind == "charge":
            result = _apply_charge_outcome(uow, gateway, note)
        else:
            result = apply_payout_outcome(uow, gateway, note)
        uow.session.execute(
            update(NotificationRow).where(NotificationRow.id == inserted[0]).values(result=result)
        )
        return NotificationResult(result)


def _apply_charge_outcome(uow: UnitOfWork, gateway: str, note: domain.Notification) -> str:
    session = uow.session
    row = session.get(ChargeRow, note.ref_id)
    if row is None or row.gateway != gateway:
        return "unknown"
    if row.amount != note.amount or row.currency != note.currency:
        return "mismatch"
    now = utcnow()
    for source in domain.charge_sources(note.outcome):
        moved = _moved(
            session,
            update(ChargeRow)
            .where(ChargeRow.id == row.id, ChargeRow.status == source)
            .values(status=note.outcome, finished_at=now)
            .execution_options(synchronize_session=False),
        )
        if moved:
            break
    else:
        return "ignored"
    session.refresh(row)
    cancel_deadline(uow, kind=CHARGE_DEADLINE, ref_id=row.id)
    charge = _charge(row)
    if note.outcome == domain.SUCCEEDED:
        _capture(uow, charge)
    _announce(uow, charge)
    return "late" if source == domain.EXPIRED else "applied"


def _capture(uow: UnitOfWork, charge: Charge) -> None:
    ledger.transfer(
        uow,
        key=f"charge:{charge.id}:capture",
        kind="charge_capture",
        legs=[
            ledger.Leg(gateway_clearing_of(charge.gateway, charge.id), -charge.amount),
            ledger.Leg(wallet_of(charge.user_id), charge.amount),
        ],
        memo={"charge_id": str(charge.id), "purpose": charge.purpose, "gateway": charge.gateway},
    )
    handler = _purpose_handlers.get(charge.purpose)
    if handler is not None:
        handler(uow, charge)


def _announce(uow: UnitOfWork, charge: Charge) -> None:
    uow.emit(
        "payments.charge_updated",
        {"charge_id": str(charge.id), "status": charge.status, "purpose": charge.purpose},
        topics=[f"user:{charge.user_id}"],
    )


def expire_charge(uow: UnitOfWork, charge_id: uuid.UUID) -> bool:
    """The charge's deadline passed with no answer from the bank; ``False`` if it had one."""
    with uow:
        moved = _moved(
            uow.session,
            update(ChargeRow)
            .where(
                ChargeRow.id == charge_id, ChargeRow.status.in_(domain.charge_sources("expired"))
            )
            .values(status=domain.EXPIRED, finished_at=utcnow())
            .execution_options(synchronize_session=False),
        )
        if moved:
            row = uow.session.get(ChargeRow, charge_id)
            assert row is not None
            uow.session.refresh(row)
            _announce(uow, _charge(row))
        return moved


def refund_to_gateway(
    uow: UnitOfWork, *, charge_id: uuid.UUID, amount: int, source: ledger.AccountRef, key: str
) -> None:
    """Send ``amount`` from ``source`` back to the bank against a captured charge, once per
    ``key`` (a second call with the same key does nothing; the ledger key is ``refund:{key}``).

    Raises InvalidInput (bad amount or key), ChargeNotFound, ChargeNotCaptured, or
    RefundExceedsCharge when it would refund more than was captured minus earlier refunds; the
    refund total is raised by one guarded UPDATE, so concurrent refunds cannot overshoot.
    """
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InvalidInput(N_("A refund moves a positive whole number of fen."))
    if not key or len(key) > 190:
        raise InvalidInput(N_("A refund key is 1 to 190 characters."))
    with uow:
        session = uow.session
        row = session.get(ChargeRow, charge_id)
        if row is None:
            raise ChargeNotFound()
        inserted = session.execute(
            upsert_insert(session, _refunds)
            .values(id=new_id(), charge_id=charge_id, amount=amount, key=key, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(_refunds.c.id)
        ).first()
        if inserted is None:
            return
        raised = _moved(
            session,
            update(ChargeRow)
            .where(
                ChargeRow.id == charge_id,
                ChargeRow.status == domain.SUCCEEDED,
                ChargeRow.refunded + amount <= ChargeRow.amount,
            )
            .values(refunded=ChargeRow.refunded + amount)
            .execution_options(synchronize_session=False),
        )
        if not raised:
            session.refresh(row)
            if row.status != domain.SUCCEEDED:
                raise ChargeNotCaptured()
            raise RefundExceedsCharge(refundable=row.amount - row.refunded)
        ledger.transfer(
            uow,
            key=f"refund:{key}",
            kind="gateway_refund",
            legs=[
                ledger.Leg(source, -amount),
                ledger.Leg(gateway_clearing_of(row.gateway, charge_id), amount),
            ],
            memo={"charge_id": str(charge_id), "gateway": row.gateway},
        )


def refunded_total(uow: UnitOfWork, charge_id: uuid.UUID) -> int:
    with uow.read() as session:
        rows = session.scalars(select(RefundRow.amount).where(RefundRow.charge_id == charge_id))
        return sum(rows)
