"""Bank gateways behind one interface, and the sandbox bank that ships with Agora.

A gateway sends the shopper to its own page to pay, pays out withdrawals when asked, and tells us
the outcome later in a signed notification. A real bank plugs in as another :class:`BankGateway`
whose ``request_payout`` calls the bank (from the outbox relay, never inside a use case's
transaction) and whose notifications reach ``POST /api/v1/payments/gateways/{name}/notifications``.
The sandbox plays the bank inside Agora: it keeps what the shopper chose on its page and delivers
its signed notifications through the outbox, to the same service function the endpoint uses.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError

from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.uow import UnitOfWork
from agora.payments import domain
from agora.payments.errors import BadSignature, MalformedNotification, UnknownGateway
from agora.payments.models import SandboxDecisionRow

SANDBOX = "sandbox"
SANDBOX_NOTIFICATION_EVENT = "payments.sandbox.notification"
SIGNATURE_HEADER = "X-Sandbox-Signature"
DECLINED_PAYOUT_FEN = 13
"""Like the magic amounts of real bank sandboxes: the sandbox refuses a payout whose amount ends
in .13 (e.g. ¥10.13), so the failure path can be tried by hand."""
DECLINED_REASON = "declined"
"""The reason the sandbox gives for a refused payout (pages show it in the reader's words)."""


class BankGateway(Protocol):
    name: str

    def redirect_url(self, charge_id: uuid.UUID) -> str:
        """Where the shopper goes to pay the charge."""
        ...

    def request_payout(
        self, uow: UnitOfWork, *, withdrawal_id: uuid.UUID, amount: int, currency: str
    ) -> None:
        """Ask the bank to pay a withdrawal out; the outcome comes back as a notification."""
        ...

    def read_notification(self, body: bytes, signature: str) -> domain.Notification:
        """Verify and parse a notification. Raises BadSignature or MalformedNotification."""
        ...


class SandboxGateway:
    name = SANDBOX

    @staticmethod
    def key() -> bytes:
        """A key derived from the app's secret, so the signing key itself is never configured."""
        secret = get_settings().secret_key.encode()
        return hmac.new(secret, b"agora:payments:sandbox-notifications", hashlib.sha256).digest()

    def redirect_url(self, charge_id: uuid.UUID) -> str:
        return f"/sandbox/bank/{charge_id}"

    def sign(self, notification: domain.Notification) -> tuple[bytes, str]:
        fields = notification.as_dict()
        return domain.canonical(fields), domain.sign(self.key(), fields)

    def read_notification(self, body: bytes, signature: str) -> domain.Notification:
        try:
            fields: Any = json.loads(body)
        except ValueError as exc:
            raise MalformedNotification() from exc
        if not isinstance(fields, dict):
            raise MalformedNotification()
        if not domain.signature_ok(self.key(), fields, signature):
            raise BadSignature()
        notification = domain.parse_notification(fields)
        if notification is None:
            raise MalformedNotification()
        return notification

    def send(self, uow: UnitOfWork, notification: domain.Notification) -> None:
        """The bank calls us back: a signed notification, delivered after this commit."""
        body, signature = self.sign(notification)
        uow.emit(SANDBOX_NOTIFICATION_EVENT, {"body": body.decode(), "signature": signature})

    def decide_charge(
        self, uow: UnitOfWork, *, charge_id: uuid.UUID, amount: int, approve: bool
    ) -> bool:
        """The shopper pressed Pay or Decline on the bank page. The bank decides once per charge;
        ``False`` when it had already decided (a second click changes nothing)."""
        outcome: domain.Outcome = "succeeded" if approve else "failed"
        with uow:
            try:
                with uow.session.begin_nested():
                    uow.session.add(
                        SandboxDecisionRow(
                            charge_id=charge_id, outcome=outcome, decided_at=utcnow()
                        )
                    )
            except IntegrityError:
                return False
            self.send(
                uow,
                domain.Notification(f"sb-chg-{charge_id}", "charge", charge_id, outcome, amount),
            )
        return True

    def decision(self, uow: UnitOfWork, charge_id: uuid.UUID) -> str | None:
        with uow.read() as session:
            row = session.get(SandboxDecisionRow, charge_id)
            return row.outcome if row is not None else None

    def request_payout(
        self, uow: UnitOfWork, *, withdrawal_id: uuid.UUID, amount: int, currency: str
    ) -> None:
        declined = amount % 100 == DECLINED_PAYOUT_FEN
        outcome: domain.Outcome = "failed" if declined else "succeeded"
        self.send(
            uow,
            domain.Notification(
                f"sb-pay-{withdrawal_id}",
                "payout",
                withdrawal_id,
                outcome,
                amount,
                currency,
                reason=DECLINED_REASON if declined else None,
            ),
        )


sandbox = SandboxGateway()
GATEWAYS: dict[str, BankGateway] = {SANDBOX: sandbox}


def get_gateway(name: str) -> BankGateway:
    gateway = GATEWAYS.get(name)
    if gateway is None:
        raise UnknownGateway()
    return gateway


def source_of(gateway: str) -> str:
    """The funding-source name of a gateway, as the operator's switches know it."""
    return f"gateway:{gateway}"
