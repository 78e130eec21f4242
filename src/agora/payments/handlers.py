"""Reactions to payments' own outbox events: the sandbox bank calling back, payouts asked of banks.

Both run in the relay's transaction for the event (at least once); receiving a notification is
idempotent by the bank's id and asking for a payout checks the withdrawal is still pending.
"""

from __future__ import annotations

import uuid

from agora.core.events import Event, handlers
from agora.core.uow import UnitOfWork
from agora.payments.gateways import SANDBOX, SANDBOX_NOTIFICATION_EVENT
from agora.payments.service import receive_notification
from agora.payments.wallet import PAYOUT_REQUESTED, ask_bank_for_payout


@handlers.on(SANDBOX_NOTIFICATION_EVENT)
def deliver_sandbox_notification(uow: UnitOfWork, event: Event) -> None:
    receive_notification(
        uow,
        gateway=SANDBOX,
        body=str(event.payload["body"]).encode(),
        signature=str(event.payload["signature"]),
    )


@handlers.on(PAYOUT_REQUESTED)
def request_payout(uow: UnitOfWork, event: Event) -> None:
    ask_bank_for_payout(uow, uuid.UUID(str(event.payload["withdrawal_id"])))
